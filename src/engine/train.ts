import * as tf from '@tensorflow/tfjs';
import { Architecture, createModel, disposeModel } from './models';
import { AugmentOptions, DEFAULT_AUGMENT, randomTransforms, transformImages } from './augment';
import { imagesTensor, labelsTensor, stratifiedSplit } from './dataset';
import { createRandom, shuffle } from './random';
import { evaluateImages } from './predict';
import { DigitImages, NUM_CLASSES, PIXELS } from './types';
import { InputError, throwIfAborted } from './errors';
import { LEARNING_RATE_SCHEDULES, LearningRateSchedule, learningRateAt } from './schedule';
import { ReplicaPool, resolveThreads } from './parallel/replicaPool';
import { DataParallelTrainer, MIN_SHARD, maxShardFor } from './parallel/dataParallel';
import { trainStep } from './gradients';
import { WeightAverage } from './weightAverage';

export interface TrainSettings {
  arch: Architecture;
  epochs: number;
  batchSize: number;
  /** The peak rate with the 'onecycle' schedule, the rate throughout with 'constant'. */
  learningRate: number;
  schedule: LearningRateSchedule;
  /** Fraction of rows held out (stratified by digit) for validation; 0 for none. */
  validationSplit: number;
  augment: boolean;
  /** Label smoothing of the training loss, 0 (none) to below 1: the target of the labelled class is 1 − s + s/10. */
  labelSmoothing: number;
  /**
   * Decay of an exponential moving average of the weights, updated after every step (weightAverage.ts);
   * validation measures and the saved model holds the averaged weights. 0 = no average.
   */
  emaDecay: number;
  seed: number;
  /**
   * Threads that train (data parallel, see parallel/dataParallel.ts): 0 = one per core, 1 = this
   * thread only (gradients.ts trainStep). Ignored with native TensorFlow, which uses every core.
   */
  threads: number;
}

/**
 * The recipe kept by bench/ACCURACY.md's paired comparisons on the wasm backend, 2 cores: 12 epochs
 * of the default CNN, ~10 minutes, 99.35–99.63% on held-out rows (30 epochs with weight averaging
 * take ~25 minutes and measured no better). The extension's settings default to the same values.
 */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  arch: 'default',
  epochs: 12,
  batchSize: 128,
  // One-cycle with a peak of 0.006 measured best for one augmented seed epoch on train.csv
  // (validation 98.41%; peak 0.003: 98.19%; constant 0.001: 97.33%).
  learningRate: 0.006,
  schedule: 'onecycle',
  validationSplit: 0.1,
  augment: true,
  labelSmoothing: 0,
  emaDecay: 0,
  seed: 42,
  threads: 0,
};

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean over this epoch's batches so far. */
  loss: number;
  accuracy: number;
  /** This batch alone (for the dashboard's per-batch curves). */
  batchLoss: number;
  batchAccuracy: number;
  learningRate: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  learningRate: number;
  seconds: number;
}

export interface TrainCallbacks {
  signal?: AbortSignal;
  onBatch?: (progress: BatchProgress) => void;
  onEpoch?: (stats: EpochStats) => void;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochStats[];
  seconds: number;
  trainCount: number;
  validationCount: number;
  /** Threads that trained (1 when the replica threads could not start: see threadsNote). */
  threads: number;
  threadsNote?: string;
}

export function validateSettings(s: TrainSettings): void {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new InputError(`Invalid training setting: ${what}`);
  };
  check(Number.isInteger(s.epochs) && s.epochs >= 1, `epochs must be a whole number ≥ 1 (got ${s.epochs})`);
  check(Number.isInteger(s.batchSize) && s.batchSize >= 1, `batch size must be a whole number ≥ 1 (got ${s.batchSize})`);
  check(s.learningRate > 0 && Number.isFinite(s.learningRate), `learning rate must be a positive number (got ${s.learningRate})`);
  check(LEARNING_RATE_SCHEDULES.includes(s.schedule), `schedule must be ${LEARNING_RATE_SCHEDULES.join(' or ')} (got ${s.schedule})`);
  check(s.validationSplit >= 0 && s.validationSplit < 1, `validation split must be in [0, 1) (got ${s.validationSplit})`);
  check(s.labelSmoothing >= 0 && s.labelSmoothing < 1, `label smoothing must be in [0, 1) (got ${s.labelSmoothing})`);
  check(s.emaDecay >= 0 && s.emaDecay < 1, `EMA decay must be in [0, 1), 0 for none (got ${s.emaDecay})`);
  check(Number.isInteger(s.seed), `seed must be a whole number (got ${s.seed})`);
  check(s.threads === undefined || (Number.isInteger(s.threads) && s.threads >= 0), `threads must be a whole number ≥ 0, 0 for one per core (got ${s.threads})`);
}

/**
 * Trains a fresh model on labelled images: stratified validation split, shuffling and on-the-fly
 * augmentation from one seeded generator, cancellable between batches.
 */
