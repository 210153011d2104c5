// Messages between the Dataset Explorer webview and the extension, validated both ways. Pure.
import { messages, array, base64, bad, int, num, oneOf, optNum, record, str, stripUndefined } from './check';

const IMAGE_BYTES = 784;
const MAX_SAMPLES = 2000;

export interface RejectedRow {
  message: string;
  line?: number;
  column?: number;
}

export interface ExplorerPayload {
  file: string;
  name: string;
  bytes: number;
  /** Valid rows read (all of them, or those before a rejected row). */
  rows: number;
  format: 'train' | 'test' | 'unknown';
  labelCounts: number[] | null;
  /** Count of each pixel value 0–255. */
  histogram: number[];
  /** base64: 10 × 784 bytes (labelled) or 784 bytes. */
  meanImages: string;
  samples: Array<{ row: number; label: number | null }>;
  /** base64: samples.length × 784 bytes. */
  samplePixels: string;
  seconds: number;
  /** The first row the parser rejected (it stops there). */
  rejected?: RejectedRow;
}

export type ExplorerToWebview =
  | { type: 'stats'; stats: ExplorerPayload }
  | { type: 'progress'; file: string; rows: number; bytes: number; totalBytes: number }
  | { type: 'error'; message: string };

export const EXPLORER_COMMANDS = ['train', 'pickFile'] as const;
export type ExplorerCommand = (typeof EXPLORER_COMMANDS)[number];
export type ExplorerFromWebview = { type: 'ready' } | { type: 'openLine'; line: number; column?: number } | { type: 'command'; command: ExplorerCommand };

export const checkExplorerFromWebview = messages<ExplorerFromWebview>({
  ready: () => ({ type: 'ready' }),
  openLine: (m) => stripUndefined({ type: 'openLine' as const, line: int(m.line, 'line', 1), column: m.column === undefined ? undefined : int(m.column, 'column', 1) }),
  command: (m) => ({ type: 'command', command: oneOf(m.command, 'command', EXPLORER_COMMANDS) }),
});

export const checkExplorerToWebview = messages<ExplorerToWebview>({
  stats: (m) => ({ type: 'stats', stats: checkStats(m.stats) }),
  progress: (m) => ({ type: 'progress', file: str(m.file, 'file', 4096), rows: int(m.rows, 'rows'), bytes: int(m.bytes, 'bytes'), totalBytes: int(m.totalBytes, 'totalBytes') }),
  error: (m) => ({ type: 'error', message: str(m.message, 'message') }),
});

function byteLength(b64: string): number {
  return (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

function checkStats(x: unknown): ExplorerPayload {
  const s = record(x, 'stats');
  const labelCounts = s.labelCounts === null ? null : array(s.labelCounts, 'labelCounts', (v, w) => int(v, w), 10, 10);
  const meanImages = base64(s.meanImages, 'meanImages', IMAGE_BYTES, 10 * IMAGE_BYTES);
  if (byteLength(meanImages) !== (labelCounts ? 10 : 1) * IMAGE_BYTES) bad('meanImages', `${byteLength(meanImages)} bytes`, labelCounts ? '10 images' : '1 image');
  const samples = array(s.samples, 'samples', (v, w) => {
    const e = record(v, w);
    return { row: int(e.row, `${w}.row`), label: e.label === null ? null : int(e.label, `${w}.label`, 0, 9) };
  }, MAX_SAMPLES);
  const samplePixels = base64(s.samplePixels, 'samplePixels', IMAGE_BYTES, MAX_SAMPLES * IMAGE_BYTES);
  if (byteLength(samplePixels) !== samples.length * IMAGE_BYTES) bad('samplePixels', `${byteLength(samplePixels)} bytes`, `${samples.length} images`);
  let rejected: RejectedRow | undefined;
  if (s.rejected !== undefined) {
    const r = record(s.rejected, 'rejected');
    rejected = stripUndefined({ message: str(r.message, 'rejected.message'), line: r.line === undefined ? undefined : int(r.line, 'rejected.line', 1), column: r.column === undefined ? undefined : int(r.column, 'rejected.column', 1) });
  }
  return stripUndefined({
    file: str(s.file, 'file', 4096),
    name: str(s.name, 'name', 1000),
    bytes: int(s.bytes, 'bytes'),
    rows: int(s.rows, 'rows'),
    format: oneOf(s.format, 'format', ['train', 'test', 'unknown'] as const),
    labelCounts,
    histogram: array(s.histogram, 'histogram', (v, w) => num(v, w, 0), 256, 256),
    meanImages,
    samples,
    samplePixels,
    seconds: optNum(s.seconds, 'seconds', 0) ?? 0,
    rejected,
  });
}
