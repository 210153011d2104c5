// Measures Fine-Tune on My Drawings and "see why" for docs/FINE_TUNE.md, without a browser:
// the e2e harness's personal-style drawings rendered in Node (test/support/rasterize.ts), five of
// each digit taught, 30 *other* drawings of each digit measured before and after, the base model's
// held-out train.csv rows (as the command reports them) and further rows no run trained on,
// with the count of mistakes each way (a paired comparison). Also the wall time of the whole job
// (read, measure, train, measure, save) and of one pad prediction with its map.
//
//   npx tsx scripts/benchFineTune.ts            seed CNN trained here (2 epochs on 7,000 rows, as the e2e test) + the Keras fixture
//   … --settings JSON                            fine-tune settings other than DEFAULT_FINE_TUNE_SETTINGS; a JSON array
//                                               runs each on the same base models, e.g. '[{"seed":1},{"seed":2}]'
//   npx tsx scripts/benchFineTune.ts --model DIR  instead, a model trained on train.csv (e.g. `digit-recognizer train`
//                                               with the defaults): it replays train.csv, the command holds out
//                                               2,000 of its validation rows, and the "further rows" are all of them
//   DIGIT_DATA_DIR=… KERAS_FIXTURES_DIR=…       other data / fixtures folders
//
// Prints Markdown rows; nothing is written into the project.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/engine/kernels/backend';
import { readDigitCsv } from '../src/engine/data/csv';
import { DEFAULT_FINE_TUNE_SETTINGS, type FineTuneSettings } from '../src/shared/training';
import { replayAndHeldOut, runFineTuneJob } from '../src/engine/jobs/fineTuneJob';
import { runTrainJob } from '../src/engine/jobs/trainJob';
import { loadAnyModel } from '../src/engine/model/loadModel';
import { disposeModel } from '../src/engine/model/architectures';
import { readMetadata, splitOf } from '../src/engine/model/metadata';
import { readWithSplit } from '../src/engine/data/validationSplit';
import { predictImages } from '../src/engine/inference/predict';
import { explainOne } from '../src/engine/inference/saliency';
import { DEFAULT_TRAIN_SETTINGS } from '../src/shared/training';
import type { DigitImages } from '../src/engine/core/types';
import { personalDigit } from '../test/e2e/personalStrokes';
import { personalImages, samplesCsv } from '../test/support/personalImages';
import { dataDir, slice, tempDir } from '../test/support/data';
import { kerasFixturesDir } from '../test/support/keras';
import { rasterizeStrokes } from '../test/support/rasterize';

const TEACH = [0, 1, 2, 3, 4];
const OTHERS = Array.from({ length: 30 }, (_, i) => 100 + i);

async function mistakes(modelDir: string, images: DigitImages): Promise<{ wrong: Set<number>; total: number }> {
  const { model, metadata } = await loadAnyModel(modelDir);
  try {
    const p = await predictImages(model, images, { pixelScale: metadata?.pixelScale, threads: 1 });
    const wrong = new Set<number>();
    for (let i = 0; i < images.count; i++) if (p.labels[i] !== images.labels![i]) wrong.add(i);
    return { wrong, total: images.count };
  } finally {
    disposeModel(model);
  }
}

async function explainMs(modelDir: string): Promise<number> {
  const { model, metadata } = await loadAnyModel(modelDir);
  try {
    const image = rasterizeStrokes(personalDigit(4, 0));
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      explainOne(model, image, metadata?.pixelScale);
      if (i >= 10) times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[times.length >> 1];
  } finally {
    disposeModel(model);
  }
}

interface Base {
  name: string;
  dir: string;
  split?: { seed: number; validationSplit: number; rows: number; sha256?: string };
}

async function addSmallBases(bases: Base[], train: string, work: string): Promise<void> {
  const seedDir = path.join(work, 'seed');
  const seedSettings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed' as const, epochs: 2, seed: 42 };
  await runTrainJob({ trainFile: train, settings: seedSettings, outDir: seedDir, name: 'seed CNN, 2 epochs on 7,000 rows' });
  bases.push({ name: 'seed CNN, 2 epochs on 7,000 rows (the e2e recipe)', dir: seedDir, split: { seed: 42, validationSplit: 0.1, rows: 7000 } });
  const keras = kerasFixturesDir();
  if (keras) bases.push({ name: 'Keras 2.14 .h5 (kzarama-mnist.h5, imported)', dir: path.join(keras, 'kzarama-mnist.h5') });
}

/** --settings: a JSON object of fine-tune settings, or an array of them. */
function parseSettings(text: string | undefined): Partial<FineTuneSettings>[] {
  const usage = `--settings: a JSON object of fine-tune settings or an array of them, e.g. '{"learningRate":2e-4}' or '[{"seed":1},{"seed":2}]'`;
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch (err) {
    throw new Error(`${usage} (${(err as Error).message})`, { cause: err });
  }
  const variants = Array.isArray(value) ? value : [value];
  if (!variants.length || variants.some((v) => typeof v !== 'object' || v === null || Array.isArray(v))) throw new Error(`${usage}; got ${text}`);
  return variants as Partial<FineTuneSettings>[];
}

