// The insight panels' message validators: valid messages pass (copied, unknown fields dropped),
// malformed ones are rejected with a reason.
import * as assert from 'node:assert/strict';
import { checkDashboardFromWebview, checkDashboardToWebview, type RunSnapshot } from '../../src/shared/dashboardMessages';
import { checkReportFromWebview, checkReportToWebview, type ReportPayload } from '../../src/shared/reportMessages';
import { checkExplorerFromWebview, checkExplorerToWebview, type ExplorerPayload } from '../../src/shared/explorerMessages';
import { bytesToBase64 } from '../../src/shared/base64';

const reject = (r: { ok: boolean; reason?: string }, pattern: RegExp) => {
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, pattern);
};

describe('dashboard messages', () => {
  const run = (): RunSnapshot => ({
    name: 'seed model',
    status: 'running',
    file: '/data/train.csv',
    settings: { arch: 'seed', epochs: 2, batchSize: 128, learningRate: 0.001, validationSplit: 0.1, augment: false, seed: 42 },
    started: '2025-01-01T00:00:00.000Z',
    history: { batchesPerEpoch: 3, count: 2, stride: 1, loss: [2.3, 1.9], accuracy: [0.1, 0.3] },
    epochs: [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 0.9, valAccuracy: 0.6, learningRate: 0.001, seconds: 3 }],
  });

  it('accepts webview messages and rejects others', () => {
    assert.deepEqual(checkDashboardFromWebview({ type: 'stop', x: 1 }), { ok: true, value: { type: 'stop' } });
    assert.deepEqual(checkDashboardFromWebview({ type: 'command', command: 'evaluate' }), { ok: true, value: { type: 'command', command: 'evaluate' } });
    reject(checkDashboardFromWebview({ type: 'command', command: 'rm -rf' }), /command/);
    reject(checkDashboardFromWebview(null), /message is null/);
    reject(checkDashboardFromWebview({ type: 'run' }), /message type/);
  });

  it('accepts a run snapshot, a batch and a status; rejects bad numbers', () => {
    const ok = checkDashboardToWebview({ type: 'run', run: { ...run(), junk: 1 } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { type: 'run', run: run() });
    const batch = { epoch: 1, epochs: 2, batch: 3, batches: 3, batchLoss: 0.5, batchAccuracy: 0.8, imagesPerSecond: 400, etaSeconds: null, learningRate: 0.001 };
    const b = checkDashboardToWebview({ type: 'batch', point: batch });
    assert.ok(b.ok && b.value.type === 'batch' && b.value.point.etaSeconds === -1);
    assert.ok(checkDashboardToWebview({ type: 'status', status: 'done', modelId: 'seed-1' }).ok);
    reject(checkDashboardToWebview({ type: 'status', status: 'exploded' }), /status/);
    reject(checkDashboardToWebview({ type: 'batch', point: { ...batch, batchAccuracy: 1.5 } }), /batchAccuracy/);
    reject(checkDashboardToWebview({ type: 'run', run: { ...run(), history: { ...run().history, accuracy: [0.1] } } }), /history.accuracy/);
    reject(checkDashboardToWebview({ type: 'epoch', stats: { ...run().epochs[0], loss: NaN } }), /loss/);
    const smoothed = checkDashboardToWebview({ type: 'run', run: { ...run(), settings: { ...run().settings, labelSmoothing: 0.1 } } });
    assert.ok(smoothed.ok && smoothed.value.type === 'run' && smoothed.value.run.settings.labelSmoothing === 0.1);
    reject(checkDashboardToWebview({ type: 'run', run: { ...run(), settings: { ...run().settings, labelSmoothing: 2 } } }), /settings.labelSmoothing/);
  });
});

