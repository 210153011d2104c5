// Models of several networks (issue 25): one model averaging networks trained one after another
// on the same validation rows, saved and loaded as one TF.js model, read by everything that takes
// a model (predictions, See Why, the memory of kept drawings, evaluation per network), refused by
// Fine-Tune with a reason; and the recipes that choose them, with their minutes estimated.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv, estimateCsvRows } from '../../src/engine/data/csv';
import { memberSeed } from '../../src/engine/training/train';
import { createModel, disposeModel } from '../../src/engine/model/architectures';
import { combineNetworks, networksOf } from '../../src/engine/model/networks';
import { saveModelDir } from '../../src/engine/model/persistence';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { predictImages } from '../../src/engine/inference/predict';
import { explainOne } from '../../src/engine/inference/saliency';
import { buildHandMemory, predictWithMemory } from '../../src/engine/inference/handMemory';
import { runTrainJob } from '../../src/engine/jobs/trainJob';
import { runEvaluateFileJob } from '../../src/engine/jobs/modelJobs';
import { runFineTuneJob } from '../../src/engine/jobs/fineTuneJob';
import type { JobEvent } from '../../src/engine/jobs/context';
import { stratifiedSplit, subset } from '../../src/engine/data/dataset';
import { createRandom } from '../../src/engine/core/random';
import { DEFAULT_FINE_TUNE_SETTINGS, DEFAULT_TRAIN_SETTINGS, KEEP_FINISHED_NETWORKS, type TrainSettings } from '../../src/shared/training';
import { checkToWorker } from '../../src/worker/protocol';
import { RECIPES, estimateMinutes, formatMinutes, recipeSettings, speedOfRun } from '../../src/shared/recipes';
import { parseTrainArgs } from '../../src/cli/train';
import { PIXELS, type DigitImages } from '../../src/engine/core/types';
import { InputError } from '../../src/engine/core/errors';
import { requireData, slice, tempDir } from '../support/data';
import { runCli } from '../support/cli';

const SEED: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1, augment: false, threads: 1, seed: 5 };

function firstRows(data: DigitImages, count: number): DigitImages {
  return { count, pixels: data.pixels.slice(0, count * PIXELS), labels: data.labels!.slice(0, count) };
}

