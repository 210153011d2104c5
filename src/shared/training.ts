// What a training run is: its options (one schema: type, default, valid range, words), the names
// of the architectures and schedules, and the per-epoch and per-batch records it reports. Pure
// data and checks, no TensorFlow: the engine trains with these, the CLI parses them, the extension
// reads them from its settings, and the dashboard shows them.
import { defaultsOf, firstInvalidOption, isValidOption, optionKeys, type OptionSpec, type OptionValues } from './options';

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

/**
 * A training option: its schema entry (type, default, valid range, label, the Settings editor's
 * description), its name among the extension's settings (`digitRecognizer.<setting>`, the key
 * unless given) and its command-line help (the flag is the key in kebab case: batchSize →
 * --batch-size; a boolean that defaults to true is turned off with --no-<flag>).
 */
export type TrainOption = OptionSpec & { setting?: string; help: string };

/**
 * Every training option, in the order the CLI's help, the Settings editor and the dashboard list
 * them: the one place an option is declared (README, "Contributing", walks through adding one).
 * TrainSettings, DEFAULT_TRAIN_SETTINGS, trainSettingsProblem, the CLI's flags and help, the
 * extension's settings reading and the dashboard's fields are derived from it, and package.json's
 * `contributes.configuration` is checked against it (test/unit/trainingOptions.test.ts).
 *
 * The defaults are the recipe kept by bench/ACCURACY.md's paired comparisons on the wasm backend,
 * 2 cores: 12 epochs of the default CNN, ~10 minutes, 99.35–99.63% on held-out rows (30 epochs
 * with weight averaging take ~25 minutes and measured no better).
 */
