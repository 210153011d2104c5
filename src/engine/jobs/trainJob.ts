// Train Model's job, for the CLI and the engine worker: read the CSV, train, save the model with
// everything known about the run in its metadata. Given unlabelled rows too, it trains twice:
// a first model on the labelled rows, then the saved one on those and the unlabelled rows the
// first was sure of (training/pseudoLabels.ts).
import * as path from 'path';
import { readDigitCsv } from '../data/csv';
import { hashFile } from '../core/files';
import { InputError, isCancelled, throwIfAborted } from '../core/errors';
import { RECIPE_NAMES, isRecipeName, type RecipeName } from '../../shared/recipes';
import { memberSeed, trainModel, validate, type TrainResult } from '../training/train';
import { pseudoLabel, type PseudoLabelled } from '../training/pseudoLabels';
import { saveModelDir } from '../model/persistence';
import { checkModelOutputDir } from '../model/modelDir';
import { disposeModel } from '../model/architectures';
import { defaultModelName, modelFolderName } from '../model/naming';
import type { ModelMetadata, NetworkResult, PseudoLabelInfo } from '../model/metadata';
import { KEEP_FINISHED_NETWORKS, type BatchProgress, type EpochStats, type TrainSettings } from '../../shared/training';
import { BatchHistoryRecorder } from '../../shared/series';
import { startJob, type JobContext } from './context';
import { combineNetworks } from '../model/networks';
import { stratifiedSplit, subset } from '../data/dataset';
import { createRandom } from '../core/random';
import type { DigitImages } from '../core/types';

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
  /** The recipe the settings came from (shared/recipes.ts), recorded in the metadata. */
  recipe?: RecipeName;
}

export interface TrainJobResult {
  dir: string;
  metadata: ModelMetadata;
}

