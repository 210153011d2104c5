// What a training run is: its settings (with their defaults and valid ranges), the names of the
// architectures and schedules, and the per-epoch and per-batch records it reports. Pure data and
// checks, no TensorFlow: the engine trains with these, the CLI parses them, the extension reads
// them from its settings, and the dashboard shows them.

export const ARCHITECTURES = ['default', 'seed'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export function isArchitecture(value: unknown): value is Architecture {
  return typeof value === 'string' && (ARCHITECTURES as readonly string[]).includes(value);
}

/**
 * Learning-rate schedules: "onecycle" (Smith & Topurkar's super-convergence: a short warm-up to the
 * peak rate, then cosine annealing to almost zero) or a constant rate.
 */
export const LEARNING_RATE_SCHEDULES = ['onecycle', 'constant'] as const;
export type LearningRateSchedule = (typeof LEARNING_RATE_SCHEDULES)[number];

export function isSchedule(value: unknown): value is LearningRateSchedule {
  return typeof value === 'string' && (LEARNING_RATE_SCHEDULES as readonly string[]).includes(value);
}

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
   * Decay of an exponential moving average of the weights, updated after every step
   * (engine/training/weightAverage.ts); validation measures and the saved model holds the averaged
   * weights. 0 = no average.
   */
  emaDecay: number;
  seed: number;
  /**
   * Threads that train (data parallel, engine/training/dataParallel.ts): 0 = one per core, 1 = this
   * thread only. Ignored with native TensorFlow, which uses every core.
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

/** What is wrong with `s`, in words, or undefined when every setting is valid. */
export function trainSettingsProblem(s: TrainSettings): string | undefined {
  const checks: Array<[boolean, string]> = [
    [isArchitecture(s.arch), `architecture must be ${ARCHITECTURES.join(' or ')} (got ${s.arch})`],
    [Number.isInteger(s.epochs) && s.epochs >= 1, `epochs must be a whole number ≥ 1 (got ${s.epochs})`],
    [Number.isInteger(s.batchSize) && s.batchSize >= 1, `batch size must be a whole number ≥ 1 (got ${s.batchSize})`],
    [s.learningRate > 0 && Number.isFinite(s.learningRate), `learning rate must be a positive number (got ${s.learningRate})`],
    [isSchedule(s.schedule), `schedule must be ${LEARNING_RATE_SCHEDULES.join(' or ')} (got ${s.schedule})`],
    [s.validationSplit >= 0 && s.validationSplit < 1, `validation split must be in [0, 1) (got ${s.validationSplit})`],
    [s.labelSmoothing >= 0 && s.labelSmoothing < 1, `label smoothing must be in [0, 1) (got ${s.labelSmoothing})`],
    [s.emaDecay >= 0 && s.emaDecay < 1, `EMA decay must be in [0, 1), 0 for none (got ${s.emaDecay})`],
    [Number.isInteger(s.seed), `seed must be a whole number (got ${s.seed})`],
    [s.threads === undefined || (Number.isInteger(s.threads) && s.threads >= 0), `threads must be a whole number ≥ 0, 0 for one per core (got ${s.threads})`],
  ];
  return checks.find(([ok]) => !ok)?.[1];
}

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

// --- Fine-Tune on My Drawings -----------------------------------------------------------------

/** Fewer labelled drawings than this is not worth a run (and cannot be measured). */
export const MIN_FINE_TUNE_SAMPLES = 10;

export interface FineTuneSettings {
  /** Passes over the user's (training) samples. */
  epochs: number;
  /** Images per step: user samples and replayed rows together. */
  batchSize: number;
  /** Share of every batch that is replayed training rows, 0–1 (exclusive of 1). */
  replayShare: number;
  /** Adam's rate, constant: small, as the model is already trained. */
  learningRate: number;
  /** Share of each digit's samples held out to measure the run (not trained on). */
  holdOut: number;
  augment: boolean;
  seed: number;
}

/**
 * Chosen on personal-style drawings (the e2e harness's, rendered in Node) with a seed CNN and a
 * batch-norm CNN trained on slices of train.csv, measuring held-out train.csv rows before and
 * after (docs/FINE_TUNE.md): 64-image batches of which 7 in 8 are replayed rows, 10 passes over
 * the drawings, Adam at 4e-4, everything augmented. Half replay lost up to 1 point of held-out
 * accuracy on the batch-norm CNN; unaugmented replay lost more than augmented replay; 2e-4 left
 * some habits unlearnt on the seed CNN; training only the last layer learnt too little.
 */
export const DEFAULT_FINE_TUNE_SETTINGS: FineTuneSettings = {
  epochs: 10,
  batchSize: 64,
  replayShare: 0.875,
  learningRate: 4e-4,
  holdOut: 0.2,
  augment: true,
  seed: 42,
};

/** What is wrong with `s`, in words, or undefined when every setting is valid. */
export function fineTuneSettingsProblem(s: FineTuneSettings): string | undefined {
  const checks: Array<[boolean, string]> = [
    [Number.isInteger(s.epochs) && s.epochs >= 1 && s.epochs <= 200, `epochs must be a whole number from 1 to 200 (got ${s.epochs})`],
    [Number.isInteger(s.batchSize) && s.batchSize >= 2 && s.batchSize <= 1024, `batch size must be a whole number from 2 to 1024 (got ${s.batchSize})`],
    [s.replayShare >= 0 && s.replayShare < 1, `replay share must be in [0, 1) (got ${s.replayShare})`],
    [s.learningRate > 0 && Number.isFinite(s.learningRate), `learning rate must be a positive number (got ${s.learningRate})`],
    [s.holdOut >= 0 && s.holdOut < 1, `held-out share must be in [0, 1) (got ${s.holdOut})`],
    [Number.isInteger(s.seed), `seed must be a whole number (got ${s.seed})`],
  ];
  return checks.find(([ok]) => !ok)?.[1];
}

/** A fine-tune's measures, before or after. */
export interface Accuracies {
  /** Accuracy on the held-out user samples (undefined when none could be held out). */
  samples?: number;
  /** Accuracy on the held-out training-CSV rows. */
  heldOut: number;
}
