// Keras model files → tf.LayersModel: Keras 2 HDF5 (`model.save("m.h5")`: a `model_config`
// attribute and a `model_weights` group) and `.keras` zips (`config.json` + `model.weights.h5`;
// Keras 2.13/2.14 keep weights under `_layer_checkpoint_dependencies/<layer>/vars/N`, Keras 3
// under `layers/<layer>/vars/N`). The architecture is rebuilt by TF.js's own Keras-config
// deserialisation; the file's weights are then set layer by layer, in Keras order, with every
// shape checked.
import * as tf from '../../core/tf';
import * as fs from 'fs';
import * as path from 'path';
import { unzipSync } from 'fflate';
import { InputError } from '../../core/errors';
import { H5Reader, looksLikeHdf5 } from './h5';
import { normalizeKerasConfig } from './kerasConfig';

export type KerasFormat = 'h5' | 'keras';

export interface KerasImport {
  model: tf.LayersModel;
  format: KerasFormat;
  kerasVersion?: string;
  /** 'byte' when the model rescales raw 0–255 pixels itself (see kerasConfig.ts). */
  pixelScale: 'unit' | 'byte';
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** 'h5' or 'keras' from a file's first bytes, else undefined. */
export function sniffKerasFormat(head: Uint8Array): KerasFormat | undefined {
  if (looksLikeHdf5(head)) return 'h5';
  if (ZIP_MAGIC.every((b, i) => head[i] === b)) return 'keras';
  return undefined;
}

/** True for file names the Keras importer handles. */
export function isKerasFileName(file: string): boolean {
  return /\.(h5|hdf5|keras)$/i.test(file);
}

/** Loads a Keras .h5 or .keras file into a TF.js model (not yet checked for digit shapes). */
export async function loadKerasModel(file: string): Promise<KerasImport> {
  const label = file;
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(8);
      head = head.subarray(0, fs.readSync(fd, head, 0, 8, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new InputError(`${label}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message}`, label);
  }
  const format = sniffKerasFormat(head);
  if (format === 'h5') return loadH5Model(file);
  if (format === 'keras') return loadKerasZip(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.keras') throw new InputError(`${label}: not a zip file, so not a .keras model (a .keras file is a zip of config.json and model.weights.h5)`, label);
  throw new InputError(`${label}: not an HDF5 file (no HDF5 signature), so not a Keras .h5 model`, label);
}

async function loadH5Model(file: string): Promise<KerasImport> {
  const h5 = await H5Reader.open(file);
  try {
    const configText = h5.attr('', 'model_config');
    if (configText === undefined) {
      const weightsOnly = h5.attr('', 'layer_names') !== undefined;
      throw new InputError(
        weightsOnly
          ? `${file}: this .h5 holds only weights (model.save_weights); the architecture is missing. Save the whole model with model.save("model.h5").`
          : `${file}: an HDF5 file but not a Keras model (no "model_config" attribute)`,
        file,
      );
    }
    const raw = parseJson(configText, file, 'model_config');
    const kerasVersion = stringOrUndefined(h5.attr('', 'keras_version'));
    const root = h5.has('model_weights') ? 'model_weights' : '';
    if (!h5.has('model_weights') && h5.attr('', 'layer_names') === undefined) {
      throw new InputError(`${file}: missing weights: the file has a model config but no "model_weights" group (saved with include_optimizer only, or damaged)`, file);
    }
    const layerNames = asStrings(h5.attr(root, 'layer_names'));
    const model = await buildModel(raw, file);
    try {
      for (const layer of model.model.layers) {
        if (!layer.weights.length) continue;
        const group = root ? `${root}/${layer.name}` : layer.name;
        if (!layerNames.includes(layer.name) || !h5.has(group)) throw new InputError(`${file}: missing weights for layer "${layer.name}"`, file);
        const names = asStrings(h5.attr(group, 'weight_names'));
        setLayerWeights(layer, names.map((n) => h5.array(`${group}/${n}`)), file);
      }
      return { model: model.model, format: 'h5', kerasVersion, pixelScale: model.pixelScale };
    } catch (err) {
      model.model.dispose();
      throw err;
    }
  } finally {
    h5.close();
  }
}

async function loadKerasZip(file: string): Promise<KerasImport> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(fs.readFileSync(file), { filter: (f) => f.name === 'config.json' || f.name === 'metadata.json' || f.name === 'model.weights.h5' });
  } catch (err) {
    throw new InputError(`${file}: damaged or truncated zip, cannot read it as a .keras model (${(err as Error).message})`, file);
  }
  if (!entries['config.json']) throw new InputError(`${file}: a zip but not a .keras model (no config.json inside)`, file);
  if (!entries['model.weights.h5']) throw new InputError(`${file}: missing weights: no model.weights.h5 inside the .keras zip`, file);
  const raw = parseJson(Buffer.from(entries['config.json']).toString('utf8'), file, 'config.json');
  let kerasVersion: string | undefined;
  if (entries['metadata.json']) {
    try {
      kerasVersion = stringOrUndefined(JSON.parse(Buffer.from(entries['metadata.json']).toString('utf8')).keras_version);
    } catch {
      /* metadata is informative only */
    }
  }
  const model = await buildModel(raw, file);
  try {
    const h5 = await H5Reader.fromBytes(entries['model.weights.h5'], `${file} (model.weights.h5)`);
    try {
      // Keras 3: layers/<name>/vars/N; Keras 2.13–2.14: _layer_checkpoint_dependencies/<name>/vars/N.
      const root = h5.has('layers') ? 'layers' : h5.has('_layer_checkpoint_dependencies') ? '_layer_checkpoint_dependencies' : undefined;
      if (!root) throw new InputError(`${h5.label}: missing weights: neither "layers" nor "_layer_checkpoint_dependencies" is in the weights file`, file);
      for (const layer of model.model.layers) {
        if (!layer.weights.length) continue;
        const vars = `${root}/${layer.name}/vars`;
        if (!h5.has(vars)) throw new InputError(`${file}: missing weights for layer "${layer.name}" (no ${vars} in model.weights.h5)`, file);
        const count = h5.keys(vars).length;
        setLayerWeights(layer, Array.from({ length: count }, (_, i) => h5.array(`${vars}/${i}`)), file);
      }
    } finally {
      h5.close();
    }
    return { model: model.model, format: 'keras', kerasVersion, pixelScale: model.pixelScale };
  } catch (err) {
    model.model.dispose();
    throw err;
  }
}

/** The model TF.js builds from the (normalised) Keras config, weights still initial. */
async function buildModel(raw: unknown, file: string): Promise<{ model: tf.LayersModel; pixelScale: 'unit' | 'byte' }> {
  const normalized = normalizeKerasConfig(raw, file);
  try {
    const model = await tf.models.modelFromJSON({ modelTopology: normalized.topology } as unknown as tf.io.ModelJSON);
    return { model, pixelScale: normalized.pixelScale };
  } catch (err) {
    throw new InputError(`${file}: TensorFlow.js cannot rebuild this Keras model (${(err as Error).message})`, file);
  }
}

function setLayerWeights(layer: tf.layers.Layer, arrays: Array<{ shape: number[]; values: Float32Array }>, file: string): void {
  const expected = layer.weights;
  if (arrays.length !== expected.length) {
    throw new InputError(`${file}: layer "${layer.name}" has ${arrays.length} weight arrays in the file but its config needs ${expected.length}`, file);
  }
  arrays.forEach((a, i) => {
    const want = expected[i].shape;
    if (a.shape.length !== want.length || a.shape.some((d, k) => d !== want[k])) {
      throw new InputError(
        `${file}: wrong shapes: layer "${layer.name}" weight ${i + 1} (${expected[i].originalName ?? expected[i].name}) is ${a.shape.join('×') || 'a scalar'} in the file, but the config needs ${want.join('×')}`,
        file,
      );
    }
  });
  const tensors = arrays.map((a) => tf.tensor(a.values, a.shape, 'float32'));
  try {
    layer.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

function parseJson(text: unknown, file: string, what: string): unknown {
  if (typeof text !== 'string') throw new InputError(`${file}: "${what}" is not text`, file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: "${what}" is not valid JSON (${(err as Error).message})`, file);
  }
}

function asStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
