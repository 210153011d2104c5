// Fine-tuning on the user's drawings: the replay mix, the held-out split, the run itself on the
// model kinds the product holds (trained here, Keras imported, a 28×28 input without a channel
// axis), and the job's bad inputs (no samples, a malformed samples file) that must leave nothing
// behind. The drawings are the e2e harness's personal style, rendered in Node.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv } from '../../src/engine/data/csv';
import { InputError } from '../../src/engine/core/errors';
import { TRAIN_HEADER } from '../../src/engine/data/trainRow';
import { CHANGE_SHARES, fineTune, holdOutSamples, keepLeastChange, planBatches } from '../../src/engine/training/fineTune';
import { DEFAULT_FINE_TUNE_SETTINGS, type FineTuneSettings, MIN_FINE_TUNE_SAMPLES as MIN_SAMPLES } from '../../src/shared/training';
import { replayAndHeldOut, runFineTuneJob } from '../../src/engine/jobs/fineTuneJob';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { disposeModel } from '../../src/engine/model/architectures';
import { evaluateImages } from '../../src/engine/inference/predict';
import { createRandom } from '../../src/engine/core/random';
import { stratifiedSplit } from '../../src/engine/data/dataset';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/training';
import { trainModel } from '../../src/engine/training/train';
import { saveModelDir } from '../../src/engine/model/persistence';
import type { DigitImages } from '../../src/engine/core/types';
import { personalImages, samplesCsv } from '../support/personalImages';
import { requireData, slice, tempDir } from '../support/data';
import { requireKerasFixtures } from '../support/keras';

describe('the replay mix', function () {
  const settings = { epochs: 3, batchSize: 16, replayShare: 0.75 };

  it('shows every user sample once per epoch and fills each batch with replay in proportion', function () {
    const batches = planBatches(10, 1000, settings, createRandom(1));
    assert.equal(batches.length, 3 * Math.ceil(10 / 4)); // 4 user samples per 16-image batch
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen = batches.slice(epoch * 3, epoch * 3 + 3).flatMap((b) => Array.from(b.user));
      assert.deepEqual(seen.sort((a, b) => a - b), [...Array(10).keys()]);
    }
    for (const b of batches) assert.equal(b.replay.length, b.user.length * 3, 'three replayed rows per user sample');
  });

  it('uses each replay row at most once until all have been used, and repeats for the same seed', function () {
    const batches = planBatches(8, 1000, settings, createRandom(7));
    const replay = batches.flatMap((b) => Array.from(b.replay));
    assert.equal(new Set(replay).size, replay.length);
    assert.ok(replay.every((i) => i >= 0 && i < 1000));
    assert.deepEqual(planBatches(8, 1000, settings, createRandom(7)), batches);
    assert.notDeepEqual(planBatches(8, 1000, settings, createRandom(8)), batches);
    // Fewer replay rows than needed: every row is used before any repeats.
    const small = planBatches(8, 10, settings, createRandom(7)).flatMap((b) => Array.from(b.replay));
    assert.deepEqual([...new Set(small.slice(0, 10))].sort((a, b) => a - b), [...Array(10).keys()]);
  });

  it('without replay rows, batches hold user samples only', function () {
    const batches = planBatches(10, 0, settings, createRandom(1));
    assert.ok(batches.every((b) => b.replay.length === 0));
    assert.equal(batches.length, 3 * Math.ceil(10 / 16));
  });

  it('holds out a share of each digit\'s samples, and the job keeps replay and held-out rows apart', function () {
    const samples = personalImages([0, 1, 2, 3, 4]);
    const { train, heldOut } = holdOutSamples(samples, 0.2, createRandom(3));
    assert.equal(heldOut.count, 10);
    assert.deepEqual(Array.from(heldOut.labels!).sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(train.count, 40);

    // Rows tagged by index in their first pixel: with a split, replay is its training part.
    const rows: DigitImages = { count: 200, pixels: new Uint8Array(200 * 784), labels: Uint8Array.from({ length: 200 }, (_, i) => i % 10) };
    for (let i = 0; i < 200; i++) rows.pixels[i * 784] = i;
    const tags = (d: DigitImages) => Array.from({ length: d.count }, (_, i) => d.pixels[i * 784]);
    const withSplit = replayAndHeldOut(rows, stratifiedSplit(rows.labels!, 0.1, createRandom(42)), 15, 1);
    assert.equal(withSplit.heldOut.count, 15);
    assert.equal(withSplit.replay.count, 180);
    assert.ok(!tags(withSplit.heldOut).some((t) => tags(withSplit.replay).includes(t)), 'a held-out row is replayed');
    const tail = replayAndHeldOut(rows, undefined, 30, 1);
    assert.deepEqual(tags(tail.heldOut), Array.from({ length: 30 }, (_, i) => 170 + i));
    assert.equal(tail.replay.count, 170);
  });
});

