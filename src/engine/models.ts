import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES } from './types';
import { SeededDropout } from './seededDropout';
import { FusedBatchNormalization } from './fusedBatchNorm';
import { PlainConv2D } from './plainConv2d';

export const ARCHITECTURES = ['default', 'seed'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export function isArchitecture(value: unknown): value is Architecture {
  return typeof value === 'string' && (ARCHITECTURES as readonly string[]).includes(value);
}

export interface ModelOptions {
  learningRate?: number;
  /** Seeds weight initialisation and dropout so a run can be repeated. */
  seed?: number;
}

/** A compiled, untrained model of the given architecture (input 28×28×1 in [0,1], 10 softmax outputs). */
export function createModel(arch: Architecture, options: ModelOptions = {}): tf.LayersModel {
  const model = arch === 'seed' ? createSeedModel(options.seed) : createDefaultModel(options.seed);
  compileModel(model, options.learningRate ?? 0.001);
  return model;
}

/** Adam + sparse categorical cross-entropy, as the reference notebooks compiled it. */
export function compileModel(model: tf.LayersModel, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/** Seeded initialisers: each layer gets its own seed derived from the run's seed. */
function initialisers(seed: number | undefined) {
  let next = seed ?? Math.floor(Math.random() * 2 ** 31);
  return () => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }) });
}

/** Exactly the reference notebooks' CNN. */
function createSeedModel(seed?: number): tf.LayersModel {
  const init = initialisers(seed);
  const dropoutSeed = seed === undefined ? undefined : seed + 1000;
  return tf.sequential({
    name: 'seed',
    layers: [
      tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 32, kernelSize: 3, activation: 'relu', ...init() }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', ...init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      new SeededDropout({ rate: 0.25, seed: dropoutSeed }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', ...init() }),
      new SeededDropout({ rate: 0.5, seed: dropoutSeed === undefined ? undefined : dropoutSeed + 1 }),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', ...init() }),
    ],
  });
}

/**
 * A stronger CNN: two conv–BN–ReLU blocks per resolution (28×28, then 14×14), max pooling and
 * dropout between them, a BN dense head. About 1.6× the seed model's multiply-adds.
 */
function createDefaultModel(seed?: number): tf.LayersModel {
  const init = initialisers(seed);
  let dropoutSeed = seed === undefined ? undefined : seed + 1000;
  const dropout = (rate: number) => new SeededDropout({ rate, seed: dropoutSeed === undefined ? undefined : dropoutSeed++ });
  const convBlock = (filters: number, first = false): tf.layers.Layer[] => [
    new PlainConv2D({
      ...(first ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      ...init(),
    }),
    new FusedBatchNormalization(),
    tf.layers.activation({ activation: 'relu' }),
  ];
  return tf.sequential({
    name: 'default',
    layers: [
      ...convBlock(32, true),
      ...convBlock(32),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      dropout(0.2),
      ...convBlock(64),
      ...convBlock(64),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      dropout(0.25),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, useBias: false, ...init() }),
      new FusedBatchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      dropout(0.4),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', ...init() }),
    ],
  });
}

/** Frees a model's weights and its optimizer's state (Adam's moments), which model.dispose() keeps. */
export function disposeModel(model: tf.LayersModel): void {
  model.optimizer?.dispose();
  model.dispose();
}
