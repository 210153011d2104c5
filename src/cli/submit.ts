import * as path from 'path';
import { COMMON_OPTIONS_HELP, integerOption, MODEL_OPTION_HELP, modelCommand } from './args';
import { runSubmissionJob } from '../engine/jobs/submissionJob';
import { ProgressPrinter } from './progress';

export const SUBMIT_HELP = `Usage: digit-recognizer submit <test.csv> --model DIR [--out FILE]

Predicts every row of a Kaggle-format test.csv (pixel0..pixel783) and writes ImageId,Label.

Options:
${MODEL_OPTION_HELP}
  --out FILE      output (default: submission.csv beside test.csv); an existing file is
                  replaced only if it is a submission (first line ImageId,Label)
  --threads N     threads that predict; 0 = one per CPU core (default), 1 = a single thread
${COMMON_OPTIONS_HELP}`;

export async function submitCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const args = modelCommand(argv, SUBMIT_HELP, 'test.csv', { out: { type: 'string' }, threads: { type: 'string' } });
  if (!args) return;
  const testFile = args.target;
  const outFile = path.resolve((args.values.out as string | undefined) ?? path.join(path.dirname(testFile), 'submission.csv'));
  const threads = integerOption(args.values.threads as string | undefined, 'threads', SUBMIT_HELP, 0);
  const progress = new ProgressPrinter();
  const result = await runSubmissionJob({ testFile, model: args.model, outFile, threads }, { signal, backend: args.backend, onEvent: (e) => progress.onEvent(e) });
  progress.done();
  console.log(`Wrote ${result.rows.toLocaleString('en-US')} predictions to ${result.file}`);
}
