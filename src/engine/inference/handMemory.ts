// "Learning a hand at once": the user's kept drawings (the pad's samples) remembered in the
// network's own feature space, so a kept drawing changes the next prediction without training.
// As Teachable Machine's k-nearest-neighbour classifier on network features: a drawing's
// embedding is the input of the model's last Dense layer (what its classifier sees), L2-normalised;
// a query's k nearest kept drawings by cosine similarity vote (softmax of their similarities), and
// that vote is blended with the model's own softmax by a weight that grows with how close the
// nearest kept drawing is, so a drawing unlike any kept one keeps the model's answer exactly.
// Fine-Tune on My Drawings consolidates what the memory holds into the weights.
// k, the temperature and the weight rule were chosen by bench/teachReplay.ts on its 'train'
// writers (docs/PAD.md, "Learning a hand").
import * as tf from '../core/tf';
import { NUM_CLASSES, PIXELS, type DigitImages, type PixelScale, type Prediction } from '../core/types';
import { pixelsToInput } from '../model/input';
import { argMax, predictOne } from './predict';
import { networksOf } from '../model/networks';

export interface RecallOptions {
  /** How many nearest kept drawings vote. */
  k: number;
  /** Softmax temperature of their cosine similarities. */
  temperature: number;
  /** The weight of the memory is 0 when the nearest similarity is ≤ `from`, `maxWeight` at ≥ `to`, linear between. */
  from: number;
  to: number;
  maxWeight: number;
}

/** Chosen by bench/teachReplay.ts on the 'train' writers (docs/PAD.md). */
export const RECALL_OPTIONS: RecallOptions = { k: 5, temperature: 0.02, from: 0.8, to: 0.95, maxWeight: 0.7 };

/** The kept drawings' embeddings (count × dim, each of length 1) and labels. */
export interface HandMemory {
  count: number;
  dim: number;
  embeddings: Float32Array;
  labels: Uint8Array;
  /** Per drawing, its samples-file row key (engine/data/samples.ts rowKey), when known. */
  keys?: string[];
}

type KeptDrawings = Pick<DigitImages, 'count' | 'pixels'> & { labels: Uint8Array; keys?: string[] };

/** What the memory contributed: the digit its nearest kept drawings vote for, how many of the k voted so, and its weight in the blend (0–1). */
export interface MemoryPart {
  label: number;
  neighbours: number;
  weight: number;
}

export interface RememberedPrediction extends Prediction {
  /** Present when the memory took part (weight > 0). */
  memory?: MemoryPart;
}

/** A network with two outputs, the last Dense layer's input and the network's own output; none when it has no Dense layer. */
const twoOutputs = new WeakMap<tf.LayersModel, tf.LayersModel | null>();

function featureModel(network: tf.LayersModel): tf.LayersModel | undefined {
  let found = twoOutputs.get(network);
  if (found === undefined) {
    const dense = [...network.layers].reverse().find((layer) => layer.getClassName() === 'Dense');
    try {
      const input = dense?.input;
      found = dense && input && !Array.isArray(input) ? tf.model({ inputs: network.inputs, outputs: [input, network.outputs[0]] }) : null;
    } catch {
      // A Dense layer called more than once (several inputs) has no single feature space: no memory.
      found = null;
    }
    twoOutputs.set(network, found);
  }
  return found ?? undefined;
}

/**
 * The feature spaces of the model's networks (one, or each of a model of several: its embedding
 * is theirs side by side, so its cosine similarity is the mean of theirs); none when one lacks a Dense layer.
 */
function featureModels(model: tf.LayersModel): tf.LayersModel[] | undefined {
  const parts = networksOf(model).map(featureModel);
  return parts.every((part) => part !== undefined) ? (parts as tf.LayersModel[]) : undefined;
}

/** True when the model has a feature space the memory can use (a last Dense layer in each network). */
export function hasFeatureSpace(model: tf.LayersModel): boolean {
  return featureModels(model) !== undefined;
}

/** Probabilities (count × 10) and L2-normalised embeddings (count × dim) from one forward pass per batch; undefined without a Dense layer. */
export async function embedImages(model: tf.LayersModel, images: Pick<DigitImages, 'count' | 'pixels'>, pixelScale?: PixelScale, batchSize = 500): Promise<{ probabilities: Float32Array; embeddings: Float32Array; dim: number } | undefined> {
  const parts = featureModels(model);
  if (!parts) return undefined;
  const dims = parts.map((part) => (part.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1));
  const dim = dims.reduce((a, b) => a + b, 0);
  const probabilities = new Float32Array(images.count * NUM_CLASSES);
  const embeddings = new Float32Array(images.count * dim);
  for (let start = 0; start < images.count; start += batchSize) {
    const end = Math.min(images.count, start + batchSize);
    const [features, output] = tf.tidy(() => {
      const x = pixelsToInput(model, images.pixels.subarray(start * PIXELS, end * PIXELS), end - start, pixelScale);
      const normalised: tf.Tensor[] = [];
      const outputs: tf.Tensor[] = [];
      parts.forEach((part, i) => {
        const [f, p] = part.predict(x) as tf.Tensor[];
        const flat = tf.reshape(f, [end - start, dims[i]]);
        // Each network's features of length 1/√N: the whole has length 1.
        normalised.push(tf.div(flat, tf.mul(tf.maximum(tf.norm(flat, 2, 1, true), 1e-12), Math.sqrt(parts.length))));
        outputs.push(p);
      });
      return [tf.concat(normalised, 1), tf.div(tf.addN(outputs), parts.length)];
    });
    embeddings.set((await features.data()) as Float32Array, start * dim);
    probabilities.set((await output.data()) as Float32Array, start * NUM_CLASSES);
    tf.dispose([features, output]);
  }
  return { probabilities, embeddings, dim };
}

