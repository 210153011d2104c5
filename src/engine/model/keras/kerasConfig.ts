// Keras model configs (the JSON `model.save` writes) made loadable by TensorFlow.js's own Keras
// deserialisation. TF.js reads Keras 2 configs; Keras 3 (and the Keras 2.13+ `.keras` format)
// wrap every object in {module, class_name, config, registered_name}, say `batch_shape` for
// `batch_input_shape`, store dtypes as DTypePolicy objects and function-call-style inbound nodes.
// Only the layers a digit model uses are accepted; anything else is refused by name, and Lambda
// layers always (their config carries Python bytecode).
import { InputError } from '../../core/errors';

/** Keras class names accepted, with the TF.js class each becomes. */
const SUPPORTED_LAYERS: Record<string, string> = {
  InputLayer: 'InputLayer',
  Conv2D: 'Conv2D',
  Convolution2D: 'Conv2D',
  Dense: 'Dense',
  MaxPooling2D: 'MaxPooling2D',
  MaxPool2D: 'MaxPooling2D',
  AveragePooling2D: 'AveragePooling2D',
  AvgPool2D: 'AveragePooling2D',
  Dropout: 'Dropout',
  Flatten: 'Flatten',
  BatchNormalization: 'BatchNormalization',
  Activation: 'Activation',
  Reshape: 'Reshape',
  Rescaling: 'Rescaling',
};
export const SUPPORTED_LAYER_NAMES = Object.keys(SUPPORTED_LAYERS).filter((k) => SUPPORTED_LAYERS[k] === k);

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Keys that only matter to Keras in Python (training, serialisation bookkeeping). */
const DROPPED_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id', 'build_input_shape']);

type Json = Record<string, unknown>;

export interface KerasModelConfig {
  /** {class_name, config} in the Keras 2 form TF.js reads. */
  topology: Json;
  /** Layers in order, with their Keras names and TF.js class names. */
  layers: Array<{ name: string; className: string }>;
  /**
   * Whether the model expects pixels 0–255: it starts by rescaling its input (a Rescaling layer
   * with a scale around 1/255), so it must be fed raw bytes, not values already scaled to 0–1.
   */
  pixelScale: 'unit' | 'byte';
}

/**
 * Turns a Keras model config (Keras 2 or 3) into one TF.js deserialises, checking every layer is
 * supported. `label` names the file in messages.
 */
export function normalizeKerasConfig(raw: unknown, label: string): KerasModelConfig {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config) && !Array.isArray(raw.config)) {
    throw new InputError(`${label}: the model config is not a Keras model (no "class_name"/"config")`, label);
  }
  const className = raw.class_name;
  if (!MODEL_CLASSES.has(className)) {
    throw new InputError(`${label}: the file holds a ${className}, not a Keras Sequential or Functional model`, label);
  }
  const config: Json = Array.isArray(raw.config) ? { layers: raw.config } : { ...(raw.config as Json) };
  if (!Array.isArray(config.layers)) throw new InputError(`${label}: the model config has no layer list`, label);
  const layers: KerasModelConfig['layers'] = [];
  config.layers = (config.layers as unknown[]).map((layer, i) => normalizeLayer(layer, i, label, layers));
  if (className !== 'Sequential') {
    config.input_layers = nodeList(config.input_layers);
    config.output_layers = nodeList(config.output_layers);
  }
  for (const key of Object.keys(config)) if (DROPPED_KEYS.has(key)) delete config[key];
  delete config.dtype;
  delete config.trainable;
  return {
    topology: { class_name: className === 'Sequential' ? 'Sequential' : 'Model', config, keras_version: '2.13.1', backend: 'tensorflow' },
    layers,
    pixelScale: detectPixelScale(config.layers as Json[]),
  };
}

function normalizeLayer(raw: unknown, index: number, label: string, seen: KerasModelConfig['layers']): Json {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
    throw new InputError(`${label}: layer ${index + 1} of the model config is malformed`, label);
  }
  const kerasClass = raw.class_name;
  const name = typeof raw.config.name === 'string' ? raw.config.name : `layer ${index + 1}`;
  if (kerasClass === 'Lambda') {
    throw new InputError(`${label}: layer "${name}" is a Lambda layer, which is refused: it carries Python code that this extension will not run. Rebuild the model without it.`, label);
  }
  const tfClass = SUPPORTED_LAYERS[kerasClass];
  if (!tfClass) {
    throw new InputError(
      `${label}: unsupported layer "${name}" (${kerasClass}). Supported layers: ${SUPPORTED_LAYER_NAMES.join(', ')}.`,
      label,
    );
  }
  const config = normalizeLayerConfig(raw.config, tfClass, label, name);
  seen.push({ name, className: tfClass });
  const out: Json = { class_name: tfClass, config };
  if (typeof raw.name === 'string') out.name = raw.name;
  if (raw.inbound_nodes !== undefined) out.inbound_nodes = normalizeInboundNodes(raw.inbound_nodes, label, name);
  return out;
}