export const TRAIN_OPTIONS = {
  arch: {
    type: 'string',
    enum: ARCHITECTURES,
    enumDescriptions: ['A stronger CNN (conv-BN stacks); the recommended default.', 'The reference CNN: conv32-conv64-pool-dense128.'],
    default: 'default',
    setting: 'architecture',
    label: 'Architecture',
    description: 'Model architecture trained by Train Model.',
    help: 'the CNN trained: default (conv-BN stacks) or seed (conv32-conv64-pool-dense128)',
  },
  /**
   * Networks trained one after another (each its own weights, order and augmentation, on the same
   * validation split) and saved as one model averaging their probabilities (engine/model/networks.ts).
   * Each costs one run's time; 3 made 19% fewer mistakes than 1 (bench/ACCURACY.md, "Models of several networks").
   */
  networks: {
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: 1,
    label: 'Networks',
    description: 'Networks trained for one model, one after another, whose probabilities the model averages (an ensemble): each takes the time of one run and reads digits a little differently, so together they make fewer mistakes (3 made 19% fewer than one on the same held-out rows). 1 trains a single network; Fine-Tune on My Drawings tunes only those.',
    help: 'networks trained one after another and averaged into one model (each takes one run\'s time)',
  },
  /** Passes over the training rows; 200 is far past where MNIST stops improving (bench/ACCURACY.md). */
  epochs: {
    type: 'integer',
    minimum: 1,
    maximum: 200,
    default: 12,
    label: 'Epochs',
    description: 'Training epochs. The default (12 epochs of the default architecture, about 10 minutes on 2 CPU cores with WebAssembly) reaches 99.35–99.6% on held-out rows; fewer epochs train faster and less accurately.',
    help: 'passes over the training rows',
  },
  /** Images per step; above 4096 one batch's activations approach the 4 GB a WebAssembly memory can hold. */
  batchSize: {
    type: 'integer',
    minimum: 1,
    maximum: 4096,
    default: 128,
    label: 'Batch size',
    description: 'Training batch size.',
    help: 'images per training step',
  },
  /**
   * The peak rate with the 'onecycle' schedule, the rate throughout with 'constant'. One-cycle with
   * a peak of 0.006 measured best for one augmented seed epoch on train.csv (validation 98.41%;
   * peak 0.003: 98.19%; constant 0.001: 97.33%). Above 1 every Adam step outgrows the weights.
   */
  learningRate: {
    type: 'number',
    exclusiveMinimum: 0,
    maximum: 1,
    default: 0.006,
    label: 'Learning rate',
    description: 'Adam learning rate: the peak of the one-cycle schedule, or the rate throughout with a constant schedule.',
    help: 'Adam learning rate, the peak with onecycle',
  },
  schedule: {
    type: 'string',
    enum: LEARNING_RATE_SCHEDULES,
    enumDescriptions: [
      'Warm up to the learning rate over the first 20% of steps, then anneal it along a cosine to almost zero: reaches a given accuracy in fewer epochs.',
      'The same learning rate throughout.',
    ],
    default: 'onecycle',
    setting: 'learningRateSchedule',
    label: 'Learning-rate schedule',
    description: 'How the learning rate changes during training.',
    help: 'how the learning rate changes: onecycle (warm-up, then cosine annealing) or constant',
  },
  /** Fraction of rows held out (stratified by digit) for validation; 0 for none. Below 1: some rows must train. */
  validationSplit: {
    type: 'number',
    minimum: 0,
    exclusiveMaximum: 1,
    default: 0.1,
    percent: true,
    label: 'Validation split',
    description: 'Fraction of the training rows held out for validation.',
    help: 'fraction of the rows held out for validation, stratified by digit; 0 = none',
  },
  augment: {
    type: 'boolean',
    default: true,
    label: 'Augmentation',
    description: 'Augment training images on the fly (rotation ±10°, zoom ±10%, shift ±10%).',
    help: 'rotation/zoom/shift augmentation',
  },
  /**
   * Label smoothing of the training loss: the target of the labelled class is 1 − s + s/10. At most
   * 0.5, where the labelled digit's target (0.55) is still a majority; beyond, the model is taught
   * to be unsure of every digit, and the pad's probabilities would say so.
   */
  labelSmoothing: {
    type: 'number',
    minimum: 0,
    maximum: 0.5,
    default: 0,
    zero: 'off',
    label: 'Label smoothing',
    description: 'Label smoothing of the training loss: the labelled digit\'s target becomes 1 − s + s/10 and every other digit\'s s/10, which discourages over-confident predictions. The training loss then includes it (its floor is about 0.5 at 0.1); the validation loss does not. 0 turns it off.',
    help: 'label smoothing of the training loss; 0 = off',
  },
  /**
   * Decay of an exponential moving average of the weights, updated after every step
   * (engine/training/weightAverage.ts); validation measures and the saved model holds the averaged
   * weights. 0 = no average. At most 0.9999: the average's warm-up, min(d, (1 + t)/(10 + t)), stays
   * below that for the first 90,000 steps (300 epochs), so a larger decay would change nothing.
   */
  emaDecay: {
    type: 'number',
    minimum: 0,
    maximum: 0.9999,
    default: 0,
    zero: 'off',
    label: 'Weight average decay',
    description: 'Keep an exponential moving average of the weights during training, with this decay per step (for example 0.999), and save the averaged model; validation measures it too. 0 turns it off.',
    help: 'keep an exponential moving average of the weights with this decay per step (e.g. 0.999) and save it; 0 = off',
  },
  /**
   * Learning from unlabelled rows (Kaggle's test.csv; engine/training/pseudoLabels.ts): the
   * probability a first model must give a row's digit for that row to train the final model. From
   * 0.5, where the digit is the model's majority reading. 0.99 took ~97% of the held-out rows in
   * bench/ACCURACY.md's simulation, 99.9% of them read right.
   */
  pseudoLabelConfidence: {
    type: 'number',
    minimum: 0.5,
    maximum: 1,
    default: 0.99,
    label: 'Pseudo-label confidence',
    description: 'When Train Model learns from test.csv too (digitRecognizer.learnFromTestCsv): the probability a first model must give a test.csv row\'s digit for that row to train the final model.',
    help: 'with --unlabelled: the probability a first model must give an unlabelled row\'s digit for the row to train the final model',
  },
  /** Seeds every random draw of a run; the generator (core/random.ts) keeps 32 bits of it. */
  seed: {
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
    default: 42,
    label: 'Seed',
    description: 'Random seed for weight initialisation, shuffling, the validation split and augmentation, so runs are repeatable.',
    help: 'random seed of the weights, the split, shuffling and augmentation',
  },
  /**
   * Threads that train (data parallel, engine/training/dataParallel.ts): 0 = one per core, 1 = this
   * thread only; the replica pool starts at most 32. Ignored with native TensorFlow, which uses every core.
   */
  threads: {
    type: 'integer',
    minimum: 0,
    maximum: 32,
    default: 0,
    zero: 'one per core',
    setting: 'trainingThreads',
    label: 'Threads',
    description: 'Threads that train on the WebAssembly backend, each on a share of every batch (data parallel): 0 = one per CPU core, 1 = a single thread. Native TensorFlow uses every core regardless.',
    help: 'threads that train, each on a share of every batch; 0 = one per CPU core, 1 = a single thread',
  },
} as const satisfies Record<string, TrainOption>;

/**
 * The reason a training run of several networks is cancelled with when the user keeps the
 * networks already finished (a smaller model) rather than discarding the run.
 */
export const KEEP_FINISHED_NETWORKS = 'keep-finished-networks';

