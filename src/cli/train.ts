import * as path from 'path';
import { UsageError, backendOption, flagsHelp, integerOption, onePositional, optionsFromFlags, parse, schemaFlags } from './args';
import { runTrainJob, trainOutputNames } from '../engine/jobs/trainJob';
import { DEFAULT_TRAIN_SETTINGS, TRAIN_OPTIONS, type TrainSettings } from '../shared/training';
import type { BackendPreference } from '../engine/core/types';
import { ProgressPrinter } from './progress';
import { RECIPE_NAMES, RECIPES, isRecipeName, recipeSettings, type RecipeName } from '../shared/recipes';

export const TRAIN_HELP = `Usage: digit-recognizer train <train.csv> [options]

Trains a CNN on a Kaggle-format train.csv (label,pixel0..pixel783) and saves it as a folder
(model.json + weights.bin + metadata.json).

Options:
  --recipe NAME              start from a recipe's settings (the flags given still win):
${RECIPE_NAMES.map((name) => `                               ${name.padEnd(12)}${RECIPES[name].summary}; measured ${RECIPES[name].measured}`).join('\n')}
${flagsHelp(TRAIN_OPTIONS)}
  --unlabelled FILE          learn from an unlabelled test-format CSV too (Kaggle's test.csv):
                             a first model reads it, and the rows it gives at least
                             --pseudo-label-confidence train the saved model with the labelled
                             ones (about 2.5× the time); validation stays labelled rows
  --limit N                  use only the first N rows (of each file)
  --out DIR                  model folder (default: models/<arch>-<date> in the current folder);
                             a new name, an empty folder or a model folder made by this tool
                             (then replaced); anything else is refused before training
  --backend auto|tensorflow|wasm|cpu   (default: auto)
  --verbose                  show stack traces on errors
  -h, --help                 this help`;

export interface TrainArgs {
  file: string;
  settings: TrainSettings;
  unlabelled?: string;
  recipe?: RecipeName;
  limit?: number;
  out?: string;
  backend?: BackendPreference;
}

/** The command line of `train`: its file, its settings (defaults where no flag is given) and the rest; undefined for --help. */
export function parseTrainArgs(argv: string[]): TrainArgs | undefined {
  const { values, positionals } = parse(argv, { ...schemaFlags(TRAIN_OPTIONS), recipe: { type: 'string' }, unlabelled: { type: 'string' }, limit: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' } }, TRAIN_HELP);
  if (values.help) return undefined;
  const file = onePositional(positionals, 'train.csv', TRAIN_HELP);
  const recipe = values.recipe as string | undefined;
  if (recipe !== undefined && !isRecipeName(recipe)) throw new UsageError(`--recipe must be one of ${RECIPE_NAMES.join(', ')} (got "${recipe}")`, TRAIN_HELP);
  const base = recipe ? recipeSettings(recipe, DEFAULT_TRAIN_SETTINGS) : DEFAULT_TRAIN_SETTINGS;
  const settings = { ...base, ...optionsFromFlags(TRAIN_OPTIONS, values, TRAIN_HELP) };
  const unlabelled = values.unlabelled as string | undefined;
  return {
    file,
    settings,
    unlabelled,
    recipe,
    limit: integerOption(values.limit as string | undefined, 'limit', TRAIN_HELP),
    out: values.out as string | undefined,
    backend: backendOption(values.backend as string | undefined, TRAIN_HELP),
  };
}

export async function trainCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const args = parseTrainArgs(argv);
  if (!args) return void console.log(TRAIN_HELP);
  const { file, settings } = args;
  const names = trainOutputNames(file, settings.arch);
  const outDir = path.resolve(args.out ?? path.join('models', names.folder));
  const progress = new ProgressPrinter();
  const result = await runTrainJob(
    { trainFile: path.resolve(file), unlabelledFile: args.unlabelled === undefined ? undefined : path.resolve(args.unlabelled), settings, outDir, name: names.name, limit: args.limit, recipe: args.recipe },
    { signal, backend: args.backend, onEvent: (e) => progress.onEvent(e) },
  );
  progress.done();
  const final = result.metadata.final;
  console.log(`Model saved to ${result.dir}`);
  if (result.metadata.trainingThreads !== undefined) console.log(`Trained on ${result.metadata.trainingThreads} thread${result.metadata.trainingThreads === 1 ? '' : 's'}`);
  const pseudo = result.metadata.pseudoLabels;
  if (pseudo) console.log(`Learned from ${pseudo.rows.toLocaleString('en-US')} of ${pseudo.file.rows.toLocaleString('en-US')} rows of ${pseudo.file.name} (≥ ${pseudo.confidence} confidence); the first model's validation accuracy: ${((pseudo.first.valAccuracy ?? 0) * 100).toFixed(2)}%`);
  if (final?.valAccuracy !== undefined) console.log(`Validation accuracy: ${(final.valAccuracy * 100).toFixed(2)}%`);
  else console.log(`Training accuracy: ${((final?.accuracy ?? 0) * 100).toFixed(2)}% (no validation split)`);
  result.metadata.networkResults?.forEach((n, i) => console.log(`  network ${i + 1} alone: ${n.valAccuracy === undefined ? '-' : `${(n.valAccuracy * 100).toFixed(2)}%`} (seed ${n.seed}, ${n.seconds} s)`));
}
