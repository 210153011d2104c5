// "See why": which pixels pushed a prediction toward the predicted digit and which toward
// another (the runner-up on the pad, the true digit for a mistake in the evaluation report).
//
// Method: gradient × input of the margin between the two digits' log-probabilities (for a
// softmax model, the difference of their logits). Why not occlusion: occlusion needs one forward
// pass per occluded patch (196 for 28×28 with a 4×4 patch at stride 2), about 130 ms per image at
// the wasm backend's 1,500 predictions/s, where gradient × input costs one forward and one
// backward pass, a few milliseconds (docs/FINE_TUNE.md), so the pad can show it live. Gradient ×
// input is also exactly additive for a linear model and, being zero wherever there is no ink,
// attributes evidence to strokes, which is what a person can act on; its limit is that it cannot
// credit the *absence* of ink (the gap of an open 4), which occlusion with a black patch cannot
// either. Raw gradient × input of a CNN alternates sign from pixel to pixel along a stroke; the
// maps are smoothed with a 3×3 binomial filter (and kept on the ink) so that they show which
// *parts of strokes* decided, which is the question a person asks.
import * as tf from '../core/tf';
import type { PixelScale } from '../core/types';
import { argMax } from './predict';
import { toModelInput } from '../model/input';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from '../core/types';
import { modelCache } from '../model/modelCaches';
import { networksOf } from '../model/networks';

/** Attribution values are sent as integers −SCALE…SCALE (SCALE = the strongest pixel). */
export const SALIENCY_SCALE = 127;

export interface SaliencyMaps {
  /** Per image, the predicted digit (the margin's positive side). */
  predicted: Uint8Array;
  /** Per image, the digit it is contrasted with (the margin's negative side). */
  contrast: Uint8Array;
  /** count × 784 attributions, each image scaled so its largest |value| is SALIENCY_SCALE. */
  maps: Int8Array;
  /** count × 10 probabilities from the same forward pass. */
  probabilities: Float32Array;
}

/**
 * Gradient × input maps for `count` images (784 bytes each). `contrast` picks the digit each
 * image is contrasted with; by default its runner-up. Positive values pushed toward the
 * prediction (or `options.target`, the digit shown when something else decided it, e.g. the
 * memory of kept drawings), negative toward the contrast digit.
 */
export function saliencyMaps(model: tf.LayersModel, pixels: Uint8Array, pixelScale: PixelScale = 'unit', contrast?: ArrayLike<number>, options: { smooth?: boolean; target?: ArrayLike<number> } = {}): SaliencyMaps {
  const count = pixels.length / PIXELS;
  if (!Number.isInteger(count) || count === 0) throw new Error(`saliencyMaps: ${pixels.length} bytes is not a whole number of 28×28 images`);
  let result: SaliencyMaps | undefined;
  tf.tidy(() => {
    const unit = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const x = toModelInput(model, unit, pixelScale);
    const scores = logitsOf(model);
    let probabilities: Float32Array<ArrayBufferLike> = new Float32Array(0);
    const predicted = new Uint8Array(count);
    const against = new Uint8Array(count);
    // One forward pass: the logits are read inside the function being differentiated, which
    // picks the two digits and returns their summed margins. The images are independent
    // (inference mode), so one backward pass gives every image's own gradient.
    const gradient = tf.grad((input: tf.Tensor) => {
      const logits = scores(input);
      probabilities = tf.softmax(logits).dataSync() as Float32Array;
      for (let i = 0; i < count; i++) {
        predicted[i] = options.target ? options.target[i] : argMax(probabilities, i * NUM_CLASSES);
        against[i] = contrast && contrast[i] !== predicted[i] ? contrast[i] : runnerUp(probabilities, i * NUM_CLASSES, predicted[i]);
      }
      return tf.sum(tf.mul(logits, tf.tensor2d(marginWeights(predicted, against), [count, NUM_CLASSES])));
    })(x);
    const attribution = tf.reshape(tf.mul(gradient, x), [count, PIXELS]).dataSync() as Float32Array;
    const maps = options.smooth === false ? attribution : smoothOnInk(attribution, pixels);
    result = { predicted, contrast: against, maps: quantize(maps, count), probabilities: Float32Array.from(probabilities) };
  });
  return result!;
}

/** Each map filtered with a 3×3 binomial kernel, then zeroed off the ink (where the input is 0). */
export function smoothOnInk(maps: Float32Array, pixels: Uint8Array): Float32Array {
  const out = new Float32Array(maps.length);
  const w = [1, 2, 1];
  for (let base = 0; base < maps.length; base += PIXELS) {
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) {
        const i = base + y * IMAGE_SIZE + x;
        if (pixels[i] === 0) continue;
        let sum = 0;
        let weight = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= IMAGE_SIZE || xx < 0 || xx >= IMAGE_SIZE) continue;
            const k = w[dy + 1] * w[dx + 1];
            sum += k * maps[base + yy * IMAGE_SIZE + xx];
            weight += k;
          }
        }
        out[i] = sum / weight;
      }
    }
  }
  return out;
}

