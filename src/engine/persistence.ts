import * as tf from '@tensorflow/tfjs';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from './errors';
import { writeFileAtomic } from './files';
import { parseJson } from './json';
import { MAX_MODEL_JSON_BYTES, METADATA_FILE, MODEL_FILE, WEIGHTS_FILE, checkWeightsManifest, recoverModelDir, writeModelFolder } from './modelDir';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from './types';
import type { EpochStats } from './train';
import type { PixelScale } from './predict';
import type { Accuracies, FineTuneSettings } from './fineTune';
import type { BatchHistory } from '../shared/series';

export { MODEL_FILE, WEIGHTS_FILE, METADATA_FILE } from './modelDir';

/** What we know about a saved model, kept beside it in metadata.json. */
export interface ModelMetadata {
  formatVersion: 1;
  name: string;
  /** ISO date. */
  created: string;
  architecture: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  validationSplit?: number;
  augment?: boolean;
  labelSmoothing?: number;
  /** The weight average's decay (0 or absent: the last step's weights were saved). */
  emaDecay?: number;
  seed?: number;
  final?: { loss: number; accuracy: number; valLoss?: number; valAccuracy?: number };
  history?: EpochStats[];
  /** Per-batch loss and accuracy, averaged into at most 1,000 points (the dashboard's curves). */
  batchHistory?: BatchHistory;
  backend?: string;
  trainingSeconds?: number;
  /** Threads that trained (data parallel when > 1); `threads` is the setting asked for. */
  trainingThreads?: number;
  trainRows?: number;
  validationRows?: number;
  trainingFile?: { name: string; rows: number; sha256: string };
  /** Where an imported model came from. */
  source?: string;
  /** Pixel values the model expects; absent means 'unit' (0–1). Imported Keras models may want 'byte' (0–255). */
  pixelScale?: PixelScale;
  /** Set on a model made by Fine-Tune on My Drawings: what it was made from and how it measured. */
  fineTuned?: FineTuneInfo;
}

export interface FineTuneInfo {
  /** The base model's name. */
  base: string;
  samples: { name: string; rows: number; sha256: string };
  replay: { name: string; rows: number };
  /** Where the held-out training-CSV rows came from: the base model's validation split, or the last rows read. */
  heldOutFrom: 'validation' | 'tail';
  heldOutRows: number;
  heldOutSamples: number;
  trainedSamples: number;
  before: Accuracies;
  after: Accuracies;
  /** Share of the run's change to the weights kept (absent in models fine-tuned before it was chosen). */
  changeKept?: number;
  settings: FineTuneSettings;
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** Present when the folder has a metadata.json (models we trained or imported). */
  metadata?: ModelMetadata;
  dir: string;
}

/**
 * Saves model.json + weights.bin + metadata.json into `dir` as a transaction (modelDir.ts): at
 * every instant `dir` holds the complete old model or the complete new one. `dir` must be new,
 * empty or a model folder of ours; weights that are not finite (a diverged run) are refused, so
 * they never replace a working model.
 */
export async function saveModelDir(model: tf.LayersModel, metadata: ModelMetadata, dir: string): Promise<void> {
  const broken = nonFiniteWeights(model);
  if (broken.length) {
    throw new InputError(
      `The model's weights became NaN or infinite (${describeWeights(broken)}): training diverged (try a lower learning rate). Nothing was saved${fs.existsSync(dir) ? `; ${dir} is unchanged` : ''}.`,
      dir,
    );
  }
  const artifacts = await captureArtifacts(model);
  await writeModelDir(dir, artifacts, metadata);
}

/** Writes model artifacts into `dir` as a transaction (modelDir.ts). */
export async function writeModelDir(dir: string, artifacts: tf.io.ModelArtifacts, metadata: ModelMetadata): Promise<void> {
  const weights = artifacts.weightData ? new Uint8Array(concatWeights(artifacts.weightData)) : new Uint8Array(0);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
  };
  await writeModelFolder(dir, { weights, metadata: JSON.stringify(metadata, null, 2), modelJson: JSON.stringify(modelJson) });
}

/** Writes a JSON file atomically (staging file, flush, rename); errors name `file` in words. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2));
}

/** The names of the model's weights that hold a NaN or an infinity. */
export function nonFiniteWeights(model: tf.LayersModel): string[] {
  const broken: string[] = [];
  for (const weight of model.weights) {
    if (weight.dtype !== 'float32') continue;
    const values = weight.read().dataSync() as Float32Array;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        broken.push(weight.originalName ?? weight.name);
        break;
      }
    }
  }
  return broken;
}

function describeWeights(names: string[]): string {
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
}

