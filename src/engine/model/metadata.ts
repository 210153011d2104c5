// A model's metadata.json: what the product knows about a saved model (how it was made, how it
// measured, how to feed it), read by the model store and every command. No TensorFlow here: the
// extension host reads metadata without loading TF.js.
import * as fs from 'fs';
import * as path from 'path';
import { METADATA_FILE } from './modelDir';
import type { PixelScale } from '../core/types';
import type { Accuracies, EpochStats, FineTuneSettings, TrainSettings } from '../../shared/training';
import type { BatchHistory } from '../../shared/series';
import type { RecipeName } from '../../shared/recipes';
import type { SplitSpec } from '../data/validationSplit';

/**
 * What we know about a saved model, kept beside it in metadata.json. A model trained here records
 * every training option it was trained with (absent in imported models and in models trained
 * before the option existed), `arch` as `architecture`; an emaDecay of 0 or none means the last
 * step's weights were saved.
 */
export interface ModelMetadata extends Partial<Omit<TrainSettings, 'arch'>> {
  formatVersion: 1;
  name: string;
  /** ISO date. */
  created: string;
  architecture: string;
  /** The recipe Train Model or `train --recipe` started from (shared/recipes.ts), when one was picked. */
  recipe?: RecipeName;
  final?: { loss: number; accuracy: number; valLoss?: number; valAccuracy?: number };
  history?: EpochStats[];
  /** Per-batch loss and accuracy, averaged into at most 1,000 points (the dashboard's curves). */
  batchHistory?: BatchHistory;
  backend?: string;
  trainingSeconds?: number;
  /** Threads that trained (data parallel when > 1); `threads` is the setting asked for. */
  trainingThreads?: number;
  trainRows?: number;
  validationRows?: number;
  trainingFile?: { name: string; rows: number; sha256: string };
  /** A model of several networks (model/networks.ts): each network's seed and measures, in order. */
  networkResults?: NetworkResult[];
  /** Set when the model also learned from unlabelled rows (training/pseudoLabels.ts). */
  pseudoLabels?: PseudoLabelInfo;
  /** Where an imported model came from. */
  source?: string;
  /** Pixel values the model expects; absent means 'unit' (0–1). Imported Keras models may want 'byte' (0–255). */
  pixelScale?: PixelScale;
  /** Set on a model made by Fine-Tune on My Drawings: what it was made from and how it measured. */
  fineTuned?: FineTuneInfo;
  /** Its predictions submitted to Kaggle (Submit to Kaggle), oldest first. */
  kaggle?: KaggleSubmission[];
}

export interface KaggleSubmission {
  /** ISO date. */
  submitted: string;
  file: string;
  /** Kaggle's public leaderboard score (accuracy on its public share of test.csv), once scored. */
  publicScore?: number;
}

export interface NetworkResult {
  /** The seed of its weights, order and augmentation (training/train.ts memberSeed). */
  seed: number;
  /** Its own accuracy on the validation rows every network of the model shares. */
  valAccuracy?: number;
  seconds: number;
}

export interface PseudoLabelInfo {
  file: { name: string; rows: number; sha256: string };
  confidence: number;
  /** Unlabelled rows the first model was at least `confidence` sure of: they trained the model. */
  rows: number;
  /** The first model (trained on the labelled rows alone, then discarded): how it measured and took. */
  first: { valAccuracy?: number; seconds: number };
}

export interface FineTuneInfo {
  /** The base model's name. */
  base: string;
  samples: { name: string; rows: number; sha256: string };
  replay: { name: string; rows: number };
  /** Where the held-out training-CSV rows came from: the base model's validation split, or the last rows read. */
  heldOutFrom: 'validation' | 'tail';
  heldOutRows: number;
  heldOutSamples: number;
  trainedSamples: number;
  before: Accuracies;
  after: Accuracies;
  /** Share of the run's change to the weights kept (absent in models fine-tuned before it was chosen). */
  changeKept?: number;
  settings: FineTuneSettings;
}

export function readMetadata(dir: string): ModelMetadata | undefined {
  const file = path.join(dir, METADATA_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8'));
    return value && typeof value === 'object' && typeof value.name === 'string' ? (value as ModelMetadata) : undefined;
  } catch {
    return undefined;
  }
}

/** How to draw the model's validation split again (data/validationSplit.ts), when it was trained here with one. */
export function splitOf(metadata: ModelMetadata): SplitSpec | undefined {
  const { trainingFile, seed, validationSplit } = metadata;
  if (!trainingFile || seed === undefined || !validationSplit) return undefined;
  return { seed, validationSplit, rows: trainingFile.rows, sha256: trainingFile.sha256 };
}
