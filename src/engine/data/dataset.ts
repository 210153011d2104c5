import * as tf from '../core/tf';
import { type DigitImages, IMAGE_SIZE, NUM_CLASSES, PIXELS } from '../core/types';
import { type Random, shuffle } from '../core/random';

/** Indices of a stratified split: each digit keeps the same share in training and validation. */
export interface Split {
  train: Uint32Array;
  validation: Uint32Array;
}

export function stratifiedSplit(labels: Uint8Array, validationFraction: number, random: Random): Split {
  const byClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  labels.forEach((label, i) => byClass[label].push(i));
  const train: number[] = [];
  const validation: number[] = [];
  for (const indices of byClass) {
    shuffle(indices, random);
    const held = Math.round(indices.length * validationFraction);
    validation.push(...indices.slice(0, held));
    train.push(...indices.slice(held));
  }
  return { train: shuffle(Uint32Array.from(train), random), validation: Uint32Array.from(validation).sort() };
}

/** Images at the given indices as a [n,28,28,1] float tensor scaled to [0,1]. */
export function imagesTensor(images: DigitImages, indices: ArrayLike<number>, start = 0, end = indices.length): tf.Tensor4D {
  const n = end - start;
  const values = new Float32Array(n * PIXELS);
  for (let i = 0; i < n; i++) {
    const offset = indices[start + i] * PIXELS;
    for (let p = 0; p < PIXELS; p++) values[i * PIXELS + p] = images.pixels[offset + p] / 255;
  }
  return tf.tensor4d(values, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/** Labels at the given indices as a float tensor, the form sparse cross-entropy expects. */
export function labelsTensor(labels: Uint8Array, indices: ArrayLike<number>, start = 0, end = indices.length): tf.Tensor1D {
  const values = new Float32Array(end - start);
  for (let i = start; i < end; i++) values[i - start] = labels[indices[i]];
  return tf.tensor1d(values);
}

/** 0..n-1, for whole-dataset passes. */
export function range(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** A compact copy of the images at the given indices. */
export function subset(data: DigitImages, indices: ArrayLike<number>): DigitImages {
  const pixels = new Uint8Array(indices.length * PIXELS);
  const labels = data.labels ? new Uint8Array(indices.length) : null;
  for (let i = 0; i < indices.length; i++) {
    pixels.set(data.pixels.subarray(indices[i] * PIXELS, (indices[i] + 1) * PIXELS), i * PIXELS);
    if (labels) labels[i] = data.labels![indices[i]];
  }
  return { count: indices.length, pixels, labels };
}
