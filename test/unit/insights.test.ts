// The insight panels' pure parts: smoothing and per-batch history, dataset statistics, the
// evaluation report (against hand-computed values), its Markdown/CSV export, base64, and the
// evaluate/explore jobs on real data (the validation split is recreated exactly).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { BatchHistoryRecorder, batchHistoryEpochs, smooth, thin } from '../../src/shared/series';
import { binHistogram, datasetStats } from '../../src/engine/data/datasetStats';
import { buildEvaluation } from '../../src/engine/inference/evaluation';
import { reportToCsv, reportToMarkdown, type ReportSummary } from '../../src/shared/reportExport';
import { base64ToBytes, bytesToBase64 } from '../../src/shared/base64';
import { type DigitImages } from '../../src/engine/core/types';
import { runEvaluateJob, runExploreJob } from '../../src/engine/jobs/insightJobs';
import { runTrainJob } from '../../src/engine/jobs/trainJob';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/training';
import { requireData, slice, tempDir } from '../support/data';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('series: smoothing and per-batch history', () => {
  it('smooths with a bias-corrected EMA (hand-computed)', () => {
    // weight 0.5: s0 = 4; s1 = (0.5·0.5·4 + 0.5·8)/(0.75) = (1+4)/0.75 = 6.6667; s2 = (0.5·5 + 0.5·2)/0.875 … computed below
    const out = smooth([4, 8, 2], 0.5);
    close(out[0], 4);
    close(out[1], (0.25 * 4 + 0.5 * 8) / 0.75);
    close(out[2], (0.125 * 4 + 0.25 * 8 + 0.5 * 2) / 0.875);
    assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
    assert.deepEqual(smooth([], 0.9), []);
    assert.throws(() => smooth([1], 1), RangeError);
  });

  it('keeps every batch until full, then averages pairs and doubles the stride', () => {
    const r = new BatchHistoryRecorder(3, 4);
    for (const v of [1, 2, 3]) r.add(v, v / 10);
    assert.deepEqual(r.toJSON(), { batchesPerEpoch: 3, count: 3, stride: 1, loss: [1, 2, 3], accuracy: [0.1, 0.2, 0.3] });
    r.add(4, 0.4); // 4 points: halved to [1.5, 3.5], stride 2
    assert.deepEqual(r.toJSON().loss, [1.5, 3.5]);
    assert.equal(r.toJSON().stride, 2);
    r.add(5, 0.5); // pending bucket shown as a partial last point
    const h = r.toJSON();
    assert.deepEqual(h.loss, [1.5, 3.5, 5]);
    assert.equal(h.count, 5);
    assert.deepEqual(batchHistoryEpochs(h), [2 / 3, 4 / 3, 5 / 3]);
    for (let i = 0; i < 10_000; i++) r.add(1, 1);
    assert.ok(r.toJSON().loss.length <= 4);
  });

  it('thins long series but keeps the last point', () => {
    const t = thin(Array.from({ length: 10 }, (_, i) => i), 4);
    assert.deepEqual(t, [0, 3, 6, 9]);
    assert.deepEqual(thin([1, 2], 4), [1, 2]);
  });
});

