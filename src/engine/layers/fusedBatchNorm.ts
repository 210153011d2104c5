// Why this file exists: in training mode TF.js's BatchNormalization records tf.moments and
// tf.batchNorm on the gradient tape, and their gradients take ~15 element-wise ops and reductions
// over the full activations per layer (plus Tile: see kernels/tile.ts); on the wasm backend that
// was a quarter of the default CNN's training step. The batch-norm gradient has a closed form
// that needs two reductions and four element-wise ops, written here as one tf.customGrad.
import * as tf from '../core/tf';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, hasOwnBatchNorm } from '../kernels/batchNorm';
import type { BatchNormLayer } from '../kernels/fused/plan';

type LayerArgs = Parameters<typeof tf.layers.batchNormalization>[0];
type CallArgs = { training?: boolean };

// tfjs-layers exports a factory, not the class; its constructor is what models are built from.
const StockBatchNormalization = tf.layers.batchNormalization().constructor as typeof tf.layers.Layer & (new (args?: LayerArgs) => tf.layers.Layer);

/**
 * BatchNormalization with a closed-form training gradient. Registered under the class name
 * "BatchNormalization", so models saved with it are ordinary Keras/TF.js models and models loaded
 * in this process (the data-parallel replicas) train with it too. Anything but the usual case
 * (channels last, with scale and centre) runs the stock layer's code.
 */
export class FusedBatchNormalization extends StockBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallArgs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormLayer;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axis = self.axis < 0 ? self.axis + x.rank : self.axis;
    if (!kwargs.training || axis !== x.rank - 1 || !self.center || !self.scale) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = normalizeInTraining(x, self.gamma.read(), self.beta.read(), self.epsilon);
      // As the stock layer: moving = moving − (moving − batch) × (1 − momentum), batch variance biased.
      for (const [moving, batch] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        const value = moving.read();
        moving.write(tf.sub(value, tf.mul(tf.sub(value, batch), 1 - self.momentum)));
      }
      tf.dispose([mean, variance]); // kept out of customGrad's own tidy, see normalizeInTraining
      return y;
    });
  }
}

/**
 * y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) over all axes but the last, and the batch's μ and σ².
 * Gradient (N values per channel): dβ = Σdy, dγ = Σdy·x̂, dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N).
 * The caller disposes the returned mean and variance (tf.tidy does not: they are kept).
 */
export function normalizeInTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number) {
  if (hasOwnBatchNorm(x.shape[x.rank - 1])) return normalizeWithOwnKernels(x, gamma, beta, epsilon);
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / x.shape[x.rank - 1];
  let mean: tf.Tensor | undefined;
  let variance: tf.Tensor | undefined;
  const normalize = tf.customGrad((input, scale, offset, save) => {
    const moments = tf.moments(input as tf.Tensor, axes);
    mean = tf.keep(moments.mean);
    variance = tf.keep(moments.variance);
    const inverseStd = tf.rsqrt(tf.add(moments.variance, epsilon));
    const normalized = tf.mul(tf.sub(input as tf.Tensor, moments.mean), inverseStd);
    (save as tf.GradSaveFunc)([normalized, inverseStd, scale as tf.Tensor]);
    return {
      value: tf.add(tf.mul(normalized, scale as tf.Tensor), offset as tf.Tensor),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, invStd, g] = saved;
        const dOffset = tf.sum(dy, axes);
        const dScale = tf.sum(tf.mul(dy, xHat), axes);
        const factor = tf.mul(g, invStd);
        const centred = tf.sub(dy, tf.div(dOffset, count));
        const dx = tf.mul(tf.sub(centred, tf.mul(xHat, tf.div(dScale, count))), factor);
        return [dx, dScale, dOffset];
      },
    };
  });
  const y = normalize(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}

tf.serialization.registerClass(FusedBatchNormalization);

/** The same with our wasm kernels (kernels/batchNorm.ts): one kernel each way, x̂ recomputed from x. */
function normalizeWithOwnKernels(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number) {
  let mean: tf.Tensor | undefined;
  let variance: tf.Tensor | undefined;
  const normalize = tf.customGrad((input, scale, offset, save) => {
    const [y, m, v] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x: input as tf.Tensor, gamma: scale as tf.Tensor, beta: offset as tf.Tensor }, { epsilon }) as tf.Tensor[];
    mean = tf.keep(m);
    variance = tf.keep(v);
    (save as tf.GradSaveFunc)([input as tf.Tensor, scale as tf.Tensor, m, v]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, g, mu, va] = saved;
        return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x: xs, gamma: g, mean: mu, variance: va }, { epsilon }) as tf.Tensor[];
      },
    };
  });
  const y = normalize(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}
