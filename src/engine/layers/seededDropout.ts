import * as tf from '../core/tf';
import seedrandom from 'seedrandom';
import { DROPOUT_MULTIPLIER } from '../kernels/dropout';
import { ownKernels } from '../kernels/ownKernels';

/** Which thread this is (0 = the trainer, 1… = data-parallel replicas), so their shards get different masks. */
let stream = 0;
export function setDropoutStream(index: number): void {
  stream = index;
}

/**
 * Dropout whose masks are repeatable for a seed yet new at every step. TF.js's own Dropout with
 * a `seed` draws the same mask on every call (the seed restarts its generator each time), which
 * turns dropout into a fixed pruning of units; without a seed, runs cannot be repeated. This layer
 * uses seed + call count. It is registered under the class name "Dropout", so saved models are
 * ordinary Keras/TF.js Dropout layers that load anywhere, and models loaded in this process
 * (the data-parallel replicas) train with it too.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'Dropout';
  readonly rate: number;
  readonly seed?: number;
  readonly noiseShape?: number[];
  private calls = 0;

  constructor(args: { rate: number; seed?: number; noiseShape?: number[]; name?: string; trainable?: boolean; inputShape?: tf.Shape }) {
    super(args);
    this.rate = Math.max(0, Math.min(1, args.rate));
    this.seed = args.seed;
    this.noiseShape = args.noiseShape;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return x;
    const seed = this.nextSeed();
    if (seed !== undefined && !this.noiseShape && tf.getKernel(DROPOUT_MULTIPLIER, tf.getBackend()) && ownKernels(tf.backend())) {
      // tf.dropout's arithmetic with its mask drawn by our kernel from the same generator state.
      return tf.tidy(() => {
        const state = seedrandom.alea(seed.toString(), { state: true }).state();
        const multiplier = tf.engine().runKernel(DROPOUT_MULTIPLIER, {}, { shape: x.shape, keepProb: 1 - this.rate, ...state }) as tf.Tensor;
        return tf.mul(x, multiplier);
      });
    }
    return tf.dropout(x, this.rate, this.noiseShape, seed);
  }

  /** The seed of this call's mask (undefined without a seed); the fused training step (kernels/fused) draws it too. */
  nextSeed(): number | undefined {
    return this.seed === undefined ? undefined : this.seed + stream * 1_000_003 + this.calls++;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null };
  }
}

tf.serialization.registerClass(SeededDropout);
