// Turns a drawing (or an imported picture) into an MNIST-like 28×28 image, the way MNIST itself
// was made: crop to the ink, fit into 20×20 keeping the aspect ratio with anti-aliasing, then
// place in a 28×28 frame so that the centre of mass sits at the centre of the frame.
//
// Pure: no DOM, no vscode. Shared by the Digit Pad webview and the extension (image import).

/** Side of an MNIST image and its pixel count (kept local so this module has no imports). */
export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** MNIST fits each digit's bounding box into this square before centring it in the frame. */
export const MNIST_BOX = 20;
/** Where MNIST puts the centre of mass, in pixel indices (x and y). */
export const MNIST_CENTRE = 14;

/** A grayscale raster of ink coverage: 0 = background, 255 = full ink. Row-major. */
export interface InkRaster {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

export interface PreprocessOptions {
  /** Pixels with coverage at or below this are background when finding the bounding box. Default 0. */
  threshold?: number;
  /** Scale the result so its brightest pixel is 255 (MNIST strokes have saturated cores). Default true. */
  stretch?: boolean;
}

export interface PreprocessResult {
  /** 784 bytes, row-major, white ink (255) on black (0), like Kaggle's CSV rows. */
  pixels: Uint8Array;
  /** True when there was no ink: `pixels` is then all zeros. */
  empty: boolean;
  /**
   * Where the ink went (absent when empty): the raster's bounding box `box` was resampled to
   * `width` × `height` pixels placed at (`dx`, `dy`) in the 28×28 frame. Maps the frame back
   * onto the drawing (the pad's "see why" overlay on the canvas).
   */
  frame?: { box: { left: number; top: number; right: number; bottom: number }; width: number; height: number; dx: number; dy: number };
}

/**
 * MNIST-style preprocessing: crop to the ink's bounding box, scale it to fit 20×20 keeping the
 * aspect ratio (box filter when shrinking, bilinear when enlarging), and place it in 28×28 shifted
 * by whole pixels so its centre of mass is as close as possible to pixel (14, 14) — MNIST's own
 * convention (measured on Kaggle's train.csv: mean centre of mass 14.0, 14.0 in pixel indices).
 * The shift is clamped so no ink leaves the frame.
 */
export function preprocess(raster: InkRaster, options: PreprocessOptions = {}): PreprocessResult {
  const { width, height, data } = raster;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`preprocess: bad raster size ${width}×${height}`);
  }
  if (data.length < width * height) {
    throw new RangeError(`preprocess: raster has ${data.length} values, expected ${width * height}`);
  }
  const threshold = options.threshold ?? 0;
  const stretch = options.stretch ?? true;
  const out = new Uint8Array(MNIST_PIXELS);

  const box = inkBounds(raster, threshold);
  if (!box) return { pixels: out, empty: true };

  // Fit the bounding box into MNIST_BOX × MNIST_BOX keeping the aspect ratio.
  const bw = box.right - box.left;
  const bh = box.bottom - box.top;
  const scale = MNIST_BOX / Math.max(bw, bh);
  const ow = clampInt(Math.round(bw * scale), 1, MNIST_BOX);
  const oh = clampInt(Math.round(bh * scale), 1, MNIST_BOX);

  // Separable resampling of the cropped box into ow × oh (values stay 0–255 floats).
  const xWeights = resampleWeights(bw, ow);
  const yWeights = resampleWeights(bh, oh);
  const rows = new Float32Array(bh * ow);
  for (let y = 0; y < bh; y++) {
    const srcRow = (box.top + y) * width + box.left;
    for (let x = 0; x < ow; x++) {
      let sum = 0;
      for (const [j, w] of xWeights[x]) sum += w * clampInk(data[srcRow + j]);
      rows[y * ow + x] = sum;
    }
  }
  const small = new Float32Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sum = 0;
      for (const [i, w] of yWeights[y]) sum += w * rows[i * ow + x];
      small[y * ow + x] = sum;
    }
  }

  // Shift by whole pixels so the centre of mass lands on pixel (14, 14).
  const com = centreOfMass(small, ow, oh);
  let peak = 0;
  for (const v of small) if (v > peak) peak = v;
  if (!com || peak <= 0) return { pixels: out, empty: true };
  const centre = MNIST_CENTRE;
  const dx = clampInt(Math.round(centre - com.x), 0, MNIST_SIDE - ow);
  const dy = clampInt(Math.round(centre - com.y), 0, MNIST_SIDE - oh);

  const gain = stretch ? 255 / peak : 1;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      out[(y + dy) * MNIST_SIDE + x + dx] = clampInt(Math.round(small[y * ow + x] * gain), 0, 255);
    }
  }
  return { pixels: out, empty: false, frame: { box, width: ow, height: oh, dx, dy } };
}