/** +1 at the predicted digit, −1 at the contrast digit, per row. */
function marginWeights(predicted: Uint8Array, contrast: Uint8Array): Float32Array {
  const w = new Float32Array(predicted.length * NUM_CLASSES);
  predicted.forEach((p, i) => {
    w[i * NUM_CLASSES + p] = 1;
    w[i * NUM_CLASSES + contrast[i]] = -1;
  });
  return w;
}

function runnerUp(probabilities: ArrayLike<number>, offset: number, top: number): number {
  let best = top === 0 ? 1 : 0;
  for (let k = 0; k < NUM_CLASSES; k++) if (k !== top && probabilities[offset + k] > probabilities[offset + best]) best = k;
  return best;
}

/** Each image's attributions scaled to integers so that its strongest pixel is ±SALIENCY_SCALE. */
function quantize(values: Float32Array, count: number): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < count; i++) {
    let peak = 0;
    for (let p = 0; p < PIXELS; p++) peak = Math.max(peak, Math.abs(values[i * PIXELS + p]));
    if (!(peak > 0)) continue;
    for (let p = 0; p < PIXELS; p++) out[i * PIXELS + p] = Math.round((values[i * PIXELS + p] / peak) * SALIENCY_SCALE);
  }
  return out;
}

const logitCache = new WeakMap<tf.LayersModel, (x: tf.Tensor) => tf.Tensor>();

/**
 * The model's scores before its softmax. The margin of log-probabilities equals the margin of
 * logits, whose gradient does not vanish when the model is very sure (log of a probability that
 * has rounded to 0 has none). A Sequential model ending in Dense(softmax) or Activation(softmax)
 * runs layer by layer with fast input gradients (see inputGradientLayer); any other model falls
 * back to the log of its (clipped) outputs and TF.js's own gradients.
 */
function logitsOf(model: tf.LayersModel): (x: tf.Tensor) => tf.Tensor {
  const cached = logitCache.get(model);
  if (cached) return cached;
  const networks = networksOf(model);
  if (networks.length > 1) {
    // A model of several networks: the log of its averaged probabilities, log(Σ softmax(zᵢ) / N),
    // as a log-sum-exp of each network's log-softmax (each network on its fast path).
    const parts = networks.map(logitsOf);
    const scoresOfAll = (x: tf.Tensor) => tf.sub(tf.logSumExp(tf.stack(parts.map((part) => tf.logSoftmax(part(x)))), 0), Math.log(parts.length));
    logitCache.set(model, scoresOfAll);
    return scoresOfAll;
  }
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const config = last.getConfig() as { activation?: string };
  let scores: (x: tf.Tensor) => tf.Tensor = (x) => tf.log(tf.clipByValue(model.apply(x, { training: false }) as tf.Tensor, 1e-30, 1));
  if (model instanceof tf.Sequential && config.activation === 'softmax' && ['Dense', 'Activation'].includes(last.getClassName())) {
    const cache = modelCache(model);
    const steps = layers.map((layer, i) => inputGradientLayer(layer, i === layers.length - 1, cache));
    scores = (x) => steps.reduce((h, step) => step(h), x);
  }
  logitCache.set(model, scores);
  return scores;
}

interface StockConv {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
}
interface StockDense {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
}

/**
 * One layer as a function for the saliency pass, in inference mode. Why not TF.js's own
 * gradients: on the wasm backend the input gradient of a strided convolution costs some 30 times
 * its forward pass at batch 1 (8 ms for a 5×5 stride-2 layer of the default CNN, whose forward
 * takes 0.25 ms; the training kernels are built for batches of 128), and a Dense layer's
 * transposes its whole weight matrix on every call. Here a Conv2D's input gradient is one
 * convolution of the zero-dilated output gradient with the rotated filter, and a Dense's is a
 * product with the transposed weights, both kept from call to call (keyed by the weights' data,
 * so weights that change are seen), which brings a pad prediction's map to a few milliseconds.
 * `last` drops the final softmax: the scores are logits.
 */
function inputGradientLayer(layer: tf.layers.Layer, last: boolean, cache: Map<object, { data: object; tensor: tf.Tensor }>): (x: tf.Tensor) => tf.Tensor {
  const name = layer.getClassName();
  const conv = layer as unknown as StockConv;
  const dilation = conv.dilationRate === undefined ? [1, 1] : typeof conv.dilationRate === 'number' ? [conv.dilationRate, conv.dilationRate] : conv.dilationRate;
  if (name === 'Conv2D' && conv.dataFormat === 'channelsLast' && dilation.every((d) => d === 1) && (conv.padding === 'valid' || conv.padding === 'same')) {
    const strides = conv.strides as [number, number];
    const padding = conv.padding as 'valid' | 'same';
    return (x) => {
      const kernel = conv.kernel.read() as tf.Tensor4D;
      const z = convWithFastInputGradient(x as tf.Tensor4D, kernel, strides, padding, cache);
      const biased = conv.bias ? tf.add(z, conv.bias.read()) : z;
      return conv.activation.apply(biased);
    };
  }
  const dense = layer as unknown as StockDense;
  if (name === 'Dense' && dense.kernel) {
    return (x) => {
      const kernel = dense.kernel.read() as tf.Tensor2D;
      if (x.rank !== 2) return layer.apply(x, { training: false }) as tf.Tensor;
      const z = matMulWithFastInputGradient(x as tf.Tensor2D, kernel, cache);
      const biased = dense.bias ? tf.add(z, dense.bias.read()) : z;
      return last ? biased : dense.activation.apply(biased);
    };
  }
  if (last) return (x) => x; // Activation('softmax'): its input is the logits
  if (name === 'InputLayer') return (x) => x;
  return (x) => layer.apply(x, { training: false }) as tf.Tensor;
}

