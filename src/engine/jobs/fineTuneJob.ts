// The fine-tune job, run in the engine worker: reads the user's samples and the training CSV,
// fine-tunes a copy of the base model (fineTune.ts) and saves it as a new model, atomically. The
// base model's folder is only read, so a failed or cancelled run leaves it, and every other
// model, as it was.
import * as path from 'path';
import { readWithSplit, type SplitRead, type SplitSpec } from '../data/validationSplit';
import type { ModelMetadata } from '../model/metadata';
import { hashFile } from '../core/files';
import { saveModelDir } from '../model/persistence';
import { checkModelOutputDir } from '../model/modelDir';
import { loadAnyModel } from '../model/loadModel';
import { readMetadata } from '../model/metadata';
import { networksOf } from '../model/networks';
import { disposeModel } from '../model/architectures';
import { createRandom, shuffle } from '../core/random';
import { subset } from '../data/dataset';
import { readSamples } from '../data/samples';
import { type FineTuneResult, fineTune } from '../training/fineTune';
import type { FineTuneSettings } from '../../shared/training';
import { InputError, throwIfAborted } from '../core/errors';
import { startJob, type JobContext } from './context';
import type { DigitImages } from '../core/types';

export interface FineTuneJob {
  /** The base model: a store folder (or any location loadAnyModel reads). */
  modelDir: string;
  samplesFile: string;
  /** A train-format CSV to replay rows from and to hold rows out of: the Kaggle train.csv. */
  replayFile: string;
  /**
   * The base model's validation split of `replayFile` (data/validationSplit.ts): replayed rows then
   * come from its training part and held-out rows from its validation part, so neither the base
   * model nor this run has seen the rows measured. Ignored when the file's SHA-256 differs.
   */
  split?: SplitSpec;
  outDir: string;
  name: string;
  settings: FineTuneSettings;
  /** At most this many held-out rows are measured (a seeded choice). Default 2,000. */
  heldOutRows?: number;
  /** Without a split: rows read from `replayFile`, the last of them held out. Default 10,000. */
  rowsWithoutSplit?: number;
}

export interface FineTuneJobResult {
  dir: string;
  metadata: ModelMetadata;
  result: FineTuneResult;
  /** 'validation': held-out rows from the base model's own validation split; 'tail': the last rows read. */
  heldOutFrom: 'validation' | 'tail';
  note?: string;
}

/**
 * Fine-tuning changes one network's weights a little, measured against that network; a model of
 * several would need each network tuned and measured, which has not been measured to help. Said
 * before any work, with what works instead.
 */
function refuseSeveralNetworks(location: string, networks: number | undefined): void {
  if (networks !== undefined && networks > 1) {
    throw new InputError(`${path.basename(location)} is a model of ${networks} networks; Fine-Tune on My Drawings tunes a model of one network. The pad's memory of your kept drawings works with this model (no fine-tune needed), or train a one-network model (setting digitRecognizer.networks = 1) and fine-tune that.`, location);
  }
}

