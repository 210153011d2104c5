import * as fs from 'fs';
import * as path from 'path';
import { onePositional, parse, requiredOption } from './args';
import { initBackend } from '../engine/backend';
import { readDigitCsv } from '../engine/csv';
import { InputError } from '../engine/errors';
import { fsError } from '../engine/files';
import { describeJsonValue, parseJson } from '../engine/json';
import { loadAnyModel } from '../engine/loadModel';
import { predictImages } from '../engine/predict';
import { DigitImages, NUM_CLASSES, PIXELS } from '../engine/types';
import { backendOption } from './train';

export const PREDICT_HELP = `Usage: digit-recognizer predict <file.csv|file.json> --model DIR

Prints one line per image: the predicted digit and the ten probabilities, as CSV
(label,p0,...,p9). A CSV may be in train or test format; a JSON file holds one image
(an array of 784 values 0-255) or an array of such images.

Options:
  --model PATH    model folder (or its model.json), or a Keras .h5 / .keras file
  --backend auto|tensorflow|wasm|cpu
  --verbose       show stack traces on errors
  -h, --help      this help`;

export async function predictCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { values, positionals } = parse(argv, { model: { type: 'string' }, backend: { type: 'string' } }, PREDICT_HELP);
  if (values.help) return void console.log(PREDICT_HELP);
  const file = path.resolve(onePositional(positionals, 'CSV or JSON file', PREDICT_HELP));
  const modelPath = path.resolve(requiredOption(values.model, 'model', PREDICT_HELP));
  await initBackend(backendOption(values.backend, PREDICT_HELP));
  const images = file.toLowerCase().endsWith('.json') ? readJsonImages(file) : await readDigitCsv(file, { signal });
  const { model, metadata } = await loadAnyModel(modelPath);
  try {
    const { labels, probabilities } = await predictImages(model, images, { signal, pixelScale: metadata?.pixelScale });
    const lines = ['label,' + Array.from({ length: NUM_CLASSES }, (_, k) => `p${k}`).join(',')];
    for (let i = 0; i < images.count; i++) {
      const p = Array.from(probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), (v) => v.toFixed(6));
      lines.push(`${labels[i]},${p.join(',')}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    model.dispose();
  }
}

/** One image (784 numbers) or a list of them, values 0–255. */
export function readJsonImages(file: string): DigitImages {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fsError(err, 'read', file);
  }
  const value = parseJson(text, file);
  const list = Array.isArray(value) && value.length > 0 && Array.isArray(value[0]) ? (value as unknown[]) : [value];
  const pixels = new Uint8Array(list.length * PIXELS);
  list.forEach((image, i) => {
    if (!Array.isArray(image) || image.length !== PIXELS) {
      throw new InputError(`${file}: image ${i + 1} must be an array of ${PIXELS} values (got ${Array.isArray(image) ? `${image.length} values` : typeof image})`, file);
    }
    image.forEach((v, p) => {
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new InputError(`${file}: image ${i + 1}, pixel ${p}: ${describeJsonValue(v)} is not an integer 0–255`, file);
      pixels[i * PIXELS + p] = v;
    });
  });
  return { count: list.length, pixels, labels: null };
}
