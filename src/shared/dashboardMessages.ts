// Messages between the Training Dashboard webview and the extension, with strict validators for
// both directions (a rejected message is dropped and logged, never acted upon). Pure.
import { type BatchHistory } from './series';
import { messages, array, int, num, oneOf, optNum, optStr, record, str, bad, stripUndefined } from './check';
import { TRAIN_OPTION_KEYS, TRAIN_OPTIONS, type EpochStats, type TrainSettings } from './training';
import { isValidOption, validText } from './options';

export const RUN_STATUSES = ['starting', 'reading', 'running', 'saving', 'done', 'cancelled', 'failed', 'saved', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * The settings a run was trained with: every training option (shared/training.ts) the dashboard
 * shows. A saved model records only those it had (imported models, and models trained before an
 * option existed, lack some); its architecture may be any name (an imported model's).
 */
export type RunSettings = { arch: string } & Partial<Omit<TrainSettings, 'arch'>>;

/** One epoch's results, as the engine reports them (a type-only import: nothing of the engine is bundled). */
export type EpochPoint = EpochStats;

export interface BatchPoint {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** This batch's loss and accuracy. */
  batchLoss: number;
  batchAccuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
  learningRate: number;
}

/** Everything the dashboard shows about one run (live or saved). */
export interface RunSnapshot {
  name: string;
  modelId?: string;
  status: RunStatus;
  message?: string;
  file: string;
  rows?: number;
  backend?: string;
  settings: RunSettings;
  /** ISO date the run started (or the model was created). */
  started: string;
  trainingSeconds?: number;
  history: BatchHistory;
  epochs: EpochPoint[];
  last?: BatchPoint;
}

// --- extension → webview -------------------------------------------------------------------------
export type DashboardToWebview =
  | { type: 'run'; run: RunSnapshot }
  | { type: 'batch'; point: BatchPoint }
  | { type: 'epoch'; stats: EpochPoint }
  | { type: 'status'; status: RunStatus; message?: string; modelId?: string; backend?: string; rows?: number; trainingSeconds?: number };

// --- webview → extension -------------------------------------------------------------------------
export const DASHBOARD_COMMANDS = ['evaluate', 'pickModel', 'openPad'] as const;
export type DashboardCommand = (typeof DASHBOARD_COMMANDS)[number];
export type DashboardFromWebview = { type: 'ready' } | { type: 'stop' } | { type: 'command'; command: DashboardCommand };

const MAX_POINTS = 4096;

export const checkDashboardFromWebview = messages<DashboardFromWebview>({
  ready: () => ({ type: 'ready' }),
  stop: () => ({ type: 'stop' }),
  command: (m) => ({ type: 'command', command: oneOf(m.command, 'command', DASHBOARD_COMMANDS) }),
});

export const checkDashboardToWebview = messages<DashboardToWebview>({
  run: (m) => ({ type: 'run', run: checkRun(m.run) }),
  batch: (m) => ({ type: 'batch', point: checkBatch(m.point) }),
  epoch: (m) => ({ type: 'epoch', stats: checkEpoch(m.stats) }),
  status: (m) => {
    return stripUndefined({
      type: 'status' as const,
      status: oneOf(m.status, 'status', RUN_STATUSES),
      message: optStr(m.message, 'message'),
      modelId: optStr(m.modelId, 'modelId', 500),
      backend: optStr(m.backend, 'backend', 100),
      rows: m.rows === undefined ? undefined : int(m.rows, 'rows'),
      trainingSeconds: optNum(m.trainingSeconds, 'trainingSeconds', 0),
    });
  },
});

/** Each training option's value, when present, checked against its schema entry. */
function checkSettings(x: unknown): RunSettings {
  const s = record(x, 'settings');
  const settings: Record<string, unknown> = { arch: str(s.arch, 'settings.arch', 100) };
  for (const key of TRAIN_OPTION_KEYS) {
    if (key === 'arch' || s[key] === undefined) continue;
    settings[key] = isValidOption(TRAIN_OPTIONS[key], s[key]) ? s[key] : bad(`settings.${key}`, s[key], validText(TRAIN_OPTIONS[key]));
  }
  return settings as RunSettings;
}

function checkHistory(x: unknown): BatchHistory {
  const h = record(x, 'history');
  const loss = array(h.loss, 'history.loss', (v, w) => num(v, w), MAX_POINTS);
  return {
    batchesPerEpoch: int(h.batchesPerEpoch, 'history.batchesPerEpoch', 1),
    count: int(h.count, 'history.count'),
    stride: int(h.stride, 'history.stride', 1),
    loss,
    accuracy: array(h.accuracy, 'history.accuracy', (v, w) => num(v, w, 0, 1), MAX_POINTS, loss.length),
  };
}

export function checkEpoch(x: unknown): EpochPoint {
  const e = record(x, 'epoch stats');
  return stripUndefined({
    epoch: int(e.epoch, 'epoch', 1),
    loss: num(e.loss, 'loss', 0),
    accuracy: num(e.accuracy, 'accuracy', 0, 1),
    valLoss: optNum(e.valLoss, 'valLoss', 0),
    valAccuracy: optNum(e.valAccuracy, 'valAccuracy', 0, 1),
    learningRate: num(e.learningRate, 'learningRate', 0),
    seconds: num(e.seconds, 'seconds', 0),
  });
}

function checkBatch(x: unknown): BatchPoint {
  const b = record(x, 'batch');
  return {
    epoch: int(b.epoch, 'epoch', 1),
    epochs: int(b.epochs, 'epochs', 1),
    batch: int(b.batch, 'batch', 1),
    batches: int(b.batches, 'batches', 1),
    batchLoss: num(b.batchLoss, 'batchLoss', 0),
    batchAccuracy: num(b.batchAccuracy, 'batchAccuracy', 0, 1),
    imagesPerSecond: num(b.imagesPerSecond, 'imagesPerSecond', 0),
    // Infinity before the first measurement is sent as null by JSON: treat as unknown (-1).
    etaSeconds: b.etaSeconds === null ? -1 : num(b.etaSeconds, 'etaSeconds', -1),
    learningRate: num(b.learningRate, 'learningRate', 0),
  };
}

function checkRun(x: unknown): RunSnapshot {
  const r = record(x, 'run');
  return stripUndefined({
    name: str(r.name, 'name', 500),
    modelId: optStr(r.modelId, 'modelId', 500),
    status: oneOf(r.status, 'status', RUN_STATUSES),
    message: optStr(r.message, 'message'),
    file: str(r.file, 'file', 4096),
    rows: r.rows === undefined ? undefined : int(r.rows, 'rows'),
    backend: optStr(r.backend, 'backend', 100),
    settings: checkSettings(r.settings),
    started: str(r.started, 'started', 100),
    trainingSeconds: optNum(r.trainingSeconds, 'trainingSeconds', 0),
    history: checkHistory(r.history),
    epochs: array(r.epochs, 'epochs', checkEpoch, 10_000),
    last: r.last === undefined ? undefined : checkBatch(r.last),
  });
}

