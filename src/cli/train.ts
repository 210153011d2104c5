import * as path from 'path';
import { backendOption, integerOption, numberOption, onePositional, parse, UsageError } from './args';
import { runTrainJob, trainOutputNames } from '../engine/jobs/trainJob';
import { DEFAULT_TRAIN_SETTINGS, isArchitecture, isSchedule, type LearningRateSchedule, type TrainSettings } from '../shared/training';
import { ProgressPrinter } from './progress';

export const TRAIN_HELP = `Usage: digit-recognizer train <train.csv> [options]

Trains a CNN on a Kaggle-format train.csv (label,pixel0..pixel783) and saves it as a folder
(model.json + weights.bin + metadata.json).

Options:
  --arch seed|default        architecture (default: ${DEFAULT_TRAIN_SETTINGS.arch})
  --epochs N                 epochs (default: ${DEFAULT_TRAIN_SETTINGS.epochs})
  --batch-size N             batch size (default: ${DEFAULT_TRAIN_SETTINGS.batchSize})
  --validation-split F       fraction held out for validation, 0 to <1 (default: ${DEFAULT_TRAIN_SETTINGS.validationSplit})
  --learning-rate F          Adam learning rate, the peak with onecycle (default: ${DEFAULT_TRAIN_SETTINGS.learningRate})
  --schedule onecycle|constant  learning-rate schedule (default: ${DEFAULT_TRAIN_SETTINGS.schedule})
  --no-augment               no rotation/zoom/shift augmentation
  --label-smoothing F        label smoothing of the training loss, 0 to <1 (default: ${DEFAULT_TRAIN_SETTINGS.labelSmoothing})
  --ema-decay F              keep an exponential moving average of the weights with this decay per
                             step (e.g. 0.999) and save it; 0 = off (default: ${DEFAULT_TRAIN_SETTINGS.emaDecay})
  --seed N                   random seed (default: ${DEFAULT_TRAIN_SETTINGS.seed})
  --threads N                threads that train, each on a share of every batch; 0 = one per
                             CPU core, 1 = a single thread (default: ${DEFAULT_TRAIN_SETTINGS.threads})
  --limit N                  use only the first N rows
  --out DIR                  model folder (default: models/<arch>-<date> in the current folder);
                             a new name, an empty folder or a model folder made by this tool
                             (then replaced); anything else is refused before training
  --backend auto|tensorflow|wasm|cpu   (default: auto)
  --verbose                  show stack traces on errors
  -h, --help                 this help`;

export async function trainCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      arch: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'validation-split': { type: 'string' },
      'learning-rate': { type: 'string' },
      schedule: { type: 'string' },
      'no-augment': { type: 'boolean' },
      'label-smoothing': { type: 'string' },
      'ema-decay': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
    },
    TRAIN_HELP,
  );
  if (values.help) return void console.log(TRAIN_HELP);
  const file = onePositional(positionals, 'train.csv', TRAIN_HELP);
  if (values.arch !== undefined && !isArchitecture(values.arch)) throw new UsageError(`--arch must be seed or default (got "${values.arch}")`, TRAIN_HELP);
  if (values.schedule !== undefined && !isSchedule(values.schedule)) throw new UsageError(`--schedule must be onecycle or constant (got "${values.schedule}")`, TRAIN_HELP);
  const d = DEFAULT_TRAIN_SETTINGS;
  const settings: TrainSettings = {
    ...d,
    arch: (values.arch as TrainSettings['arch']) ?? d.arch,
    epochs: integerOption(values.epochs, 'epochs', TRAIN_HELP) ?? d.epochs,
    batchSize: integerOption(values['batch-size'], 'batch-size', TRAIN_HELP) ?? d.batchSize,
    validationSplit: numberOption(values['validation-split'], 'validation-split', TRAIN_HELP, (n) => n >= 0 && n < 1, 'a number from 0 to below 1') ?? d.validationSplit,
    learningRate: numberOption(values['learning-rate'], 'learning-rate', TRAIN_HELP, (n) => n > 0, 'a positive number') ?? d.learningRate,
    schedule: (values.schedule as LearningRateSchedule | undefined) ?? d.schedule,
    augment: !values['no-augment'],
    labelSmoothing: numberOption(values['label-smoothing'], 'label-smoothing', TRAIN_HELP, (n) => n >= 0 && n < 1, 'a number from 0 to below 1') ?? d.labelSmoothing,
    emaDecay: numberOption(values['ema-decay'], 'ema-decay', TRAIN_HELP, (n) => n >= 0 && n < 1, 'a number from 0 to below 1') ?? d.emaDecay,
    seed: integerOption(values.seed, 'seed', TRAIN_HELP, 0) ?? d.seed,
    threads: integerOption(values.threads, 'threads', TRAIN_HELP, 0) ?? d.threads,
  };
  const names = trainOutputNames(file, settings.arch);
  const outDir = path.resolve(values.out ?? path.join('models', names.folder));
  const progress = new ProgressPrinter();
  const result = await runTrainJob(
    {
      trainFile: path.resolve(file),
      settings,
      outDir,
      name: names.name,
      limit: integerOption(values.limit, 'limit', TRAIN_HELP),
    },
    { signal, backend: backendOption(values.backend, TRAIN_HELP), onEvent: (e) => progress.onEvent(e) },
  );
  progress.done();
  const final = result.metadata.final;
  console.log(`Model saved to ${result.dir}`);
  if (result.metadata.trainingThreads !== undefined) console.log(`Trained on ${result.metadata.trainingThreads} thread${result.metadata.trainingThreads === 1 ? '' : 's'}`);
  if (final?.valAccuracy !== undefined) console.log(`Validation accuracy: ${(final.valAccuracy * 100).toFixed(2)}%`);
  else console.log(`Training accuracy: ${((final?.accuracy ?? 0) * 100).toFixed(2)}% (no validation split)`);
}