describe('keeping the least change', function () {
  // Two "weights" moved from base to tuned; the scripted accuracy reads the taught drawings as
  // well as the full change from a given share on, as a well-trained model does from a quarter.
  async function run(readsFrom: number) {
    const base = [tf.tensor1d([0, 0]), tf.tensor1d([1])];
    const variables = [tf.variable(tf.tensor1d([4, -8])), tf.variable(tf.tensor1d([5]))];
    const tried: number[] = [];
    const tensors = tf.memory().numTensors;
    const share = await keepLeastChange(variables, base, async () => {
      const moved = (variables[1].dataSync()[0] - 1) / 4; // share of the change the weights hold now
      tried.push(moved);
      return moved >= readsFrom - 1e-6 ? 1 : 0.9;
    });
    const leaked = tf.memory().numTensors - tensors;
    const weights = variables.map((v) => Array.from(v.dataSync()));
    tf.dispose([...base, ...variables]);
    return { share, tried, leaked, weights };
  }

  it('keeps the smallest share that reads the taught drawings as well as the whole change, and no more', async function () {
    const r = await run(0.5);
    assert.equal(r.share, 0.5);
    assert.deepEqual(r.tried, [1, 0.25, 0.5]); // the whole change first, then smallest first
    assert.deepEqual(r.weights, [[2, -4], [3]]);
    assert.equal(r.leaked, 0);
  });

  it('keeps the whole change when nothing less reads them as well, and a quarter when a quarter does', async function () {
    const whole = await run(1);
    assert.equal(whole.share, 1);
    assert.deepEqual(whole.weights, [[4, -8], [5]]);
    assert.equal(whole.leaked, 0);
    const quarter = await run(0.1);
    assert.equal(quarter.share, CHANGE_SHARES[0]);
    assert.deepEqual(quarter.weights, [[1, -2], [2]]);
  });
});

