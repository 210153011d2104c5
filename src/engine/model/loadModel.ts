// One entry point for every model location the product accepts: a TF.js layers folder or its
// model.json, a Keras 2 HDF5 file (.h5) or a .keras zip. Used by import (Load Model File), the
// worker's predictions and the command-line tool's --model.
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../core/errors';
import { isKerasFileName, loadKerasModel, sniffKerasFormat } from './keras/kerasModel';
import { loadModelDir, type LoadedModel, nonFiniteWeights, validateModelShape } from './persistence';
import { type ModelMetadata } from './metadata';
import { recoverModelDir } from './modelDir';
import { sniffImageFormat } from '../data/imageDecode';
import { disposeModel } from './architectures';
import type { PixelScale } from '../core/types';

export interface LoadAnyOptions {
  /** Overrides the pixel scale detected for a Keras model (the user confirmed another). */
  pixelScale?: PixelScale;
}

/** True when `location` is a Keras model file (by name, or by its first bytes). */
export function isKerasFile(location: string): boolean {
  const stat = fs.statSync(location, { throwIfNoEntry: false });
  if (!stat?.isFile()) return false;
  if (isKerasFileName(location)) return true;
  if (path.basename(location).toLowerCase().endsWith('.json')) return false;
  const head = Buffer.alloc(8);
  const fd = fs.openSync(location, 'r');
  try {
    return sniffKerasFormat(head.subarray(0, fs.readSync(fd, head, 0, 8, 0))) !== undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** A picture or other binary file given where a model is expected: say so plainly. */
function refuseNonModelFile(location: string): void {
  if (!fs.statSync(location).isFile()) return;
  const head = Buffer.alloc(16);
  const fd = fs.openSync(location, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const image = sniffImageFormat(head.subarray(0, n));
  const binary = head.subarray(0, n).some((b) => b === 0);
  if (image || binary) {
    throw new InputError(`${location}: not a model (${image ? `a ${image.toUpperCase()} image` : 'a binary file'}); a model is a folder holding model.json, a model.json, or a Keras .h5 / .keras file`, location);
  }
}

/**
 * Loads a model from a TF.js folder/model.json or a Keras .h5/.keras file, checked to take one
 * 28×28 digit and output ten classes. A Keras model comes with metadata made up for it (name
 * from the file, architecture "Keras <version> .h5", the pixel scale it expects); its `dir` is
 * the file itself.
 */
export async function loadAnyModel(location: string, options: LoadAnyOptions = {}): Promise<LoadedModel> {
  const loaded = await loadUnchecked(location, options);
  const broken = nonFiniteWeights(loaded.model);
  if (broken.length) {
    disposeModel(loaded.model);
    const names = broken.slice(0, 3).join(', ') + (broken.length > 3 ? ` and ${broken.length - 3} more` : '');
    throw new InputError(`${location}: the model's weights hold NaN or infinite values (${names}); it is damaged (e.g. its training diverged) and would predict nonsense. Retrain it or use another model.`, location);
  }
  return loaded;
}

async function loadUnchecked(location: string, options: LoadAnyOptions): Promise<LoadedModel> {
  if (!fs.existsSync(location) || fs.statSync(location).isDirectory()) recoverModelDir(location);
  if (!fs.existsSync(location)) throw new InputError(`Model not found: ${location}`, location);
  if (!isKerasFile(location)) {
    refuseNonModelFile(location);
    const loaded = await loadModelDir(location);
    if (options.pixelScale && loaded.metadata) loaded.metadata = { ...loaded.metadata, pixelScale: options.pixelScale };
    return loaded;
  }
  const file = path.resolve(location);
  const keras = await loadKerasModel(file);
  try {
    validateModelShape(keras.model, file);
  } catch (err) {
    disposeModel(keras.model);
    throw err;
  }
  const ext = path.extname(file);
  const metadata: ModelMetadata = {
    formatVersion: 1,
    name: path.basename(file, ext),
    created: (fs.statSync(file).mtime ?? new Date()).toISOString(),
    architecture: `${keras.kerasVersion ? `Keras ${keras.kerasVersion}` : 'Keras'} ${keras.format === 'h5' ? '.h5' : '.keras'}`,
    source: file,
    pixelScale: options.pixelScale ?? keras.pixelScale,
  };
  return { model: keras.model, metadata, dir: file };
}
