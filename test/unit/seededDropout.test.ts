import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { SeededDropout } from '../../src/engine/layers/seededDropout';

describe('seeded dropout', function () {
  before(() => initBackend('auto'));

  const masks = (layer: SeededDropout, steps: number) =>
    Array.from({ length: steps }, () => tf.tidy(() => Array.from((layer.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync())));

  it('draws a new mask at every training step (TF.js Dropout with a seed repeats one)', function () {
    const [a, b, c] = masks(new SeededDropout({ rate: 0.5, seed: 7 }), 3);
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(b, c);
    assert.ok(a.every((v) => v === 0 || v === 2), 'kept units are scaled by 1/(1-rate)');
  });

  it('repeats the same sequence of masks for the same seed', function () {
    assert.deepEqual(masks(new SeededDropout({ rate: 0.5, seed: 7 }), 3), masks(new SeededDropout({ rate: 0.5, seed: 7 }), 3));
  });

  it('is the identity outside training and saves as a plain Keras Dropout', function () {
    const layer = new SeededDropout({ rate: 0.5, seed: 7 });
    const out = tf.tidy(() => Array.from((layer.apply(tf.ones([1, 8])) as tf.Tensor).dataSync()));
    assert.deepEqual(out, new Array(8).fill(1));
    assert.equal(layer.getClassName(), 'Dropout');
    assert.equal(layer.getConfig().rate, 0.5);
  });
});
