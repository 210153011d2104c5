import * as tf from '../core/tf';
import { createModel, disposeModel } from '../model/architectures';
import { type AugmentOptions, DEFAULT_AUGMENT, randomTransforms, transformImages } from '../data/augment';
import { imagesTensor, labelsTensor, range, stratifiedSplit, subset } from '../data/dataset';
import { withExtraRows } from './pseudoLabels';
import { createRandom, shuffle } from '../core/random';
import { evaluateImages } from '../inference/predict';
import { type DigitImages, NUM_CLASSES } from '../core/types';
import { InputError, throwIfAborted } from '../core/errors';
import { learningRateAt } from './schedule';
import { trainSettingsProblem, type BatchProgress, type EpochStats, type TrainSettings } from '../../shared/training';
import { ReplicaPool, resolveThreads } from '../parallel/replicaPool';
import { DataParallelTrainer, MIN_SHARD, maxShardFor } from './dataParallel';
import { trainStep } from '../model/gradients';
import { WeightAverage } from './weightAverage';

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

/** What a run trains on besides `data`, for benchmarks and the pseudo-labelled second stage. */
export interface TrainExtras {
  /** The augmentation's ranges when `settings.augment` is on (benchmarks try others). */
  augment?: AugmentOptions;
  /** Labelled rows that only ever train: never in the validation split (pseudoLabels.ts). */
  extraTrainRows?: DigitImages;
  /**
   * Which network of a model of several this run trains (0, the default, is a run of its own):
   * every network validates on the same rows (the split comes from `settings.seed`), and each
   * other one starts from its own weights, order and augmentation (memberSeed), so that they
   * disagree where one alone would err.
   */
  member?: number;
}

/** The seed of network `member` (0 keeps the run's own seed, so one network is the run it always was). */
export function memberSeed(seed: number, member: number): number {
  return member === 0 ? seed : (seed + member * 1_000_003) >>> 0;
}

export function validateSettings(s: TrainSettings): void {
  const problem = trainSettingsProblem(s);
  if (problem) throw new InputError(`Invalid training setting: ${problem}`);
}

/**
 * Trains a fresh model on labelled images: stratified validation split, shuffling and on-the-fly
 * augmentation from one seeded generator, cancellable between batches. The split depends on
 * `labelled` and the seed only, so a run with `extras.extraTrainRows` validates on the same rows
 * as one without.
 */
export async function trainModel(labelled: DigitImages, settings: TrainSettings, callbacks: TrainCallbacks = {}, extras: TrainExtras = {}): Promise<TrainResult> {
  validateSettings(settings);
  if (!labelled.labels) throw new InputError('Training needs a labelled (train-format) CSV with a label column.');
  const splitRandom = createRandom(settings.seed);
  const split = settings.validationSplit > 0 ? stratifiedSplit(labelled.labels, settings.validationSplit, splitRandom) : { train: shuffle(range(labelled.count), splitRandom), validation: new Uint32Array(0) };
  const seed = memberSeed(settings.seed, extras.member ?? 0);
  // A network of its own draws its order and augmentation after the split from the same generator.
  const random = seed === settings.seed ? splitRandom : createRandom(seed);
  if (split.train.length === 0) throw new InputError(`Not enough rows to train: ${labelled.count} row(s) with a validation split of ${settings.validationSplit}.`);
  const validation = subset(labelled, split.validation);
  const data = extras.extraTrainRows?.count ? withExtraRows(labelled, extras.extraTrainRows) : labelled;
  if (data !== labelled) split.train = Uint32Array.from([...split.train, ...range(data.count).subarray(labelled.count)]);
  const labels = data.labels!;
  const augment: AugmentOptions | undefined = settings.augment ? (extras.augment ?? DEFAULT_AUGMENT) : undefined;

  const model = createModel(settings.arch, { learningRate: settings.learningRate, seed });
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
export async function validate(model: tf.LayersModel, validation: DigitImages, signal?: AbortSignal, pool?: ReplicaPool) {
  const { accuracy, predictions } = await evaluateImages(model, validation, { signal, pool });
  let loss = 0;
  for (let i = 0; i < validation.count; i++) {
    loss -= Math.log(Math.max(predictions.probabilities[i * NUM_CLASSES + validation.labels![i]], 1e-7));
  }
  return { valLoss: loss / validation.count, valAccuracy: accuracy };
}

function setLearningRate(model: tf.LayersModel, learningRate: number): void {
  // tfjs optimizers read `learningRate` on every step but do not expose a setter.
  (model.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
