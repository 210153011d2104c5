// The insight panels' jobs, run in the engine worker (never on the extension host's thread):
// evaluating a model on a labelled CSV (or the validation split it was trained with) and
// computing a CSV's statistics for the dataset explorer.
import * as fs from 'fs';
import * as path from 'path';
import { readDigitCsv } from '../data/csv';
import { readWithSplit, type SplitSpec } from '../data/validationSplit';
import { loadAnyModel } from '../model/loadModel';
import { networkAccuracies, predictImages } from '../inference/predict';
import { subset } from '../data/dataset';
import { type Evaluation, buildEvaluation } from '../inference/evaluation';
import { type DatasetStats, datasetStats } from '../data/datasetStats';
import { InputError, throwIfAborted } from '../core/errors';
import { disposeModel } from '../model/architectures';
import { saliencyMaps } from '../inference/saliency';
import { PIXELS } from '../core/types';
import { startJob, type JobContext } from './context';
import type { DigitImages } from '../core/types';

export interface EvaluateJob {
  modelDir: string;
  file: string;
  /** Evaluate on the model's validation split of `file`, drawn again (data/validationSplit.ts). */
  split?: SplitSpec;
}

export interface EvaluateJobResult extends Evaluation {
  /** Per image of `mistakes`, its gradient × input map (784 values −127…127): toward the prediction (+) or the true digit (−). */
  mistakeMaps: Int8Array;
  /** 'validation': the recreated validation split; 'file': every row of the file. */
  source: 'validation' | 'file';
  /** Why a requested split was not used, if so. */
  note?: string;
  /** A model of several networks: each network's own accuracy on the same rows. */
  networkAccuracies?: number[];
  backend: string;
  seconds: number;
}

export async function runEvaluateJob(job: EvaluateJob, context: JobContext = {}): Promise<EvaluateJobResult> {
  const { emit, backend, started } = await startJob(context);
  const { data, split, unusable } = await readWithSplit(job.file, job.split, {
    signal: context.signal,
    onProgress: (p) => emit({ kind: 'reading', file: job.file, ...p }),
  });
  const note =
    unusable === 'changed'
      ? `${path.basename(job.file)} changed since the model was trained, so its validation split cannot be recreated: every row was evaluated.`
      : unusable === 'none'
        ? 'The model was trained without a validation split: every row was evaluated.'
        : undefined;
  const rows = split?.validation;
  const images: DigitImages = rows ? subset(data, rows) : data;
  if (rows && images.count === 0) throw new InputError(`The validation split of ${path.basename(job.file)} is empty.`, job.file);
  const { model, metadata } = await loadAnyModel(job.modelDir);
  try {
    const predictions = await predictImages(model, images, {
      pixelScale: metadata?.pixelScale,
      signal: context.signal,
      onProgress: (done, total) => emit({ kind: 'predicting', done, total }),
    });
    const evaluation = buildEvaluation(images, predictions, { rows });
    // "See why" for the most confident mistakes: what pushed each toward its wrong prediction
    // and what toward its true digit, in one batched backward pass.
    const mistakeMaps = evaluation.mistakes.length
      ? saliencyMaps(model, mistakePixels(evaluation), metadata?.pixelScale, evaluation.mistakes.map((k) => evaluation.examples[k].truth)).maps
      : new Int8Array(0);
    const perNetwork = await networkAccuracies(model, images, { pixelScale: metadata?.pixelScale, signal: context.signal });
    return { ...evaluation, mistakeMaps, source: rows ? 'validation' : 'file', note, networkAccuracies: perNetwork, backend: backend.name, seconds: (performance.now() - started) / 1000 };
  } finally {
    disposeModel(model);
  }
}

export interface ExploreJob {
  file: string;
  samplesPerDigit?: number;
}

export interface ExploreJobResult {
  file: string;
  bytes: number;
  format: 'train' | 'test' | 'unknown';
  stats: DatasetStats;
  seconds: number;
  /** The first row the parser rejected: the stats then cover the rows before it. */
  rejected?: { message: string; line?: number; column?: number };
}

export async function runExploreJob(job: ExploreJob, context: JobContext = {}): Promise<ExploreJobResult> {
  const started = performance.now();
  const emit = context.onEvent ?? (() => undefined);
  const bytes = (await fs.promises.stat(job.file).catch(() => undefined))?.size ?? 0;
  const read = (limit?: number) =>
    readDigitCsv(job.file, { limit, signal: context.signal, onProgress: (p) => emit({ kind: 'reading', file: job.file, ...p }) });
  let rejected: ExploreJobResult['rejected'];
  let data: Awaited<ReturnType<typeof readDigitCsv>> | undefined;
  try {
    data = await read();
  } catch (err) {
    if (!(err instanceof InputError) || bytes === 0) throw err;
    rejected = { message: err.message, line: err.line, column: err.column };
    // The parser stops at the first bad row: show what comes before it.
    if (err.line !== undefined && err.line > 2) data = await read(err.line - 2).catch(() => undefined);
  }
  throwIfAborted(context.signal);
  const empty: DigitImages = { count: 0, pixels: new Uint8Array(0), labels: null };
  const stats = datasetStats(data ?? empty, { samplesPerDigit: job.samplesPerDigit ?? 12 });
  return { file: job.file, bytes, format: data?.format ?? 'unknown', stats, seconds: (performance.now() - started) / 1000, rejected };
}

/** The mistakes' images, in the order of `evaluation.mistakes`. */
function mistakePixels(evaluation: Evaluation): Uint8Array {
  const out = new Uint8Array(evaluation.mistakes.length * PIXELS);
  evaluation.mistakes.forEach((k, i) => out.set(evaluation.pixels.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS));
  return out;
}
