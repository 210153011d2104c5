// Real Keras model files for the importer's tests, read in place from the shared fixtures folder
// (never copied into the project), and reference outputs computed for them by an independent numpy
// forward pass (scripts/keras_reference.py), cached under .cache/.
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as prerequisites from '../../scripts/prerequisites';

const DEFAULT_DIR = path.resolve(__dirname, '../../../shared/fixtures/keras');
const SCRIPT = path.resolve(__dirname, '../../scripts/keras_reference.py');
export const KERAS_CACHE_DIR = path.resolve(__dirname, '../../.cache/keras-reference');

export interface KerasFixture {
  file: string;
  name: string;
  /** Input shape without the batch axis. */
  inputShape: number[];
  /** False when the model is not a 28×28 digit model (the importer must reject it by shape). */
  digitModel: boolean;
  /** Accuracy on the first 1,000 rows of train.csv the fixtures' README gives (0–1), when it gives one. */
  expectedAccuracy?: number;
}

export const KERAS_FIXTURES: KerasFixture[] = [
  { file: 'mzisbrod-mnist.h5', name: 'Keras 2.13 .h5 (poorly trained)', inputShape: [28, 28, 1], digitModel: true, expectedAccuracy: 0.45 },
  { file: 'kzarama-mnist.h5', name: 'Keras 2.14 .h5', inputShape: [28, 28, 1], digitModel: true, expectedAccuracy: 0.997 },
  { file: 'kzarama-mnist.keras', name: 'Keras 2.14 .keras (8×8 input)', inputShape: [8, 8, 1], digitModel: false },
  { file: 'ronit2421-mnist-keras3.keras', name: 'Keras 3.15 .keras (28×28, no channel axis)', inputShape: [28, 28], digitModel: true },
];

/** The folder holding the Keras fixtures, from KERAS_FIXTURES_DIR or ../shared/fixtures/keras. */
export function kerasFixturesDir(): string | undefined {
  const dir = process.env.KERAS_FIXTURES_DIR ? path.resolve(process.env.KERAS_FIXTURES_DIR) : DEFAULT_DIR;
  return fs.existsSync(path.join(dir, KERAS_FIXTURES[0].file)) ? dir : undefined;
}

export const HOW_TO_GET_KERAS_FIXTURES =
  'Keras model fixtures not found: they are expected in ../shared/fixtures/keras beside the project ' +
  '(or set KERAS_FIXTURES_DIR to the folder holding mzisbrod-mnist.h5, kzarama-mnist.h5, kzarama-mnist.keras, ronit2421-mnist-keras3.keras).';

/** Mocha helper: pending (with how to get them) when the fixtures are absent, else their folder. */
export function requireKerasFixtures(ctx: Mocha.Context): string {
  const dir = kerasFixturesDir();
  if (!dir) {
    console.log(`      (pending) ${HOW_TO_GET_KERAS_FIXTURES}`);
    ctx.skip();
  }
  return dir!;
}

/** Python with numpy and h5py (Debian's python3-h5py), or undefined; where npm test's prerequisites check looks. */
export function referencePython(): string | undefined {
  return prerequisites.referencePython();
}

export interface KerasReference {
  input_shape: number[];
  rows: number;
  labels: number[];
  /** rows × 10 probabilities from the numpy forward pass. */
  outputs: number[][];
  accuracy: number;
  keras_version?: string;
  /** The inputs fed (rows × prod(input_shape)), present for models whose input is not 28×28. */
  inputs?: number[][];
}

/**
 * Reference outputs for the first `rows` rows of `trainCsv`, computed by the numpy script and
 * cached (keyed by the model file, the script and the row count).
 */
export function kerasReference(python: string, modelFile: string, trainCsv: string, rows: number): KerasReference {
  const hash = crypto.createHash('sha256');
  hash.update(fs.readFileSync(modelFile)).update(fs.readFileSync(SCRIPT)).update(`${rows}`);
  const out = path.join(KERAS_CACHE_DIR, `${path.basename(modelFile)}-${rows}-${hash.digest('hex').slice(0, 12)}.json`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(KERAS_CACHE_DIR, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync(python, [SCRIPT, modelFile, trainCsv, String(rows), tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
    fs.renameSync(tmp, out);
  }
  return JSON.parse(fs.readFileSync(out, 'utf8')) as KerasReference;
}