const pct = (wrong: number, total: number) => `${(((total - wrong) / total) * 100).toFixed(2)}%`;

(async () => {
  const data = dataDir();
  if (!data) throw new Error('train.csv not found: set DIGIT_DATA_DIR');
  const backend = await initBackend('auto');
  const work = tempDir('digit-bench-ft-');
  const modelArg = process.argv.indexOf('--model');
  const trainedModel = modelArg >= 0 ? path.resolve(process.argv[modelArg + 1] ?? '') : undefined;
  const train = trainedModel ? path.join(data, 'train.csv') : await slice(data, 'train.csv', 7000);
  const samplesFile = path.join(work, 'my-digits.csv');
  const teach = personalImages(TEACH);
  fs.writeFileSync(samplesFile, samplesCsv(teach));
  const others = personalImages(OTHERS);

  // --settings '{"learningRate":2e-4}' tries other fine-tune settings than the defaults; a JSON
  // array tries each in turn on the same base models (a paired comparison).
  const settingsArg = process.argv.indexOf('--settings');
  const variants = settingsArg >= 0 ? parseSettings(process.argv[settingsArg + 1]) : [{}];
  const bases: Base[] = [];
  // Further rows no run trained on: for a model trained on all of train.csv, all of its own
  // validation rows (the command reports 2,000 of them); for the small bases 5,000 rows past their slice.
  let extra: DigitImages;
  if (trainedModel) {
    const m = readMetadata(trainedModel);
    if (!m?.trainingFile || m.seed === undefined || !m.validationSplit) throw new Error(`--model ${trainedModel}: no metadata.json naming its training file, seed and validation split (a model folder saved by \`digit-recognizer train\` with a validation split)`);
    const split = splitOf(m)!;
    bases.push({ name: `${m.name} (${m.epochs} epochs on ${path.basename(train)})`, dir: trainedModel, split });
    const read = await readWithSplit(train, split);
    if (!read.split) throw new Error(`--model ${trainedModel}: ${path.basename(train)} is not the file it was trained on`);
    extra = replayAndHeldOut(read.data, read.split, Infinity, 0).heldOut;
  } else {
    await addSmallBases(bases, train, work);
    extra = await readDigitCsv(await slice(data, 'train.csv', 5000, 20_000), { expect: 'train' });
  }

  console.log(`${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0]?.model.trim()} · load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} · ${backend.name}`);
  console.log(`| base model | other drawings right, before → after (mistakes fixed / made) | held-out drawings | held-out train.csv rows (as reported) | ${trainedModel ? `all ${extra.count} validation rows` : '5,000 further rows'} (mistakes fixed / made) | fine-tune job | prediction + map |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const base of bases) {
    const beforeOthers = await mistakes(base.dir, others);
    const beforeExtra = await mistakes(base.dir, extra);
    for (const variant of variants) {
      const settings = { ...DEFAULT_FINE_TUNE_SETTINGS, ...variant };
      const outDir = path.join(work, `${path.basename(base.dir)}-tuned`);
      const started = performance.now();
      const job = await runFineTuneJob({ modelDir: base.dir, samplesFile, replayFile: train, split: base.split, outDir, name: `${base.name} + my digits`, settings });
      const seconds = (performance.now() - started) / 1000;
      const afterOthers = await mistakes(outDir, others);
      const afterExtra = await mistakes(outDir, extra);
      const r = job.result;
      const flips = (b: Set<number>, a: Set<number>) => `${[...b].filter((i) => !a.has(i)).length} / ${[...a].filter((i) => !b.has(i)).length}`;
      const count = (v: number | undefined) => `${Math.round((v ?? 0) * r.heldOutSamples)}/${r.heldOutSamples}`;
      const label = settingsArg >= 0 ? `${base.name}, ${JSON.stringify(variant)}` : base.name;
      console.log(
        `| ${label} | ${pct(beforeOthers.wrong.size, others.count)} → ${pct(afterOthers.wrong.size, others.count)} of ${others.count} (${flips(beforeOthers.wrong, afterOthers.wrong)}) | ${count(r.before.samples)} → ${count(r.after.samples)} | ${(r.before.heldOut * 100).toFixed(2)}% → ${(r.after.heldOut * 100).toFixed(2)}% of ${r.heldOutRows} (${job.heldOutFrom}) | ${pct(beforeExtra.wrong.size, extra.count)} → ${pct(afterExtra.wrong.size, extra.count)} (${flips(beforeExtra.wrong, afterExtra.wrong)}) | ${seconds.toFixed(1)} s (training ${r.steps} steps, ${r.changeKept * 100}% of the change kept) | ${(await explainMs(base.dir)).toFixed(1)} ms |`,
      );
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
})().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