describe('fine-tuning on personal-style drawings', function () {
  let dataDir: string;
  let replay: DigitImages;
  let heldOut: DigitImages;
  const teach = personalImages([0, 1, 2, 3, 4]);
  const others = personalImages(Array.from({ length: 10 }, (_, i) => 200 + i));

  before(async function () {
    dataDir = requireData(this);
    await initBackend('auto');
    const rows = await readDigitCsv(await slice(dataDir, 'train.csv', 2400), { expect: 'train' });
    ({ replay, heldOut } = replayAndHeldOut(rows, undefined, 400, 1));
  });

  it('a Keras model learns the style it misread (9 like an "a") and keeps its held-out accuracy', async function () {
    const dir = requireKerasFixtures(this);
    const { model, metadata } = await loadAnyModel(path.join(dir, 'kzarama-mnist.h5'));
    try {
      const before = await evaluateImages(model, others, { pixelScale: metadata?.pixelScale });
      const steps: number[] = [];
      const result = await fineTune(model, { samples: teach, replay, heldOut }, DEFAULT_FINE_TUNE_SETTINGS, metadata?.pixelScale, { onStep: (p) => steps.push(p.step) });
      const after = await evaluateImages(model, others, { pixelScale: metadata?.pixelScale });
      const wrong = (e: typeof before) => others.labels.filter((l, i) => e.predictions.labels[i] !== l).length;
      console.log(`      other drawings: ${wrong(before)} → ${wrong(after)} wrong of ${others.count}; held-out rows ${(result.before.heldOut * 100).toFixed(2)}% → ${(result.after.heldOut * 100).toFixed(2)}% (${result.seconds.toFixed(1)} s)`);
      assert.ok(wrong(before) >= 5, `the base model reads this style well already (${wrong(before)} wrong)`);
      assert.ok(wrong(after) < wrong(before), `${wrong(before)} → ${wrong(after)} wrong`);
      assert.ok(result.after.heldOut >= result.before.heldOut - 0.01, `held-out ${result.before.heldOut} → ${result.after.heldOut}`);
      assert.equal(result.trainedSamples, 40);
      assert.equal(result.heldOutSamples, 10);
      assert.equal(steps.length, result.steps);
      assert.ok(result.replayRows > 0 && result.replayRows <= replay.count);
      assert.ok(CHANGE_SHARES.includes(result.changeKept), `kept ${result.changeKept}`);
    } finally {
      disposeModel(model);
    }
  });

  it('fine-tunes a model trained here and a 28×28-input Keras 3 model without leaking tensors', async function () {
    const dir = requireKerasFixtures(this);
    const small = { ...DEFAULT_FINE_TUNE_SETTINGS, epochs: 2 };
    const trained = (await trainModel(replay, { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1, augment: false, validationSplit: 0 })).model;
    const keras3 = (await loadAnyModel(path.join(dir, 'ronit2421-mnist-keras3.keras'))).model;
    try {
      for (const model of [trained, keras3]) {
        const weights = model.getWeights().map((w) => w.dataSync().slice());
        const result = await fineTune(model, { samples: teach, replay, heldOut }, small);
        assert.ok(model.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== weights[i][j])), 'no weight changed');
        assert.ok(result.after.samples !== undefined && result.before.heldOut > 0.5);
        // A second run replaces the first run's optimizer state rather than adding to it.
        const tensors = tf.memory().numTensors;
        await fineTune(model, { samples: teach, replay, heldOut }, small);
        assert.equal(tf.memory().numTensors, tensors);
      }
    } finally {
      disposeModel(trained);
      disposeModel(keras3);
    }
  });

  it('refuses too few samples, bad settings and a model without softmax outputs, with clear messages', async function () {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 })] });
    const few: DigitImages = { count: 3, pixels: teach.pixels.subarray(0, 3 * 784), labels: teach.labels.subarray(0, 3) };
    await assert.rejects(fineTune(model, { samples: few, replay, heldOut }, DEFAULT_FINE_TUNE_SETTINGS), new RegExp(`at least ${MIN_SAMPLES} labelled drawings \\(there are 3\\)`));
    const bad: FineTuneSettings = { ...DEFAULT_FINE_TUNE_SETTINGS, epochs: 0 };
    await assert.rejects(fineTune(model, { samples: teach, replay, heldOut }, bad), /epochs must be a whole number/);
    await assert.rejects(fineTune(model, { samples: teach, replay, heldOut }, DEFAULT_FINE_TUNE_SETTINGS), (err: unknown) => err instanceof InputError && /does not output probabilities/.test(err.message));
    model.dispose();
  });
});

