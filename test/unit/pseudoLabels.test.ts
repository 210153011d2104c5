// Learning from unlabelled rows (issue 25): the first model's confident readings, the final model
// trained on them too with the same validation rows, and the train job and CLI that do it.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv } from '../../src/engine/data/csv';
import { trainModel } from '../../src/engine/training/train';
import { pseudoLabel } from '../../src/engine/training/pseudoLabels';
import { predictImages } from '../../src/engine/inference/predict';
import { disposeModel } from '../../src/engine/model/architectures';
import { runTrainJob } from '../../src/engine/jobs/trainJob';
import type { JobEvent } from '../../src/engine/jobs/context';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../../src/shared/training';
import { NUM_CLASSES, PIXELS, type DigitImages } from '../../src/engine/core/types';
import { CancelledError } from '../../src/engine/core/errors';
import { checkToWorker } from '../../src/worker/protocol';
import { requireData, slice, tempDir } from '../support/data';
import { runCli } from '../support/cli';

const SEED: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1, augment: false, threads: 1, seed: 3 };

function rows(data: DigitImages, start: number, end: number): DigitImages {
  return { count: end - start, pixels: data.pixels.slice(start * PIXELS, end * PIXELS), labels: data.labels!.slice(start, end) };
}

describe('learning from unlabelled rows (pseudo-labels)', function () {
  this.timeout(300_000);
  let dir: string;
  let data: DigitImages;

  before(async function () {
    dir = requireData(this);
    await initBackend('auto');
    data = await readDigitCsv(await slice(dir, 'train.csv', 3000), { expect: 'train' });
  });

  it('keeps exactly the rows the model gives at least the confidence, labelled with its reading', async function () {
    const { model } = await trainModel(rows(data, 0, 1000), SEED);
    try {
      const unlabelled = { ...rows(data, 1000, 1600), labels: null };
      const { labels, probabilities } = await predictImages(model, unlabelled);
      const top = (i: number) => Math.max(...probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
      const kept = await pseudoLabel(model, unlabelled, 0.9);
      const expected = Array.from({ length: 600 }, (_, i) => i).filter((i) => top(i) >= 0.9);
      assert.ok(expected.length > 0 && expected.length < 600, `a 1-epoch model is sure of some rows, not all: ${expected.length}`);
      assert.deepEqual(Array.from(kept.rows), expected);
      assert.equal(kept.total, 600);
      assert.deepEqual(Array.from(kept.images.labels!), expected.map((i) => labels[i]));
      assert.deepEqual(kept.images.pixels.subarray(PIXELS, 2 * PIXELS), unlabelled.pixels.subarray(expected[1] * PIXELS, (expected[1] + 1) * PIXELS));
      assert.equal((await pseudoLabel(model, unlabelled, 1.01)).images.count, 0);
    } finally {
      disposeModel(model);
    }
  });

  it('extra rows only train: the same validation rows, more training rows, and they teach', async function () {
    const few = rows(data, 0, 300);
    const extra = rows(data, 300, 3000);
    const alone = await trainModel(few, { ...SEED, validationSplit: 0.3 });
    const helped = await trainModel(few, { ...SEED, validationSplit: 0.3 }, {}, { extraTrainRows: extra });
    try {
      assert.equal(helped.validationCount, alone.validationCount);
      assert.equal(helped.trainCount, alone.trainCount + extra.count);
      const [a, b] = [alone, helped].map((r) => r.history[0].valAccuracy!);
      // 210 rows for one epoch against 2,910: the second model learned from the extra rows.
      assert.ok(b > a + 0.1, `validation accuracy ${a} alone, ${b} with the extra rows`);
    } finally {
      disposeModel(alone.model);
      disposeModel(helped.model);
    }
  });

  describe('the train job with test.csv', () => {
    let trainFile: string;
    let testFile: string;

    before(async () => {
      trainFile = await slice(dir, 'train.csv', 1500);
      testFile = await slice(dir, 'test.csv', 800);
    });

    it('trains a first model, reads test.csv with it, and saves the one trained on both, saying how many rows it took', async () => {
      const events: JobEvent[] = [];
      const out = path.join(tempDir(), 'model');
      const { metadata } = await runTrainJob(
        { trainFile, unlabelledFile: testFile, settings: { ...SEED, epochs: 2, pseudoLabelConfidence: 0.95 }, outDir: out, name: 'pl' },
        { onEvent: (e) => events.push(e) },
      );
      const stages = events.flatMap((e) => (e.kind === 'stage' ? [e.stage] : []));
      assert.deepEqual(stages, [1, 2, 3]);
      const p = metadata.pseudoLabels!;
      assert.equal(p.file.name, path.basename(testFile));
      assert.equal(p.file.rows, 800);
      assert.equal(p.confidence, 0.95);
      assert.ok(p.rows > 100 && p.rows < 800, `rows learned from: ${p.rows}`);
      assert.ok(p.first.valAccuracy! > 0.8 && p.first.seconds > 0);
      assert.ok(Math.abs(metadata.validationRows! - 150) <= 5, `validation rows: ${metadata.validationRows}`);
      assert.equal(metadata.trainRows, 1500 - metadata.validationRows! + p.rows);
      assert.equal(metadata.pseudoLabelConfidence, 0.95);
      assert.equal(metadata.history!.length, 2, 'the saved model\'s own epochs');
      assert.ok(fs.existsSync(path.join(out, 'model.json')));
    });

    it('without an unlabelled file it trains once, and records no threshold it did not use', async () => {
      const events: JobEvent[] = [];
      const { metadata } = await runTrainJob({ trainFile, settings: SEED, outDir: path.join(tempDir(), 'model'), name: 'plain' }, { onEvent: (e) => events.push(e) });
      assert.equal(metadata.pseudoLabels, undefined);
      assert.equal('pseudoLabelConfidence' in metadata, false);
      assert.equal(metadata.trainRows, 1500 - metadata.validationRows!);
      assert.equal(events.filter((e) => e.kind === 'stage').length, 0);
    });

    it('cancelled in its last stage, it saves nothing and leaves the model it would replace', async () => {
      const out = path.join(tempDir(), 'model');
      await runTrainJob({ trainFile, settings: SEED, outDir: out, name: 'earlier' });
      const before = fs.readFileSync(path.join(out, 'metadata.json'), 'utf8');
      const controller = new AbortController();
      let stage = 0;
      const onEvent = (e: JobEvent) => {
        if (e.kind === 'stage') stage = e.stage;
        if (e.kind === 'batch' && stage === 3 && e.progress.batch === 2) controller.abort();
      };
      const settings = { ...SEED, pseudoLabelConfidence: 0.95 };
      await assert.rejects(runTrainJob({ trainFile, unlabelledFile: testFile, settings, outDir: out, name: 'later' }, { signal: controller.signal, onEvent }), CancelledError);
      assert.equal(stage, 3);
      assert.equal(fs.readFileSync(path.join(out, 'metadata.json'), 'utf8'), before);
    });
  });

  it('the CLI: train --unlabelled learns from it and says how many rows; a confidence below 0.5 is refused', async () => {
    const trainFile = await slice(dir, 'train.csv', 600);
    const testFile = await slice(dir, 'test.csv', 300);
    const out = path.join(tempDir(), 'model');
    const r = runCli('train', trainFile, '--unlabelled', testFile, '--pseudo-label-confidence', '0.9', '--arch', 'seed', '--epochs', '2', '--no-augment', '--threads', '1', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Stage 1\/3: First model/m);
    assert.match(r.stderr, /^Stage 3\/3: Final model, on the labelled rows and \d+ of 300 [\w.-]+ rows read with ≥ 0.9 confidence$/m);
    assert.match(r.stdout, /^Learned from \d+ of 300 rows of [\w.-]+ \(≥ 0.9 confidence\); the first model's validation accuracy: \d+\.\d\d%$/m);
    const refused = runCli('train', trainFile, '--unlabelled', testFile, '--pseudo-label-confidence', '0.3', '--out', path.join(tempDir(), 'm'));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--pseudo-label-confidence must be a number from 0\.5 to 1 \(got "0\.3"\)/);
    assert.doesNotMatch(refused.stderr, /^\s+at /m);
    const mixedUp = runCli('train', trainFile, '--unlabelled', trainFile, '--out', path.join(tempDir(), 'm'));
    assert.equal(mixedUp.code, 1);
    assert.doesNotMatch(mixedUp.stderr, /^\s+at /m);
    assert.match(mixedUp.stderr, /label/i, mixedUp.stderr);
  });

  it('the worker accepts a train job with an unlabelled file only as a path', () => {
    const job = { trainFile: '/a/train.csv', outDir: '/m', name: 'n', settings: {} };
    assert.ok(checkToWorker({ kind: 'request', id: 1, request: { type: 'train', job: { ...job, unlabelledFile: '/a/test.csv' } } }).ok);
    assert.ok(checkToWorker({ kind: 'request', id: 1, request: { type: 'train', job } }).ok);
    assert.equal(checkToWorker({ kind: 'request', id: 1, request: { type: 'train', job: { ...job, unlabelledFile: 7 } } }).ok, false);
  });
});
