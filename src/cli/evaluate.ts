import { COMMON_OPTIONS_HELP, integerOption, MODEL_OPTION_HELP, modelCommand } from './args';
import { runEvaluateFileJob } from '../engine/jobs/modelJobs';

export const EVALUATE_HELP = `Usage: digit-recognizer evaluate <labelled.csv> --model DIR

Prints accuracy, the confusion matrix and per-class precision, recall and F1 for a
train-format (labelled) CSV.

Options:
${MODEL_OPTION_HELP}
  --limit N       only the first N rows
${COMMON_OPTIONS_HELP}`;

export async function evaluateCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const args = modelCommand(argv, EVALUATE_HELP, 'labelled CSV', { limit: { type: 'string' } });
  if (!args) return;
  const limit = integerOption(args.values.limit as string | undefined, 'limit', EVALUATE_HELP);
  const { rows, accuracy, matrix, classes, networkAccuracies } = await runEvaluateFileJob({ file: args.target, model: args.model, limit }, { signal, backend: args.backend });
  console.log(`Accuracy: ${(accuracy * 100).toFixed(2)}% on ${rows.toLocaleString('en-US')} rows${networkAccuracies ? ` (the average of ${networkAccuracies.length} networks)` : ''}`);
  networkAccuracies?.forEach((a, i) => console.log(`  network ${i + 1} alone: ${(a * 100).toFixed(2)}%`));
  console.log('\nConfusion matrix (rows: true digit, columns: predicted)');
  console.log(formatConfusionMatrix(matrix));
  console.log('\ndigit precision recall     f1 support');
  for (const m of classes) {
    console.log(`${String(m.digit).padStart(5)} ${m.precision.toFixed(4).padStart(9)} ${m.recall.toFixed(4).padStart(6)} ${m.f1.toFixed(4).padStart(6)} ${String(m.support).padStart(7)}`);
  }
}

/** A fixed-width text rendering for terminals and logs. */
function formatConfusionMatrix(matrix: number[][]): string {
  const width = Math.max(5, ...matrix.flat().map((n) => String(n).length + 1));
  const pad = (s: string | number) => String(s).padStart(width);
  const header = 'true\\pred' + matrix.map((_, j) => pad(j)).join('');
  const rows = matrix.map((row, i) => String(i).padStart(9) + row.map(pad).join(''));
  return [header, ...rows].join('\n');
}
