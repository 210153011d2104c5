// Fine-tuning a model on the user's own drawings (the Digit Pad's labelled samples): a short run
// in which every batch mixes the user's samples with a replay of rows from the Kaggle training
// CSV the model learnt from, so it learns the user's habits without forgetting MNIST
// ("rehearsal", Robins 1995; the replay half of every batch keeps the old task's gradient in
// play). Both halves are augmented (rotation, zoom, shift) so a handful of drawings go further.
// The run then keeps only as much of its change to the weights as the taught drawings need
// (keepLeastChange), as a well-trained model forgets more the further it moves.
//
// Works with any model the product holds (trained here, TF.js loaded, Keras imported): inputs are
// shaped (28×28×1, 28×28 or 784) and scaled (0–1 or 0–255) as the model expects, and the model
// is trained in inference mode (see stepInInferenceMode). Pure engine: no vscode.
import * as tf from '../core/tf';
import { type AugmentOptions, DEFAULT_AUGMENT, augmentBatch } from '../data/augment';
import { imagesTensor, labelsTensor, stratifiedSplit, subset } from '../data/dataset';
import { compileModel } from '../model/architectures';
import { evaluateImages } from '../inference/predict';
import { createRandom, shuffle, type Random } from '../core/random';
import { sparseAccuracy, sparseCrossEntropy, trainableVariables } from '../model/gradients';
import { InputError, throwIfAborted } from '../core/errors';
import { type DigitImages, NUM_CLASSES, type PixelScale } from '../core/types';
import { MIN_FINE_TUNE_SAMPLES, fineTuneSettingsProblem, type Accuracies, type FineTuneSettings } from '../../shared/training';
import { toModelInput } from '../model/input';

/** One step's rows: indices into the user's samples and into the replay rows. */
export interface MixedBatch {
  user: Uint32Array;
  replay: Uint32Array;
}

/**
 * The run's batches. Every epoch shows each user sample once (shuffled); each batch holds
 * `batchSize × (1 − replayShare)` user samples (the last of an epoch fewer) and replay rows in
 * the same proportion, taken in a shuffled order without repeats until every replay row has been
 * used once. Deterministic for a given `random`.
 */
export function planBatches(userCount: number, replayCount: number, settings: Pick<FineTuneSettings, 'epochs' | 'batchSize' | 'replayShare'>, random: Random): MixedBatch[] {
  if (userCount === 0) return [];
  const replayShare = replayCount > 0 ? settings.replayShare : 0;
  const userPerBatch = Math.max(1, Math.round(settings.batchSize * (1 - replayShare)));
  const replayPerUser = replayShare / (1 - replayShare);
  const user = Uint32Array.from({ length: userCount }, (_, i) => i);
  const replayOrder = shuffle(Uint32Array.from({ length: replayCount }, (_, i) => i), random);
  let next = 0;
  const takeReplay = (n: number): Uint32Array => {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      if (next === replayCount) {
        shuffle(replayOrder, random);
        next = 0;
      }
      out[i] = replayOrder[next++];
    }
    return out;
  };
  const batches: MixedBatch[] = [];
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffle(user, random);
    for (let start = 0; start < userCount; start += userPerBatch) {
      const mine = user.slice(start, Math.min(userCount, start + userPerBatch));
      batches.push({ user: mine, replay: replayCount ? takeReplay(Math.round(mine.length * replayPerUser)) : new Uint32Array(0) });
    }
  }
  return batches;
}

/** The user's samples split per digit into the ones trained on and the ones held out to measure. */
export function holdOutSamples(samples: DigitImages, share: number, random: Random): { train: DigitImages; heldOut: DigitImages } {
  const split = stratifiedSplit(samples.labels!, share, random);
  return { train: subset(samples, split.train), heldOut: subset(samples, split.validation) };
}

export interface FineTuneData {
  /** The user's labelled drawings. */
  samples: DigitImages;
  /** Rows the base model learnt from, replayed so it does not forget them. */
  replay: DigitImages;
  /** Rows neither the base model nor this run trains on: the check that MNIST is not forgotten. */
  heldOut: DigitImages;
}

