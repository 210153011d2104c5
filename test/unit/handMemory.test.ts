// The memory of kept drawings (engine/inference/handMemory.ts) on a real Keras digit model, alone
// and through the real engine worker as the pad asks it.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { disposeModel } from '../../src/engine/model/architectures';
import { predictOne } from '../../src/engine/inference/predict';
import { RECALL_OPTIONS, buildHandMemory, embedImages, hasFeatureSpace, predictWithMemory, recall, type HandMemory } from '../../src/engine/inference/handMemory';
import { DIGIT_STROKES } from '../e2e/digitStrokes';
import { addSample, deleteSample, readSamples } from '../../src/engine/data/samples';
import { requireKerasFixtures } from '../support/keras';
import { TestEngineWorker } from '../support/engineWorker';
import { checkExtensionMessage } from '../../src/shared/padMessages';
import { tempDir } from '../support/data';
import { rasterizeStrokes } from '../support/rasterize';

const drawing = (digit: number) => rasterizeStrokes(DIGIT_STROKES[digit]);

function samples(...kept: Array<[Uint8Array, number]>) {
  const pixels = new Uint8Array(kept.length * 784);
  kept.forEach(([image], i) => pixels.set(image, i * 784));
  return { count: kept.length, pixels, labels: Uint8Array.from(kept, ([, label]) => label) };
}

describe('hand memory (kept drawings matched in the model’s feature space)', function () {
  let model: tf.LayersModel;

  before(async function () {
    const dir = requireKerasFixtures(this);
    await initBackend('auto');
    ({ model } = await loadAnyModel(path.join(dir, 'kzarama-mnist.h5')));
  });
  after(() => model && disposeModel(model));

  it('embeds in one pass: unit-length embeddings and the model’s own probabilities', async function () {
    const images = samples([drawing(0), 0], [drawing(3), 3], [drawing(7), 7]);
    const embedded = (await embedImages(model, images))!;
    assert.ok(embedded.dim > 10, `embedding of ${embedded.dim} values`);
    for (let i = 0; i < 3; i++) {
      const v = embedded.embeddings.subarray(i * embedded.dim, (i + 1) * embedded.dim);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4, `embedding ${i} has length ${Math.hypot(...v)}`);
      const alone = await predictOne(model, images.pixels.subarray(i * 784, (i + 1) * 784));
      alone.probabilities.forEach((p, c) => assert.ok(Math.abs(p - embedded.probabilities[i * 10 + c]) < 1e-5, `image ${i} class ${c}: ${p} vs ${embedded.probabilities[i * 10 + c]}`));
    }
  });

  it('with no kept drawings gives the model’s answer exactly', async function () {
    assert.equal(await buildHandMemory(model, samples()), undefined);
    const image = drawing(4);
    assert.deepEqual(await predictWithMemory(model, undefined, image), await predictOne(model, image));
  });

  it('reads a drawing equal to a kept one as the label it was kept with, and says so', async function () {
    const image = drawing(3);
    const own = await predictOne(model, image);
    assert.equal(own.label, 3, 'the model reads the test drawing as 3');
    // The user kept this very drawing as a 5 (a hand whose 5s look like this).
    const memory = await buildHandMemory(model, samples([image, 5], [drawing(1), 1]));
    const answer = await predictWithMemory(model, memory, image);
    assert.equal(answer.label, 5);
    assert.deepEqual(answer.memory, { label: 5, neighbours: 1, weight: RECALL_OPTIONS.maxWeight });
    assert.ok(Math.abs(answer.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'the blend is a distribution');
  });

  it('keeps the model’s answer exactly for a drawing unlike every kept one', async function () {
    const memory = await buildHandMemory(model, samples([drawing(1), 1], [drawing(7), 7]));
    assert.ok(memory);
    const image = drawing(0);
    const answer = await predictWithMemory(model, memory, image);
    assert.deepEqual(answer, await predictOne(model, image));
    assert.equal(answer.memory, undefined);
  });

  it('embeds only the drawings a previous memory of the model does not hold (by row key)', async function () {
    const a = drawing(2);
    const b = drawing(6);
    const fresh = (await buildHandMemory(model, { ...samples([a, 2], [b, 6]), keys: ['0000000a', '0000000b'] }))!;
    // A previous memory holding row 'a' with a marked embedding: the marked one is reused, 'b' embedded anew, 'c' (deleted) dropped.
    const marked = Float32Array.from({ length: fresh.dim * 2 }, (_, i) => (i < fresh.dim ? (i === 0 ? 1 : 0) : 0.5));
    const previous = { count: 2, dim: fresh.dim, embeddings: marked, labels: Uint8Array.from([2, 9]), keys: ['0000000a', '0000000c'] };
    const next = (await buildHandMemory(model, { ...samples([a, 2], [b, 6]), keys: ['0000000a', '0000000b'] }, undefined, previous))!;
    assert.deepEqual(Array.from(next.labels), [2, 6]);
    assert.deepEqual(next.keys, ['0000000a', '0000000b']);
    assert.deepEqual(Array.from(next.embeddings.subarray(0, fresh.dim)), Array.from(marked.subarray(0, fresh.dim)), 'row a was embedded again');
    next.embeddings.subarray(fresh.dim).forEach((v, j) => assert.ok(Math.abs(v - fresh.embeddings[fresh.dim + j]) < 1e-5, `row b, value ${j}: ${v} vs ${fresh.embeddings[fresh.dim + j]}`));
  });

  it('has no memory for a model without a Dense layer', async function () {
    const conv = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 10, kernelSize: 28, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.flatten(), tf.layers.softmax()] });
    assert.equal(hasFeatureSpace(conv), false);
    assert.equal(await buildHandMemory(conv, samples([drawing(2), 2])), undefined);
    const image = drawing(2);
    assert.deepEqual(await predictWithMemory(conv, undefined, image), await predictOne(conv, image));
    conv.dispose();
  });
});

