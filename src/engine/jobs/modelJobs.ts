// Jobs on one model, for the engine worker and the CLI: the pad's predictions (the model and its
// metadata kept loaded between them: the pad asks every 80 ms while a stroke is drawn; the memory
// of the user's kept drawings likewise, rebuilt only when the samples file changes), pictures,
// a folder of pictures, a CSV or JSON of digits, an evaluation for the command line, an import.
import * as fs from 'fs';
import * as path from 'path';
import { readDigitCsv } from '../data/csv';
import { readJsonImages } from '../data/jsonImages';
import { loadAnyModel, type LoadAnyOptions } from '../model/loadModel';
import { importModel } from '../model/importModel';
import { disposeModel } from '../model/architectures';
import { METADATA_FILE } from '../model/modelDir';
import type { LoadedModel } from '../model/persistence';
import { readMetadata, type ModelMetadata } from '../model/metadata';
import { evaluateImages, networkAccuracies, predictImages, predictOne } from '../inference/predict';
import { explainOne } from '../inference/saliency';
import { buildHandMemory, predictWithMemory, type HandMemory, type MemoryPart } from '../inference/handMemory';
import { readSamples } from '../data/samples';
import { classMetrics, confusionMatrix, type ClassMetrics } from '../inference/metrics';
import { predictImageFile, predictImageFolder, type FolderPredictionResult, type ImagePrediction } from '../inference/images';
import type { DigitImages, Prediction, Predictions } from '../core/types';
import { startJob, type JobContext } from './context';

// The types a client of these jobs sees (the engine worker's protocol).
export type { FolderPredictionResult, ImagePrediction, MemoryPart, ModelMetadata };

/**
 * A prediction; when asked for (`explain`), its gradient × input map (inference/saliency.ts);
 * when the memory of kept drawings took part, what it contributed (inference/handMemory.ts).
 */
export interface ExplainedPrediction extends Prediction {
  why?: { contrast: number; map: Int8Array };
  memory?: MemoryPart;
}

/**
 * The last model used, loaded once, with its metadata. The metadata is read again only when its
 * file changed (Load Model File may switch a model's pixel scale while it is loaded here).
 */
export class ModelCache {
  private loaded: { location: string; model: LoadedModel; metadataTime: number } | undefined;

  async get(location: string): Promise<LoadedModel> {
    const metadataTime = modifiedTime(path.join(location, METADATA_FILE));
    if (this.loaded?.location === location) {
      if (this.loaded.metadataTime !== metadataTime && this.loaded.model.metadata) {
        this.loaded.model.metadata = readMetadata(location) ?? this.loaded.model.metadata;
        this.loaded.metadataTime = metadataTime;
      }
      return this.loaded.model;
    }
    this.dispose();
    const model = await loadAnyModel(location);
    this.loaded = { location, model, metadataTime };
    return model;
  }

  dispose(): void {
    if (this.loaded) disposeModel(this.loaded.model.model);
    this.loaded = undefined;
  }
}

/**
 * The memory of the kept drawings in a samples file for the cached model, built again only when
 * the model, its location or the file (path, modification time, size) changed: a kept drawing
 * changes the next prediction, and nothing is recomputed per stroke.
 */
export class HandMemoryCache {
  private kept: { key: string; model: LoadedModel; memory: HandMemory | undefined } | undefined;

  async get(location: string, model: LoadedModel, samplesFile: string): Promise<HandMemory | undefined> {
    const key = JSON.stringify([location, samplesFile, ...fileStamp(samplesFile)]);
    if (this.kept?.key === key && this.kept.model === model) return this.kept.memory;
    // The drawings already embedded for this model are not embedded again.
    const previous = this.kept?.model === model ? this.kept.memory : undefined;
    let memory: HandMemory | undefined;
    try {
      memory = await buildHandMemory(model.model, await readSamples(samplesFile), model.metadata?.pixelScale, previous);
    } catch {
      // A samples file that does not parse: the pad already shows why (its samples list); the
      // model answers alone until it is fixed.
      memory = undefined;
    }
    this.kept = { key, model, memory };
    return memory;
  }
}

/** A file's modification time and size, [0, -1] when it does not exist. */
function fileStamp(file: string): [number, number] {
  try {
    const stat = fs.statSync(file);
    return [stat.mtimeMs, stat.size];
  } catch {
    return [0, -1];
  }
}

/** A file's modification time, 0 when there is none (a Keras file has no metadata.json beside it). */
function modifiedTime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export interface DrawingRequest {
  location: string;
  pixels: Uint8Array;
  /** Add the "see why" map (when the pen lifts). */
  explain: boolean;
  /** The user's kept drawings (the pad's samples file), remembered by HandMemoryCache. */
  samplesFile?: string;
}

