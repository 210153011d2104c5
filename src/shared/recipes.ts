// Training recipes, chosen by time: what Train Model's first pick and `train --recipe` offer, each
// with its accuracy as measured (bench/ACCURACY.md) and its minutes estimated for this machine.
// Pure data and arithmetic: the extension and the CLI estimate with the speed they know.
import type { Architecture, TrainSettings } from './training';

export const RECIPE_NAMES = ['quick', 'standard', 'leaderboard'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

export function isRecipeName(value: unknown): value is RecipeName {
  return typeof value === 'string' && (RECIPE_NAMES as readonly string[]).includes(value);
}

export interface Recipe {
  label: string;
  /** What it trains, in a few words. */
  summary: string;
  /** The settings it sets; the others are the user's (Settings, or the CLI's flags). */
  settings: Partial<TrainSettings>;
  /** Its accuracy as bench/ACCURACY.md measured it, in words. */
  measured: string;
}

export const RECIPES: Record<RecipeName, Recipe> = {
  quick: {
    label: 'Quick',
    summary: 'the reference CNN, 1 epoch',
    settings: { arch: 'seed', epochs: 1, networks: 1 },
    measured: '98.4% of held-out train.csv rows',
  },
  standard: {
    label: 'Standard',
    summary: 'your settings (by default one default CNN, 12 epochs)',
    settings: {},
    measured: 'with the defaults 99.50% of unseen Kaggle-style test rows (99.49–99.52% over 3 seeds)',
  },
  leaderboard: {
    label: 'Leaderboard',
    summary: '3 default CNNs of 12 epochs, their probabilities averaged',
    settings: { arch: 'default', epochs: 12, networks: 3 },
    measured: '19% fewer mistakes than one network on the same held-out rows (39 against 48 of 8,000, p 0.01)',
  },
};

/** The settings a recipe trains with: `base` (the user's) with the recipe's own on top. */
export function recipeSettings(name: RecipeName, base: TrainSettings): TrainSettings {
  return { ...base, ...RECIPES[name].settings };
}

/**
 * Seconds per trained image (one image, one epoch, validation included) measured on the 2-core
 * reference machine (bench/RESULTS.md, 2026-12-04): a default run of 37,800 rows × 12 epochs in
 * 6.6 minutes; the seed CNN at 1,345 img/s with its validation.
 */
export const REFERENCE_SECONDS_PER_IMAGE: Record<Architecture, number> = { default: 396 / (37_800 * 12), seed: 1 / 1_250 };

/** A speed: seconds per trained image of an architecture, and where it comes from. */
export interface TrainingSpeed {
  secondsPerImage: number;
  /** True when measured by a run on this machine, false for the reference machine's. */
  measuredHere: boolean;
}

/**
 * A finished run's speed from its metadata: its seconds over the images it trained (each network,
 * each epoch), without the first model's seconds of a run that learned from unlabelled rows.
 */
export function speedOfRun(run: { trainingSeconds?: number; trainRows?: number; epochs?: number; networks?: number; pseudoLabels?: { first: { seconds: number } } }): number | undefined {
  const { trainRows, epochs } = run;
  const trainingSeconds = (run.trainingSeconds ?? 0) - (run.pseudoLabels?.first.seconds ?? 0);
  if (!(trainingSeconds > 0) || !trainRows || !epochs) return undefined;
  return trainingSeconds / (trainRows * epochs * (run.networks ?? 1));
}

/**
 * Minutes a run takes: each network trains (1 − validation split) of `rows` for its epochs;
 * learning from unlabelled rows adds a first network and ~60% more rows to each final one.
 */
export function estimateMinutes(settings: TrainSettings, rows: number, speed: TrainingSpeed, learnsFromUnlabelled = false): number {
  const images = rows * (1 - settings.validationSplit) * settings.epochs;
  const networks = learnsFromUnlabelled ? 1 + settings.networks * 1.6 : settings.networks;
  return (images * networks * speed.secondsPerImage) / 60;
}

/** "about 7 min", "under a minute", "about 1 h 40 min". */
export function formatMinutes(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  const rounded = Math.round(minutes);
  return rounded < 60 ? `about ${rounded} min` : `about ${Math.floor(rounded / 60)} h${rounded % 60 ? ` ${rounded % 60} min` : ''}`;
}