describe('recall (the blend rule)', function () {
  // Two kept drawings, labels 1 and 7, at unit vectors e0 and e1 of a 3-value feature space.
  const memory: HandMemory = { count: 2, dim: 3, embeddings: Float32Array.from([1, 0, 0, 0, 1, 0]), labels: Uint8Array.from([1, 7]) };
  const model = Array.from({ length: 10 }, (_, c) => (c === 4 ? 0.91 : 0.01));
  const options = { k: 2, temperature: 0.02, from: 0.8, to: 0.95, maxWeight: 0.7 };

  it('gives the memory no weight below `from`, full weight above `to`, linear between', function () {
    assert.deepEqual(recall(memory, [0, 0, 1], model, options), { label: 4, probabilities: model });
    const cos = 0.875; // halfway between from and to
    const half = recall(memory, [cos, 0, Math.sqrt(1 - cos * cos)], model, options);
    assert.equal(half.memory?.label, 1);
    assert.ok(Math.abs(half.memory!.weight - 0.35) < 1e-9, `weight ${half.memory?.weight}`);
    assert.equal(half.label, 4, 'a confident model keeps its answer against a half-weight memory');
    const near = recall(memory, [1, 0, 0], model, options);
    assert.deepEqual(near.memory, { label: 1, neighbours: 1, weight: 0.7 });
    assert.equal(near.label, 1);
  });

  it('leaves out the kept drawings `include` rejects', function () {
    const answer = recall(memory, [1, 0, 0], model, options, (i) => i !== 0);
    assert.equal(answer.memory, undefined, 'the only near drawing was left out');
    assert.equal(answer.label, 4);
  });
});

describe('hand memory through the engine worker (the pad’s predict request)', function () {
  this.timeout(120_000);
  let worker: TestEngineWorker;
  let dir: string;
  let modelDir: string;
  let samplesFile: string;

  before(async function () {
    const fixtures = requireKerasFixtures(this);
    dir = tempDir('digit-memory-');
    modelDir = path.join(dir, 'model');
    samplesFile = path.join(dir, 'my-digits.csv');
    worker = new TestEngineWorker({ backend: 'wasm' });
    await worker.request({ type: 'import', source: path.join(fixtures, 'kzarama-mnist.h5'), destDir: modelDir, name: 'kzarama' });
  });
  after(async () => {
    await worker?.terminate();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const predict = (explain = false) => worker.request({ type: 'predict', modelDir, pixels: drawing(3), explain, samplesFile });

  it('a kept drawing changes the next prediction, a deleted one no longer counts', async function () {
    const alone = await predict();
    assert.equal(alone.label, 3, 'no samples file yet: the model reads 3');
    assert.equal(alone.memory, undefined);

    await addSample(samplesFile, drawing(3), 5);
    const kept = await predict();
    assert.equal(kept.label, 5);
    assert.deepEqual(kept.memory, { label: 5, neighbours: 1, weight: RECALL_OPTIONS.maxWeight });
    // "See why" still answers with the model's own map: the ink that pushed it toward the 5 shown against its own 3.
    const explained = await predict(true);
    assert.equal(explained.label, 5);
    assert.deepEqual(explained.memory, kept.memory);
    assert.equal(explained.why?.contrast, 3);
    assert.ok(explained.why.map.some((v) => v !== 0), 'an empty map');
    assert.ok(checkExtensionMessage({ type: 'prediction', requestId: 1, label: explained.label, probabilities: explained.probabilities, why: { contrast: explained.why.contrast, map: Array.from(explained.why.map) }, memory: explained.memory }).ok, 'the pad accepts it');

    const set = await readSamples(samplesFile);
    await deleteSample(samplesFile, 0, set.keys[0]);
    const after = await predict(true);
    assert.equal(after.label, 3);
    assert.equal(after.memory, undefined);
    assert.ok(after.why, 'the map is back with the model’s answer');
  });

  it('a samples file that does not parse leaves the model answering alone', async function () {
    fs.writeFileSync(samplesFile, 'label,pixel0\n3,oops\n');
    const answer = await predict();
    assert.equal(answer.label, 3);
    assert.equal(answer.memory, undefined);
  });

  it('refuses a request whose samples file is not a path', async function () {
    await assert.rejects(worker.request({ type: 'predict', modelDir, pixels: drawing(3), samplesFile: 42 as unknown as string }), /Invalid request: predict\.samplesFile/);
  });
});
