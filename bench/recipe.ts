// One run of a training recipe under bench/ACCURACY.md's protocol: train.csv with 4,000 rows held
// out (validation split 0.0952381, stratified, chosen by the seed; --held-out F for another share),
// the rest trained on, and the held-out rows' predictions kept for paired comparisons
// (bench/mcnemar.ts). --pseudo C: the held-out rows also stand in for Kaggle's unlabelled test.csv
// (a first model, recorded as <name>-first, labels those it is ≥ C sure of; the final model trains
// on them too). Writes
// bench/results/tmp/<name>-seed<S>.json (git-ignored: it is derived from the data); with --out,
// also the model (for bench/padReplay.ts). --augment overrides the augmentation's ranges
// (engine/data/augment.ts AugmentOptions as JSON, e.g. '{"rotation":10,"zoom":0.1,"shift":0.1,"shear":0.3}').
//   npx tsx bench/recipe.ts <name> --seed S [--held-out F] [--pseudo C] [--networks N] [--pen-habits] [--pen-digits K] [--arch default|seed] [--epochs N] [--ema-decay D] [--batch-size N] [--threads N] [--augment JSON] [--out DIR] [--winograd 2|4] [--member K]
// --winograd 2: every 3×3 convolution by F(2×2, 3×3), as before issue 26 (its F(4×4, 3×3) is the default).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/engine/kernels/backend';
import { readDigitCsv } from '../src/engine/data/csv';
import { ARCHITECTURES, DEFAULT_TRAIN_SETTINGS, isArchitecture, type EpochStats, type TrainSettings } from '../src/shared/training';
import { trainModel, type TrainResult } from '../src/engine/training/train';
import { pseudoLabel } from '../src/engine/training/pseudoLabels';
import { evaluateImages } from '../src/engine/inference/predict';
import { stratifiedSplit, subset } from '../src/engine/data/dataset';
import { createRandom } from '../src/engine/core/random';
import { disposeModel } from '../src/engine/model/architectures';
import { setWinogradTile } from '../src/engine/kernels/convolution';
import { DEFAULT_AUGMENT, type AugmentOptions } from '../src/engine/data/augment';
import { penHabitRows } from './penHabits';
import { combineNetworks } from '../src/engine/model/networks';
import type { DigitImages } from '../src/engine/core/types';
import { strokesToMnist } from '../src/webview/pad/strokes';
import { isDigit, readPenDigits, replayOnPad, writerSplit } from '../test/support/unipen';
import { saveModelDir } from '../src/engine/model/persistence';
import { dataDir, HOW_TO_GET_DATA } from '../test/support/data';

export const HELD_OUT_SPLIT = 0.0952381;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/** The 'train' writers' UNIPEN digits (those of the sources that hold digits) as the pad draws them, each `copies` times. */
function penDigitRows(copies: number): DigitImages {
  const digits = readPenDigits().filter((d) => isDigit(d) && writerSplit(d.writer) === 'train');
  const count = digits.length * copies;
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  digits.forEach((d, i) => {
    const image = strokesToMnist(replayOnPad(d, { size: 0.6, at: [0.5, 0.5], padPixels: 400 })).pixels;
    for (let k = 0; k < copies; k++) {
      pixels.set(image, (i * copies + k) * 784);
      labels[i * copies + k] = d.label;
    }
  });
  return { count, pixels, labels };
}

