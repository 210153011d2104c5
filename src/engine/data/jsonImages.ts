// Digits as JSON (the CLI's `predict file.json`): one image, an array of 784 values 0–255, or an
// array of such images.
import * as fs from 'fs';
import { InputError } from '../core/errors';
import { fsError } from '../core/files';
import { describeJsonValue, parseJson } from '../core/json';
import { PIXELS, type DigitImages } from '../core/types';

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
