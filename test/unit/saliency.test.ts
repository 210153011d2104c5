// "See why": gradient × input maps (engine) and their words and colours (shared).
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { disposeModel } from '../../src/engine/model/architectures';
import { SALIENCY_SCALE, explainOne, saliencyMaps, smoothOnInk } from '../../src/engine/inference/saliency';
import { describeSaliency, regionName, saliencyMap, saliencyRgba } from '../../src/shared/saliency';
import { parse } from '../../src/shared/check';
import { personalDigit } from '../e2e/personalStrokes';
import { DIGIT_STROKES } from '../e2e/digitStrokes';
import { requireKerasFixtures } from '../support/keras';
import { rasterizeStrokes } from '../support/rasterize';

/** A 28×28 image shifted by (dx, dy) whole pixels (ink leaving the frame is dropped). */
function shifted(pixels: Uint8Array, dx: number, dy: number): Uint8Array {
  const out = new Uint8Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (x - dx >= 0 && x - dx < 28 && y - dy >= 0 && y - dy < 28) out[y * 28 + x] = pixels[(y - dy) * 28 + x - dx];
  return out;
}

describe('saliency maps (gradient × input)', function () {
  before(async function () {
    await initBackend('auto');
  });

  it('for a linear softmax model, equal (W_predicted − W_contrast) × input, scaled to ±127', function () {
    const weights = tf.randomNormal([784, 10], 0, 0.05, 'float32', 3);
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax', weights: [weights, tf.zeros([10])] })] });
    const image = rasterizeStrokes(DIGIT_STROKES[3]);
    const s = saliencyMaps(model, image, 'unit', undefined, { smooth: false });
    const w = weights.arraySync() as number[][];
    const p = s.predicted[0];
    const c = s.contrast[0];
    assert.notEqual(p, c);
    const exact = Array.from(image, (v, i) => (w[i][p] - w[i][c]) * (v / 255));
    const peak = Math.max(...exact.map(Math.abs));
    exact.forEach((v, i) => assert.ok(Math.abs(s.maps[i] - (v / peak) * SALIENCY_SCALE) <= 0.51, `pixel ${i}: ${s.maps[i]} vs ${(v / peak) * SALIENCY_SCALE}`));
    // The contrast is the runner-up.
    const probs = Array.from(s.probabilities);
    assert.equal(c, probs.map((q, k) => [q, k]).filter(([, k]) => k !== p).sort((a, b) => b[0] - a[0])[0][1]);
    // A model fed 0–255 pixels (weights / 255) gets the same map: gradient × input does not depend on the scale.
    const byteModel = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax', weights: [tf.div(weights, 255), tf.zeros([10])] })] });
    const byte = saliencyMaps(byteModel, image, 'byte', undefined, { smooth: false });
    assert.ok(byte.maps.every((v, i) => Math.abs(v - s.maps[i]) <= 1), 'maps differ between pixel scales');
    model.dispose();
    byteModel.dispose();
    weights.dispose();
  });

  it('its fast input gradients (strided and "same" convolutions, dense layers) equal TF.js\'s own', function () {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.conv2d({ filters: 6, kernelSize: 5, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.conv2d({ filters: 6, kernelSize: 4, strides: 3, padding: 'valid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    const image = rasterizeStrokes(DIGIT_STROKES[5]);
    const fast = saliencyMaps(model, image, 'unit', undefined, { smooth: false });
    // The reference: TF.js's tape through the whole model, on log-probabilities.
    const x = tf.tensor4d(Float32Array.from(image, (v) => v / 255), [1, 28, 28, 1]);
    const p = fast.predicted[0];
    const c = fast.contrast[0];
    const g = tf.grad((input: tf.Tensor) => {
      const logp = tf.reshape(tf.log(model.apply(input, { training: false }) as tf.Tensor), [10]);
      return tf.sum(tf.mul(logp, tf.sub(tf.oneHot(p, 10), tf.oneHot(c, 10))));
    })(x);
    const reference = tf.mul(g, x).dataSync();
    const peak = Math.max(...Array.from(reference, Math.abs));
    reference.forEach((v, i) => assert.ok(Math.abs(fast.maps[i] - (v / peak) * SALIENCY_SCALE) <= 1, `pixel ${i}: ${fast.maps[i]} vs ${(v / peak) * SALIENCY_SCALE}`));
    // Weights that change are seen (the kept transposed/rotated copies follow the weights' data).
    const dense = model.layers[7];
    dense.setWeights(dense.getWeights().map((w, i) => tf.add(w, tf.randomNormal(w.shape, 0, 0.3, 'float32', 10 + i))));
    const after = saliencyMaps(model, image, 'unit', [c], { smooth: false });
    assert.notDeepEqual(Array.from(after.maps), Array.from(fast.maps));
    disposeModel(model);
    x.dispose();
  });

  it('on a real model: not blank, zero off the ink, and it moves when the ink moves', async function () {
    const dir = requireKerasFixtures(this);
    const { model } = await loadAnyModel(path.join(dir, 'kzarama-mnist.h5'));
    try {
      const image = rasterizeStrokes(personalDigit(4, 0));
      explainOne(model, image); // keeps the rotated filters and transposed weights for the next calls
      const tensors = tf.memory().numTensors;
      const { label, why } = explainOne(model, image);
      assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
      assert.equal(label, 4);
      const nonZero = why.map.filter((v) => v !== 0).length;
      assert.ok(nonZero > 50, `${nonZero} non-zero pixels`);
      assert.ok(why.map.some((v) => v === SALIENCY_SCALE || v === -SALIENCY_SCALE), 'scaled to its strongest pixel');
      assert.ok(why.map.every((v, i) => image[i] > 0 || v === 0), 'evidence off the ink');
      assert.ok(why.map.some((v) => v > 0) && why.map.some((v) => v < 0), 'both signs');

      const moved = shifted(image, 3, 2);
      const again = explainOne(model, moved).why.map;
      assert.notDeepEqual(Array.from(again), Array.from(why.map), 'the map did not change when the ink moved');
      // It moves with the ink: the shifted map is closer to the original shifted by the same amount.
      const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + Math.abs(v - b[i]), 0);
      const originalShifted = Array.from(shifted(Uint8Array.from(why.map, (v) => v + 128), 3, 2), (v, i) => (moved[i] ? v - 128 : 0));
      assert.ok(distance(again, originalShifted) < distance(again, why.map), 'the map did not follow the ink');
    } finally {
      const kept = tf.memory().numTensors;
      disposeModel(model);
      assert.ok(tf.memory().numTensors < kept - 8, 'the kept copies are released with the model');
    }
  });

  it('contrasts with a given digit (a mistake\'s true digit) and handles a batch in one pass', async function () {
    const dir = requireKerasFixtures(this);
    const { model } = await loadAnyModel(path.join(dir, 'kzarama-mnist.h5'));
    try {
      const a = rasterizeStrokes(personalDigit(9, 0));
      const b = rasterizeStrokes(personalDigit(1, 0));
      const both = new Uint8Array(2 * 784);
      both.set(a);
      both.set(b, 784);
      const s = saliencyMaps(model, both, 'unit', [9, 7]);
      assert.equal(s.predicted.length, 2);
      assert.equal(s.contrast[0], s.predicted[0] === 9 ? s.contrast[0] : 9);
      assert.equal(s.contrast[1], s.predicted[1] === 7 ? s.contrast[1] : 7);
      // Each image's map is its own: the same as computed alone.
      assert.deepEqual(Array.from(s.maps.subarray(784)), Array.from(saliencyMaps(model, b, 'unit', [7]).maps));
    } finally {
      disposeModel(model);
    }
  });

  it('smooths along the strokes and stays on the ink', function () {
    const pixels = new Uint8Array(784);
    const maps = new Float32Array(784);
    for (let x = 5; x < 20; x++) pixels[10 * 28 + x] = 255;
    for (let x = 5; x < 20; x++) maps[10 * 28 + x] = x % 2 ? 1 : -0.5; // alternating signs
    const smooth = smoothOnInk(maps, pixels);
    for (let x = 6; x < 19; x++) assert.ok(smooth[10 * 28 + x] > 0, `pixel ${x}: ${smooth[10 * 28 + x]}`);
    assert.equal(smooth[9 * 28 + 10], 0, 'off the ink');
  });

  it('in words: which way it leans and where; validated both ways; coloured by sign', function () {
    const map = new Array(784).fill(0);
    map[3 * 28 + 3] = 100; // upper left, toward
    map[25 * 28 + 24] = -50; // lower right, against
    const d = describeSaliency(map, 9, 4);
    assert.equal(d.toward, 'upper left');
    assert.equal(d.against, 'lower right');
    assert.equal(Math.round(d.share * 100), 67);
    assert.equal(d.text, '67% of the evidence favours 9; the ink at the upper left points most to 9, the ink at the lower right most to 4.');
    assert.match(describeSaliency(new Array(784).fill(0), 1, 7).text, /No ink decides between 1 and 7/);
    assert.equal(regionName(14, 14), 'centre');
    assert.deepEqual(parse(() => saliencyMap(map, 'map')), { ok: true, value: map });
    assert.deepEqual(parse(() => saliencyMap([...map.slice(1), 128], 'map')), { ok: false, reason: 'map[783] is 128, expected an integer in [-127, 127]' });
    assert.deepEqual(parse(() => saliencyMap(map.slice(1), 'map')), { ok: false, reason: 'map is array(783), expected 784 items' });
    const rgba = saliencyRgba(map, [0, 0, 255], [255, 128, 0]);
    assert.deepEqual(Array.from(rgba.subarray((3 * 28 + 3) * 4, (3 * 28 + 3) * 4 + 3)), [0, 0, 255]);
    assert.deepEqual(Array.from(rgba.subarray((25 * 28 + 24) * 4, (25 * 28 + 24) * 4 + 3)), [255, 128, 0]);
    assert.ok(rgba[(3 * 28 + 3) * 4 + 3] > rgba[(25 * 28 + 24) * 4 + 3], 'stronger evidence is more opaque');
    assert.equal(rgba[3], 0, 'transparent where there is no evidence');
  });
});
