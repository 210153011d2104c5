// recomputeBatchNormStatistics (src/engine/training/batchNormStatistics.ts): each batch-norm layer's moving
// statistics become those of its input over all the given rows, pooled across batches; nothing
// else changes and nothing leaks.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { createModel, disposeModel } from '../../src/engine/model/architectures';
import { recomputeBatchNormStatistics } from '../../src/engine/training/batchNormStatistics';
import { imagesTensor, range } from '../../src/engine/data/dataset';
import { type DigitImages, PIXELS } from '../../src/engine/core/types';

describe('batch-norm statistics recomputed on clean rows', () => {
  before(async () => {
    await initBackend('auto');
  });

  it('sets the first layer’s moving mean and variance to its input’s over all rows (batches pooled), and leaves the other weights', () => {
    const count = 300;
    const pixels = new Uint8Array(count * PIXELS).map((_, i) => (Math.sin(i * 0.37) > 0.3 ? (i * 53) % 256 : 0));
    const images: DigitImages = { count, pixels, labels: null };
    const model = createModel('default', { seed: 8 });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const tensors = tf.memory().numTensors;
    recomputeBatchNormStatistics(model, images, 128); // 3 batches of unequal size
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    const [conv, norm] = model.layers;
    assert.equal(norm.getClassName(), 'BatchNormalization');
    const { mean, variance } = tf.tidy(() => tf.moments(conv.apply(imagesTensor(images, range(count)), { training: false }) as tf.Tensor, [0, 1, 2]));
    const [, , movingMean, movingVariance] = norm.getWeights();
    const close = (a: tf.Tensor, b: tf.Tensor, what: string) => {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);
      assert.ok(d < 1e-4, `${what} differs by ${d}`);
    };
    close(movingMean, mean, 'moving mean');
    close(movingVariance, variance, 'moving variance');
    const after = model.getWeights().map((w) => Array.from(w.dataSync()));
    const names = model.weights.map((w) => w.name);
    names.forEach((name, i) => {
      if (!/moving_(mean|variance)/.test(name)) assert.deepEqual(after[i], before[i], `${name} changed`);
    });
    assert.ok(names.some((n, i) => /moving_mean/.test(n) && after[i].some((v, j) => v !== before[i][j])), 'moving statistics changed');
    tf.dispose([mean, variance]);
    disposeModel(model);
  });
});