function normalizeLayerConfig(raw: Json, tfClass: string, label: string, name: string): Json {
  const config: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    if (DROPPED_KEYS.has(key) || value === null && key !== 'name') continue;
    config[key] = value;
  }
  if (config.batch_shape !== undefined) {
    config.batch_input_shape ??= config.batch_shape;
    delete config.batch_shape;
  }
  if (config.dtype !== undefined) config.dtype = normalizeDtype(config.dtype, label, name);
  if (isObject(config.activation)) config.activation = functionName(config.activation);
  for (const key of Object.keys(config)) {
    // Regularizers and constraints only act in training; initializers are overwritten by the
    // file's weights. Keep TF.js from tripping over Keras 3 spellings of them.
    if (/_(regularizer|constraint)$/.test(key)) delete config[key];
    else if (/_initializer$/.test(key)) config[key] = { class_name: 'Zeros', config: {} };
  }
  // Keras 3 only: options TF.js does not know (all at their inert defaults in saved models).
  for (const key of ['quantization_config', 'lora_rank', 'lora_alpha', 'optional', 'synchronized', 'groups']) {
    if (key === 'groups' && config.groups !== undefined && config.groups !== 1) {
      throw new InputError(`${label}: layer "${name}" uses grouped convolution (groups=${String(config.groups)}), which is not supported`, label);
    }
    delete config[key];
  }
  if (config.data_format !== undefined && config.data_format !== 'channels_last') {
    throw new InputError(`${label}: layer "${name}" uses data_format ${String(config.data_format)}; only channels_last is supported`, label);
  }
  if (tfClass === 'BatchNormalization' && Array.isArray(config.axis)) {
    if (config.axis.length !== 1) throw new InputError(`${label}: layer "${name}" normalises over several axes, which is not supported`, label);
    config.axis = config.axis[0];
  }
  return config;
}

function normalizeDtype(value: unknown, label: string, name: string): string {
  const dtype = isObject(value) ? (isObject(value.config) ? value.config.name : value.name) : value;
  if (dtype === undefined || dtype === 'float32') return 'float32';
  throw new InputError(`${label}: layer "${name}" computes in ${String(dtype)}; only float32 models are supported`, label);
}

/** Keras 3 may serialise a function as {class_name: 'function', config: 'relu'}. */
function functionName(value: Json): unknown {
  return typeof value.config === 'string' ? value.config : value.class_name;
}

/**
 * Keras 2 inbound nodes are [[[layer, node, tensor, kwargs], …], …]; Keras 3 writes
 * [{args: [keras tensor…], kwargs}], each tensor {class_name: '__keras_tensor__', config:
 * {keras_history: [layer, node, tensor]}}.
 */
function normalizeInboundNodes(nodes: unknown, label: string, name: string): unknown {
  if (!Array.isArray(nodes)) return nodes;
  return nodes.map((node) => {
    if (Array.isArray(node)) return node;
    if (!isObject(node) || !Array.isArray(node.args)) throw new InputError(`${label}: layer "${name}" has malformed inbound nodes`, label);
    const tensors: unknown[] = [];
    const collect = (x: unknown) => {
      if (Array.isArray(x)) x.forEach(collect);
      else if (isObject(x) && isObject(x.config) && Array.isArray(x.config.keras_history)) tensors.push([...x.config.keras_history, {}]);
    };
    collect(node.args);
    return tensors;
  });
}

/** Keras 3 writes a single input as [name, 0, 0] where Keras 2 wrote [[name, 0, 0]]. */
function nodeList(value: unknown): unknown {
  return Array.isArray(value) && typeof value[0] === 'string' ? [value] : value;
}

function detectPixelScale(layers: Json[]): 'unit' | 'byte' {
  const first = layers.find((l) => l.class_name !== 'InputLayer');
  if (first?.class_name !== 'Rescaling') return 'unit';
  const scale = Number((first.config as Json).scale);
  // 1/255 (to 0–1) or 1/127.5 with offset −1 (to −1…1): either way it wants raw bytes.
  return Number.isFinite(scale) && scale > 0 && scale < 0.02 ? 'byte' : 'unit';
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
