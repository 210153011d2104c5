import * as path from 'path';
import { integerOption, onePositional, parse, requiredOption } from './args';
import { runSubmissionJob } from '../engine/jobs/submissionJob';
import { ProgressPrinter } from './progress';
import { backendOption } from './args';

export const SUBMIT_HELP = `Usage: digit-recognizer submit <test.csv> --model DIR [--out FILE]

Predicts every row of a Kaggle-format test.csv (pixel0..pixel783) and writes ImageId,Label.

Options:
  --model PATH    model folder (or its model.json), or a Keras .h5 / .keras file
  --out FILE      output (default: submission.csv beside test.csv); an existing file is
                  replaced only if it is a submission (first line ImageId,Label)
  --backend auto|tensorflow|wasm|cpu
  --threads N     threads that predict; 0 = one per CPU core (default), 1 = a single thread
  --verbose       show stack traces on errors
  -h, --help      this help`;

export async function submitCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { values, positionals } = parse(argv, { model: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' } }, SUBMIT_HELP);
  if (values.help) return void console.log(SUBMIT_HELP);
  const testFile = path.resolve(onePositional(positionals, 'test.csv', SUBMIT_HELP));
  const model = requiredOption(values.model, 'model', SUBMIT_HELP);
  const outFile = path.resolve(values.out ?? path.join(path.dirname(testFile), 'submission.csv'));
  const progress = new ProgressPrinter();
  const threads = integerOption(values.threads, 'threads', SUBMIT_HELP, 0);
  const result = await runSubmissionJob({ testFile, model: path.resolve(model), outFile, threads }, { signal, backend: backendOption(values.backend, SUBMIT_HELP), onEvent: (e) => progress.onEvent(e) });
  progress.done();
  console.log(`Wrote ${result.rows.toLocaleString('en-US')} predictions to ${result.file}`);
}
