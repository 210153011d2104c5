// The held-out rows of a training run, recreated for the accuracy scripts (tta.ts,
// heldOutErrors.ts, bnRecalibrate.ts): the same stratified split train.ts makes from the run's
// validation split and seed, over train.csv ($TRAIN_CSV, else ../shared/…/train.csv).
import * as tf from '../src/engine/core/tf';
import { readDigitCsv } from '../src/engine/data/csv';
import { stratifiedSplit, imagesTensor, range } from '../src/engine/data/dataset';
import { createRandom } from '../src/engine/core/random';
import { subset } from '../src/engine/data/dataset';
import { type DigitImages } from '../src/engine/core/types';

export interface HeldOut {
  data: DigitImages;
  /** Data rows (0-based) that trained and that were held out. */
  train: Uint32Array;
  rows: Uint32Array;
  validation: DigitImages;
  /** The held-out images as one [n, 28, 28, 1] tensor in [0, 1]. */
  x: tf.Tensor4D;
}

export async function loadHeldOut(validationSplit: number, seed: number): Promise<HeldOut> {
  const data = await readDigitCsv(process.env.TRAIN_CSV ?? '../shared/data/digit-recognizer/train.csv', { expect: 'train' });
  const split = stratifiedSplit(data.labels!, validationSplit, createRandom(seed));
  const validation = subset(data, split.validation);
  return { data, train: split.train, rows: split.validation, validation, x: imagesTensor(validation, range(validation.count)) };
}

/** Predicted digit (most probable class) per row of a probabilities tensor. */
export function predictedDigits(probabilities: tf.Tensor): Int32Array {
  return tf.tidy(() => tf.argMax(probabilities, -1).dataSync() as Int32Array);
}

/** Fraction of rows whose most probable class is the label. */
export function accuracyOf(probabilities: tf.Tensor, labels: Uint8Array): number {
  const predicted = predictedDigits(probabilities);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}