export async function runTrainJob(job: TrainJob, context: JobContext = {}): Promise<TrainJobResult> {
  // Before any work: a place the model cannot go, or that holds what is not ours, fails now.
  checkModelOutputDir(job.outDir);
  if (job.recipe !== undefined && !isRecipeName(job.recipe)) throw new InputError(`Unknown recipe ${JSON.stringify(job.recipe)}: one of ${RECIPE_NAMES.join(', ')}`);
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
  const networks = job.settings.networks;
  // Stages: the first model and its reading of the unlabelled rows (when learning from them),
  // then each network. A network on the labelled and pseudo-labelled rows takes ~1.6× the time.
  const finalWeight = unlabelled ? 1.6 : 1;
  const total = (unlabelled ? 1 : 0) + networks * finalWeight;
  const stages = (unlabelled ? 2 : 0) + networks;
  let stage = 0;
  let done = 0;
  const announce = (text: string, weight: number, network?: number) => {
    if (stages > 1) emit({ kind: 'stage', stage: ++stage, stages, text, span: [done / total, (done + weight) / total], ...(network ? { network: { index: network, of: networks } } : {}) });
    done += weight;
  };
  let pseudoLabels: PseudoLabelInfo | undefined;
  let extraTrainRows: PseudoLabelled['images'] | undefined;
  let firstSeconds = 0;
  if (unlabelled) {
    const confidence = job.settings.pseudoLabelConfidence;
    announce(`First model, on ${labelled.file.name}'s labelled rows`, 1);
    const first = await trainModel(data, job.settings, callbacks);
    let extra: PseudoLabelled;
    try {
      announce(`Reading ${unlabelled.file.name} with the first model`, 0);
      extra = await pseudoLabel(first.model, unlabelled.images, confidence, { signal: context.signal, onProgress: (done, total) => emit({ kind: 'predicting', done, total }) });
    } finally {
      disposeModel(first.model);
    }
    extraTrainRows = extra.images;
    firstSeconds = first.seconds;
    pseudoLabels = { file: unlabelled.file, confidence, rows: extra.images.count, first: { valAccuracy: first.history[first.history.length - 1].valAccuracy, seconds: Math.round(first.seconds * 10) / 10 } };
  }
  const rowsText = pseudoLabels ? `on the labelled rows and ${pseudoLabels.rows.toLocaleString('en-US')} of ${pseudoLabels.file.rows.toLocaleString('en-US')} ${pseudoLabels.file.name} rows read with ≥ ${pseudoLabels.confidence} confidence` : '';
  const trained: TrainResult[] = [];
  // Cancelled with KEEP_FINISHED_NETWORKS, the networks already finished make the model.
  let keptFinished = false;
  // The curves of the last network finished (not of one cancelled half-way).
  let finishedBatchHistory: ReturnType<BatchHistoryRecorder['toJSON']> | undefined;
  try {
    for (let member = 0; member < networks; member++) {
      announce(networks > 1 ? `Network ${member + 1} of ${networks}${rowsText ? `, ${rowsText}` : ''}` : `Final model, ${rowsText}`, finalWeight, networks > 1 ? member + 1 : undefined);
      // The dashboard's curves follow the network training now.
      batchHistory = undefined;
      trained.push(await trainModel(data, job.settings, callbacks, { extraTrainRows, member }));
      finishedBatchHistory = (batchHistory as BatchHistoryRecorder | undefined)?.toJSON();
    }
  } catch (err) {
    keptFinished = isCancelled(err) && context.signal?.reason === KEEP_FINISHED_NETWORKS && trained.length > 0;
    if (!keptFinished) {
      for (const run of trained) disposeModel(run.model);
      throw err;
    }
  }
  // Once kept, the rest is short and is not cancelled again.
  const signal = keptFinished ? undefined : context.signal;
  const result = trained.length > 1 ? await combined(trained, data, job.settings, signal) : { ...trained[0], networks: undefined, whole: undefined };
  result.seconds += firstSeconds;
  try {
    const last = result.history[result.history.length - 1];
    // A threshold the run did not use is not recorded.
    const { arch, pseudoLabelConfidence, ...settings } = job.settings;
    const metadata: ModelMetadata = {
      formatVersion: 1,
      name: job.name,
      created: new Date().toISOString(),
      architecture: arch,
      ...(job.recipe ? { recipe: job.recipe } : {}),
      ...settings,
      networks: trained.length,
      ...(pseudoLabels ? { pseudoLabelConfidence } : {}),
      // A model of several networks measures as a whole; its networks' own measures are in networkResults.
      final: { loss: last.loss, accuracy: last.accuracy, valLoss: result.whole?.valLoss ?? last.valLoss, valAccuracy: result.whole?.valAccuracy ?? last.valAccuracy },
      history: result.history,
      batchHistory: finishedBatchHistory,
      backend: backend.name,
      trainingSeconds: Math.round(result.seconds * 10) / 10,
      trainingThreads: result.threads,
      trainRows: result.trainCount,
      validationRows: result.validationCount,
      trainingFile: labelled.file,
      pseudoLabels,
      networkResults: result.networks,
    };
    throwIfAborted(signal);
    emit({ kind: 'saving', dir: job.outDir });
    await saveModelDir(result.model, metadata, job.outDir);
    return { dir: job.outDir, metadata };
  } finally {
    disposeModel(result.model);
  }
}

/**
 * The networks trained for one model, as one model averaging them (model/networks.ts), measured
 * on the validation rows they share: the whole model's accuracy is its validation accuracy.
 */
async function combined(trained: TrainResult[], labelled: DigitImages, settings: TrainSettings, signal?: AbortSignal): Promise<TrainResult & { networks: NetworkResult[]; whole?: { valLoss: number; valAccuracy: number } }> {
  const model = combineNetworks(trained.map((run) => run.model));
  const last = trained[trained.length - 1];
  const networks: NetworkResult[] = trained.map((run, member) => ({
    seed: memberSeed(settings.seed, member),
    valAccuracy: run.history[run.history.length - 1].valAccuracy,
    seconds: Math.round(run.seconds * 10) / 10,
  }));
  let whole: { valLoss: number; valAccuracy: number } | undefined;
  if (settings.validationSplit > 0) {
    const validation = subset(labelled, stratifiedSplit(labelled.labels!, settings.validationSplit, createRandom(settings.seed)).validation);
    try {
      whole = await validate(model, validation, signal);
    } catch (err) {
      disposeModel(model);
      throw err;
    }
  }
  return { ...last, model, seconds: trained.reduce((sum, run) => sum + run.seconds, 0), networks, whole };
}

/** A new model's name and folder name when none is given: the file, the date and the architecture. */
export function trainOutputNames(trainFile: string, arch: string, created = new Date()): { name: string; folder: string } {
  return { name: defaultModelName(trainFile, arch, created), folder: modelFolderName(arch, created) };
}
