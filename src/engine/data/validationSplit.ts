// A model's validation split, drawn again. Training splits the first `rows` rows of its file,
// stratified by digit, with its seed (training/train.ts); the same seed, fraction and rows give
// the same split — as long as the file is the same one, which its SHA-256 tells. Evaluate Model
// measures on that split, and Fine-Tune on My Drawings replays rows from its training part and
// measures on its validation part, so neither measures on rows the model trained on.
import { readDigitCsv, type CsvProgress } from './csv';
import { stratifiedSplit } from './dataset';
import { hashFile } from '../core/files';
import { createRandom } from '../core/random';
import type { DigitCsv } from '../core/types';

export interface SplitSpec {
  seed: number;
  validationSplit: number;
  /** Rows of the file the model was trained on (its first rows). */
  rows: number;
  /** The file's SHA-256 then; absent: not checked. */
  sha256?: string;
}

export interface SplitRead {
  data: DigitCsv;
  /** Indices into `data`; absent when no split was asked for or it could not be drawn again. */
  split?: { train: Uint32Array; validation: Uint32Array };
  /** Why a split asked for was not drawn: the file changed, or the model had no validation split. */
  unusable?: 'changed' | 'none';
}

/** Reads `file` (train format) and draws `spec`'s split of it again when the file is still the same. */
export async function readWithSplit(
  file: string,
  spec: SplitSpec | undefined,
  options: { rowsWithoutSplit?: number; signal?: AbortSignal; onProgress?: (p: CsvProgress) => void } = {},
): Promise<SplitRead> {
  let usable = spec;
  let unusable: SplitRead['unusable'];
  if (usable?.sha256 && (await hashFile(file)) !== usable.sha256) {
    usable = undefined;
    unusable = 'changed';
  }
  if (usable && !(usable.validationSplit > 0)) {
    usable = undefined;
    unusable = 'none';
  }
  const data = await readDigitCsv(file, { expect: 'train', limit: usable?.rows ?? options.rowsWithoutSplit, signal: options.signal, onProgress: options.onProgress });
  const split = usable ? stratifiedSplit(data.labels!, usable.validationSplit, createRandom(usable.seed)) : undefined;
  return { data, split, unusable };
}