/** The pad's question: the digit drawn (with the memory of the kept drawings), and why when asked. */
export async function predictDrawing(cache: ModelCache, request: DrawingRequest, context: JobContext = {}, memories = new HandMemoryCache()): Promise<ExplainedPrediction> {
  await startJob({ ...context, onEvent: undefined });
  const loaded = await cache.get(request.location);
  const { model, metadata } = loaded;
  const memory = request.samplesFile === undefined ? undefined : await memories.get(request.location, loaded, request.samplesFile);
  if (!memory) return request.explain ? explainOne(model, request.pixels, metadata?.pixelScale) : predictOne(model, request.pixels, metadata?.pixelScale);
  const remembered = await predictWithMemory(model, memory, request.pixels, metadata?.pixelScale);
  if (!request.explain) return remembered;
  // The map stays the model's own (a second pass, once per pen lift): which ink pushed it toward
  // the digit shown and which toward its best other digit (its own answer, when the memory overruled it).
  return { ...remembered, why: explainOne(model, request.pixels, metadata?.pixelScale, remembered.label).why };
}

/** The digit in one picture file. */
export async function predictPicture(cache: ModelCache, location: string, file: string, context: JobContext = {}): Promise<ImagePrediction> {
  await startJob(context);
  const { model, metadata } = await cache.get(location);
  return predictImageFile(model, file, metadata?.pixelScale);
}

export interface PredictFolderJob {
  modelDir: string;
  folder: string;
  outFile: string;
  /** The user confirmed replacing `outFile`. */
  replace?: boolean;
}

/** Every picture in a folder → a CSV of predictions. */
export async function runPredictFolderJob(job: PredictFolderJob, context: JobContext = {}, cache = new ModelCache()): Promise<FolderPredictionResult> {
  const { emit } = await startJob(context);
  const { model, metadata } = await cache.get(job.modelDir);
  return predictImageFolder(model, job.folder, job.outFile, {
    pixelScale: metadata?.pixelScale,
    signal: context.signal,
    replace: job.replace,
    onProgress: (done, total) => emit({ kind: 'predicting', done, total }),
  });
}

export interface ImportJob {
  source: string;
  destDir: string;
  name: string;
  pixelScale?: LoadAnyOptions['pixelScale'];
}

/** Load Model File: validate a model from elsewhere and save a clean copy of it. */
export async function runImportJob(job: ImportJob, context: JobContext = {}): Promise<ModelMetadata> {
  await startJob(context);
  return importModel(job.source, job.destDir, job.name, { pixelScale: job.pixelScale });
}

/** A CSV (train or test format) or a JSON file of digits, predicted. */
export async function runPredictFileJob(job: { file: string; model: string }, context: JobContext = {}): Promise<{ images: DigitImages; predictions: Predictions }> {
  const { emit } = await startJob(context);
  const images = job.file.toLowerCase().endsWith('.json') ? readJsonImages(job.file) : await readDigitCsv(job.file, { signal: context.signal });
  const { model, metadata } = await loadAnyModel(job.model);
  try {
    const predictions = await predictImages(model, images, { signal: context.signal, pixelScale: metadata?.pixelScale, onProgress: (done, total) => emit({ kind: 'predicting', done, total }) });
    return { images, predictions };
  } finally {
    disposeModel(model);
  }
}

export interface FileEvaluation {
  rows: number;
  accuracy: number;
  /** matrix[true][predicted]. */
  matrix: number[][];
  classes: ClassMetrics[];
  /** A model of several networks: each network's own accuracy. */
  networkAccuracies?: number[];
}

/** Accuracy, confusion matrix and per-class metrics on a labelled CSV (the CLI's evaluate). */
export async function runEvaluateFileJob(job: { file: string; model: string; limit?: number }, context: JobContext = {}): Promise<FileEvaluation> {
  await startJob(context);
  const { model, metadata } = await loadAnyModel(job.model);
  try {
    const data = await readDigitCsv(job.file, { expect: 'train', signal: context.signal, limit: job.limit });
    const { accuracy, predictions } = await evaluateImages(model, data, { signal: context.signal, pixelScale: metadata?.pixelScale });
    const matrix = confusionMatrix(data.labels!, predictions.labels);
    const perNetwork = await networkAccuracies(model, data, { signal: context.signal, pixelScale: metadata?.pixelScale });
    return { rows: data.count, accuracy, matrix, classes: classMetrics(matrix), networkAccuracies: perNetwork };
  } finally {
    disposeModel(model);
  }
}
