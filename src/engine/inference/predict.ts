import * as tf from '../core/tf';
import { type DigitImages, NUM_CLASSES, PIXELS, type PixelScale, type Prediction, type Predictions } from '../core/types';
import { pixelsToInput } from '../model/input';
import { throwIfAborted } from '../core/errors';
import { type ParallelOptions, predictInParallel } from './parallelPredict';
import { networksOf } from '../model/networks';

export interface PredictOptions extends Pick<ParallelOptions, 'threads' | 'pool'> {
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** The pixel values the model expects (its metadata's pixelScale); default 'unit' (0–1). */
  pixelScale?: PixelScale;
}


/** Predicts every image in batches, yielding to the event loop between batches so it can be cancelled. */
export async function predictImages(model: tf.LayersModel, images: DigitImages, options: PredictOptions = {}): Promise<Predictions> {
  // Large inputs are split over replica threads (parallel/parallelPredict.ts).
  const parallel = await predictInParallel(model, images, options);
  if (parallel) return parallel;
  const batchSize = options.batchSize ?? 1000;
  const labels = new Uint8Array(images.count);
  const probabilities = new Float32Array(images.count * NUM_CLASSES);
  for (let start = 0; start < images.count; start += batchSize) {
    throwIfAborted(options.signal);
    const end = Math.min(images.count, start + batchSize);
    const output = tf.tidy(() => model.predict(pixelsToInput(model, images.pixels.subarray(start * PIXELS, end * PIXELS), end - start, options.pixelScale)) as tf.Tensor);
    const values = (await output.data()) as Float32Array;
    output.dispose();
    probabilities.set(values, start * NUM_CLASSES);
    for (let i = 0; i < end - start; i++) labels[start + i] = argMax(values, i * NUM_CLASSES);
    options.onProgress?.(end, images.count);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { labels, probabilities };
}

/** One image of 784 values 0–255 (the digit pad's input). */
export async function predictOne(model: tf.LayersModel, pixels: ArrayLike<number>, pixelScale?: PixelScale): Promise<Prediction> {
  if (pixels.length !== PIXELS) throw new Error(`Expected ${PIXELS} pixels, got ${pixels.length}`);
  const image: DigitImages = { count: 1, pixels: Uint8Array.from(pixels), labels: null };
  const { labels, probabilities } = await predictImages(model, image, { batchSize: 1, pixelScale });
  return { label: labels[0], probabilities: Array.from(probabilities) };
}

export function argMax(values: ArrayLike<number>, offset = 0, length = NUM_CLASSES): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** Fraction of correct predictions for labelled images (and the predictions themselves). */
export async function evaluateImages(model: tf.LayersModel, images: DigitImages, options: PredictOptions = {}) {
  if (!images.labels) throw new Error('evaluateImages needs labelled images');
  const predictions = await predictImages(model, images, options);
  let correct = 0;
  for (let i = 0; i < images.count; i++) if (predictions.labels[i] === images.labels[i]) correct++;
  return { accuracy: images.count ? correct / images.count : 0, predictions };
}


/** Each network's own accuracy on labelled images, for a model of several networks (model/networks.ts); undefined for one network. */
export async function networkAccuracies(model: tf.LayersModel, images: DigitImages, options: PredictOptions = {}): Promise<number[] | undefined> {
  const networks = networksOf(model);
  if (networks.length < 2) return undefined;
  const accuracies: number[] = [];
  for (const network of networks) accuracies.push((await evaluateImages(network, images, { ...options, onProgress: undefined })).accuracy);
  return accuracies;
}
