// Pictures of handwritten digits → MNIST-style 28×28 images. Decoding is pure JavaScript (pngjs,
// jpeg-js, bmp-ts); the digit is made exactly as the pad makes its drawings: grayscale,
// dark-on-light pictures inverted, crop to the ink, fit 20×20, centre by mass.
// No TensorFlow here, so the extension host can use it (e.g. digitPng) without loading TF.js.
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import * as bmp from 'bmp-ts';
import { InputError } from '../core/errors';
import { fsErrorWords } from '../core/files';
import { inkFromRgba, preprocess, MNIST_SIDE } from '../../shared/preprocess';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp'] as const;
export type ImageFormat = 'png' | 'jpeg' | 'bmp';

/** Pictures larger than this are refused rather than decoded (memory). */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Picture files larger than this are not read (a digit's picture is far smaller). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;
/** Ink coverage at or below this (of 255) is treated as background when finding the digit's box: paper grain, JPEG noise. */
export const INK_THRESHOLD = 40;

export interface DecodedImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, RGBA. */
  rgba: Uint8Array;
  format: ImageFormat;
}

export interface DigitImage {
  /** 784 bytes 0–255, white ink on black, like a Kaggle CSV row. */
  pixels: Uint8Array;
  /** The picture was dark ink on a light background and was inverted. */
  inverted: boolean;
  /** No ink was found: `pixels` is all zeros. */
  empty: boolean;
  width: number;
  height: number;
  format: ImageFormat;
}

export function isImageFileName(file: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

/** The format from a file's first bytes. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return undefined;
}

/**
 * The width and height a picture's header declares, read without decoding it (so a small file
 * that declares a huge picture — a decompression bomb — costs nothing), or undefined when the
 * header is too short or damaged (the decoder then says what is wrong).
 */
export function declaredSize(bytes: Uint8Array, format: ImageFormat): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    // Signature (8), chunk length (4), "IHDR" (4), width (4), height (4), big-endian.
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (format === 'bmp') {
    // File header (14), then the DIB header: its size, then width and height (16-bit in the old core header).
    if (bytes.length < 26) return undefined;
    if (view.getUint32(14, true) === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
    return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  // JPEG: walk the markers to the first start-of-frame (SOF0–SOF15 but DHT C4, JPG C8, DAC CC).
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + view.getUint16(i + 2);
  }
  return undefined;
}

/** Decodes a PNG, JPEG or BMP to RGBA; `label` names the file in errors. */
export function decodeImage(bytes: Uint8Array, label: string): DecodedImage {
  const format = sniffImageFormat(bytes);
  if (!format) throw new InputError(`${label}: not a PNG, JPEG or BMP image`, label);
  const declared = declaredSize(bytes, format);
  if (declared) refuseTooLarge(declared.width, declared.height, label);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(buffer);
      ({ width, height } = png);
      rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    } else if (format === 'jpeg') {
      const image = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
      ({ width, height } = image);
      rgba = image.data;
    } else {
      const image = bmp.decode(buffer, { toRGBA: true });
      ({ width, height } = image);
      rgba = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    }
  } catch (err) {
    throw new InputError(`${label}: cannot decode this ${format.toUpperCase()} image (${(err as Error).message}); it may be truncated or damaged`, label);
  }
  if (!width || !height) throw new InputError(`${label}: the image is empty (${width}×${height})`, label);
  refuseTooLarge(width, height, label);
  if (rgba.length < width * height * 4) throw new InputError(`${label}: truncated ${format.toUpperCase()} image`, label);
  if (format === 'bmp') opaqueIfAlphaUnused(rgba);
  return { width, height, rgba, format };
}

function refuseTooLarge(width: number, height: number, label: string): void {
  if (width * height > MAX_IMAGE_PIXELS) throw new InputError(`${label}: the image is too large (${width}×${height}); at most ${MAX_IMAGE_PIXELS / 1e6} megapixels`, label);
}

/** 24-bit BMPs decode with alpha 0 everywhere; an all-transparent picture means "no alpha". */
function opaqueIfAlphaUnused(rgba: Uint8Array): void {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) return;
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
}

/** The MNIST-style 28×28 digit in a decoded picture (the pad's preprocessing). */
export function digitFromImage(image: DecodedImage): DigitImage {
  const { raster, inverted } = inkFromRgba(image.rgba, image.width, image.height);
  const { pixels, empty } = preprocess(raster, { threshold: INK_THRESHOLD });
  return { pixels, inverted, empty, width: image.width, height: image.height, format: image.format };
}

/** Reads a picture file and makes its 28×28 digit. */
export async function readDigitImage(file: string): Promise<DigitImage> {
  let bytes: Buffer;
  try {
    const size = (await fs.promises.stat(file)).size;
    if (size > MAX_IMAGE_FILE_BYTES) throw new InputError(`${file}: the file is too large for a picture of a digit (${(size / 1048576).toFixed(0)} MB; at most ${MAX_IMAGE_FILE_BYTES / 1048576} MB)`, file);
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : fsErrorWords(err)}`, file);
  }
  return digitFromImage(decodeImage(bytes, file));
}

/** The picture files directly inside `folder` (not its subfolders), sorted by name. */
export function listImageFiles(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (err) {
    throw new InputError(`${folder}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'folder not found' : (err as Error).message}`, folder);
  }
  return names
    .filter((n) => isImageFileName(n) && fs.statSync(path.join(folder, n)).isFile())
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((n) => path.join(folder, n));
}

/** A grayscale PNG of a 28×28 digit, each pixel drawn as `scale`×`scale` (for showing what the model saw). */
export function digitPng(pixels: ArrayLike<number>, scale = 1): Buffer {
  const side = MNIST_SIDE * scale;
  const png = new PNG({ width: side, height: side, colorType: 0, inputColorType: 0, inputHasAlpha: false } as ConstructorParameters<typeof PNG>[0]);
  const data = Buffer.alloc(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data[y * side + x] = pixels[Math.floor(y / scale) * MNIST_SIDE + Math.floor(x / scale)];
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false } as Parameters<typeof PNG.sync.write>[1]);
}
