import * as tf from '@tensorflow/tfjs';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from './errors';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from './types';
import type { EpochStats } from './train';
import type { PixelScale } from './predict';
import type { Accuracies, FineTuneSettings } from './fineTune';
import type { BatchHistory } from '../shared/series';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'metadata.json';

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
 * Saves model.json + weights.bin + metadata.json into `dir`, atomically: everything is written
 * into a temporary sibling folder that is renamed into place only when complete, so a crash or
 * cancellation never leaves a half-written model that would later load. An existing `dir` is
 * replaced only after the new one is complete.
 */
export async function saveModelDir(model: tf.LayersModel, metadata: ModelMetadata, dir: string): Promise<void> {
  const artifacts = await captureArtifacts(model);
  await writeModelDir(dir, artifacts, metadata);
}

/** Writes model artifacts into `dir` through a temporary folder and a rename. */
export async function writeModelDir(dir: string, artifacts: tf.io.ModelArtifacts, metadata: ModelMetadata): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  await fs.promises.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  await fs.promises.mkdir(tmp);
  try {
    const weightData = artifacts.weightData ? Buffer.from(concatWeights(artifacts.weightData)) : Buffer.alloc(0);
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    };
    await fs.promises.writeFile(path.join(tmp, WEIGHTS_FILE), weightData);
    await fs.promises.writeFile(path.join(tmp, METADATA_FILE), JSON.stringify(metadata, null, 2));
    // model.json last: a folder without it is never mistaken for a model.
    await fs.promises.writeFile(path.join(tmp, MODEL_FILE), JSON.stringify(modelJson));
    await replaceDir(tmp, dir);
  } catch (err) {
    await fs.promises.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Renames `from` onto `to`, moving any existing `to` aside first and removing it after. */
async function replaceDir(from: string, to: string): Promise<void> {
  if (!fs.existsSync(to)) {
    await fs.promises.rename(from, to);
    return;
  }
  const old = `${to}.old-${process.pid}-${Date.now()}`;
  await fs.promises.rename(to, old);
  try {
    await fs.promises.rename(from, to);
  } catch (err) {
    await fs.promises.rename(old, to);
    throw err;
  }
  await fs.promises.rm(old, { recursive: true, force: true });
}

/** Writes a JSON file atomically (temporary name, then rename). */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await fs.promises.writeFile(tmp, JSON.stringify(value, null, 2));
  await fs.promises.rename(tmp, file);
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
  const stat = fs.statSync(location, { throwIfNoEntry: false });
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
  if (!fs.existsSync(jsonPath)) throw new InputError(`${jsonPath}: file not found (a TF.js model folder holds model.json and its weights)`, jsonPath);
  let json: { modelTopology?: unknown; weightsManifest?: tf.io.WeightsManifestConfig; format?: string };
  try {
    json = JSON.parse(await fs.promises.readFile(jsonPath, 'utf8'));
  } catch (err) {
    throw new InputError(`${jsonPath}: not valid JSON (${(err as Error).message})`, jsonPath);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new InputError(`${jsonPath}: not a TensorFlow.js model.json (no "modelTopology")`, jsonPath);
  }
  if (json.format === 'graph-model') {
    throw new InputError(`${jsonPath}: a TF.js graph model; only layers models (Keras-style) can be used`, jsonPath);
  }
  const manifest = json.weightsManifest ?? [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    for (const file of group.paths) {
      const weightPath = path.join(path.dirname(jsonPath), file);
      if (!fs.existsSync(weightPath)) throw new InputError(`${jsonPath}: weights file "${file}" is missing (expected beside model.json)`, weightPath);
      buffers.push(await fs.promises.readFile(weightPath));
    }
    weightSpecs.push(...group.weights);
  }
  const weightData = Buffer.concat(buffers);
  const expected = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * bytesPerValue(spec.dtype, spec.quantization), 0);
  if (weightData.byteLength !== expected) {
    throw new InputError(`${jsonPath}: weights hold ${weightData.byteLength} bytes but model.json describes ${expected} (truncated or mismatched weights)`, jsonPath);
  }
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
  };
}

function bytesPerValue(dtype: string, quantization?: { dtype?: string }): number {
  const q = quantization?.dtype;
  if (q) return q === 'uint8' ? 1 : 2;
  return dtype === 'bool' ? 1 : 4;
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
