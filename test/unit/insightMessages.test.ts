// The insight panels' message validators: valid messages pass (copied, unknown fields dropped),
// malformed ones are rejected with a reason.
import * as assert from 'node:assert/strict';
import { checkDashboardFromWebview, checkDashboardToWebview } from '../../src/shared/dashboardMessages';
import { checkReportFromWebview, checkReportToWebview } from '../../src/shared/reportMessages';
import { checkExplorerFromWebview, checkExplorerToWebview } from '../../src/shared/explorerMessages';
import { bytesToBase64 } from '../../src/shared/base64';
import { sampleExplorerStats, sampleReport, sampleRun } from '../support/insightSamples';

const reject = (r: { ok: boolean; reason?: string }, pattern: RegExp) => {
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, pattern);
};

describe('dashboard messages', () => {
  it('accepts webview messages and rejects others', () => {
    assert.deepEqual(checkDashboardFromWebview({ type: 'stop', x: 1 }), { ok: true, value: { type: 'stop' } });
    assert.deepEqual(checkDashboardFromWebview({ type: 'command', command: 'evaluate' }), { ok: true, value: { type: 'command', command: 'evaluate' } });
    reject(checkDashboardFromWebview({ type: 'command', command: 'rm -rf' }), /command/);
    reject(checkDashboardFromWebview(null), /message is null/);
    reject(checkDashboardFromWebview({ type: 'run' }), /message type/);
  });

  it('accepts a run snapshot, a batch and a status; rejects bad numbers', () => {
    const ok = checkDashboardToWebview({ type: 'run', run: { ...sampleRun(), junk: 1 } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { type: 'run', run: sampleRun() });
    const batch = { epoch: 1, epochs: 2, batch: 3, batches: 3, batchLoss: 0.5, batchAccuracy: 0.8, imagesPerSecond: 400, etaSeconds: null, learningRate: 0.001 };
    const b = checkDashboardToWebview({ type: 'batch', point: batch });
    assert.ok(b.ok && b.value.type === 'batch' && b.value.point.etaSeconds === -1);
    assert.ok(checkDashboardToWebview({ type: 'status', status: 'done', modelId: 'seed-1' }).ok);
    reject(checkDashboardToWebview({ type: 'status', status: 'exploded' }), /status/);
    reject(checkDashboardToWebview({ type: 'batch', point: { ...batch, batchAccuracy: 1.5 } }), /batchAccuracy/);
    reject(checkDashboardToWebview({ type: 'run', run: { ...sampleRun(), history: { ...sampleRun().history, accuracy: [0.1] } } }), /history.accuracy/);
    reject(checkDashboardToWebview({ type: 'epoch', stats: { ...sampleRun().epochs[0], loss: NaN } }), /loss/);
    const smoothed = checkDashboardToWebview({ type: 'run', run: { ...sampleRun(), settings: { ...sampleRun().settings, labelSmoothing: 0.1 } } });
    assert.ok(smoothed.ok && smoothed.value.type === 'run' && smoothed.value.run.settings.labelSmoothing === 0.1);
    reject(checkDashboardToWebview({ type: 'run', run: { ...sampleRun(), settings: { ...sampleRun().settings, labelSmoothing: 2 } } }), /settings.labelSmoothing/);
  });
});

describe('report messages', () => {
  it('accepts a report whose matrix total equals its rows', () => {
    const r = checkReportToWebview({ type: 'report', report: sampleReport() });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { type: 'report', report: sampleReport() });
  });

  it('rejects inconsistent reports', () => {
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), rows: 20 } }), /matrix total/);
    // A model of several networks: each network's accuracy, checked like the whole's.
    assert.deepEqual((checkReportToWebview({ type: 'report', report: { ...sampleReport(), networkAccuracies: [0.99, 0.98] } }) as { value: { report: { networkAccuracies: number[] } } }).value.report.networkAccuracies, [0.99, 0.98]);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), networkAccuracies: [0.99, 1.5] } }), /networkAccuracies/);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), networkAccuracies: 'all' } }), /networkAccuracies/);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), pixels: bytesToBase64(new Uint8Array(783)) } }), /pixels/);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), mistakes: [1] } }), /mistakes\[0\]/);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), matrix: sampleReport().matrix.slice(1) } }), /matrix/);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), pixels: '<script>' } }), /base64/);
  });

  it('carries a "see why" map per mistake, or none (reports saved before them)', () => {
    const maps = bytesToBase64(new Uint8Array(784).fill(200)); // signed bytes −56
    const r = checkReportToWebview({ type: 'report', report: { ...sampleReport(), mistakeMaps: maps } });
    assert.ok(r.ok && r.value.type === 'report' && r.value.report.mistakeMaps === maps);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), mistakeMaps: bytesToBase64(new Uint8Array(2 * 784)) } }), /mistakeMaps/);
    reject(checkReportToWebview({ type: 'report', report: { ...sampleReport(), mistakeMaps: 'not base64!' } }), /mistakeMaps/);
    assert.ok(checkReportToWebview({ type: 'report', report: sampleReport() }).ok);
  });

  it('accepts only known webview requests', () => {
    assert.deepEqual(checkReportFromWebview({ type: 'export', format: 'csv' }), { ok: true, value: { type: 'export', format: 'csv' } });
    reject(checkReportFromWebview({ type: 'export', format: 'exe' }), /format/);
    reject(checkReportFromWebview({ type: 'command', command: 'x' }), /command/);
  });
});

describe('explorer messages', () => {
  it('accepts stats and progress', () => {
    const r = checkExplorerToWebview({ type: 'stats', stats: sampleExplorerStats() });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { type: 'stats', stats: sampleExplorerStats() });
    assert.ok(checkExplorerToWebview({ type: 'progress', file: 'f', rows: 1, bytes: 2, totalBytes: 3 }).ok);
  });

  it('rejects mismatched image data and bad requests', () => {
    reject(checkExplorerToWebview({ type: 'stats', stats: { ...sampleExplorerStats(), meanImages: bytesToBase64(new Uint8Array(784)) } }), /meanImages/);
    reject(checkExplorerToWebview({ type: 'stats', stats: { ...sampleExplorerStats(), samples: [{ row: 0, label: 10 }, { row: 1, label: 1 }] } }), /label/);
    reject(checkExplorerToWebview({ type: 'stats', stats: { ...sampleExplorerStats(), histogram: [1] } }), /histogram/);
    assert.deepEqual(checkExplorerFromWebview({ type: 'openLine', line: 4, column: 3 }), { ok: true, value: { type: 'openLine', line: 4, column: 3 } });
    reject(checkExplorerFromWebview({ type: 'openLine', line: 0 }), /line/);
  });
});