/** The model's topology and weights as the layers format stores them. */
export async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  // tfjs saves to file:// only with tfjs-node; a custom save handler works on every backend.
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: false },
  );
  return captured!;
}

function concatWeights(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** Resolves a model folder or a model.json path to the model.json path. */
export function modelJsonPath(location: string): string {
  let stat = fs.statSync(location, { throwIfNoEntry: false });
  // A save killed half-way may have left the model beside its folder: put it back first.
  if (!stat || stat.isDirectory()) recoverModelDir(location);
  else recoverModelDir(path.dirname(location));
  stat = fs.statSync(location, { throwIfNoEntry: false });
  if (!stat) throw new InputError(`Model not found: ${location}`, location);
  return stat.isDirectory() ? path.join(location, MODEL_FILE) : location;
}

/**
 * Loads a TF.js layers model from a folder or a model.json path (weights beside it) and checks
 * it takes one 28×28 digit (28×28×1, 28×28 or 784 values) and outputs ten classes.
 */
export async function loadModelDir(location: string): Promise<LoadedModel> {
  const jsonPath = modelJsonPath(location);
  const dir = path.dirname(jsonPath);
  const artifacts = await readArtifacts(jsonPath);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new InputError(`${jsonPath}: not a loadable TensorFlow.js layers model (${(err as Error).message})`, jsonPath);
  }
  try {
    validateModelShape(model, jsonPath);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, metadata: readMetadata(dir), dir };
}

/** Reads model.json and the weight files its manifest names, with a clear error for each problem. */
export async function readArtifacts(jsonPath: string): Promise<tf.io.ModelArtifacts> {
  const stat = fs.statSync(jsonPath, { throwIfNoEntry: false });
  if (!stat) throw new InputError(`${jsonPath}: file not found (a TF.js model folder holds model.json and its weights)`, jsonPath);
  if (stat.size > MAX_MODEL_JSON_BYTES) throw new InputError(`${jsonPath}: not a model.json (${(stat.size / 1048576).toFixed(0)} MB; a model's topology is a few KB)`, jsonPath);
  const json = parseJson(await fs.promises.readFile(jsonPath, 'utf8'), jsonPath) as { modelTopology?: unknown; format?: string };
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new InputError(`${jsonPath}: not a TensorFlow.js model.json (no "modelTopology")`, jsonPath);
  }
  if (json.format === 'graph-model') {
    throw new InputError(`${jsonPath}: a TF.js graph model; only layers models (Keras-style) can be used`, jsonPath);
  }
  const { paths, specs, bytes } = checkWeightsManifest(json, jsonPath);
  const buffers: Buffer[] = [];
  for (const file of paths) {
    const weightPath = path.join(path.dirname(jsonPath), file);
    if (!fs.existsSync(weightPath)) throw new InputError(`${jsonPath}: weights file "${file}" is missing (expected beside model.json)`, weightPath);
    const size = fs.statSync(weightPath).size;
    if (size > bytes) throw new InputError(`${jsonPath}: weights file "${file}" holds ${size} bytes but model.json describes ${bytes} in all (mismatched weights)`, jsonPath);
    buffers.push(await fs.promises.readFile(weightPath));
  }
  const weightData = Buffer.concat(buffers);
  if (weightData.byteLength !== bytes) {
    throw new InputError(`${jsonPath}: weights hold ${weightData.byteLength} bytes but model.json describes ${bytes} (truncated or mismatched weights)`, jsonPath);
  }
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs as tf.io.WeightsManifestEntry[],
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
  };
}

/** Accepts inputs of 28×28×1, 28×28 or 784 values and exactly ten outputs. */
export function validateModelShape(model: tf.LayersModel, where: string): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new InputError(`${where}: the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; expected one of each`, where);
  }
  const input = model.inputs[0].shape.slice(1).join('×');
  const accepted = [`${IMAGE_SIZE}×${IMAGE_SIZE}×1`, `${IMAGE_SIZE}×${IMAGE_SIZE}`, `${PIXELS}`];
  if (!accepted.includes(input)) {
    throw new InputError(`${where}: the model's input is ${input || 'a scalar'}; expected a 28×28 digit (28×28×1, 28×28 or 784 values)`, where);
  }
  const output = model.outputs[0].shape.slice(1).join('×');
  if (output !== String(NUM_CLASSES)) {
    throw new InputError(`${where}: the model outputs ${output || 'a scalar'} values; expected 10 (one per digit)`, where);
  }
}

export function readMetadata(dir: string): ModelMetadata | undefined {
  const file = path.join(dir, METADATA_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8'));
    return value && typeof value === 'object' && typeof value.name === 'string' ? (value as ModelMetadata) : undefined;
  } catch {
    return undefined;
  }
}

/** SHA-256 of a file, streamed. */
export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