describe('dataset statistics', () => {
  // Three 784-pixel images: two "1"s and a "7".
  const images = (): DigitImages => {
    const pixels = new Uint8Array(3 * 784);
    pixels[0] = 200; // image 0 (label 1)
    pixels[784] = 100; // image 1 (label 1)
    pixels[784 * 2 + 5] = 255; // image 2 (label 7)
    return { count: 3, pixels, labels: Uint8Array.from([1, 1, 7]) };
  };

  it('counts labels, pixel values and mean images (hand-computed)', () => {
    const s = datasetStats(images(), { samplesPerDigit: 5 });
    assert.equal(s.rows, 3);
    assert.deepEqual(s.labelCounts, [0, 2, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert.equal(s.histogram[0], 3 * 784 - 3);
    assert.equal(s.histogram[200] + s.histogram[100] + s.histogram[255], 3);
    assert.equal(s.histogram.reduce((a, b) => a + b, 0), 3 * 784);
    assert.equal(s.meanImages.length, 10 * 784);
    assert.equal(s.meanImages[1 * 784 + 0], 150); // (200 + 100) / 2
    assert.equal(s.meanImages[7 * 784 + 5], 255);
    assert.equal(s.meanImages[0], 0); // no zeros, digit 0 has no rows
    assert.deepEqual(s.samples, [{ row: 0, label: 1 }, { row: 1, label: 1 }, { row: 2, label: 7 }]);
    assert.equal(s.samplePixels[784 * 2 + 5], 255);
  });

  it('samples at most k rows per digit, repeatably, and handles unlabelled data', () => {
    const n = 500;
    const data: DigitImages = { count: n, pixels: new Uint8Array(n * 784), labels: Uint8Array.from({ length: n }, (_, i) => i % 10) };
    const a = datasetStats(data, { samplesPerDigit: 3, seed: 7 });
    const b = datasetStats(data, { samplesPerDigit: 3, seed: 7 });
    assert.equal(a.samples.length, 30);
    assert.deepEqual(a.samples, b.samples);
    for (const s of a.samples) assert.equal(s.label, s.row % 10);
    const u = datasetStats({ ...data, labels: null }, { samplesPerDigit: 2 });
    assert.equal(u.labelCounts, null);
    assert.equal(u.meanImages.length, 784);
    assert.equal(u.samples.length, 20);
  });

  it('bins the histogram, optionally without the background zeros', () => {
    const h = Array.from({ length: 256 }, (_, v) => (v === 0 ? 100 : 1));
    assert.deepEqual(binHistogram(h, 128), [227, 128]);
    assert.deepEqual(binHistogram(h, 128, true), [127, 128]);
    assert.throws(() => binHistogram(h, 100), RangeError);
  });
});

describe('evaluation report', () => {
  // truth 0,0,0,1,1,2 vs predicted 0,0,1,1,2,2 with known confidences.
  const probs = (label: number, p: number) => Array.from({ length: 10 }, (_, k) => (k === label ? p : (1 - p) / 9));
  const predicted = [0, 0, 1, 1, 2, 2];
  const confidences = [0.9, 0.8, 0.7, 0.95, 0.99, 0.6];
  const images: DigitImages = { count: 6, pixels: Uint8Array.from({ length: 6 * 784 }, (_, i) => Math.floor(i / 784)), labels: Uint8Array.from([0, 0, 0, 1, 1, 2]) };
  const predictions = { labels: Uint8Array.from(predicted), probabilities: Float32Array.from(predicted.flatMap((l, i) => probs(l, confidences[i]))) };

  it('computes the matrix, metrics and the most confident mistakes first', () => {
    const e = buildEvaluation(images, predictions, { rows: [10, 11, 12, 13, 14, 15] });
    assert.equal(e.rows, 6);
    close(e.accuracy, 4 / 6);
    assert.deepEqual(e.matrix[0].slice(0, 3), [2, 1, 0]);
    assert.equal(e.matrix.flat().reduce((a, b) => a + b, 0), 6);
    close(e.classes[0].f1, 0.8);
    // Mistakes: image 4 (1→2, 0.99) then image 2 (0→1, 0.7).
    assert.deepEqual(e.mistakes.map((k) => e.examples[k].row), [14, 12]);
    assert.deepEqual(e.examples[e.mistakes[0]], { row: 14, truth: 1, predicted: 2, probabilities: probs(2, 0.99).map((v) => Math.round(Math.fround(v) * 1e4) / 1e4) });
    // Cells list images (most confident first); pixels follow the examples' order.
    assert.deepEqual(e.cells[0][0].map((k) => e.examples[k].row), [10, 11]);
    assert.equal(e.pixels.length, e.examples.length * 784);
    e.examples.forEach((ex, k) => assert.equal(e.pixels[k * 784], ex.row - 10));
  });

  it('caps the images kept per cell', () => {
    const e = buildEvaluation(images, predictions, { perCorrectCell: 1, perErrorCell: 0, mistakes: 1 });
    assert.equal(e.cells[0][0].length, 1);
    assert.equal(e.cells[0][1].length, 0);
    assert.equal(e.mistakes.length, 1);
    assert.equal(e.examples.length, 4); // one per non-empty diagonal cell (3) + the top mistake
  });
});

describe('report export', () => {
  const matrix = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 9 : j === (i + 1) % 10 ? 1 : 0)));
  const summary: ReportSummary = {
    modelName: 'seed | test *model*',
    data: 'train.csv (100 rows)',
    rows: 100,
    accuracy: 0.9,
    matrix,
    classes: Array.from({ length: 10 }, (_, d) => ({ digit: d, precision: 0.9, recall: 0.9, f1: 0.9, support: 10 })),
    mistakes: [{ row: 40, truth: 4, predicted: 9, confidence: 0.987 }],
  };

  it('writes Markdown with escaped names and all tables', () => {
    const text = reportToMarkdown(summary);
    assert.match(text, /^# Evaluation: seed \\\| test \\\*model\\\*$/m);
    assert.match(text, /Accuracy: \*\*90\.00%\*\* \(90 of 100 correct\)/);
    assert.match(text, /^\| 3 \| 0\.9000 \| 0\.9000 \| 0\.9000 \| 10 \|$/m);
    assert.match(text, /^\| \*\*0\*\* \| \*\*9\*\* \| 1 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \|$/m);
    assert.match(text, /^\| 42 \| 4 \| 9 \| 98\.70% \|$/m);
  });

  it('writes a rectangular CSV: a row per digit, macro average and accuracy', () => {
    const lines = reportToCsv(summary).trimEnd().split('\n');
    assert.equal(lines.length, 13);
    assert.equal(lines[0], 'digit,precision,recall,f1,support,predicted_0,predicted_1,predicted_2,predicted_3,predicted_4,predicted_5,predicted_6,predicted_7,predicted_8,predicted_9');
    assert.ok(lines.every((l) => l.split(',').length === 15));
    assert.equal(lines[1], '0,0.9000,0.9000,0.9000,10,9,1,0,0,0,0,0,0,0,0');
    assert.equal(lines[11], 'macro_avg,0.9000,0.9000,0.9000,100,10,10,10,10,10,10,10,10,10,10');
    assert.equal(lines[12], 'accuracy,0.9000,0.9000,0.9000,100,,,,,,,,,,');
  });
});