export type TrainOptionKey = keyof typeof TRAIN_OPTIONS;
export const TRAIN_OPTION_KEYS = optionKeys(TRAIN_OPTIONS);

/** A run's settings: one value per training option, of the option's type. */
export type TrainSettings = OptionValues<typeof TRAIN_OPTIONS>;

/** The extension's settings default to the same values (checked by test/unit/trainingOptions.test.ts). */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = defaultsOf(TRAIN_OPTIONS);

/** The extension's setting for an option: `digitRecognizer.<this>`. */
export function settingName(key: TrainOptionKey): string {
  const spec: TrainOption = TRAIN_OPTIONS[key];
  return spec.setting ?? key;
}

/** What is wrong with `s`, in words, or undefined when every setting is valid. */
export function trainSettingsProblem(s: TrainSettings): string | undefined {
  return firstInvalidOption(TRAIN_OPTIONS, s)?.problem;
}

/**
 * Settings read from a settings store: `get(name)` gives the value stored under an option's
 * setting name, or undefined for its default. A value outside an enum falls back to the default
 * (the Settings editor flags it; the run uses what the editor shows as the default); any other
 * value is kept as it is, for trainSettingsProblem to name.
 */
export function trainSettingsFrom(get: (setting: string) => unknown): TrainSettings {
  const settings: Record<string, unknown> = {};
  for (const key of TRAIN_OPTION_KEYS) {
    const spec: TrainOption = TRAIN_OPTIONS[key];
    const value = get(settingName(key));
    settings[key] = value === undefined || (spec.type === 'string' && !isValidOption(spec, value)) ? spec.default : value;
  }
  return settings as TrainSettings;
}

/** The values of a record (a model's metadata.json, of any version) that are valid training settings. */
export function validTrainSettingsIn(record: object): Partial<TrainSettings> {
  const values = record as Record<string, unknown>;
  return Object.fromEntries(TRAIN_OPTION_KEYS.filter((key) => isValidOption(TRAIN_OPTIONS[key], values[key])).map((key) => [key, values[key]])) as Partial<TrainSettings>;
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

/**
 * Fine-Tune on My Drawings' options, in the same schema form as TRAIN_OPTIONS (no setting or flag:
 * the command uses the defaults). The defaults were chosen on personal-style drawings (the e2e
 * harness's, rendered in Node) with a seed CNN and a batch-norm CNN trained on slices of
 * train.csv, measuring held-out train.csv rows before and after (docs/FINE_TUNE.md): 64-image
 * batches of which 7 in 8 are replayed rows, 10 passes over the drawings, Adam at 4e-4, everything
 * augmented. Half replay lost up to 1 point of held-out accuracy on the batch-norm CNN; unaugmented
 * replay lost more than augmented replay; 2e-4 left some habits unlearnt on the seed CNN; training
 * only the last layer learnt too little.
 */
export const FINE_TUNE_OPTIONS = {
  epochs: { type: 'integer', minimum: 1, maximum: 200, default: 10, label: 'Epochs', description: "Passes over the user's (training) samples." },
  batchSize: { type: 'integer', minimum: 2, maximum: 1024, default: 64, label: 'Batch size', description: 'Images per step: user samples and replayed rows together.' },
  replayShare: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.875, percent: true, label: 'Replay share', description: 'Share of every batch that is replayed training rows.' },
  learningRate: { type: 'number', exclusiveMinimum: 0, default: 4e-4, label: 'Learning rate', description: "Adam's rate, constant: small, as the model is already trained." },
  holdOut: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.2, percent: true, label: 'Held-out share', description: "Share of each digit's samples held out to measure the run (not trained on)." },
  augment: { type: 'boolean', default: true, label: 'Augmentation', description: 'Augment the samples and replayed rows on the fly (rotation, zoom, shift).' },
  seed: { type: 'integer', default: 42, label: 'Seed', description: 'Random seed for the held-out choice, the replay, shuffling and augmentation.' },
} as const satisfies Record<string, OptionSpec>;

export type FineTuneSettings = OptionValues<typeof FINE_TUNE_OPTIONS>;

export const DEFAULT_FINE_TUNE_SETTINGS: FineTuneSettings = defaultsOf(FINE_TUNE_OPTIONS);

/** What is wrong with `s`, in words, or undefined when every setting is valid. */
export function fineTuneSettingsProblem(s: FineTuneSettings): string | undefined {
  return firstInvalidOption(FINE_TUNE_OPTIONS, s)?.problem;
}

/** A fine-tune's measures, before or after. */
export interface Accuracies {
  /** Accuracy on the held-out user samples (undefined when none could be held out). */
  samples?: number;
  /** Accuracy on the held-out training-CSV rows. */
  heldOut: number;
}
