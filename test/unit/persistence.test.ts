import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { createModel } from '../../src/engine/model/architectures';
import { loadModelDir, saveModelDir } from '../../src/engine/model/persistence';
import { type ModelMetadata } from '../../src/engine/model/metadata';
import { MODEL_FILE, WEIGHTS_FILE } from '../../src/engine/model/modelDir';
import { predictImages, predictOne } from '../../src/engine/inference/predict';
import { InputError } from '../../src/engine/core/errors';
import { tempDir } from '../support/data';

const metadata: ModelMetadata = { formatVersion: 1, name: 'test model', created: new Date(0).toISOString(), architecture: 'seed' };

function randomImages(count: number) {
  const pixels = new Uint8Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 256;
  return { count, pixels, labels: null };
}

describe('model folders', function () {
  before(() => initBackend('auto'));

  for (const arch of ['seed', 'default'] as const) {
    it(`save → load → predict gives identical outputs (${arch})`, async function () {
      const dir = path.join(tempDir(), 'model');
      const model = createModel(arch, { seed: 1 });
      const images = randomImages(5);
      const before = await predictImages(model, images);
      await saveModelDir(model, { ...metadata, architecture: arch }, dir);
      model.dispose();
      const loaded = await loadModelDir(dir);
      const after = await predictImages(loaded.model, images);
      assert.deepEqual(after.probabilities, before.probabilities);
      assert.equal(loaded.metadata?.name, 'test model');
      // A model.json path works as well as its folder.
      const again = await loadModelDir(path.join(dir, MODEL_FILE));
      assert.deepEqual((await predictOne(again.model, images.pixels.subarray(0, 784))).probabilities, Array.from(before.probabilities.subarray(0, 10)));
      loaded.model.dispose();
      again.model.dispose();
    });
  }

  it('replaces an existing folder only once the new model is complete', async function () {
    const dir = path.join(tempDir(), 'model');
    const first = createModel('seed', { seed: 1 });
    await saveModelDir(first, { ...metadata, name: 'first' }, dir);
    const second = createModel('seed', { seed: 2 });
    await saveModelDir(second, { ...metadata, name: 'second' }, dir);
    first.dispose();
    second.dispose();
    const loaded = await loadModelDir(dir);
    loaded.model.dispose();
    assert.equal(loaded.metadata?.name, 'second');
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['model'], 'no temporary folders left behind');
  });

  describe('rejects bad models with a clear message', function () {
    let good: string;
    before(async function () {
      good = path.join(tempDir(), 'good');
      const model = createModel('seed', { seed: 1 });
      await saveModelDir(model, metadata, good);
      model.dispose();
    });

    function copyGood(): string {
      const dir = path.join(tempDir(), 'bad');
      fs.cpSync(good, dir, { recursive: true });
      return dir;
    }

    it('missing folder', async () => {
      await assert.rejects(loadModelDir('/nonexistent/model'), (e: Error) => e instanceof InputError && /Model not found/.test(e.message));
    });
    it('missing weights', async () => {
      const dir = copyGood();
      fs.rmSync(path.join(dir, WEIGHTS_FILE));
      await assert.rejects(loadModelDir(dir), /weights file "weights.bin" is missing/);
    });
    it('truncated weights', async () => {
      const dir = copyGood();
      const file = path.join(dir, WEIGHTS_FILE);
      fs.truncateSync(file, fs.statSync(file).size - 100);
      await assert.rejects(loadModelDir(dir), /truncated or mismatched weights/);
    });
    it('not JSON', async () => {
      const dir = copyGood();
      fs.writeFileSync(path.join(dir, MODEL_FILE), '{ nope');
      await assert.rejects(loadModelDir(dir), /not valid JSON/);
    });
    it('JSON that is not a model', async () => {
      const dir = copyGood();
      fs.writeFileSync(path.join(dir, MODEL_FILE), '{"hello": 1}');
      await assert.rejects(loadModelDir(dir), /no "modelTopology"/);
    });
    it('wrong input shape', async () => {
      const dir = path.join(tempDir(), 'shape');
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 10, activation: 'softmax' })] });
      await saveModelDir(model, metadata, dir);
      model.dispose();
      await assert.rejects(loadModelDir(dir), /input is 100; expected a 28×28 digit/);
    });
    it('wrong output size', async () => {
      const dir = path.join(tempDir(), 'out');
      const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 5 })] });
      await saveModelDir(model, metadata, dir);
      model.dispose();
      await assert.rejects(loadModelDir(dir), /outputs 5 values; expected 10/);
    });
  });

  it('a 784-input model predicts the same images', async function () {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    const dir = path.join(tempDir(), 'flat');
    await saveModelDir(model, metadata, dir);
    model.dispose();
    const loaded = await loadModelDir(dir);
    const prediction = await predictOne(loaded.model, randomImages(1).pixels);
    loaded.model.dispose();
    assert.equal(prediction.probabilities.length, 10);
    assert.ok(Math.abs(prediction.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });
});
