// The product's long-running jobs, shared by the CLI and the extension's worker: each reads a
// CSV, runs the engine and writes its result atomically, reporting progress as plain events.
import * as path from 'path';
import { readDigitCsv } from './csv';
import { initBackend, BackendPreference } from './backend';
import { BatchProgress, EpochStats, TrainSettings, trainModel } from './train';
import { ModelMetadata, hashFile, saveModelDir } from './persistence';
import { loadAnyModel } from './loadModel';
import { predictImages } from './predict';
import { startPredictionPool } from './parallel/parallelPredict';
import { SUBMISSION_OUTPUT, writeSubmission } from './submission';
import { disposeModel } from './models';
import { throwIfAborted } from './errors';
import { checkOutputFile } from './files';
import { checkModelOutputDir } from './modelDir';
import { BatchHistoryRecorder } from '../shared/series';
import type { FineTuneProgress } from './fineTune';

export type JobEvent =
  | { kind: 'backend'; name: string; note?: string }
  | { kind: 'reading'; file: string; rows: number; bytes: number; totalBytes: number }
  | { kind: 'read'; file: string; rows: number; seconds: number }
  | { kind: 'batch'; progress: BatchProgress }
  | { kind: 'epoch'; stats: EpochStats }
  | { kind: 'saving'; dir: string }
  | { kind: 'predicting'; done: number; total: number }
  | { kind: 'fineTune'; progress: FineTuneProgress };

export interface JobContext {
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  backend?: BackendPreference;
}

export interface TrainJob {
  trainFile: string;
  settings: TrainSettings;
  /** Folder the model is saved into (replaced atomically when it exists). */
  outDir: string;
  name: string;
  /** Train on the first N rows only. */
  limit?: number;
}

export interface TrainJobResult {
  dir: string;
  metadata: ModelMetadata;
}

export async function runTrainJob(job: TrainJob, context: JobContext = {}): Promise<TrainJobResult> {
  // Before any work: a place the model cannot go, or that holds what is not ours, fails now.
  checkModelOutputDir(job.outDir);
  const emit = context.onEvent ?? (() => undefined);
  const backend = await initBackend(context.backend);
  emit({ kind: 'backend', name: backend.name, note: backend.note });
  const readStarted = performance.now();
  const [data, sha256] = await Promise.all([
    readDigitCsv(job.trainFile, {
      expect: 'train',
      limit: job.limit,
      signal: context.signal,
      onProgress: (p) => emit({ kind: 'reading', file: job.trainFile, ...p }),
    }),
    hashFile(job.trainFile),
  ]);
  emit({ kind: 'read', file: job.trainFile, rows: data.count, seconds: (performance.now() - readStarted) / 1000 });
  let batchHistory: BatchHistoryRecorder | undefined;
  const result = await trainModel(data, job.settings, {
    signal: context.signal,
    onBatch: (progress) => {
      (batchHistory ??= new BatchHistoryRecorder(progress.batches)).add(progress.batchLoss, progress.batchAccuracy);
      emit({ kind: 'batch', progress });
    },
    onEpoch: (stats) => emit({ kind: 'epoch', stats }),
  });
  try {
    const last = result.history[result.history.length - 1];
    const { arch, ...settings } = job.settings;
    const metadata: ModelMetadata = {
      formatVersion: 1,
      name: job.name,
      created: new Date().toISOString(),
      architecture: arch,
      ...settings,
      final: { loss: last.loss, accuracy: last.accuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy },
      history: result.history,
      batchHistory: batchHistory?.toJSON(),
      backend: backend.name,
      trainingSeconds: Math.round(result.seconds * 10) / 10,
      trainingThreads: result.threads,
      trainRows: result.trainCount,
      validationRows: result.validationCount,
      trainingFile: { name: path.basename(job.trainFile), rows: data.count, sha256 },
    };
    throwIfAborted(context.signal);
    emit({ kind: 'saving', dir: job.outDir });
    await saveModelDir(result.model, metadata, job.outDir);
    return { dir: job.outDir, metadata };
  } finally {
    disposeModel(result.model);
  }
}

export interface SubmissionJob {
  testFile: string;
  model: string;
  outFile: string;
  /** Threads that predict: 0 or absent = one per core, 1 = this thread only. */
  threads?: number;
  /** The user confirmed replacing `outFile` (otherwise only a submission file we wrote is replaced). */
  replace?: boolean;
}

export async function runSubmissionJob(job: SubmissionJob, context: JobContext = {}): Promise<{ rows: number; file: string }> {
  checkOutputFile(job.outFile, { ...SUBMISSION_OUTPUT, replaceConfirmed: job.replace });
  const emit = context.onEvent ?? (() => undefined);
  const backend = await initBackend(context.backend);
  emit({ kind: 'backend', name: backend.name, note: backend.note });
  const { model, metadata } = await loadAnyModel(job.model);
  // The replica threads start (load TF.js and the model) while this thread parses the CSV.
  const pool = startPredictionPool(model, job.threads);
  try {
    const data = await readDigitCsv(job.testFile, {
      expect: 'test',
      signal: context.signal,
      onProgress: (p) => emit({ kind: 'reading', file: job.testFile, ...p }),
    });
    const predictions = await predictImages(model, data, {
      pixelScale: metadata?.pixelScale,
      threads: job.threads,
      pool: await pool,
      signal: context.signal,
      onProgress: (done, total) => emit({ kind: 'predicting', done, total }),
    });
    throwIfAborted(context.signal);
    await writeSubmission(job.outFile, predictions.labels, data.count);
    return { rows: data.count, file: job.outFile };
  } finally {
    await (await pool)?.close();
    model.dispose();
  }
}
