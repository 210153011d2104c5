// Valid payloads of the insight panels' messages (dashboard run, evaluation report, explorer
// stats), fresh on each call: the protocol tests vary them, the fuzz tests mutate them.
import { bytesToBase64 } from '../../src/shared/base64';
import type { RunSnapshot } from '../../src/shared/dashboardMessages';
import type { ReportPayload } from '../../src/shared/reportMessages';
import type { ExplorerPayload } from '../../src/shared/explorerMessages';

export const sampleRun = (): RunSnapshot => ({
  name: 'seed model',
  status: 'running',
  file: '/data/train.csv',
  settings: { arch: 'seed', epochs: 2, batchSize: 128, learningRate: 0.001, validationSplit: 0.1, augment: false, seed: 42 },
  started: '2025-01-01T00:00:00.000Z',
  history: { batchesPerEpoch: 3, count: 2, stride: 1, loss: [2.3, 1.9], accuracy: [0.1, 0.3] },
  epochs: [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 0.9, valAccuracy: 0.6, learningRate: 0.001, seconds: 3 }],
});

/** 21 rows: 20 right, one 3 read as 5 (its example and cell). */
export const sampleReport = (): ReportPayload => {
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

export const sampleExplorerStats = (): ExplorerPayload => ({
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