describe('the fine-tune job', function () {
  let dataDir: string;
  let baseDir: string;
  let trainCsv: string;

  before(async function () {
    dataDir = requireData(this);
    const info = await initBackend('auto');
    trainCsv = await slice(dataDir, 'train.csv', 1500);
    const data = await readDigitCsv(trainCsv, { expect: 'train' });
    const settings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed' as const, epochs: 1, augment: false, validationSplit: 0.2, seed: 5 };
    const result = await trainModel(data, settings);
    baseDir = path.join(tempDir('digit-ft-'), 'base');
    const { arch, ...rest } = settings;
    await saveModelDir(result.model, { formatVersion: 1, name: 'base model', created: new Date().toISOString(), architecture: arch, ...rest, backend: info.name, trainingFile: { name: 'train.csv', rows: 1500, sha256: 'unused' } }, baseDir);
    disposeModel(result.model);
  });

  const job = (samplesFile: string, outDir: string) => ({
    modelDir: baseDir,
    samplesFile,
    replayFile: trainCsv,
    split: { seed: 5, validationSplit: 0.2, rows: 1500 },
    outDir,
    name: 'base model + my digits',
    settings: { ...DEFAULT_FINE_TUNE_SETTINGS, epochs: 2 },
  });

  it('saves "<base> + my digits" with before → after in its metadata, measuring on the base model\'s validation rows', async function () {
    const folder = tempDir('digit-ft-');
    const samplesFile = path.join(folder, 'my-digits.csv');
    fs.writeFileSync(samplesFile, samplesCsv(personalImages([0, 1, 2])));
    const events: string[] = [];
    const result = await runFineTuneJob(job(samplesFile, path.join(folder, 'tuned')), { onEvent: (e) => events.push(e.kind) });
    const metadata = JSON.parse(fs.readFileSync(path.join(folder, 'tuned', 'metadata.json'), 'utf8'));
    assert.equal(metadata.name, 'base model + my digits');
    assert.equal(metadata.fineTuned.base, 'base model');
    assert.equal(metadata.fineTuned.samples.rows, 30);
    assert.equal(metadata.fineTuned.heldOutFrom, 'validation');
    assert.equal(metadata.fineTuned.heldOutRows, 300);
    assert.equal(metadata.fineTuned.heldOutSamples, 10);
    assert.equal(metadata.validationSplit, 0.2, 'the base model\'s split is kept for Evaluate Model');
    assert.deepEqual(metadata.fineTuned.after, result.result.after);
    assert.equal(metadata.fineTuned.changeKept, result.result.changeKept);
    assert.equal(metadata.final.valAccuracy, result.result.after.heldOut);
    assert.ok(events.includes('fineTune') && events.includes('saving'), events.join(' '));
    assert.ok((await loadAnyModel(path.join(folder, 'tuned'))).model);
  });

  it('an empty or malformed samples file gets a message naming the file (and line), and no model is written', async function () {
    const folder = tempDir('digit-ft-');
    const empty = path.join(folder, 'my-digits.csv');
    fs.writeFileSync(empty, `${TRAIN_HEADER}\n`);
    await assert.rejects(runFineTuneJob(job(empty, path.join(folder, 'tuned'))), (err: unknown) => err instanceof InputError && /my-digits\.csv holds no labelled drawings yet/.test(err.message));
    const text = samplesCsv(personalImages([0, 1])).replace(/\n5,/, '\n5,x');
    const malformed = path.join(folder, 'broken.csv');
    fs.writeFileSync(malformed, text);
    await assert.rejects(runFineTuneJob(job(malformed, path.join(folder, 'tuned'))), (err: unknown) => err instanceof InputError && /broken\.csv line \d+, column 'pixel0'/.test(err.message));
    assert.deepEqual(fs.readdirSync(folder).sort(), ['broken.csv', 'my-digits.csv'], 'no model folder, temporary or not');
    assert.equal(fs.readFileSync(malformed, 'utf8'), text);
  });

  it('a cancelled run writes nothing and leaves the base model as it was', async function () {
    const folder = tempDir('digit-ft-');
    const samplesFile = path.join(folder, 'my-digits.csv');
    fs.writeFileSync(samplesFile, samplesCsv(personalImages([0, 1, 2])));
    const baseWeights = fs.readFileSync(path.join(baseDir, 'weights.bin'));
    const controller = new AbortController();
    await assert.rejects(
      runFineTuneJob(job(samplesFile, path.join(folder, 'tuned')), { signal: controller.signal, onEvent: (e) => e.kind === 'fineTune' && e.progress.step === 2 && controller.abort() }),
      { name: 'CancelledError' },
    );
    assert.deepEqual(fs.readdirSync(folder), ['my-digits.csv']);
    assert.ok(fs.readFileSync(path.join(baseDir, 'weights.bin')).equals(baseWeights));
  });
});