/**
 * The memory of labelled drawings for `model`; undefined when there are none or the model has no
 * Dense layer. `previous`, a memory of the same model, lends the embeddings of the rows it holds
 * (the same row key is the same row text), so keeping one more drawing embeds only that one.
 */
export async function buildHandMemory(model: tf.LayersModel, samples: KeptDrawings, pixelScale?: PixelScale, previous?: HandMemory): Promise<HandMemory | undefined> {
  if (samples.count === 0) return undefined;
  const known = new Map(previous?.keys?.map((key, i) => [key, i]));
  const missing = samples.keys ? [...Array(samples.count).keys()].filter((i) => !known.has(samples.keys![i])) : [...Array(samples.count).keys()];
  const pixels = new Uint8Array(missing.length * PIXELS);
  missing.forEach((row, i) => pixels.set(samples.pixels.subarray(row * PIXELS, (row + 1) * PIXELS), i * PIXELS));
  const embedded = missing.length ? await embedImages(model, { count: missing.length, pixels }, pixelScale) : undefined;
  const dim = embedded?.dim ?? previous?.dim;
  if (dim === undefined) return undefined; // no Dense layer
  const embeddings = new Float32Array(samples.count * dim);
  missing.forEach((row, i) => embeddings.set(embedded!.embeddings.subarray(i * dim, (i + 1) * dim), row * dim));
  if (previous && samples.keys) {
    samples.keys.forEach((key, row) => {
      const at = known.get(key);
      if (at !== undefined) embeddings.set(previous.embeddings.subarray(at * dim, (at + 1) * dim), row * dim);
    });
  }
  return { count: samples.count, dim, embeddings, labels: samples.labels.slice(0, samples.count), keys: samples.keys?.slice(0, samples.count) };
}

/**
 * The model's probabilities blended with the memory's vote for one query embedding (length 1).
 * Pure, so the benchmark tunes it on embeddings computed once. `exclude` leaves kept drawings out
 * (the benchmark's held-out reads).
 */
export function recall(memory: HandMemory | undefined, embedding: ArrayLike<number>, modelProbabilities: ArrayLike<number>, options: RecallOptions = RECALL_OPTIONS, include?: (index: number) => boolean): RememberedPrediction {
  const own: Prediction = { label: argMax(modelProbabilities), probabilities: Array.from(modelProbabilities) };
  if (!memory) return own;
  // The k most similar kept drawings (a small sorted list: k is a handful).
  const nearest: Array<{ similarity: number; label: number }> = [];
  for (let i = 0; i < memory.count; i++) {
    if (include && !include(i)) continue;
    let similarity = 0;
    for (let j = 0, base = i * memory.dim; j < memory.dim; j++) similarity += embedding[j] * memory.embeddings[base + j];
    if (nearest.length === options.k && similarity <= nearest[nearest.length - 1].similarity) continue;
    const at = nearest.findIndex((n) => similarity > n.similarity);
    nearest.splice(at < 0 ? nearest.length : at, 0, { similarity, label: memory.labels[i] });
    if (nearest.length > options.k) nearest.pop();
  }
  if (nearest.length === 0) return own;
  const top = nearest[0].similarity;
  const weight = options.maxWeight * Math.min(1, Math.max(0, (top - options.from) / (options.to - options.from)));
  if (weight === 0) return own;
  const vote = new Array<number>(NUM_CLASSES).fill(0);
  let total = 0;
  for (const n of nearest) {
    const v = Math.exp((n.similarity - top) / options.temperature);
    vote[n.label] += v;
    total += v;
  }
  const probabilities = own.probabilities.map((p, c) => (1 - weight) * p + (weight * vote[c]) / total);
  const memoryLabel = argMax(vote);
  return { label: argMax(probabilities), probabilities, memory: { label: memoryLabel, neighbours: nearest.filter((n) => n.label === memoryLabel).length, weight } };
}

/** One drawing (784 bytes) read by the model and the memory together. */
export async function predictWithMemory(model: tf.LayersModel, memory: HandMemory | undefined, pixels: ArrayLike<number>, pixelScale?: PixelScale, options?: RecallOptions): Promise<RememberedPrediction> {
  if (!memory) return predictOne(model, pixels, pixelScale);
  if (pixels.length !== PIXELS) throw new Error(`Expected ${PIXELS} pixels, got ${pixels.length}`);
  // A memory exists only for a model with a Dense layer, so the embedding exists too.
  const embedded = (await embedImages(model, { count: 1, pixels: Uint8Array.from(pixels) }, pixelScale))!;
  return recall(memory, embedded.embeddings, embedded.probabilities, options);
}
