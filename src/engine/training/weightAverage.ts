// Why this file exists: an exponential moving average of a model's weights during training
// (Polyak averaging; An et al. 2020, "An Ensemble of Simple CNNs for MNIST", average their
// weights with decay 0.999 each step) gives a model that is better than the last step's weights:
// the average sits nearer the centre of the region the noisy steps wander in. Every weight is
// averaged; the averaged model's batch-norm statistics are then recomputed on clean
// training rows (batchNormStatistics.ts), since an average of the moving statistics lags behind
// the averaged weights. That model is what validation measures and what is saved.
import * as tf from '../core/tf';
import { MOVING_AVERAGE } from '../kernels/average';
import { ownKernels } from '../kernels/ownKernels';
import { recomputeBatchNormStatistics } from './batchNormStatistics';
import { type DigitImages } from '../core/types';

export class WeightAverage {
  private readonly averages: tf.Variable[];
  private updates = 0;

  /** `clean`: unaugmented training rows for the averaged model's batch-norm statistics. */
  constructor(private readonly model: tf.LayersModel, private readonly decay: number, private readonly clean: DigitImages) {
    // tf.add(…, 0): memory of their own (a clone would share the weight's).
    this.averages = model.weights.map((w) => tf.tidy(() => tf.variable(tf.add(w.read(), 0), false)));
  }

  /**
   * After an optimizer step: average ← average·d + weight·(1 − d). The decay warms up as TF's
   * ExponentialMovingAverage does with num_updates, d = min(decay, (1 + t)/(10 + t)), so that a
   * short run is not dominated by its initial weights.
   */
  update(): void {
    this.updates++;
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    const own = tf.getKernel(MOVING_AVERAGE, tf.getBackend()) !== undefined && ownKernels(tf.backend()) !== undefined;
    tf.tidy(() => {
      this.model.weights.forEach((w, i) => {
        const average = this.averages[i];
        const value = w.read();
        const next = own
          ? (tf.engine().runKernel(MOVING_AVERAGE, { average, value }, { decay: d }) as tf.Tensor)
          : tf.add(tf.mul(average, d), tf.mul(value, 1 - d));
        average.assign(next);
      });
    });
  }

  /** Runs `fn` with the averaged weights in the model, then puts the trained weights back. */
  async withAveragedWeights<T>(fn: () => Promise<T>): Promise<T> {
    const trained = this.model.weights.map((w) => tf.keep(tf.clone(w.read())));
    this.applyToModel();
    try {
      return await fn();
    } finally {
      this.model.weights.forEach((w, i) => w.write(trained[i]));
      tf.dispose(trained);
    }
  }

  /** Puts the averaged weights in the model, with batch-norm statistics of their own. */
  applyToModel(): void {
    this.model.weights.forEach((w, i) => w.write(this.averages[i]));
    recomputeBatchNormStatistics(this.model, this.clean);
  }

  dispose(): void {
    tf.dispose(this.averages);
  }
}
