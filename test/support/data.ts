// Locates Kaggle's Digit Recognizer files for tests and makes small slices of them at test time.
// The data is third-party and never committed: slices go to a cache folder outside git.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';

const DEFAULT_DIR = path.resolve(__dirname, '../../../shared/data/digit-recognizer');

/** The folder holding train.csv/test.csv, from DIGIT_DATA_DIR or ../shared/data/digit-recognizer. */
export function dataDir(): string | undefined {
  const dir = process.env.DIGIT_DATA_DIR ? path.resolve(process.env.DIGIT_DATA_DIR) : DEFAULT_DIR;
  return fs.existsSync(path.join(dir, 'train.csv')) ? dir : undefined;
}

export const HOW_TO_GET_DATA =
  "Kaggle's Digit Recognizer CSVs not found: download train.csv/test.csv from " +
  'https://www.kaggle.com/c/digit-recognizer/data into a folder and set DIGIT_DATA_DIR to it ' +
  '(default: ../shared/data/digit-recognizer beside the project).';

/**
 * Mocha helper: marks the current suite/test pending with a line saying how to get the data
 * when it is absent, and returns the data folder otherwise.
 */
export function requireData(ctx: Mocha.Context): string {
  const dir = dataDir();
  if (!dir) {
    console.log(`      (pending) ${HOW_TO_GET_DATA}`);
    ctx.skip();
  }
  return dir!;
}

export const CACHE_DIR = path.resolve(__dirname, '../../.cache/test-data');

/**
 * The header and the first `rows` data rows of `source` (e.g. 'train.csv') written to the
 * cache folder, made once and reused. Returns the slice's path.
 */
export async function slice(dir: string, source: string, rows: number, skip = 0): Promise<string> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const out = path.join(CACHE_DIR, `${path.basename(source, '.csv')}-${skip}-${rows}.csv`);
  if (fs.existsSync(out)) return out;
  const input = fs.createReadStream(path.join(dir, source));
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const kept: string[] = [];
  let index = -1;
  for await (const line of lines) {
    if (index === -1 || (index >= skip && index < skip + rows)) kept.push(line);
    index++;
    if (index >= skip + rows) break;
  }
  lines.close();
  input.destroy();
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, kept.join('\n') + '\n');
  fs.renameSync(tmp, out);
  return out;
}

/** A fresh temporary folder for one test. */
export function tempDir(prefix = 'digit-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