describe('models of several networks', function () {
  this.timeout(300_000);
  let dir: string;
  let trainCsv: string;
  let data: DigitImages;
  let work: string;
  let three: { dir: string; events: JobEvent[] };

  before(async function () {
    dir = requireData(this);
    await initBackend('auto');
    trainCsv = await slice(dir, 'train.csv', 1500);
    data = await readDigitCsv(trainCsv, { expect: 'train' });
    work = tempDir('networks-');
    const events: JobEvent[] = [];
    const result = await runTrainJob({ trainFile: trainCsv, settings: { ...SEED, networks: 3 }, outDir: path.join(work, 'three'), name: 'three' }, { onEvent: (e) => events.push(e) });
    three = { dir: result.dir, events };
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('averages its networks: its probabilities are the mean of theirs, and it comes back the same from disk', async function () {
    const networks = [1, 2, 3].map((seed) => createModel('seed', { seed }));
    const model = combineNetworks(networks);
    const images = firstRows(data, 50);
    try {
      const whole = await predictImages(model, images);
      const alone = await Promise.all(networksOf(model).map((n) => predictImages(n, images)));
      assert.equal(alone.length, 3);
      whole.probabilities.forEach((p, i) => assert.ok(Math.abs(p - (alone[0].probabilities[i] + alone[1].probabilities[i] + alone[2].probabilities[i]) / 3) < 1e-6));
      await saveModelDir(model, { formatVersion: 1, name: 'three', created: new Date().toISOString(), architecture: 'seed' }, path.join(work, 'saved'));
      const loaded = await loadAnyModel(path.join(work, 'saved'));
      try {
        assert.deepEqual(networksOf(loaded.model).map((n) => n.name), ['network1', 'network2', 'network3']);
        const again = await predictImages(loaded.model, images);
        again.probabilities.forEach((p, i) => assert.ok(Math.abs(p - whole.probabilities[i]) < 1e-6));
      } finally {
        disposeModel(loaded.model);
      }
    } finally {
      disposeModel(model);
    }
    // One network is not a model of several.
    const one = createModel('seed', { seed: 1 });
    assert.deepEqual(networksOf(one), [one]);
    disposeModel(one);
  });

  it('frees every network with the model', async function () {
    const before = tf.memory().numTensors;
    const model = combineNetworks([createModel('seed', { seed: 1 }), createModel('default', { seed: 2 })]);
    assert.ok(tf.memory().numTensors > before);
    disposeModel(model);
    assert.equal(tf.memory().numTensors, before);
  });

  it('trains its networks one after another on the same validation rows, network 1 being the one-network run, and measures the whole', async function () {
    const stages = three.events.filter((e) => e.kind === 'stage');
    assert.deepEqual(stages.map((e) => e.text), ['Network 1 of 3', 'Network 2 of 3', 'Network 3 of 3']);
    assert.deepEqual(stages.map((e) => e.span.map((x) => Math.round(x * 3))), [[0, 1], [1, 2], [2, 3]]);
    const loaded = await loadAnyModel(three.dir);
    const one = await runTrainJob({ trainFile: trainCsv, settings: SEED, outDir: path.join(work, 'one'), name: 'one' });
    const single = await loadAnyModel(one.dir);
    try {
      const meta = loaded.metadata!;
      assert.equal(meta.networks, 3);
      assert.deepEqual(meta.networkResults!.map((n) => n.seed), [0, 1, 2].map((k) => memberSeed(SEED.seed, k)));
      assert.equal(new Set(meta.networkResults!.map((n) => n.seed)).size, 3);
      // Network 1 is the run a single network makes: the same weights.
      const [first] = networksOf(loaded.model);
      const a = first.getWeights().map((w) => Array.from(w.dataSync()));
      const b = single.model.getWeights().map((w) => Array.from(w.dataSync()));
      assert.deepEqual(a, b);
      assert.equal(meta.networkResults![0].valAccuracy, one.metadata.final!.valAccuracy);
      // The whole model's validation accuracy is measured on the split every network validated on.
      const validation = subset(data, stratifiedSplit(data.labels!, SEED.validationSplit, createRandom(SEED.seed)).validation);
      const predicted = await predictImages(loaded.model, validation);
      const right = Array.from(predicted.labels).filter((label, i) => label === validation.labels![i]).length;
      assert.equal(meta.final!.valAccuracy, right / validation.count);
    } finally {
      disposeModel(loaded.model);
      disposeModel(single.model);
    }
  });

  it('a cancel keeps the finished networks as a smaller model when asked to (KEEP_FINISHED_NETWORKS), and saves nothing otherwise', async function () {
    const cancelAt = async (reason: string | undefined, out: string) => {
      const controller = new AbortController();
      const onEvent = (e: JobEvent) => {
        if (e.kind === 'stage' && e.network?.index === 3) controller.abort(reason);
      };
      return runTrainJob({ trainFile: trainCsv, settings: { ...SEED, networks: 3 }, outDir: path.join(work, out), name: out }, { signal: controller.signal, onEvent });
    };
    const kept = await cancelAt(KEEP_FINISHED_NETWORKS, 'kept');
    assert.equal(kept.metadata.networks, 2);
    assert.equal(kept.metadata.networkResults?.length, 2);
    const loaded = await loadAnyModel(kept.dir);
    assert.equal(networksOf(loaded.model).length, 2);
    disposeModel(loaded.model);
    await assert.rejects(cancelAt(undefined, 'discarded'), (err: Error) => err.name === 'CancelledError');
    assert.equal(fs.existsSync(path.join(work, 'discarded')), false);
    // The worker's protocol carries the choice.
    assert.deepEqual(checkToWorker({ kind: 'cancel', id: 3, keepFinished: true }), { ok: true, value: { kind: 'cancel', id: 3, keepFinished: true } });
    assert.equal(checkToWorker({ kind: 'cancel', id: 3, keepFinished: 'yes' }).ok, false);
  });

  it('is evaluated as a whole and per network; its See Why and its memory of kept drawings work', async function () {
    const evaluation = await runEvaluateFileJob({ file: trainCsv, model: three.dir, limit: 300 });
    assert.equal(evaluation.networkAccuracies?.length, 3);
    const loaded = await loadAnyModel(three.dir);
    try {
      const image = data.pixels.slice(0, PIXELS);
      const whole = await predictImages(loaded.model, firstRows(data, 1));
      const why = explainOne(loaded.model, image);
      assert.equal(why.label, whole.labels[0]);
      why.probabilities.forEach((p, k) => assert.ok(Math.abs(p - whole.probabilities[k]) < 1e-4));
      assert.ok(why.why.map.some((v) => v !== 0), 'a map that is not blank');
      // Memory: features of the three networks side by side (128 each), and a kept drawing recalled.
      const kept = { count: 5, pixels: data.pixels.slice(0, 5 * PIXELS), labels: Uint8Array.from([7, 7, 7, 7, 7]) };
      const memory = await buildHandMemory(loaded.model, kept);
      assert.equal(memory?.dim, 3 * 128);
      const recalled = await predictWithMemory(loaded.model, memory, image);
      assert.equal(recalled.memory?.label, 7, 'the same drawing kept as a 7 is recalled');
    } finally {
      disposeModel(loaded.model);
    }
  });

  it('records the recipe a run started from, and refuses one it does not know before any work', async function () {
    const trained = await runTrainJob({ trainFile: trainCsv, settings: recipeSettings('quick', { ...SEED, threads: 1 }), outDir: path.join(work, 'quick'), name: 'quick', limit: 300, recipe: 'quick' });
    assert.equal(trained.metadata.recipe, 'quick');
    await assert.rejects(
      runTrainJob({ trainFile: trainCsv, settings: SEED, outDir: path.join(work, 'nonsense'), name: 'x', recipe: 'nonsense' as 'quick' }),
      (err: Error) => err instanceof InputError && /Unknown recipe "nonsense": one of quick, standard, leaderboard/.test(err.message),
    );
    assert.equal(fs.existsSync(path.join(work, 'nonsense')), false);
  });

  it('Fine-Tune on My Drawings says why it does not tune a model of several networks, before any work', async function () {
    const samples = path.join(work, 'my-digits.csv');
    fs.writeFileSync(samples, 'label,' + Array.from({ length: PIXELS }, (_, i) => `pixel${i}`).join(',') + '\n');
    await assert.rejects(
      runFineTuneJob({ modelDir: three.dir, samplesFile: samples, replayFile: trainCsv, outDir: path.join(work, 'tuned'), name: 'tuned', settings: DEFAULT_FINE_TUNE_SETTINGS }),
      (err: Error) => err instanceof InputError && /a model of 3 networks; Fine-Tune on My Drawings tunes a model of one network/.test(err.message),
    );
    assert.equal(fs.existsSync(path.join(work, 'tuned')), false);
  });

  it('the CLI trains one with --networks and prints each network; evaluate prints them too', async function () {
    const out = path.join(work, 'cli-two');
    const trained = runCli('train', trainCsv, '--arch', 'seed', '--epochs', '1', '--no-augment', '--networks', '2', '--limit', '600', '--threads', '1', '--out', out);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stdout, /network 1 alone: \d+\.\d\d% \(seed 42,/);
    assert.match(trained.stdout, /network 2 alone: \d+\.\d\d% \(seed \d+,/);
    const evaluated = runCli('evaluate', trainCsv, '--model', out, '--limit', '200');
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /Accuracy: \d+\.\d\d% on 200 rows \(the average of 2 networks\)/);
    assert.match(evaluated.stdout, /network 2 alone: \d+\.\d\d%/);
  });
});

describe('recipes', function () {
  it('set their own settings over the user\'s, and the flags given still win', function () {
    const mine = { ...DEFAULT_TRAIN_SETTINGS, batchSize: 64, seed: 9 };
    assert.deepEqual(recipeSettings('quick', mine), { ...mine, arch: 'seed', epochs: 1, networks: 1 });
    assert.deepEqual(recipeSettings('standard', mine), mine);
    assert.equal(recipeSettings('leaderboard', mine).networks, RECIPES.leaderboard.settings.networks);
    assert.deepEqual(parseTrainArgs(['t.csv', '--recipe', 'quick'])?.settings, { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1 });
    assert.equal(parseTrainArgs(['t.csv', '--recipe', 'quick', '--epochs', '3'])?.settings.epochs, 3);
    assert.throws(() => parseTrainArgs(['t.csv', '--recipe', 'fast']), /--recipe must be one of quick, standard, leaderboard \(got "fast"\)/);
  });

  it('estimate minutes from a measured speed: rows trained × epochs × networks', function () {
    // The reference default run: 37,800 of 42,000 rows × 12 epochs in 396 s.
    const speed = { secondsPerImage: speedOfRun({ trainingSeconds: 396, trainRows: 37_800, epochs: 12 })!, measuredHere: true };
    const standard = { ...DEFAULT_TRAIN_SETTINGS };
    assert.ok(Math.abs(estimateMinutes(standard, 42_000, speed) - 6.6) < 1e-9);
    assert.ok(Math.abs(estimateMinutes({ ...standard, networks: 3 }, 42_000, speed) - 19.8) < 1e-9);
    // Learning from test.csv: a first network, and each final one ~1.6× the rows.
    assert.ok(Math.abs(estimateMinutes({ ...standard, networks: 3 }, 42_000, speed, true) - 6.6 * (1 + 3 * 1.6)) < 1e-9);
    // A model of 3 networks measured its own speed per network.
    assert.equal(speedOfRun({ trainingSeconds: 1188, trainRows: 37_800, epochs: 12, networks: 3 }), speed.secondsPerImage);
    // The first model of a run that learned from unlabelled rows is not in its trained rows.
    assert.equal(speedOfRun({ trainingSeconds: 396 + 700, trainRows: 37_800, epochs: 12, pseudoLabels: { first: { seconds: 700 } } }), speed.secondsPerImage);
    assert.equal(speedOfRun({ trainRows: 10 }), undefined);
    // Metadata that cannot give a speed (no seconds left, or not a number) gives none, not a negative or NaN one.
    assert.equal(speedOfRun({ trainingSeconds: 300, trainRows: 37_800, epochs: 12, pseudoLabels: { first: { seconds: 700 } } }), undefined);
    assert.equal(speedOfRun({ trainingSeconds: 396, trainRows: 37_800, epochs: 12, pseudoLabels: { first: { seconds: 'x' as unknown as number } } }), undefined);
    assert.equal(formatMinutes(0.4), 'under a minute');
    assert.equal(formatMinutes(6.6), 'about 7 min');
    assert.equal(formatMinutes(100), 'about 1 h 40 min');
  });

  it('count a CSV\'s rows exactly when small, and from its first 256 KB within 3% when large', async function () {
    const dir = requireData(this);
    const work = tempDir('rows-');
    try {
      const small = path.join(work, 'small.csv');
      fs.writeFileSync(small, 'label,pixel0\n1,0\n2,0\n3,0\n');
      assert.equal(await estimateCsvRows(small), 3);
      const large = await slice(dir, 'train.csv', 5000);
      const estimate = (await estimateCsvRows(large))!;
      assert.ok(Math.abs(estimate - 5000) / 5000 < 0.03, `estimated ${estimate} rows of 5000`);
      assert.equal(await estimateCsvRows(path.join(work, 'missing.csv')), undefined);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