/**
 * The rotated-and-swapped filter or the transposed matrix of `weights` (a layer's variable),
 * kept in the model's cache and made again when the variable's data changes (new weights).
 */
function preparedFor(cache: Map<object, { data: object; tensor: tf.Tensor }>, weights: tf.Tensor, make: () => tf.Tensor): tf.Tensor {
  const entry = cache.get(weights);
  if (entry && entry.data === weights.dataId && !entry.tensor.isDisposed) return entry.tensor;
  entry?.tensor.dispose();
  const tensor = tf.keep(make());
  cache.set(weights, { data: weights.dataId as object, tensor });
  return tensor;
}

/** conv2d whose gradient with respect to its input (only) is one stride-1 convolution. */
function convWithFastInputGradient(x: tf.Tensor4D, kernel: tf.Tensor4D, strides: [number, number], padding: 'valid' | 'same', cache: Map<object, { data: object; tensor: tf.Tensor }>): tf.Tensor4D {
  const f = tf.customGrad((input) => {
    const value = tf.conv2d(input as tf.Tensor4D, kernel, strides, padding);
    return {
      value,
      gradFunc: (dy) => {
        const [kh, kw] = kernel.shape;
        const inShape = (input as tf.Tensor4D).shape;
        const info = tf.backend_util.computeConv2DInfo(inShape, kernel.shape, strides, 1, padding);
        const [sh, sw] = strides;
        const [n, oh, ow, co] = (dy as tf.Tensor4D).shape;
        // The output gradient with (stride − 1) zeros between its pixels.
        let d = dy as tf.Tensor4D;
        if (sh > 1 || sw > 1) {
          const spread = tf.pad(tf.reshape(d, [n, oh, 1, ow, 1, co]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
          d = tf.slice(tf.reshape(spread, [n, oh * sh, ow * sw, co]), [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]) as tf.Tensor4D;
        }
        // A "full" convolution with the filter rotated 180° and its channel axes swapped.
        const top = kh - 1 - info.padInfo.top;
        const left = kw - 1 - info.padInfo.left;
        const bottom = inShape[1] + kh - 1 - top - d.shape[1];
        const right = inShape[2] + kw - 1 - left - d.shape[2];
        const padded = tf.pad(d, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
        const cropped = tf.slice(padded, [0, Math.max(0, -top), Math.max(0, -left), 0], [n, padded.shape[1] - Math.max(0, -top) - Math.max(0, -bottom), padded.shape[2] - Math.max(0, -left) - Math.max(0, -right), co]);
        const rotated = preparedFor(cache, kernel, () => tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2])) as tf.Tensor4D;
        return tf.conv2d(cropped, rotated, 1, 'valid');
      },
    };
  });
  return f(x) as tf.Tensor4D;
}

/** x·W whose gradient with respect to x (only) multiplies by a kept Wᵀ. */
function matMulWithFastInputGradient(x: tf.Tensor2D, kernel: tf.Tensor2D, cache: Map<object, { data: object; tensor: tf.Tensor }>): tf.Tensor2D {
  const f = tf.customGrad((input) => ({
    value: tf.matMul(input as tf.Tensor2D, kernel),
    gradFunc: (dy) => tf.matMul(dy as tf.Tensor2D, preparedFor(cache, kernel, () => tf.transpose(kernel)) as tf.Tensor2D),
  }));
  return f(x) as tf.Tensor2D;
}

/**
 * The pad's question: what the model reads in one image (784 bytes), and why (against its
 * runner-up). With `label`, the map is for that digit against the model's best other one.
 */
export function explainOne(model: tf.LayersModel, pixels: ArrayLike<number>, pixelScale?: PixelScale, label?: number): { label: number; probabilities: number[]; why: { contrast: number; map: Int8Array } } {
  if (pixels.length !== PIXELS) throw new Error(`Expected ${PIXELS} pixels, got ${pixels.length}`);
  const s = saliencyMaps(model, Uint8Array.from(pixels), pixelScale, undefined, label === undefined ? {} : { target: [label] });
  return { label: s.predicted[0], probabilities: Array.from(s.probabilities), why: { contrast: s.contrast[0], map: s.maps } };
}
