// Train Model's job, for the CLI and the engine worker: read the CSV, train, save the model with
// everything known about the run in its metadata. Given unlabelled rows too, it trains twice:
// a first model on the labelled rows, then the saved one on those and the unlabelled rows the
// first was sure of (training/pseudoLabels.ts).
import * as path from 'path';
import { readDigitCsv } from '../data/csv';
import { hashFile } from '../core/files';
import { throwIfAborted } from '../core/errors';
import { trainModel, type TrainResult } from '../training/train';
import { pseudoLabel, type PseudoLabelled } from '../training/pseudoLabels';
import { saveModelDir } from '../model/persistence';
import { checkModelOutputDir } from '../model/modelDir';
import { disposeModel } from '../model/architectures';
import { defaultModelName, modelFolderName } from '../model/naming';
import type { ModelMetadata, PseudoLabelInfo } from '../model/metadata';
import type { BatchProgress, EpochStats, TrainSettings } from '../../shared/training';
import { BatchHistoryRecorder } from '../../shared/series';
import { startJob, type JobContext } from './context';

export interface TrainJob {
  trainFile: string;
  /**
   * Unlabelled rows (Kaggle's test.csv) to learn from too: a first model labels those it gives at
   * least `settings.pseudoLabelConfidence`, and the saved model trains on them as well.
   */
  unlabelledFile?: string;
  settings: TrainSettings;
  /** Folder the model is saved into (replaced atomically when it exists). */
  outDir: string;
  name: string;
  /** Train on (and learn from) the first N rows of each file only. */
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
  const read = async (file: string, expect: 'train' | 'test') => {
    const readStarted = performance.now();
    const [images, sha256] = await Promise.all([
      readDigitCsv(file, { expect, limit: job.limit, signal: context.signal, onProgress: (p) => emit({ kind: 'reading', file, ...p }) }),
      hashFile(file),
    ]);
    emit({ kind: 'read', file, rows: images.count, seconds: (performance.now() - readStarted) / 1000 });
    return { images, file: { name: path.basename(file), rows: images.count, sha256 } };
  };
  const labelled = await read(job.trainFile, 'train');
  const unlabelled = job.unlabelledFile === undefined ? undefined : await read(job.unlabelledFile, 'test');
  const data = labelled.images;
  let batchHistory: BatchHistoryRecorder | undefined;
  const callbacks = {
    signal: context.signal,
    onBatch: (progress: BatchProgress) => {
      (batchHistory ??= new BatchHistoryRecorder(progress.batches)).add(progress.batchLoss, progress.batchAccuracy);
      emit({ kind: 'batch', progress });
    },
    onEpoch: (stats: EpochStats) => emit({ kind: 'epoch', stats }),
  };
  let pseudoLabels: PseudoLabelInfo | undefined;
  let result: TrainResult;
  if (unlabelled) {
    const confidence = job.settings.pseudoLabelConfidence;
    emit({ kind: 'stage', stage: 1, stages: 3, text: `First model, on ${labelled.file.name}'s labelled rows` });
    const first = await trainModel(data, job.settings, callbacks);
    let extra: PseudoLabelled;
    try {
      emit({ kind: 'stage', stage: 2, stages: 3, text: `Reading ${unlabelled.file.name} with the first model` });
      extra = await pseudoLabel(first.model, unlabelled.images, confidence, { signal: context.signal, onProgress: (done, total) => emit({ kind: 'predicting', done, total }) });
    } finally {
      disposeModel(first.model);
    }
    const share = `${extra.images.count.toLocaleString('en-US')} of ${extra.total.toLocaleString('en-US')}`;
    emit({ kind: 'stage', stage: 3, stages: 3, text: `Final model, on the labelled rows and ${share} ${unlabelled.file.name} rows read with ≥ ${confidence} confidence` });
    batchHistory = undefined;
    result = await trainModel(data, job.settings, callbacks, { extraTrainRows: extra.images });
    result.seconds += first.seconds;
    pseudoLabels = { file: unlabelled.file, confidence, rows: extra.images.count, first: { valAccuracy: first.history[first.history.length - 1].valAccuracy, seconds: Math.round(first.seconds * 10) / 10 } };
  } else {
    result = await trainModel(data, job.settings, callbacks);
  }
  try {
    const last = result.history[result.history.length - 1];
    // A threshold the run did not use is not recorded.
    const { arch, pseudoLabelConfidence, ...settings } = job.settings;
    const metadata: ModelMetadata = {
      formatVersion: 1,
      name: job.name,
      created: new Date().toISOString(),
      architecture: arch,
      ...settings,
      ...(pseudoLabels ? { pseudoLabelConfidence } : {}),
      final: { loss: last.loss, accuracy: last.accuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy },
      history: result.history,
      batchHistory: batchHistory?.toJSON(),
      backend: backend.name,
      trainingSeconds: Math.round(result.seconds * 10) / 10,
      trainingThreads: result.threads,
      trainRows: result.trainCount,
      validationRows: result.validationCount,
      trainingFile: labelled.file,
      pseudoLabels,
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