describe('report messages', () => {
  const report = (): ReportPayload => {
    const matrix = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 2 : 0) as number));
    matrix[3][5] = 1;
    return {
      modelName: 'm',
      data: 'validation split of train.csv',
      file: '/d/train.csv',
      rows: 21,
      accuracy: 20 / 21,
      matrix,
      classes: Array.from({ length: 10 }, (_, d) => ({ digit: d, precision: 1, recall: 1, f1: 1, support: 2 })),
      examples: [{ row: 4, truth: 3, predicted: 5, probabilities: [0, 0, 0, 0.1, 0, 0.9, 0, 0, 0, 0] }],
      pixels: bytesToBase64(new Uint8Array(784)),
      cells: Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === 3 && j === 5 ? [0] : []))),
      mistakes: [0],
      date: '2025-01-01',
      seconds: 1.5,
    };
  };

  it('accepts a report whose matrix total equals its rows', () => {
    const r = checkReportToWebview({ type: 'report', report: report() });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { type: 'report', report: report() });
  });

  it('rejects inconsistent reports', () => {
    reject(checkReportToWebview({ type: 'report', report: { ...report(), rows: 20 } }), /matrix total/);
    reject(checkReportToWebview({ type: 'report', report: { ...report(), pixels: bytesToBase64(new Uint8Array(783)) } }), /pixels/);
    reject(checkReportToWebview({ type: 'report', report: { ...report(), mistakes: [1] } }), /mistakes\[0\]/);
    reject(checkReportToWebview({ type: 'report', report: { ...report(), matrix: report().matrix.slice(1) } }), /matrix/);
    reject(checkReportToWebview({ type: 'report', report: { ...report(), pixels: '<script>' } }), /base64/);
  });

  it('carries a "see why" map per mistake, or none (reports saved before them)', () => {
    const maps = bytesToBase64(new Uint8Array(784).fill(200)); // signed bytes −56
    const r = checkReportToWebview({ type: 'report', report: { ...report(), mistakeMaps: maps } });
    assert.ok(r.ok && r.value.type === 'report' && r.value.report.mistakeMaps === maps);
    reject(checkReportToWebview({ type: 'report', report: { ...report(), mistakeMaps: bytesToBase64(new Uint8Array(2 * 784)) } }), /mistakeMaps/);
    reject(checkReportToWebview({ type: 'report', report: { ...report(), mistakeMaps: 'not base64!' } }), /mistakeMaps/);
    assert.ok(checkReportToWebview({ type: 'report', report: report() }).ok);
  });

  it('accepts only known webview requests', () => {
    assert.deepEqual(checkReportFromWebview({ type: 'export', format: 'csv' }), { ok: true, value: { type: 'export', format: 'csv' } });
    reject(checkReportFromWebview({ type: 'export', format: 'exe' }), /format/);
    reject(checkReportFromWebview({ type: 'command', command: 'x' }), /command/);
  });
});

describe('explorer messages', () => {
  const stats = (): ExplorerPayload => ({
    file: '/d/train.csv',
    name: 'train.csv',
    bytes: 1000,
    rows: 2,
    format: 'train',
    labelCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    histogram: new Array(256).fill(0),
    meanImages: bytesToBase64(new Uint8Array(7840)),
    samples: [{ row: 0, label: 0 }, { row: 1, label: 1 }],
    samplePixels: bytesToBase64(new Uint8Array(1568)),
    seconds: 0.2,
    rejected: { message: 'train.csv line 4, column 3: x', line: 4, column: 3 },
  });

  it('accepts stats and progress', () => {
    const r = checkExplorerToWebview({ type: 'stats', stats: stats() });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { type: 'stats', stats: stats() });
    assert.ok(checkExplorerToWebview({ type: 'progress', file: 'f', rows: 1, bytes: 2, totalBytes: 3 }).ok);
  });

  it('rejects mismatched image data and bad requests', () => {
    reject(checkExplorerToWebview({ type: 'stats', stats: { ...stats(), meanImages: bytesToBase64(new Uint8Array(784)) } }), /meanImages/);
    reject(checkExplorerToWebview({ type: 'stats', stats: { ...stats(), samples: [{ row: 0, label: 10 }, { row: 1, label: 1 }] } }), /label/);
    reject(checkExplorerToWebview({ type: 'stats', stats: { ...stats(), histogram: [1] } }), /histogram/);
    assert.deepEqual(checkExplorerFromWebview({ type: 'openLine', line: 4, column: 3 }), { ok: true, value: { type: 'openLine', line: 4, column: 3 } });
    reject(checkExplorerFromWebview({ type: 'openLine', line: 0 }), /line/);
  });
});