(async () => {
  const name = process.argv[2];
  const dir = dataDir();
  if (!name || name.startsWith('--')) throw new Error('usage: recipe.ts <name> --seed S [--epochs N] [--ema-decay D] [--batch-size N] [--threads N] [--winograd 2|4]');
  if (!dir) throw new Error(HOW_TO_GET_DATA);
  const settings: TrainSettings = {
    ...DEFAULT_TRAIN_SETTINGS,
    validationSplit: Number(arg('held-out') ?? HELD_OUT_SPLIT),
    seed: Number(arg('seed') ?? DEFAULT_TRAIN_SETTINGS.seed),
    epochs: Number(arg('epochs') ?? DEFAULT_TRAIN_SETTINGS.epochs),
    emaDecay: Number(arg('ema-decay') ?? DEFAULT_TRAIN_SETTINGS.emaDecay),
    batchSize: Number(arg('batch-size') ?? DEFAULT_TRAIN_SETTINGS.batchSize),
    threads: Number(arg('threads') ?? DEFAULT_TRAIN_SETTINGS.threads),
    arch: (arg('arch') ?? DEFAULT_TRAIN_SETTINGS.arch) as TrainSettings['arch'],
  };
  if (!isArchitecture(settings.arch)) throw new Error(`--arch must be one of ${ARCHITECTURES.join(', ')} (got ${settings.arch})`);
  if (['pseudo', 'pen-habits', 'pen-digits'].filter((f) => process.argv.includes(`--${f}`)).length > 1) throw new Error('--pseudo, --pen-habits and --pen-digits each add training rows: one at a time');
  const augment: AugmentOptions = arg('augment') ? (JSON.parse(arg('augment')!) as AugmentOptions) : DEFAULT_AUGMENT;
  const backend = await initBackend('wasm');
  if (arg('winograd') === '2') setWinogradTile(2);
  const data = await readDigitCsv(path.join(dir, 'train.csv'), { expect: 'train' });
  const started = Date.now();
  const onEpoch = (e: EpochStats) => console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${(e.accuracy * 100).toFixed(2)}% val ${(e.valAccuracy! * 100).toFixed(2)}% (${e.seconds.toFixed(0)} s)`);
  const validation = subset(data, stratifiedSplit(data.labels!, settings.validationSplit, createRandom(settings.seed)).validation);
  // --member K: network K of a model of several (same held-out rows, its own weights and order);
  // recorded as <name>-m<K>, for bench/average.ts.
  const member = Number(arg('member') ?? 0);
  // --pen-habits: copies of some training rows' 1s, 0s and 7s with a flag, slash or bar drawn in (bench/penHabits.ts).
  const habits = process.argv.includes('--pen-habits')
    ? penHabitRows(data, stratifiedSplit(data.labels!, settings.validationSplit, createRandom(settings.seed)).train, createRandom(settings.seed + 1))
    : undefined;
  if (habits) console.log(`pen habits: ${habits.count} extra rows`);
  // --pen-digits K: the 'train' half of UNIPEN's writers (test/support/unipen.ts writerSplit), their
  // pen digits drawn by the pad's own strokesToMnist, each K times (the run's augmentation varies
  // them): what real pen data would teach, measured on the 'test' writers by padReplay.ts.
  const penDigits = arg('pen-digits') ? penDigitRows(Number(arg('pen-digits'))) : undefined;
  if (penDigits) console.log(`pen digits: ${penDigits.count} extra rows`);
  // --networks N: a model of N networks (members member…member+N−1, probabilities averaged), as
  // the Leaderboard recipe trains; with --pseudo, the N networks' average reads the held-out rows.
  const networkCount = Number(arg('networks') ?? 1);
  const trainNetworks = async (extraTrainRows?: DigitImages): Promise<TrainResult> => {
    const runs: TrainResult[] = [];
    for (let k = 0; k < networkCount; k++) {
      runs.push(await trainModel(data, settings, { onEpoch }, { augment, member: member + k, extraTrainRows: extraTrainRows ?? habits ?? penDigits }));
      if (networkCount > 1) console.log(`network ${k + 1} of ${networkCount}: ${(runs[k].history[runs[k].history.length - 1].valAccuracy! * 100).toFixed(2)}% held out`);
    }
    if (runs.length === 1) return runs[0];
    const last = runs[runs.length - 1];
    return { ...last, model: combineNetworks(runs.map((r) => r.model)), seconds: runs.reduce((sum, r) => sum + r.seconds, 0) };
  };
  let result = await trainNetworks();
  let extra: Record<string, unknown> = {};
  const pseudo = arg('pseudo');
  if (pseudo) {
    // The held-out rows stand in for test.csv: the first model labels them (their labels unused),
    // the second trains on the confident ones too, and both are scored on all of them.
    await record(`${name}-first`, result, { minutes: (Date.now() - started) / 60000 });
    const confidence = Number(pseudo);
    const labelled = await pseudoLabel(result.model, { ...validation, labels: null }, confidence);
    const wrong = Array.from(labelled.rows).filter((row, i) => labelled.images.labels![i] !== validation.labels![row]).length;
    console.log(`pseudo-labels: ${labelled.images.count} of ${validation.count} rows at ≥ ${confidence}, ${wrong} of them wrong`);
    disposeModel(result.model);
    result = await trainNetworks(labelled.images);
    extra = { pseudo: { confidence, rows: labelled.images.count, wrong } };
  }
  const accuracy = await record(member && networkCount === 1 ? `${name}-m${member}` : name, result, { minutes: (Date.now() - started) / 60000, ...extra });
  const outDir = arg('out');
  if (outDir) {
    const last = result.history[result.history.length - 1];
    await saveModelDir(result.model, {
      formatVersion: 1, name: `${name} seed ${settings.seed}`, created: new Date().toISOString(), architecture: settings.arch, epochs: settings.epochs,
      batchSize: settings.batchSize, learningRate: settings.learningRate, validationSplit: settings.validationSplit, augment: settings.augment, seed: settings.seed,
      final: { loss: last.loss, accuracy: last.accuracy, valLoss: last.valLoss, valAccuracy: accuracy }, history: result.history, backend: backend.name,
      trainingSeconds: result.seconds, trainingThreads: result.threads, trainRows: result.trainCount, validationRows: result.validationCount,
    }, path.resolve(outDir));
  }
  disposeModel(result.model);

  /** Scores the model on the held-out rows and writes bench/results/tmp/<name>-seed<S>.json; returns its accuracy. */
  async function record(runName: string, run: TrainResult, more: Record<string, unknown>): Promise<number> {
    const { accuracy, predictions } = await evaluateImages(run.model, validation);
    const mistakes = Array.from(predictions.labels).flatMap((p, i) => (p === validation.labels![i] ? [] : [i]));
    const out = path.join(__dirname, 'results', 'tmp', `${runName}-seed${settings.seed}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({
      name: runName, settings, augment, backend: backend.name, threads: run.threads, loadAverage: os.loadavg(), ...more,
      accuracy, lastValAccuracy: run.history[run.history.length - 1].valAccuracy, heldOut: validation.count, mistakes, predicted: Array.from(predictions.labels),
      // Rounded, for averaging runs' probabilities afterwards (bench/average.ts).
      probabilities: Array.from(predictions.probabilities, (p) => Math.round(p * 1e5) / 1e5), labels: Array.from(validation.labels!),
      history: run.history,
    }));
    console.log(`${runName} seed ${settings.seed}: ${(accuracy * 100).toFixed(2)}% held out (${mistakes.length} mistakes of ${validation.count}), ${(more.minutes as number).toFixed(1)} min → ${path.relative(process.cwd(), out)}`);
    return accuracy;
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
