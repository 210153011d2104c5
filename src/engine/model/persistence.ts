import * as tf from '../core/tf';
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../core/errors';
import { parseJson } from '../core/json';
import { MAX_MODEL_JSON_BYTES, MODEL_FILE, WEIGHTS_FILE, checkWeightsManifest, recoverModelDir, writeModelFolder } from './modelDir';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from '../core/types';
import { readMetadata, type ModelMetadata } from './metadata';
import { captureArtifacts } from './artifacts';

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
