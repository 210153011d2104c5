// Predictions for pictures of digits (one file, or a folder to a CSV); decoding and the MNIST
// preprocessing are in imageDecode.ts.
import * as path from 'path';
import type * as tf from '../core/tf';
import { InputError, throwIfAborted } from '../core/errors';
import { checkOutputFile, writeFileAtomic } from '../core/files';
import { predictImages } from './predict';
import { type PixelScale } from '../core/types';
import { NUM_CLASSES, PIXELS } from '../core/types';
import { type DigitImage, listImageFiles, readDigitImage } from '../data/imageDecode';


export interface ImagePrediction extends DigitImage {
  file: string;
  label: number;
  probabilities: number[];
}

/** Predicts the digit in one picture. An empty picture (no ink) is an InputError. */
export async function predictImageFile(model: tf.LayersModel, file: string, pixelScale?: PixelScale): Promise<ImagePrediction> {
  const digit = await readDigitImage(file);
  if (digit.empty) throw new InputError(`${file}: no digit found (the picture is blank)`, file);
  const { labels, probabilities } = await predictImages(model, { count: 1, pixels: digit.pixels, labels: null }, { batchSize: 1, pixelScale });
  return { ...digit, file, label: labels[0], probabilities: Array.from(probabilities) };
}

export interface FolderPredictionResult {
  /** Pictures predicted. */
  rows: number;
  file: string;
  /** Pictures that could not be read, with why (also in the CSV). */
  failed: Array<{ file: string; error: string }>;
}

export interface FolderOptions {
  pixelScale?: PixelScale;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** The user confirmed replacing `outFile` (otherwise only a predictions file we wrote is replaced). */
  replace?: boolean;
}

/** What a folder's prediction writes, and what it may replace. */
export const PREDICTIONS_OUTPUT = { what: 'the predictions', header: 'file,label,confidence,error', defaultName: 'predictions.csv' } as const;

/**
 * Predicts every picture in `folder` and writes `outFile` (atomically): `file,label,confidence,error`
 * with the file name relative to the folder; unreadable or blank pictures get an empty label and
 * the reason.
 */
export async function predictImageFolder(model: tf.LayersModel, folder: string, outFile: string, options: FolderOptions = {}): Promise<FolderPredictionResult> {
  checkOutputFile(outFile, { ...PREDICTIONS_OUTPUT, replaceConfirmed: options.replace });
  const files = listImageFiles(folder);
  if (!files.length) throw new InputError(`${folder}: no .png, .jpg, .jpeg or .bmp pictures in this folder`, folder);
  const lines: string[] = [PREDICTIONS_OUTPUT.header];
  const failed: FolderPredictionResult['failed'] = [];
  const batch = 64;
  for (let start = 0; start < files.length; start += batch) {
    throwIfAborted(options.signal);
    const chunk = files.slice(start, start + batch);
    const digits: Array<{ file: string; pixels?: Uint8Array; error?: string }> = [];
    for (const file of chunk) {
      try {
        const digit = await readDigitImage(file);
        digits.push(digit.empty ? { file, error: 'no digit found (blank picture)' } : { file, pixels: digit.pixels });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        digits.push({ file, error: err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message });
      }
    }
    const good = digits.filter((d) => d.pixels);
    const pixels = new Uint8Array(good.length * PIXELS);
    good.forEach((d, i) => pixels.set(d.pixels!, i * PIXELS));
    const predictions = good.length ? await predictImages(model, { count: good.length, pixels, labels: null }, { pixelScale: options.pixelScale }) : undefined;
    let k = 0;
    for (const d of digits) {
      const name = csvField(path.relative(folder, d.file));
      if (d.error) {
        failed.push({ file: d.file, error: d.error });
        lines.push(`${name},,,${csvField(d.error)}`);
      } else {
        const label = predictions!.labels[k];
        const confidence = predictions!.probabilities[k * NUM_CLASSES + label];
        lines.push(`${name},${label},${confidence.toFixed(4)},`);
        k++;
      }
    }
    options.onProgress?.(Math.min(files.length, start + batch), files.length);
  }
  throwIfAborted(options.signal);
  await writeFileAtomic(outFile, lines.join('\n') + '\n', 'write the predictions to');
  return { rows: files.length - failed.length, file: outFile, failed };
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
