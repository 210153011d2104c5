import { UsageError } from './args';
import { trainCommand } from './train';
import { submitCommand } from './submit';
import { evaluateCommand } from './evaluate';
import { predictCommand } from './predict';
import { predictImageCommand } from './predictImage';
import { isCancelled } from '../engine/core/errors';

const HELP = `Usage: digit-recognizer <command> [options]

Commands:
  train <train.csv>               train a CNN and save it as a model folder
  submit <test.csv> --model DIR   write a Kaggle submission (ImageId,Label)
  evaluate <labelled.csv> --model DIR   accuracy, confusion matrix, precision/recall/F1
  predict <file.csv|file.json> --model DIR   one line per image: label and probabilities
  predict-image <picture|folder> --model DIR   the digit in a PNG/JPEG/BMP (a folder: a CSV)

Run "digit-recognizer <command> --help" for a command's options.
Exit codes: 0 success, 1 bad input or failure, 2 bad usage, 130 cancelled.`;

const COMMANDS: Record<string, (argv: string[], signal: AbortSignal) => Promise<void>> = {
  train: trainCommand,
  submit: submitCommand,
  evaluate: evaluateCommand,
  predict: predictCommand,
  'predict-image': predictImageCommand,
};

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`digit-recognizer: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nCancelling… (Ctrl+C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    await command(rest, controller.signal);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`digit-recognizer ${name}: ${err.message}${err.help ? `\n\n${err.help}` : ''}`);
      return 2;
    }
    if (isCancelled(err)) {
      console.error('Cancelled; nothing was saved.');
      return 130;
    }
    // Input errors carry complete messages; anything else is shown briefly too, with the
    // stack trace only on request.
    console.error(verbose && err instanceof Error ? err.stack : `Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