export interface FineTuneProgress {
  step: number;
  steps: number;
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
}

export interface FineTuneCallbacks {
  signal?: AbortSignal;
  onStep?: (progress: FineTuneProgress) => void;
}

export interface FineTuneResult {
  before: Accuracies;
  after: Accuracies;
  /** How many user samples were trained on and held out; replay rows used. */
  trainedSamples: number;
  heldOutSamples: number;
  heldOutRows: number;
  replayRows: number;
  steps: number;
  /** Mean training loss and accuracy over the last epoch's steps. */
  lastLoss: number;
  lastAccuracy: number;
  /** Share of the run's change to the weights that the saved model keeps (keepLeastChange). */
  changeKept: number;
  seconds: number;
}

/**
 * Fine-tunes `model` in place (compiling it with a fresh Adam at the run's rate) and measures it
 * before and after on the held-out samples and rows. On failure or cancellation the model's
 * weights are partly trained: the caller must not save it (jobs write the new model only after
 * this returns).
 */
export async function fineTune(model: tf.LayersModel, data: FineTuneData, settings: FineTuneSettings, pixelScale: PixelScale = 'unit', callbacks: FineTuneCallbacks = {}): Promise<FineTuneResult> {
  const problem = fineTuneSettingsProblem(settings);
  if (problem) throw new InputError(`Invalid fine-tuning setting: ${problem}`);
  if (!data.samples.labels || !data.replay.labels || !data.heldOut.labels) throw new InputError('Fine-tuning needs labelled samples and rows.');
  if (data.samples.count < MIN_FINE_TUNE_SAMPLES) {
    throw new InputError(`Fine-tuning needs at least ${MIN_FINE_TUNE_SAMPLES} labelled drawings (there are ${data.samples.count}): label more on the Digit Pad.`);
  }
  const started = performance.now();
  const random = createRandom(settings.seed);
  const { train, heldOut: heldOutSamples } = holdOutSamples(data.samples, settings.holdOut, random);
  const measure = async (): Promise<Accuracies> => {
    const mnist = await evaluateImages(model, data.heldOut, { pixelScale, signal: callbacks.signal });
    checkProbabilities(mnist.predictions.probabilities);
    const mine = heldOutSamples.count ? (await evaluateImages(model, heldOutSamples, { pixelScale, signal: callbacks.signal })).accuracy : undefined;
    return mine === undefined ? { heldOut: mnist.accuracy } : { samples: mine, heldOut: mnist.accuracy };
  };
  const before = await measure();

  model.optimizer?.dispose(); // a previous run's Adam state (a trained model keeps its optimizer)
  compileModel(model, settings.learningRate);
  const variables = trainableVariables(model);
  const baseWeights = variables.map((v) => tf.keep(v.clone()));
  try {
    const augment: AugmentOptions | undefined = settings.augment ? DEFAULT_AUGMENT : undefined;
    const batches = planBatches(train.count, data.replay.count, settings, random);
    const perEpoch = Math.ceil(batches.length / settings.epochs);
    const replayUsed = new Set<number>();
    let epochLoss = 0;
    let epochAccuracy = 0;
    let epochSteps = 0;
    for (let b = 0; b < batches.length; b++) {
      throwIfAborted(callbacks.signal);
      const { user, replay } = batches[b];
      replay.forEach((i) => replayUsed.add(i));
      const x = tf.tidy(() => {
        const images = tf.concat([imagesTensor(train, user), ...(replay.length ? [imagesTensor(data.replay, replay)] : [])]) as tf.Tensor4D;
        return toModelInput(model, augment ? augmentBatch(images, augment, random) : images, pixelScale);
      });
      const y = tf.tidy(() => tf.concat([labelsTensor(train.labels!, user), ...(replay.length ? [labelsTensor(data.replay.labels!, replay)] : [])]));
      let loss: number;
      let accuracy: number;
      try {
        [loss, accuracy] = stepInInferenceMode(model, variables, x, y);
      } finally {
        tf.dispose([x, y]);
      }
      const epoch = Math.floor(b / perEpoch) + 1;
      if (b % perEpoch === 0) epochLoss = epochAccuracy = epochSteps = 0;
      epochLoss += loss;
      epochAccuracy += accuracy;
      epochSteps++;
      callbacks.onStep?.({ step: b + 1, steps: batches.length, epoch, epochs: settings.epochs, loss, accuracy });
      // Let cancellation (and other requests to the worker) through.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const changeKept = await keepLeastChange(variables, baseWeights, async () => (await evaluateImages(model, train, { pixelScale, signal: callbacks.signal })).accuracy);
    const after = await measure();
    return {
      before,
      after,
      trainedSamples: train.count,
      heldOutSamples: heldOutSamples.count,
      heldOutRows: data.heldOut.count,
      replayRows: replayUsed.size,
      steps: batches.length,
      lastLoss: epochSteps ? epochLoss / epochSteps : NaN,
      lastAccuracy: epochSteps ? epochAccuracy / epochSteps : NaN,
      changeKept,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    tf.dispose(baseWeights);
  }
}

/** Shares of the run's change tried, smallest first. */
export const CHANGE_SHARES = [0.25, 0.5, 0.75, 1];

/**
 * Moves the fine-tuned weights back toward the base model's — w = base + share × (tuned − base),
 * as WiSE-FT does (Wortsman et al. 2022, "Robust fine-tuning of zero-shot models") — keeping the
 * smallest share of CHANGE_SHARES at which the drawings trained on are read as well as by the
 * fully tuned weights, and returns that share. Why: on the product's default 12-epoch model the
 * full change cost 0.1–0.35 points of held-out train.csv rows while a quarter of it already read
 * every taught habit, and forgetting grows with the distance moved; an undertrained model (the
 * seed CNN after 2 epochs) still needs the whole change, and this finds that too
 * (docs/FINE_TUNE.md). Only the trained-on drawings choose, so the held-out ones and the held-out
 * rows still measure the result honestly.
 */
export async function keepLeastChange(variables: tf.Variable[], base: tf.Tensor[], accuracy: () => Promise<number>): Promise<number> {
  const tuned = variables.map((v) => tf.keep(v.clone()));
  try {
    const full = await accuracy();
    for (const share of CHANGE_SHARES) {
      tf.tidy(() => variables.forEach((v, i) => v.assign(tf.add(base[i], tf.mul(tf.sub(tuned[i], base[i]), share)))));
      if (share === 1 || (await accuracy()) >= full) return share;
    }
    return 1;
  } finally {
    tf.dispose(tuned);
  }
}

/**
 * One Adam step with the model in inference mode: dropout off and batch normalisation using its
 * moving statistics, which it also leaves untouched. With a few dozen drawings, batch statistics
 * would be noisy and would drag the moving averages that every later prediction uses toward
 * this run's batches (the usual advice for fine-tuning, e.g. Keras's transfer-learning guide).
 */
function stepInInferenceMode(model: tf.LayersModel, variables: tf.Variable[], x: tf.Tensor, labels: tf.Tensor): [number, number] {
  let accuracy: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const probabilities = model.apply(x, { training: false }) as tf.Tensor;
    accuracy = tf.keep(sparseAccuracy(labels, probabilities));
    return sparseCrossEntropy(labels, probabilities);
  }, variables);
  try {
    model.optimizer.applyGradients(grads);
    return [value.dataSync()[0], accuracy!.dataSync()[0]];
  } finally {
    tf.dispose([value, accuracy!, ...Object.values(grads)]);
  }
}

/** The loss needs probabilities: a model that outputs logits (no softmax) cannot be fine-tuned as is. */
function checkProbabilities(probabilities: Float32Array): void {
  const rows = Math.min(50, probabilities.length / NUM_CLASSES);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let k = 0; k < NUM_CLASSES; k++) {
      const p = probabilities[i * NUM_CLASSES + k];
      if (!(p >= 0)) sum = NaN;
      sum += p;
    }
    if (!(Math.abs(sum - 1) < 1e-3)) {
      throw new InputError('This model does not output probabilities (its ten outputs do not sum to 1: no softmax at the end), so it cannot be fine-tuned here.');
    }
  }
}
