import * as path from 'path';
import { integerOption, onePositional, parse, requiredOption } from './args';
import { initBackend } from '../engine/backend';
import { readDigitCsv } from '../engine/csv';
import { loadAnyModel } from '../engine/loadModel';
import { evaluateImages } from '../engine/predict';
import { classMetrics, confusionMatrix, formatConfusionMatrix } from '../engine/metrics';
import { backendOption } from './train';

export const EVALUATE_HELP = `Usage: digit-recognizer evaluate <labelled.csv> --model DIR

Prints accuracy, the confusion matrix and per-class precision, recall and F1 for a
train-format (labelled) CSV.

Options:
  --model PATH    model folder (or its model.json), or a Keras .h5 / .keras file
  --limit N       only the first N rows
  --backend auto|tensorflow|wasm|cpu
  --verbose       show stack traces on errors
  -h, --help      this help`;

export async function evaluateCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { values, positionals } = parse(argv, { model: { type: 'string' }, limit: { type: 'string' }, backend: { type: 'string' } }, EVALUATE_HELP);
  if (values.help) return void console.log(EVALUATE_HELP);
  const file = path.resolve(onePositional(positionals, 'labelled CSV', EVALUATE_HELP));
  const modelPath = path.resolve(requiredOption(values.model, 'model', EVALUATE_HELP));
  const limit = integerOption(values.limit, 'limit', EVALUATE_HELP);
  await initBackend(backendOption(values.backend, EVALUATE_HELP));
  const { model, metadata } = await loadAnyModel(modelPath);
  try {
    const data = await readDigitCsv(file, { expect: 'train', signal, limit });
    const { accuracy, predictions } = await evaluateImages(model, data, { signal, pixelScale: metadata?.pixelScale });
    const matrix = confusionMatrix(data.labels!, predictions.labels);
    console.log(`Accuracy: ${(accuracy * 100).toFixed(2)}% on ${data.count.toLocaleString('en-US')} rows`);
    console.log('\nConfusion matrix (rows: true digit, columns: predicted)');
    console.log(formatConfusionMatrix(matrix));
    console.log('\ndigit precision recall     f1 support');
    for (const m of classMetrics(matrix)) {
      console.log(`${String(m.digit).padStart(5)} ${m.precision.toFixed(4).padStart(9)} ${m.recall.toFixed(4).padStart(6)} ${m.f1.toFixed(4).padStart(6)} ${String(m.support).padStart(7)}`);
    }
  } finally {
    model.dispose();
  }
}
