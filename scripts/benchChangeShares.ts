// How much of a fine-tuning run's change a model needs, and what each share costs: fine-tunes a
// model trained on train.csv on the personal-style drawings (as benchFineTune.ts), then counts
// mistakes with the weights 0, ¼, ½, ¾ and all of the way from the base to the fully tuned ones
// (keepLeastChange is bypassed: the job's model is rebuilt from the two ends) on the 300 other
// drawings, on the model's validation rows and on 8,000 of its training rows set aside from the
// run's replay. For docs/FINE_TUNE.md.
//
//   npx tsx scripts/benchChangeShares.ts <model folder saved by `digit-recognizer train`> [--seed N]
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { CHANGE_SHARES, fineTune } from '../src/engine/training/fineTune';
import { DEFAULT_FINE_TUNE_SETTINGS } from '../src/shared/training';
import { replayAndHeldOut } from '../src/engine/jobs/fineTuneJob';
import { loadAnyModel } from '../src/engine/model/loadModel';
import { disposeModel } from '../src/engine/model/architectures';
import { readMetadata, splitOf } from '../src/engine/model/metadata';
import { readWithSplit } from '../src/engine/data/validationSplit';
import { predictImages } from '../src/engine/inference/predict';
import { createRandom, shuffle } from '../src/engine/core/random';
import { readSamples } from '../src/engine/data/samples';
import { subset } from '../src/engine/data/dataset';
import type { DigitImages } from '../src/engine/core/types';
import { personalImages, samplesCsv } from '../test/support/personalImages';
import { dataDir, tempDir } from '../test/support/data';

(async () => {
  const modelDir = path.resolve(process.argv[2] ?? '');
  const seedArg = process.argv.indexOf('--seed');
  const seed = seedArg >= 0 ? Number(process.argv[seedArg + 1]) : DEFAULT_FINE_TUNE_SETTINGS.seed;
  const m = readMetadata(modelDir);
  if (!m?.trainingFile || m.seed === undefined || !m.validationSplit) throw new Error(`${modelDir}: not a model folder saved by \`digit-recognizer train\` with a validation split`);
  const data = dataDir();
  if (!data) throw new Error('train.csv not found: set DIGIT_DATA_DIR');
  await initBackend('auto');
  const { data: rows, split } = await readWithSplit(path.join(data, 'train.csv'), splitOf(m));
  if (!split) throw new Error(`${modelDir}: its validation split cannot be drawn again from train.csv`);
  // As the job: 2,000 of the validation rows held out, replay from the training part, except
  // for 8,000 of its rows set aside so that the run never replays them.
  const { replay: trainPart, heldOut } = replayAndHeldOut(rows, split, 2000, seed);
  const validation = replayAndHeldOut(rows, split, Infinity, 0).heldOut;
  const order = shuffle(Uint32Array.from({ length: trainPart.count }, (_, i) => i), createRandom(7));
  const unreplayed = subset(trainPart, order.subarray(0, 8000));
  const replay = subset(trainPart, order.subarray(8000));

  const work = tempDir('digit-shares-');
  const samplesFile = path.join(work, 'my-digits.csv');
  const teach = personalImages([0, 1, 2, 3, 4]);
  fs.writeFileSync(samplesFile, samplesCsv(teach));
  const others = personalImages(Array.from({ length: 30 }, (_, i) => 100 + i));

  const { model: tuned } = await loadAnyModel(modelDir);
  const { model } = await loadAnyModel(modelDir);
  const base = model.getWeights().map((w) => w.clone());
  const result = await fineTune(tuned, { samples: await readSamples(samplesFile), replay, heldOut }, { ...DEFAULT_FINE_TUNE_SETTINGS, seed }, m.pixelScale);
  // fineTune keeps only result.changeKept of the change: the whole change is base + (kept − base) / share.
  const whole = tuned.getWeights().map((w, i) => tf.tidy(() => tf.add(base[i], tf.div(tf.sub(w, base[i]), result.changeKept))));
  const wrong = async (images: DigitImages) => {
    const p = await predictImages(model, images, { pixelScale: m.pixelScale });
    return images.labels!.filter((l, i) => p.labels[i] !== l).length;
  };
  console.log(`${path.basename(modelDir)}, fine-tune seed ${seed}: the job kept ${result.changeKept * 100}% (its choice among ${CHANGE_SHARES.join(', ')})`);
  console.log(`| share of the change | other drawings wrong of ${others.count} | validation rows wrong of ${validation.count} | unreplayed training rows wrong of ${unreplayed.count} |`);
  console.log('| --- | --- | --- | --- |');
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    model.setWeights(base.map((b, i) => tf.tidy(() => tf.add(b, tf.mul(tf.sub(whole[i], b), share)))));
    console.log(`| ${share * 100}% | ${await wrong(others)} | ${await wrong(validation)} | ${await wrong(unreplayed)} |`);
  }
  disposeModel(model);
  disposeModel(tuned);
  fs.rmSync(work, { recursive: true, force: true });
})().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
