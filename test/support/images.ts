// Picture fixtures made at test time from Kaggle digits: each 28×28 row is enlarged (or shrunk)
// with bilinear filtering, placed off-centre on a canvas, coloured (light-on-dark or dark-on-light,
// gray, coloured ink, transparent) and encoded as PNG, JPEG or BMP. Nothing is committed.
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import * as bmp from 'bmp-ts';

export interface ImageFixtureKind {
  name: string;
  ext: '.png' | '.jpg' | '.bmp';
  /** PNG colour type: 0 gray, 2 RGB, 6 RGBA. */
  colorType?: 0 | 2 | 6;
  width: number;
  height: number;
  /** Side of the digit's 28×28 square once scaled. */
  digitSide: number;
  /** Top-left corner of the digit's square. */
  at: [number, number];
  /** Ink and background colours (RGBA). */
  ink: [number, number, number, number];
  paper: [number, number, number, number];
}

export const IMAGE_FIXTURE_KINDS: ImageFixtureKind[] = [
  { name: 'png-gray-light-on-dark-large', ext: '.png', colorType: 0, width: 320, height: 240, digitSide: 160, at: [20, 60], ink: [255, 255, 255, 255], paper: [0, 0, 0, 255] },
  { name: 'png-gray-dark-on-light', ext: '.png', colorType: 0, width: 100, height: 100, digitSide: 70, at: [28, 5], ink: [20, 20, 20, 255], paper: [235, 235, 235, 255] },
  { name: 'png-rgb-blue-ink-on-white', ext: '.png', colorType: 2, width: 200, height: 150, digitSide: 112, at: [70, 30], ink: [20, 40, 160, 255], paper: [255, 255, 255, 255] },
  { name: 'png-rgba-transparent', ext: '.png', colorType: 6, width: 120, height: 120, digitSide: 84, at: [5, 30], ink: [0, 0, 0, 255], paper: [0, 0, 0, 0] },
  { name: 'jpeg-dark-on-light', ext: '.jpg', width: 400, height: 300, digitSide: 224, at: [150, 40], ink: [30, 30, 30, 255], paper: [245, 240, 230, 255] },
  { name: 'jpeg-light-on-dark-small', ext: '.jpg', width: 40, height: 40, digitSide: 28, at: [10, 4], ink: [255, 255, 255, 255], paper: [0, 0, 0, 255] },
  { name: 'bmp-dark-on-light', ext: '.bmp', width: 90, height: 70, digitSide: 56, at: [30, 10], ink: [0, 0, 0, 255], paper: [255, 255, 255, 255] },
  { name: 'png-gray-tiny', ext: '.png', colorType: 0, width: 24, height: 24, digitSide: 20, at: [2, 3], ink: [255, 255, 255, 255], paper: [0, 0, 0, 255] },
];

/** The RGBA picture of one 28×28 digit (0–255 ink) drawn as `kind` describes. */
export function renderDigit(pixels: ArrayLike<number>, kind: ImageFixtureKind): Uint8Array {
  const { width, height, digitSide, at, ink, paper } = kind;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Bilinear sample of the digit at this canvas pixel's centre.
      const u = ((x - at[0] + 0.5) / digitSide) * 28 - 0.5;
      const v = ((y - at[1] + 0.5) / digitSide) * 28 - 0.5;
      const coverage = sample(pixels, u, v) / 255;
      for (let c = 0; c < 4; c++) rgba[(y * width + x) * 4 + c] = Math.round(paper[c] + (ink[c] - paper[c]) * coverage);
    }
  }
  return rgba;
}

function sample(pixels: ArrayLike<number>, u: number, v: number): number {
  if (u < -1 || v < -1 || u > 28 || v > 28) return 0;
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const fx = u - x0;
  const fy = v - y0;
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < 28 && y < 28 ? pixels[y * 28 + x] : 0);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

/** Encodes RGBA as the kind's format. */
export function encodeImage(rgba: Uint8Array, kind: ImageFixtureKind): Buffer {
  const { width, height } = kind;
  if (kind.ext === '.png') {
    const png = new PNG({ width, height });
    png.data = Buffer.from(rgba);
    return PNG.sync.write(png, { colorType: kind.colorType ?? 6 });
  }
  if (kind.ext === '.jpg') return jpeg.encode({ data: rgba, width, height }, 88).data;
  // bmp-ts takes ABGR bytes.
  const abgr = Buffer.alloc(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    abgr[i] = 255;
    abgr[i + 1] = rgba[i + 2];
    abgr[i + 2] = rgba[i + 1];
    abgr[i + 3] = rgba[i];
  }
  return bmp.encode({ data: abgr, width, height, bitPP: 24 } as Parameters<typeof bmp.encode>[0]).data;
}

export interface ImageFixture {
  file: string;
  kind: ImageFixtureKind;
  label: number;
  /** The source digit (784 bytes). */
  pixels: Uint8Array;
}

/**
 * Writes one picture per kind for each digit into `dir` (named `<index>-<kind><ext>`), and
 * returns them.
 */
export function writeImageFixtures(dir: string, digits: Array<{ label: number; pixels: Uint8Array }>, kinds = IMAGE_FIXTURE_KINDS): ImageFixture[] {
  fs.mkdirSync(dir, { recursive: true });
  const fixtures: ImageFixture[] = [];
  digits.forEach((digit, i) => {
    for (const kind of kinds) {
      const file = path.join(dir, `${String(i).padStart(3, '0')}-${kind.name}${kind.ext}`);
      fs.writeFileSync(file, encodeImage(renderDigit(digit.pixels, kind), kind));
      fixtures.push({ file, kind, label: digit.label, pixels: digit.pixels });
    }
  });
  return fixtures;
}