export async function runFineTuneJob(job: FineTuneJob, context: JobContext = {}): Promise<FineTuneJobResult> {
  checkModelOutputDir(job.outDir);
  refuseSeveralNetworks(job.modelDir, readMetadata(job.modelDir)?.networks);
  const { emit, backend } = await startJob(context);
  const samples = await readSamples(job.samplesFile);
  if (samples.count === 0) {
    throw new InputError(`${path.basename(job.samplesFile)} holds no labelled drawings yet: draw digits on the Digit Pad and click their labels to add some.`, job.samplesFile);
  }
  const samplesSha256 = await hashFile(job.samplesFile);
  throwIfAborted(context.signal);

  const readStarted = performance.now();
  const { data, split, unusable } = await readWithSplit(job.replayFile, job.split, {
    rowsWithoutSplit: job.rowsWithoutSplit ?? 10_000,
    signal: context.signal,
    onProgress: (p) => emit({ kind: 'reading', file: job.replayFile, ...p }),
  });
  emit({ kind: 'read', file: job.replayFile, rows: data.count, seconds: (performance.now() - readStarted) / 1000 });
  let note = unusable === 'changed' ? `${path.basename(job.replayFile)} is not the file the model was trained on (or changed since), so its validation rows are unknown: the last rows read are held out instead.` : undefined;
  const { replay, heldOut } = replayAndHeldOut(data, split, job.heldOutRows ?? 2000, job.settings.seed);
  if (!split) note ??= `The base model's validation rows are not known, so the last ${heldOut.count.toLocaleString('en-US')} rows read of ${path.basename(job.replayFile)} are held out (not fine-tuned on; the base model may have seen them).`;

  const { model, metadata: base } = await loadAnyModel(job.modelDir);
  try {
    refuseSeveralNetworks(job.modelDir, networksOf(model).length);
    const result = await fineTune(model, { samples, replay, heldOut }, job.settings, base?.pixelScale, {
      signal: context.signal,
      onStep: (progress) => emit({ kind: 'fineTune', progress }),
    });
    throwIfAborted(context.signal);
    const fromSplit = !!split && !!base?.trainingFile;
    const metadata: ModelMetadata = {
      formatVersion: 1,
      name: job.name,
      created: new Date().toISOString(),
      architecture: base?.architecture ?? 'imported',
      ...(base?.pixelScale ? { pixelScale: base.pixelScale } : {}),
      // The base model's split stays valid (nothing of its validation part was trained on), so
      // Evaluate Model can still recreate it; otherwise the model's origin is unknown.
      ...(fromSplit ? { seed: base!.seed, validationSplit: base!.validationSplit, trainRows: base!.trainRows, validationRows: base!.validationRows, trainingFile: base!.trainingFile } : {}),
      ...(base?.source ? { source: base.source } : {}),
      final: { loss: result.lastLoss, accuracy: result.lastAccuracy, valAccuracy: result.after.heldOut },
      backend: backend.name,
      trainingSeconds: Math.round(result.seconds * 10) / 10,
      fineTuned: {
        base: base?.name ?? path.basename(job.modelDir),
        samples: { name: path.basename(job.samplesFile), rows: samples.count, sha256: samplesSha256 },
        replay: { name: path.basename(job.replayFile), rows: result.replayRows },
        heldOutFrom: fromSplit ? 'validation' : 'tail',
        heldOutRows: result.heldOutRows,
        heldOutSamples: result.heldOutSamples,
        trainedSamples: result.trainedSamples,
        before: result.before,
        after: result.after,
        changeKept: result.changeKept,
        settings: job.settings,
      },
    };
    emit({ kind: 'saving', dir: job.outDir });
    await saveModelDir(model, metadata, job.outDir);
    return { dir: job.outDir, metadata, result, heldOutFrom: fromSplit ? 'validation' : 'tail', note };
  } finally {
    disposeModel(model);
  }
}

/**
 * Rows to replay and rows to measure on. With the base model's split: its training part and (a
 * seeded choice of) its validation part. Without: the last rows held out, the rest replayed.
 */
export function replayAndHeldOut(data: DigitImages, split: SplitRead['split'], maxHeldOut: number, seed: number): { replay: DigitImages; heldOut: DigitImages } {
  if (split) {
    const { train, validation } = split;
    const chosen = validation.length > maxHeldOut ? shuffle(validation.slice(), createRandom(seed)).slice(0, maxHeldOut).sort() : validation;
    return { replay: subset(data, train), heldOut: subset(data, chosen) };
  }
  const held = Math.min(maxHeldOut, Math.floor(data.count / 5));
  if (held === 0) throw new InputError(`${data.count} row(s) are too few to replay and to hold rows out of: pick the Kaggle train.csv.`);
  const all = Uint32Array.from({ length: data.count }, (_, i) => i);
  return { replay: subset(data, all.subarray(0, data.count - held)), heldOut: subset(data, all.subarray(data.count - held)) };
}
