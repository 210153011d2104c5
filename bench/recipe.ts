// One run of a training recipe under bench/ACCURACY.md's protocol: train.csv with 4,000 rows held
// out (validation split 0.0952381, stratified, chosen by the seed), the rest trained on, and the
// held-out rows' predictions kept for paired comparisons (bench/mcnemar.ts). Writes
// bench/results/tmp/<name>-seed<S>.json (git-ignored: it is derived from the data); with --out,
// also the model (for bench/padReplay.ts). --augment overrides the augmentation's ranges
// (engine/data/augment.ts AugmentOptions as JSON, e.g. '{"rotation":10,"zoom":0.1,"shift":0.1,"shear":0.3}').
//   npx tsx bench/recipe.ts <name> --seed S [--epochs N] [--ema-decay D] [--batch-size N] [--threads N] [--augment JSON] [--out DIR] [--winograd 2|4]
// --winograd 2: every 3×3 convolution by F(2×2, 3×3), as before issue 26 (its F(4×4, 3×3) is the default).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/engine/kernels/backend';
import { readDigitCsv } from '../src/engine/data/csv';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../src/shared/training';
import { trainModel } from '../src/engine/training/train';
import { disposeModel } from '../src/engine/model/architectures';
import { setWinogradTile } from '../src/engine/kernels/convolution';
import { DEFAULT_AUGMENT, type AugmentOptions } from '../src/engine/data/augment';
import { saveModelDir } from '../src/engine/model/persistence';
import { dataDir, HOW_TO_GET_DATA } from '../test/support/data';

export const HELD_OUT_SPLIT = 0.0952381;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

(async () => {
  const name = process.argv[2];
  const dir = dataDir();
  if (!name || name.startsWith('--')) throw new Error('usage: recipe.ts <name> --seed S [--epochs N] [--ema-decay D] [--batch-size N] [--threads N] [--winograd 2|4]');
  if (!dir) throw new Error(HOW_TO_GET_DATA);
  const settings: TrainSettings = {
    ...DEFAULT_TRAIN_SETTINGS,
    validationSplit: HELD_OUT_SPLIT,
    seed: Number(arg('seed') ?? DEFAULT_TRAIN_SETTINGS.seed),
    epochs: Number(arg('epochs') ?? DEFAULT_TRAIN_SETTINGS.epochs),
    emaDecay: Number(arg('ema-decay') ?? DEFAULT_TRAIN_SETTINGS.emaDecay),
    batchSize: Number(arg('batch-size') ?? DEFAULT_TRAIN_SETTINGS.batchSize),
    threads: Number(arg('threads') ?? DEFAULT_TRAIN_SETTINGS.threads),
  };
  const augment: AugmentOptions = arg('augment') ? (JSON.parse(arg('augment')!) as AugmentOptions) : DEFAULT_AUGMENT;
  const backend = await initBackend('wasm');
  if (arg('winograd') === '2') setWinogradTile(2);
  const data = await readDigitCsv(path.join(dir, 'train.csv'), { expect: 'train' });
  const started = Date.now();
  const result = await trainModel(data, settings, {
    onEpoch: (e) => console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${(e.accuracy * 100).toFixed(2)}% val ${(e.valAccuracy! * 100).toFixed(2)}% (${e.seconds.toFixed(0)} s)`),
  }, augment);
  const last = result.history[result.history.length - 1];
  const out = path.join(__dirname, 'results', 'tmp', `${name}-seed${settings.seed}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // The last validation's predictions are the returned model's: recompute them for the record.
  const { evaluateImages } = await import('../src/engine/inference/predict');
  const { stratifiedSplit } = await import('../src/engine/data/dataset');
  const { createRandom } = await import('../src/engine/core/random');
  const { subset } = await import('../src/engine/data/dataset');
  const validation = subset(data, stratifiedSplit(data.labels!, settings.validationSplit, createRandom(settings.seed)).validation);
  const { accuracy, predictions } = await evaluateImages(result.model, validation);
  const mistakes = Array.from(predictions.labels).flatMap((p, i) => (p === validation.labels![i] ? [] : [i]));
  fs.writeFileSync(out, JSON.stringify({
    name, settings, augment, backend: backend.name, threads: result.threads, minutes: (Date.now() - started) / 60000, loadAverage: os.loadavg(),
    accuracy, lastValAccuracy: last.valAccuracy, heldOut: validation.count, mistakes, predicted: Array.from(predictions.labels),
    history: result.history,
  }));
  const outDir = arg('out');
  if (outDir) {
    await saveModelDir(result.model, {
      formatVersion: 1, name: `${name} seed ${settings.seed}`, created: new Date().toISOString(), architecture: settings.arch, epochs: settings.epochs,
      batchSize: settings.batchSize, learningRate: settings.learningRate, validationSplit: settings.validationSplit, augment: settings.augment, seed: settings.seed,
      final: { loss: last.loss, accuracy: last.accuracy, valLoss: last.valLoss, valAccuracy: accuracy }, history: result.history, backend: backend.name,
      trainingSeconds: result.seconds, trainingThreads: result.threads, trainRows: result.trainCount, validationRows: result.validationCount,
    }, path.resolve(outDir));
  }
  console.log(`${name} seed ${settings.seed}: ${(accuracy * 100).toFixed(2)}% held out (${mistakes.length} mistakes of ${validation.count}), ${((Date.now() - started) / 60000).toFixed(1)} min → ${path.relative(process.cwd(), out)}`);
  disposeModel(result.model);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
