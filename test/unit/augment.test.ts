import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { DEFAULT_AUGMENT, TRANSFORM_ROW, augmentBatch, randomTransforms, transformImages } from '../../src/engine/data/augment';
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

  /** A vertical bar 2 px wide, rows 6–21, as a [1,28,28,1] batch. */
  const bar = () => {
    const pixels = new Float32Array(784);
    for (let y = 6; y < 22; y++) for (let x = 13; x < 15; x++) pixels[y * 28 + x] = 1;
    return tf.tensor4d(pixels, [1, 28, 28, 1]);
  };
  /** One image's transform row with only the shear and the thickness change set. */
  const row = (shear: number, thickness: number) => {
    // A generator that always returns 1 draws every range at its maximum (symmetric(): +range).
    const r = randomTransforms(1, { rotation: 0, zoom: 0, shift: 0, shear, thickness }, () => 1);
    assert.equal(r.length, TRANSFORM_ROW);
    return r;
  };

  it('slants by the shear: x moves by shear × (y − centre), so a vertical bar leans', function () {
    const values = tf.tidy(() => transformImages(bar(), row(0.3, 0)).dataSync());
    const centreX = (y: number) => {
      let m = 0, mx = 0;
      for (let x = 0; x < 28; x++) { m += values[y * 28 + x]; mx += values[y * 28 + x] * x; }
      return mx / m;
    };
    const lean = (centreX(20) - centreX(7)) / 13;
    assert.ok(Math.abs(lean - 0.3) < 0.03, `lean ${lean.toFixed(3)} px per row`);
  });

  it('thickens and thins strokes by the thickness change, and leaves them alone at 0', function () {
    const ink = (thickness: number) => tf.tidy(() => tf.sum(transformImages(bar(), row(0, thickness))).dataSync()[0]);
    const plain = ink(0);
    assert.ok(Math.abs(plain - 32) < 1e-3, `ink ${plain}`);
    // A full dilation with a 3×3 cross adds a pixel each side (and one at each end); half of it half that.
    assert.ok(Math.abs(ink(1) - (4 * 16 + 2 * 2)) < 1e-3, `dilated: ${ink(1)}`);
    assert.ok(Math.abs(ink(0.5) - (plain + ink(1)) / 2) < 1e-3, `half dilated: ${ink(0.5)}`);
    // Eroding a 2-px bar with a cross leaves nothing; half of it leaves half the ink.
    assert.ok(ink(-1) < 1e-3, `eroded: ${ink(-1)}`);
    assert.ok(Math.abs(ink(-0.5) - 16) < 1e-3, `half eroded: ${ink(-0.5)}`);
  });

  it('draws shear and thickness only when asked, so recipes without them draw as before', function () {
    const old = randomTransforms(6, DEFAULT_AUGMENT, createRandom(9));
    const same = randomTransforms(6, { ...DEFAULT_AUGMENT, shear: 0, thickness: 0 }, createRandom(9));
    assert.deepEqual(same, old);
    const pen = randomTransforms(500, { ...DEFAULT_AUGMENT, shear: 0.2, thickness: 0.5 }, createRandom(9));
    const thickness = Array.from({ length: 500 }, (_, i) => pen[i * TRANSFORM_ROW + 8]);
    assert.ok(Math.max(...thickness) > 0.45 && Math.min(...thickness) < -0.45 && thickness.every((t) => Math.abs(t) <= 0.5));
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
