// Messages between the Evaluation Report webview and the extension, validated both ways. Pure.
import { messages, array, base64, bad, int, num, oneOf, record, str, stripUndefined } from './check';

export const IMAGE_BYTES = 784;
const MAX_EXAMPLES = 5000;

export interface ReportExample {
  /** 0-based data row of the CSV (line = row + 2). */
  row: number;
  truth: number;
  predicted: number;
  probabilities: number[];
}

export interface ReportPayload {
  modelName: string;
  modelId?: string;
  /** What was evaluated, e.g. "validation split of train.csv". */
  data: string;
  file: string;
  rows: number;
  accuracy: number;
  matrix: number[][];
  classes: Array<{ digit: number; precision: number; recall: number; f1: number; support: number }>;
  examples: ReportExample[];
  /** base64 of examples.length × 784 bytes. */
  pixels: string;
  /** cells[true][predicted]: indices into examples. */
  cells: number[][][];
  /** Indices into examples, most confident mistake first. */
  mistakes: number[];
  /**
   * "See why" for each mistake, in the order of `mistakes`: base64 of mistakes.length × 784
   * signed bytes (−127…127): ink that pushed toward the wrong prediction (+) or the true digit (−).
   * Absent in reports saved before it existed.
   */
  mistakeMaps?: string;
  date: string;
  seconds: number;
  backend?: string;
  /** A model of several networks: each network's own accuracy on the same rows. */
  networkAccuracies?: number[];
}

export type ReportToWebview =
  | { type: 'report'; report: ReportPayload }
  | { type: 'progress'; message: string; fraction?: number }
  | { type: 'error'; message: string }
  | { type: 'exported'; file: string };

export const REPORT_COMMANDS = ['evaluateAgain', 'pickFile'] as const;
export type ReportCommand = (typeof REPORT_COMMANDS)[number];
export type ReportFromWebview =
  | { type: 'ready' }
  | { type: 'export'; format: 'markdown' | 'csv' }
  | { type: 'command'; command: ReportCommand };

export const checkReportFromWebview = messages<ReportFromWebview>({
  ready: () => ({ type: 'ready' }),
  export: (m) => ({ type: 'export', format: oneOf(m.format, 'format', ['markdown', 'csv'] as const) }),
  command: (m) => ({ type: 'command', command: oneOf(m.command, 'command', REPORT_COMMANDS) }),
});

export const checkReportToWebview = messages<ReportToWebview>({
  report: (m) => ({ type: 'report', report: checkReport(m.report) }),
  progress: (m) => stripUndefined({ type: 'progress' as const, message: str(m.message, 'message', 1000), fraction: m.fraction === undefined ? undefined : num(m.fraction, 'fraction', 0, 1) }),
  error: (m) => ({ type: 'error', message: str(m.message, 'message') }),
  exported: (m) => ({ type: 'exported', file: str(m.file, 'file', 4096) }),
});

const digit = (v: unknown, w: string) => int(v, w, 0, 9);

export function checkReport(x: unknown): ReportPayload {
  const r = record(x, 'report');
  const examples = array(r.examples, 'examples', (v, w) => {
    const e = record(v, w);
    return { row: int(e.row, `${w}.row`), truth: digit(e.truth, `${w}.truth`), predicted: digit(e.predicted, `${w}.predicted`), probabilities: array(e.probabilities, `${w}.probabilities`, (p, pw) => num(p, pw, 0, 1.001), 10, 10) };
  }, MAX_EXAMPLES);
  const index = (v: unknown, w: string) => int(v, w, 0, Math.max(0, examples.length - 1));
  const pixels = base64(r.pixels, 'pixels', IMAGE_BYTES, MAX_EXAMPLES * IMAGE_BYTES);
  if ((pixels.length / 4) * 3 - (pixels.endsWith('==') ? 2 : pixels.endsWith('=') ? 1 : 0) !== examples.length * IMAGE_BYTES) bad('pixels', `${pixels.length} base64 characters`, `${examples.length} images`);
  const mistakes = array(r.mistakes, 'mistakes', index, MAX_EXAMPLES);
  let mistakeMaps: string | undefined;
  if (r.mistakeMaps !== undefined) {
    mistakeMaps = base64(r.mistakeMaps, 'mistakeMaps', IMAGE_BYTES, MAX_EXAMPLES * IMAGE_BYTES);
    const bytes = (mistakeMaps.length / 4) * 3 - (mistakeMaps.endsWith('==') ? 2 : mistakeMaps.endsWith('=') ? 1 : 0);
    if (bytes !== mistakes.length * IMAGE_BYTES) bad('mistakeMaps', `${bytes} bytes`, `${mistakes.length} maps of ${IMAGE_BYTES}`);
  }
  const rows = int(r.rows, 'rows');
  const matrix = array(r.matrix, 'matrix', (row, w) => array(row, w, (n, nw) => int(n, nw), 10, 10), 10, 10);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  if (total !== rows) bad('matrix total', total, `the row count ${rows}`);
  return stripUndefined({
    modelName: str(r.modelName, 'modelName', 500),
    modelId: r.modelId === undefined ? undefined : str(r.modelId, 'modelId', 500),
    data: str(r.data, 'data', 4096),
    file: str(r.file, 'file', 4096),
    rows,
    accuracy: num(r.accuracy, 'accuracy', 0, 1),
    matrix,
    classes: array(r.classes, 'classes', (v, w) => {
      const c = record(v, w);
      return { digit: digit(c.digit, `${w}.digit`), precision: num(c.precision, `${w}.precision`, 0, 1), recall: num(c.recall, `${w}.recall`, 0, 1), f1: num(c.f1, `${w}.f1`, 0, 1), support: int(c.support, `${w}.support`) };
    }, 10, 10),
    examples,
    pixels,
    cells: array(r.cells, 'cells', (row, w) => array(row, w, (cell, cw) => array(cell, cw, index, MAX_EXAMPLES), 10, 10), 10, 10),
    mistakes,
    mistakeMaps,
    date: str(r.date, 'date', 100),
    seconds: num(r.seconds, 'seconds', 0),
    backend: r.backend === undefined ? undefined : str(r.backend, 'backend', 100),
    networkAccuracies: r.networkAccuracies === undefined ? undefined : array(r.networkAccuracies, 'networkAccuracies', (v, w) => num(v, w, 0, 1), 10),
  });
}