/** The half-open bounding box [left, right) × [top, bottom) of pixels above `threshold`, or undefined. */
export function inkBounds(
  raster: InkRaster,
  threshold = 0,
): { left: number; top: number; right: number; bottom: number } | undefined {
  const { width, height, data } = raster;
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (clampInk(data[row + x]) > threshold) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  if (right < 0) return undefined;
  return { left, top, right: right + 1, bottom: bottom + 1 };
}

/**
 * Centre of mass of a row-major image in pixel indices (pixel (x, y) sits at x, y), with its
 * total mass; undefined when the image is empty.
 */
export function centreOfMass(
  data: ArrayLike<number>,
  width: number,
  height: number,
): { x: number; y: number; mass: number } | undefined {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  return mass > 0 ? { x: mx / mass, y: my / mass, mass } : undefined;
}

/**
 * Weights mapping `src` samples to `dst` samples along one axis: area averaging (box filter)
 * when shrinking, bilinear interpolation between pixel centres when enlarging. Each output's
 * weights sum to 1.
 */
export function resampleWeights(src: number, dst: number): Array<Array<[number, number]>> {
  const result: Array<Array<[number, number]>> = [];
  const ratio = src / dst; // source pixels per output pixel
  for (let i = 0; i < dst; i++) {
    const taps: Array<[number, number]> = [];
    if (ratio >= 1) {
      const start = i * ratio;
      const end = (i + 1) * ratio;
      for (let j = Math.floor(start); j < Math.min(src, Math.ceil(end)); j++) {
        const overlap = Math.min(end, j + 1) - Math.max(start, j);
        if (overlap > 1e-9) taps.push([j, overlap / ratio]);
      }
    } else {
      const centre = Math.min(src - 1, Math.max(0, (i + 0.5) * ratio - 0.5));
      const j0 = Math.floor(centre);
      const j1 = Math.min(src - 1, j0 + 1);
      const f = centre - j0;
      if (j1 === j0 || f < 1e-9) taps.push([j0, 1]);
      else taps.push([j0, 1 - f], [j1, f]);
    }
    result.push(taps);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Helpers for imported pictures (PNG/JPEG decoded to RGBA): grayscale, background removal and
// automatic inversion of dark-on-light pictures so the result is ink coverage like the pad's.

/** Rec. 601 luma (0–255) of an RGBA buffer, alpha-composited over `background` (0–255 gray). */
export function grayscaleFromRgba(rgba: ArrayLike<number>, width: number, height: number, background = 255): Float32Array {
  const n = width * height;
  if (rgba.length < n * 4) throw new RangeError(`grayscaleFromRgba: ${rgba.length} bytes for ${width}×${height}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3] / 255;
    const luma = 0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2];
    out[i] = luma * a + background * (1 - a);
  }
  return out;
}

/** Mean value of the outermost ring of pixels: a robust guess at the background level. */
export function borderMean(gray: ArrayLike<number>, width: number, height: number): number {
  if (width === 0 || height === 0) return 0;
  let sum = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    sum += gray[x] + gray[(height - 1) * width + x];
    count += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    sum += gray[y * width] + gray[y * width + width - 1];
    count += 2;
  }
  return sum / count;
}

/**
 * Ink coverage (0–255, background 0) from a grayscale picture: inverts it when the background
 * (judged from the border) is light, i.e. dark ink on paper, then subtracts the background level
 * and stretches the rest to 0–255.
 */
export function inkFromGray(gray: ArrayLike<number>, width: number, height: number): { raster: InkRaster; inverted: boolean } {
  const n = width * height;
  const inverted = borderMean(gray, width, height) > 127.5;
  const ink = new Float32Array(n);
  for (let i = 0; i < n; i++) ink[i] = inverted ? 255 - gray[i] : gray[i];
  const floor = borderMean(ink, width, height);
  let peak = 0;
  for (let i = 0; i < n; i++) if (ink[i] > peak) peak = ink[i];
  const range = peak - floor;
  for (let i = 0; i < n; i++) ink[i] = range > 1e-6 ? Math.max(0, ((ink[i] - floor) / range) * 255) : 0;
  return { raster: { width, height, data: ink }, inverted };
}

/**
 * Ink coverage from an RGBA picture. Transparent pictures (a digit on a transparent background)
 * are composited over whichever of white or black contrasts with their opaque pixels.
 */
export function inkFromRgba(rgba: ArrayLike<number>, width: number, height: number): { raster: InkRaster; inverted: boolean } {
  const n = width * height;
  let alphaSum = 0;
  let lumaSum = 0;
  let transparent = false;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3] / 255;
    if (a < 0.98) transparent = true;
    alphaSum += a;
    lumaSum += a * (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]);
  }
  const background = transparent && alphaSum > 0 && lumaSum / alphaSum > 127.5 ? 0 : 255;
  return inkFromGray(grayscaleFromRgba(rgba, width, height, background), width, height);
}

function clampInk(v: number): number {
  return v > 0 ? (v < 255 ? v : 255) : 0; // also maps NaN to 0
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
