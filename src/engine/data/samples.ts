// The user's labelled drawings ("samples"): a Kaggle train-format CSV (label,pixel0..pixel783)
// the Digit Pad appends to, lists and deletes from, and Fine-Tune trains on. A plain CSV, so the
// user can open, edit, share or train on it like any other. No TensorFlow: used on the
// extension host for these small files, and by the fine-tune job in the engine worker.
//
// Nothing is ever lost: a file that does not parse is refused with the reader's message (file,
// line, column) and left as it is; every change is written to a temporary file then renamed.
import * as fs from 'fs';
import * as path from 'path';
import { readDigitCsv } from './csv';
import { InputError } from '../core/errors';
import { TRAIN_HEADER, appendTrainRow } from './trainRow';
import { fsError, writeFileAtomic } from '../core/files';
import type { DigitImages } from '../core/types';

export interface SampleSet extends DigitImages {
  labels: Uint8Array;
  file: string;
  /** Per row, a short hash of its text: what a delete request must name, so it removes that row and no other. */
  keys: string[];
}

/** The samples in `file`: none when it does not exist, is empty or holds only the header. */
export async function readSamples(file: string): Promise<SampleSet> {
  const text = await readText(file);
  const none: SampleSet = { file, count: 0, pixels: new Uint8Array(0), labels: new Uint8Array(0), keys: [] };
  if (text === undefined || !text.trim()) return none;
  const lines = dataLines(text);
  if (lines.length === 0 && text.slice(0, text.search(/\r?\n|$/)).trim() === TRAIN_HEADER) return none;
  // The CSV reader checks every row and names the file, line and column of the first bad one.
  const data = await readDigitCsv(file, { expect: 'train' });
  return { ...data, labels: data.labels!, file, keys: lines.map(rowKey) };
}

/**
 * Appends one labelled drawing, creating the file (and its folder) with the train header when
 * needed. The existing file is checked first: a malformed one is refused, not appended to.
 * Returns the number of samples it now holds.
 */
export async function addSample(file: string, pixels: ArrayLike<number>, label: number): Promise<number> {
  await readSamples(file);
  await fs.promises.mkdir(path.dirname(file), { recursive: true }).catch((err) => Promise.reject(fsError(err, 'create the folder of', file)));
  return appendTrainRow(file, pixels, label);
}

/**
 * Deletes data row `row` (0-based) if its text still hashes to `key` (the file may have changed
 * since it was listed). Returns the number of samples left.
 */
export async function deleteSample(file: string, row: number, key: string): Promise<number> {
  const current = await readSamples(file);
  if (!Number.isInteger(row) || row < 0 || row >= current.count || current.keys[row] !== key) {
    throw new InputError(`${path.basename(file)} changed since it was listed: sample ${row + 1} is not the one shown. Nothing was deleted.`, file);
  }
  const text = (await readText(file))!;
  const lines = text.split(/\r?\n/);
  // Data row `row` is the (row + 1)-th non-empty line after the header.
  let seen = -1;
  const index = lines.findIndex((line, i) => i > 0 && line.trim() !== '' && ++seen === row);
  lines.splice(index, 1);
  const kept = lines.join('\n');
  await writeFileAtomic(file, kept.endsWith('\n') ? kept : `${kept}\n`, 'delete the drawing from');
  return current.count - 1;
}

/** A short, stable hash (FNV-1a, 32 bits, hex) of a row's text. */
export function rowKey(line: string): string {
  let hash = 0x811c9dc5;
  const text = line.trim();
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The non-empty lines after the header. */
function dataLines(text: string): string[] {
  return text.split(/\r?\n/).slice(1).filter((line) => line.trim() !== '');
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new InputError(`${file} is a folder, not a samples CSV`, file);
    throw new InputError(`Cannot read ${file}: ${(err as Error).message}`, file);
  }
}