describe('base64', () => {
  it('round-trips bytes of every length and matches Node', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 784, 10_000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const text = bytesToBase64(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(base64ToBytes(text), bytes);
    }
    assert.throws(() => base64ToBytes('abc'), /multiple of 4/);
    assert.throws(() => base64ToBytes('ab!='), /bad character/);
  });
});

describe('insight jobs on real data', function () {
  let dir: string;
  let file: string;
  before(async function () {
    dir = requireData(this);
    file = await slice(dir, 'train.csv', 600);
  });

  it('explore: label counts add up to the rows; a bad row is reported with its line and the rows before it kept', async function () {
    const r = await runExploreJob({ file });
    assert.equal(r.format, 'train');
    assert.equal(r.stats.rows, 600);
    assert.equal(r.stats.labelCounts!.reduce((a, b) => a + b, 0), 600);
    assert.equal(r.stats.samples.length, 120);
    const broken = path.join(tempDir(), 'broken.csv');
    const lines = fs.readFileSync(file, 'utf8').split('\n').slice(0, 52);
    lines[40] = lines[40].replace(/,0,/, ',x,');
    fs.writeFileSync(broken, lines.join('\n') + '\n');
    const b = await runExploreJob({ file: broken });
    assert.equal(b.rejected?.line, 41);
    assert.ok(b.rejected!.column! > 1);
    assert.match(b.rejected!.message, /line 41/);
    assert.equal(b.stats.rows, 39);
  });

  it('evaluate: the recreated validation split gives exactly the accuracy training recorded', async function () {
    const out = path.join(tempDir(), 'model');
    const { metadata } = await runTrainJob({ trainFile: file, settings: { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1, augment: false, validationSplit: 0.2, seed: 5 }, outDir: out, name: 't', limit: 500 });
    assert.ok(metadata.batchHistory && metadata.batchHistory.count === Math.ceil(400 / 128));
    const tf = metadata.trainingFile!;
    const e = await runEvaluateJob({ modelDir: out, file, split: { seed: 5, validationSplit: 0.2, rows: tf.rows, sha256: tf.sha256 } });
    assert.equal(e.source, 'validation');
    assert.equal(e.rows, metadata.validationRows);
    close(e.accuracy, metadata.final!.valAccuracy!, 1e-6);
    const all = await runEvaluateJob({ modelDir: out, file });
    assert.equal(all.source, 'file');
    assert.equal(all.matrix.flat().reduce((a, b) => a + b, 0), 600);
    const changed = await runEvaluateJob({ modelDir: out, file, split: { seed: 5, validationSplit: 0.2, rows: 500, sha256: 'x' } });
    assert.equal(changed.source, 'file');
    assert.match(changed.note!, /changed since the model was trained/);
  });
});
