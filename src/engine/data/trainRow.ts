// The pad's drawing as a Kaggle train-format row (label,pixel0..pixel783), appended to a CSV so
// people can grow a dataset of their own handwriting. No TensorFlow: used on the extension host.
import * as fs from 'fs';
import { InputError } from '../core/errors';
import { writeFileAtomic } from '../core/files';

const PIXELS = 784;
export const TRAIN_HEADER = ['label', ...Array.from({ length: PIXELS }, (_, i) => `pixel${i}`)].join(',');

/** One train-format CSV row. */
export function trainRow(pixels: ArrayLike<number>, label: number): string {
  if (!Number.isInteger(label) || label < 0 || label > 9) throw new InputError(`A digit label must be 0–9 (got ${label})`);
  if (pixels.length !== PIXELS) throw new InputError(`A row needs ${PIXELS} pixels (got ${pixels.length})`);
  const values: number[] = [];
  for (let i = 0; i < PIXELS; i++) {
    const v = pixels[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new InputError(`Pixel ${i} is ${v}, expected an integer 0–255`);
    values.push(v);
  }
  return `${label},${values.join(',')}`;
}

/**
 * Appends a row to `file`, creating it with Kaggle's train header when it is missing or empty.
 * An existing file must have that header (so it stays loadable by Train Model). The file is
 * rewritten through a temporary name and a rename, so it is never left half-written. Returns the
 * number of data rows the file now holds.
 */
export async function appendTrainRow(file: string, pixels: ArrayLike<number>, label: number): Promise<number> {
  const row = trainRow(pixels, label);
  const existing = fs.existsSync(file) ? await fs.promises.readFile(file, 'utf8') : '';
  if (!existing.trim()) {
    await writeFileAtomic(file, `${TRAIN_HEADER}\n${row}\n`, 'save the drawing to');
    return 1;
  }
  const header = existing.slice(0, existing.search(/\r?\n|$/));
  if (header !== TRAIN_HEADER) throw new InputError(`${file}: not a train-format CSV (its first line is not label,pixel0,…,pixel783); pick another file`, file, 1);
  await writeFileAtomic(file, `${existing}${existing.endsWith('\n') ? '' : '\n'}${row}\n`, 'save the drawing to');
  return existing.split(/\r?\n/).filter((l) => l.trim()).length; // header + old rows, i.e. rows after appending
}