export async function trainModel(data: DigitImages, settings: TrainSettings, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  validateSettings(settings);
  const labels = data.labels;
  if (!labels) throw new InputError('Training needs a labelled (train-format) CSV with a label column.');
  const random = createRandom(settings.seed);
  const split = settings.validationSplit > 0 ? stratifiedSplit(labels, settings.validationSplit, random) : { train: shuffle(Uint32Array.from({ length: data.count }, (_, i) => i), random), validation: new Uint32Array(0) };
  if (split.train.length === 0) throw new InputError(`Not enough rows to train: ${data.count} row(s) with a validation split of ${settings.validationSplit}.`);
  const validation = subset(data, split.validation);
  const augment: AugmentOptions | undefined = settings.augment ? DEFAULT_AUGMENT : undefined;

  const model = createModel(settings.arch, { learningRate: settings.learningRate, seed: settings.seed });
  const history: EpochStats[] = [];
  const started = performance.now();
  const batches = Math.ceil(split.train.length / settings.batchSize);
  const totalImages = split.train.length * settings.epochs;
  let imagesDone = 0;
  const totalSteps = batches * settings.epochs;
  let learningRate = settings.learningRate;
  let pool: ReplicaPool | undefined;
  let parallel: DataParallelTrainer | undefined;
  // The averaged model’s batch-norm statistics come from 2,048 clean training rows (about 1 s a validation).
  const average = settings.emaDecay > 0 ? new WeightAverage(model, settings.emaDecay, subset(data, split.train.slice(0, 2048))) : undefined;
  let threadsNote: string | undefined;
  let threadsUsed = 1;
  try {
    const threads = Math.min(resolveThreads(settings.threads), Math.max(1, Math.floor(settings.batchSize / MIN_SHARD)));
    if (threads > 1) {
      try {
        pool = await ReplicaPool.start(model, { replicas: threads - 1, maxShard: maxShardFor(settings.batchSize, threads) });
        parallel = new DataParallelTrainer(model, pool, settings.labelSmoothing);
        threadsUsed = threads;
      } catch (err) {
        threadsNote = `training on one thread: replica threads failed to start (${err instanceof Error ? err.message : String(err)})`;
      }
    }
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const epochStarted = performance.now();
      shuffle(split.train, random);
      let lossSum = 0;
      let accuracySum = 0;
      let seen = 0;
      for (let batch = 0; batch < batches; batch++) {
        throwIfAborted(callbacks.signal);
        learningRate = learningRateAt(settings.schedule, settings.learningRate, (epoch - 1) * batches + batch, totalSteps);
        setLearningRate(model, learningRate);
        const start = batch * settings.batchSize;
        const end = Math.min(split.train.length, start + settings.batchSize);
        const images = imagesTensor(data, split.train, start, end);
        // Drawn here, in batch order, so that runs repeat; applied by each thread to its own shard.
        const transforms = augment ? randomTransforms(end - start, augment, random) : undefined;
        const y = labelsTensor(labels, split.train, start, end);
        let result: number | number[];
        try {
          if (parallel) {
            result = await parallel.trainOnBatch(images, y, transforms);
          } else {
            const x = transforms ? transformImages(images, transforms) : images;
            try {
              result = trainStep(model, x, y, settings.labelSmoothing);
            } finally {
              if (x !== images) x.dispose();
            }
          }
        } finally {
          tf.dispose([images, y]);
        }
        average?.update();
        const [loss, accuracy] = result as number[];
        const n = end - start;
        lossSum += loss * n;
        accuracySum += accuracy * n;
        seen += n;
        imagesDone += n;
        const elapsed = (performance.now() - started) / 1000;
        const imagesPerSecond = imagesDone / elapsed;
        callbacks.onBatch?.({
          epoch,
          epochs: settings.epochs,
          batch: batch + 1,
          batches,
          loss: lossSum / seen,
          accuracy: accuracySum / seen,
          batchLoss: loss,
          batchAccuracy: accuracy,
          learningRate,
          imagesPerSecond,
          etaSeconds: (totalImages - imagesDone) / imagesPerSecond,
        });
        // Let cancellation messages and other work in the event loop through.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const stats: EpochStats = { epoch, loss: lossSum / seen, accuracy: accuracySum / seen, learningRate, seconds: (performance.now() - epochStarted) / 1000 };
      if (validation.count > 0) {
        const measure = () => validate(model, validation, callbacks.signal, pool);
        Object.assign(stats, average ? await average.withAveragedWeights(measure) : await measure());
        // Validating on the replicas gave them every weight of the model it measured.
        if (average) parallel?.publishWeights();
      }
      history.push(stats);
      callbacks.onEpoch?.(stats);
    }
    average?.applyToModel();
  } catch (err) {
    disposeModel(model);
    throw err;
  } finally {
    average?.dispose();
    await pool?.close();
  }
  return { model, history, seconds: (performance.now() - started) / 1000, trainCount: split.train.length, validationCount: validation.count, threads: threadsUsed, threadsNote };
}

/** Validation loss (mean cross-entropy) and accuracy. */
async function validate(model: tf.LayersModel, validation: DigitImages, signal?: AbortSignal, pool?: ReplicaPool) {
  const { accuracy, predictions } = await evaluateImages(model, validation, { signal, pool });
  let loss = 0;
  for (let i = 0; i < validation.count; i++) {
    loss -= Math.log(Math.max(predictions.probabilities[i * NUM_CLASSES + validation.labels![i]], 1e-7));
  }
  return { valLoss: loss / validation.count, valAccuracy: accuracy };
}

/** A compact copy of the images at the given indices. */
export function subset(data: DigitImages, indices: ArrayLike<number>): DigitImages {
  const pixels = new Uint8Array(indices.length * PIXELS);
  const labels = data.labels ? new Uint8Array(indices.length) : null;
  for (let i = 0; i < indices.length; i++) {
    pixels.set(data.pixels.subarray(indices[i] * PIXELS, (indices[i] + 1) * PIXELS), i * PIXELS);
    if (labels) labels[i] = data.labels![indices[i]];
  }
  return { count: indices.length, pixels, labels };
}

function setLearningRate(model: tf.LayersModel, learningRate: number): void {
  // tfjs optimizers read `learningRate` on every step but do not expose a setter.
  (model.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
