import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { DEFAULT_AUGMENT, augmentBatch, randomTransforms } from '../../src/engine/data/augment';
import { createRandom } from '../../src/engine/core/random';
import { stratifiedSplit } from '../../src/engine/data/dataset';

describe('augmentation and splitting', function () {
  before(() => initBackend('auto'));

  it('with zero ranges is the identity transform', async function () {
    const image = tf.tidy(() => tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D);
    const out = augmentBatch(image, { rotation: 0, zoom: 0, shift: 0 }, createRandom(1));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out, image))).dataSync()[0]);
    tf.dispose([image, out]);
    assert.ok(diff < 1e-6, `max difference ${diff}`);
  });

  it('shifts by at most 10% and keeps the ink inside the frame', async function () {
    const pixels = new Float32Array(28 * 28);
    for (let y = 10; y < 18; y++) for (let x = 10; x < 18; x++) pixels[y * 28 + x] = 1;
    const batch = tf.tensor4d(pixels, [1, 28, 28, 1]);
    const random = createRandom(7);
    for (let i = 0; i < 20; i++) {
      const out = augmentBatch(batch, { rotation: 10, zoom: 0.1, shift: 0.1 }, random);
      const values = out.dataSync();
      out.dispose();
      let sum = 0, cx = 0, cy = 0;
      values.forEach((v, p) => { sum += v; cx += v * (p % 28); cy += v * Math.floor(p / 28); });
      assert.ok(sum > 40 && sum < 90, `ink ${sum}`); // 64 ± zoom
      assert.ok(Math.abs(cx / sum - 13.5) <= 3.2 && Math.abs(cy / sum - 13.5) <= 3.2, `centre ${cx / sum},${cy / sum}`);
    }
    batch.dispose();
  });

  // The active backend (wasm here) and the pure-JS fallback, whose Transform kernel needs the workaround.
  for (const which of ['active', 'cpu']) {
    it(`transforms every image of a batch, not just the first (${which} backend)`, async function () {
      const previous = tf.getBackend();
      if (which === 'cpu') assert.ok(await tf.setBackend('cpu'), 'cpu backend');
      try {
        const pixels = new Float32Array(5 * 784);
        for (let i = 0; i < 5; i++) for (let y = 10; y < 18; y++) for (let x = 10; x < 18; x++) pixels[i * 784 + y * 28 + x] = 1;
        const values = tf.tidy(() => augmentBatch(tf.tensor4d(pixels, [5, 28, 28, 1]), DEFAULT_AUGMENT, createRandom(5)).dataSync());
        for (let i = 0; i < 5; i++) {
          let ink = 0;
          for (let p = 0; p < 784; p++) ink += values[i * 784 + p];
          assert.ok(ink > 40 && ink < 90, `image ${i}: ink ${ink}`);
        }
      } finally {
        await tf.setBackend(previous);
      }
    });
  }

  it('draws the same transforms for the same seed', function () {
    const options = { rotation: 10, zoom: 0.1, shift: 0.1 };
    assert.deepEqual(randomTransforms(4, options, createRandom(3)), randomTransforms(4, options, createRandom(3)));
  });

  it('splits every digit in the same proportion', function () {
    const labels = new Uint8Array(1000).map((_, i) => i % 10);
    const split = stratifiedSplit(labels, 0.1, createRandom(1));
    assert.equal(split.validation.length, 100);
    assert.equal(split.train.length, 900);
    const perDigit = new Array(10).fill(0);
    split.validation.forEach((i) => perDigit[labels[i]]++);
    assert.deepEqual(perDigit, new Array(10).fill(10));
    assert.equal(new Set([...split.train, ...split.validation]).size, 1000);
  });
});
