// Train Model's job, for the CLI and the engine worker: read the CSV, train, save the model with
// everything known about the run in its metadata.
import * as path from 'path';
import { readDigitCsv } from '../data/csv';
import { hashFile } from '../core/files';
import { throwIfAborted } from '../core/errors';
import { trainModel } from '../training/train';
import { saveModelDir } from '../model/persistence';
import { checkModelOutputDir } from '../model/modelDir';
import { disposeModel } from '../model/architectures';
import { defaultModelName, modelFolderName } from '../model/naming';
import type { ModelMetadata } from '../model/metadata';
import type { TrainSettings } from '../../shared/training';
import { BatchHistoryRecorder } from '../../shared/series';
import { startJob, type JobContext } from './context';

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
  const { emit, backend } = await startJob(context);
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

/** A new model's name and folder name when none is given: the file, the date and the architecture. */
export function trainOutputNames(trainFile: string, arch: string, created = new Date()): { name: string; folder: string } {
  return { name: defaultModelName(trainFile, arch, created), folder: modelFolderName(arch, created) };
}
