import { COMMON_OPTIONS_HELP, MODEL_OPTION_HELP, modelCommand } from './args';
import { runPredictFileJob } from '../engine/jobs/modelJobs';
import { NUM_CLASSES } from '../engine/core/types';

export const PREDICT_HELP = `Usage: digit-recognizer predict <file.csv|file.json> --model DIR

Prints one line per image: the predicted digit and the ten probabilities, as CSV
(label,p0,...,p9). A CSV may be in train or test format; a JSON file holds one image
(an array of 784 values 0-255) or an array of such images.

Options:
${MODEL_OPTION_HELP}
${COMMON_OPTIONS_HELP}`;

export async function predictCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const args = modelCommand(argv, PREDICT_HELP, 'CSV or JSON file');
  if (!args) return;
  const { images, predictions } = await runPredictFileJob({ file: args.target, model: args.model }, { signal, backend: args.backend });
  const lines = ['label,' + Array.from({ length: NUM_CLASSES }, (_, k) => `p${k}`).join(',')];
  for (let i = 0; i < images.count; i++) {
    const p = Array.from(predictions.probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), (v) => v.toFixed(6));
    lines.push(`${predictions.labels[i]},${p.join(',')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
