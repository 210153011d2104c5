// Learning from unlabelled rows (Kaggle's test.csv): a first model labels the rows it is confident
// on, and the final model trains on those with the labelled rows ("pseudo-labelling", standard in
// Kaggle solutions). Only the training part grows: validation stays labelled rows the first model
// never trained on, so the two models' validation accuracies compare honestly.
import type * as tf from '../core/tf';
import { type DigitImages, NUM_CLASSES, PIXELS } from '../core/types';
import { predictImages } from '../inference/predict';

export interface PseudoLabelled {
  /** The confident rows, labelled with the first model's reading. */
  images: DigitImages;
  /** Rows read, and the index of each confident one among them. */
  total: number;
  rows: Uint32Array;
}

/** The rows of `unlabelled` whose top probability under `model` is at least `confidence`, labelled with that digit. */
export async function pseudoLabel(model: tf.LayersModel, unlabelled: DigitImages, confidence: number, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<PseudoLabelled> {
  const { labels, probabilities } = await predictImages(model, unlabelled, options);
  const kept: number[] = [];
  for (let i = 0; i < unlabelled.count; i++) {
    if (probabilities[i * NUM_CLASSES + labels[i]] >= confidence) kept.push(i);
  }
  const pixels = new Uint8Array(kept.length * PIXELS);
  const keptLabels = new Uint8Array(kept.length);
  kept.forEach((row, i) => {
    pixels.set(unlabelled.pixels.subarray(row * PIXELS, (row + 1) * PIXELS), i * PIXELS);
    keptLabels[i] = labels[row];
  });
  return { images: { count: kept.length, pixels, labels: keptLabels }, total: unlabelled.count, rows: Uint32Array.from(kept) };
}

/** Labelled rows followed by extra training rows, as one set; the extra rows' indices start at `data.count`. */
export function withExtraRows(data: DigitImages, extra: DigitImages): DigitImages {
  const pixels = new Uint8Array((data.count + extra.count) * PIXELS);
  pixels.set(data.pixels.subarray(0, data.count * PIXELS));
  pixels.set(extra.pixels.subarray(0, extra.count * PIXELS), data.count * PIXELS);
  const labels = new Uint8Array(data.count + extra.count);
  labels.set(data.labels!);
  labels.set(extra.labels!, data.count);
  return { count: data.count + extra.count, pixels, labels };
}
