// "See why": which pixels pushed a prediction toward the predicted digit and which toward
// another (the runner-up on the pad, the true digit for a mistake in the evaluation report).
//
// Method: gradient × input of the margin between the two digits' log-probabilities (for a
// softmax model, the difference of their logits). Why not occlusion: occlusion needs one forward
// pass per occluded patch (about 200 for 28×28 with a 4×4 patch at stride 2), some 150 ms per
// image on the wasm backend, where gradient × input costs one forward and one backward pass, a
// few milliseconds, so the pad can show it live. Gradient × input is also exactly additive for
// a linear model and, being zero wherever there is no ink, attributes evidence to strokes, which
// is what a person can act on; its limit is that it cannot credit the *absence* of ink (the gap
// of an open 4), which occlusion with a black patch cannot either. Raw gradient × input of a CNN
// alternates sign from pixel to pixel along a stroke; the maps are smoothed with a 3×3 binomial
// filter (and kept on the ink) so that they show which *parts of strokes* decided, which is the
// question a person asks.
import * as tf from '@tensorflow/tfjs';
import type { PixelScale } from './predict';
import { argMax } from './predict';
import { toModelInput } from './fineTune';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from './types';

/** Attribution values are sent as integers −SCALE…SCALE (SCALE = the strongest pixel). */
export const SALIENCY_SCALE = 127;

export interface SaliencyMaps {
  /** Per image, the predicted digit (the margin's positive side). */
  predicted: Uint8Array;
  /** Per image, the digit it is contrasted with (the margin's negative side). */
  contrast: Uint8Array;
  /** count × 784 probabilities-free attributions, each image scaled so its largest |value| is SALIENCY_SCALE. */
  maps: Int8Array;
  /** count × 10 probabilities from the same forward pass. */
  probabilities: Float32Array;
}

/**
 * Gradient × input maps for `count` images (784 bytes each). `contrast` picks the digit each
 * image is contrasted with; by default its runner-up. Positive values pushed toward the
 * prediction, negative toward the contrast digit.
 */
export function saliencyMaps(model: tf.LayersModel, pixels: Uint8Array, pixelScale: PixelScale = 'unit', contrast?: ArrayLike<number>, options: { smooth?: boolean } = {}): SaliencyMaps {
  const count = pixels.length / PIXELS;
  if (!Number.isInteger(count) || count === 0) throw new Error(`saliencyMaps: ${pixels.length} bytes is not a whole number of 28×28 images`);
  let result: SaliencyMaps | undefined;
  tf.tidy(() => {
    const unit = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const x = toModelInput(model, unit, pixelScale);
    const scores = logitsOf(model);
    const logits = scores(x);
    const probabilities = (tf.softmax(logits) as tf.Tensor).dataSync() as Float32Array;
    const predicted = new Uint8Array(count);
    const against = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      predicted[i] = argMax(probabilities, i * NUM_CLASSES);
      against[i] = contrast && contrast[i] !== predicted[i] ? contrast[i] : runnerUp(probabilities, i * NUM_CLASSES, predicted[i]);
    }
    // The images are independent (inference mode), so one backward pass of the summed margins
    // gives every image's own gradient.
    const select = tf.tensor2d(marginWeights(predicted, against), [count, NUM_CLASSES]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(scores(input), select)))(x);
    const attribution = tf.mul(gradient, x).reshape([count, PIXELS]).dataSync() as Float32Array;
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
 * has rounded to 0 has none). A model ending in Dense(softmax) or Activation(softmax) gets its
 * logits from the layer below plus that Dense's weights; anything else falls back to the log of
 * its (clipped) outputs.
 */
function logitsOf(model: tf.LayersModel): (x: tf.Tensor) => tf.Tensor {
  const cached = logitCache.get(model);
  if (cached) return cached;
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig() as { activation?: string; useBias?: boolean };
  let scores: (x: tf.Tensor) => tf.Tensor = (x) => tf.log(tf.clipByValue(model.apply(x, { training: false }) as tf.Tensor, 1e-30, 1));
  if (config.activation === 'softmax' && (last.getClassName() === 'Dense' || last.getClassName() === 'Activation')) {
    const below = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    if (last.getClassName() === 'Activation') {
      scores = (x) => below.apply(x, { training: false }) as tf.Tensor;
    } else {
      const [kernel, bias] = last.weights.map((w) => w.read());
      scores = (x) => {
        const z = tf.matMul(below.apply(x, { training: false }) as tf.Tensor2D, kernel as tf.Tensor2D);
        return config.useBias === false || !bias ? z : tf.add(z, bias);
      };
    }
  }
  logitCache.set(model, scores);
  return scores;
}

/** The pad's question: what the model reads in one image (784 bytes), and why (against its runner-up). */
export function explainOne(model: tf.LayersModel, pixels: ArrayLike<number>, pixelScale?: PixelScale): { label: number; probabilities: number[]; why: { contrast: number; map: Int8Array } } {
  if (pixels.length !== PIXELS) throw new Error(`Expected ${PIXELS} pixels, got ${pixels.length}`);
  const s = saliencyMaps(model, Uint8Array.from(pixels), pixelScale);
  return { label: s.predicted[0], probabilities: Array.from(s.probabilities), why: { contrast: s.contrast[0], map: s.maps } };
}
