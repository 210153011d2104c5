// Real pen-drawn digits (UNIPEN 1a, 318 writers: ../shared/data/unipen-dev/digits.json, see its
// README) for benchmarks and tests, and how they are replayed onto the Digit Pad: placed on the
// pad at a size and position, sampled as the pad samples a pointer. Read in place, never copied
// into the project.
import * as fs from 'fs';
import * as path from 'path';
import { MIN_STEP } from '../../src/webview/pad/strokes';

export interface PenDigit {
  label: number;
  writer: string;
  /** Pen-down strokes of [x, y] points, normalised to the digit's own box (0..1 on its longer side), y down. */
  strokes: Array<Array<[number, number]>>;
}

const DEFAULT_DIR = path.resolve(__dirname, '../../../shared/data/unipen-dev');

/** The folder holding digits.json, from UNIPEN_DIR or ../shared/data/unipen-dev, or undefined. */
export function unipenDir(): string | undefined {
  const dir = process.env.UNIPEN_DIR ? path.resolve(process.env.UNIPEN_DIR) : DEFAULT_DIR;
  return fs.existsSync(path.join(dir, 'digits.json')) ? dir : undefined;
}

export const HOW_TO_GET_UNIPEN = 'UNIPEN pen digits not found: set UNIPEN_DIR to a folder holding digits.json (default: ../shared/data/unipen-dev beside the project).';

/** The digits of digits.json, checked (a malformed entry is named by its index). */
export function readPenDigits(dir = unipenDir()): PenDigit[] {
  if (!dir) throw new Error(HOW_TO_GET_UNIPEN);
  const file = path.join(dir, 'digits.json');
  const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array`);
  const isPoint = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));
  raw.forEach((d: PenDigit, i) => {
    const ok =
      Number.isInteger(d?.label) && d.label >= 0 && d.label <= 9 && typeof d.writer === 'string' &&
      Array.isArray(d.strokes) && d.strokes.length > 0 && d.strokes.every((s) => Array.isArray(s) && s.length > 0 && s.every(isPoint));
    if (!ok) throw new Error(`${file}: entry ${i} is not {label 0-9, writer, strokes: [[[x, y], …], …]}`);
  });
  return raw as PenDigit[];
}

export interface Placement {
  /** The digit's longer side as a fraction of the pad's side. */
  size: number;
  /** Where its box sits in the room left on the pad, 0 (left/top) to 1 (right/bottom), per axis. */
  at: [number, number];
  /** The pad's side in CSS pixels: pointer positions are whole pixels of it (a mouse's). */
  padPixels: number;
  /** Keep every n-th sampled point (a faster hand gives the pad fewer pointer events). Default 1. */
  every?: number;
}

/**
 * The strokes the pad would record for this digit drawn at `placement`: unit coordinates of the
 * canvas, positions in whole pixels of a `padPixels` pad, points closer than the pad's MIN_STEP
 * to the last kept one dropped (as its pointermove handler does), flat [x0, y0, …].
 */
export function replayOnPad(digit: PenDigit, placement: Placement): number[][] {
  const every = placement.every ?? 1;
  let width = 0;
  let height = 0;
  for (const s of digit.strokes) for (const [x, y] of s) [width, height] = [Math.max(width, x), Math.max(height, y)];
  const side = placement.size;
  const left = placement.at[0] * (1 - width * side);
  const top = placement.at[1] * (1 - height * side);
  const px = placement.padPixels;
  return digit.strokes.map((s) => {
    const sampled = s.filter((_, i) => i % every === 0 || i === s.length - 1);
    const out: number[] = [];
    for (const [x, y] of sampled) {
      const u = Math.round((left + x * side) * px) / px;
      const v = Math.round((top + y * side) * px) / px;
      const n = out.length;
      if (n === 0 || Math.hypot(u - out[n - 2], v - out[n - 1]) >= MIN_STEP) out.push(u, v);
    }
    return out;
  });
}

/**
 * A fixed split of the writers into halves ('train' | 'test', by a hash of the writer's name), for
 * any run that learns from these digits: it may learn from 'train' writers' digits only, and is
 * measured on 'test' writers', never trained on.
 */
export function writerSplit(writer: string): 'train' | 'test' {
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < writer.length; i++) h = Math.imul(h ^ writer.charCodeAt(i), 0x01000193) >>> 0;
  return h % 2 === 0 ? 'train' : 'test';
}

/**
 * The sources (UNIPEN contributors, the folder after include/ in `writer`) whose entries in
 * digits.json are not digits, as seen by eye on every entry (docs/PAD.md): the labels of the rest
 * are right. 325 of the 2,092 entries; the other 1,767 come from 9 sources and 246 writers.
 */
export const NOT_DIGITS: Readonly<Record<string, string>> = {
  tos: 'letters, kana and other symbols under digit labels (256 entries, 50 of them a single dot)',
  pri: 'single strokes cut out of digits, or a dot (56)',
  cea: 'cursive words, or a dot (7)',
  ceb: 'a single dot (6)',
};

/** The UNIPEN source of a digit: the folder after include/ in its `writer`. */
export function sourceOf(digit: PenDigit): string {
  return digit.writer.split('/')[1] ?? '';
}

/** True when the entry is a digit (not from a source of NOT_DIGITS). */
export function isDigit(digit: PenDigit): boolean {
  return !(sourceOf(digit) in NOT_DIGITS);
}
