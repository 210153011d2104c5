// The e2e harness's personal handwriting (test/e2e/personalStrokes.ts) as 28×28 images, rendered
// in Node, for unit tests and benchmarks that need many drawings.
import { TRAIN_HEADER, trainRow } from '../../src/engine/data/trainRow';
import type { DigitImages } from '../../src/engine/core/types';
import { personalDigit } from '../e2e/personalStrokes';
import { rasterizeStrokes } from './rasterize';

/** Drawings k of every digit in the personal style, digit by digit. */
export function personalImages(ks: number[]): DigitImages & { labels: Uint8Array } {
  const count = 10 * ks.length;
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let i = 0;
  for (let d = 0; d < 10; d++) {
    for (const k of ks) {
      pixels.set(rasterizeStrokes(personalDigit(d, k)), i * 784);
      labels[i++] = d;
    }
  }
  return { count, pixels, labels };
}

/** Labelled images as the text of a samples file (Kaggle's train format). */
export function samplesCsv(images: DigitImages): string {
  const rows = Array.from({ length: images.count }, (_, i) => trainRow(images.pixels.subarray(i * 784, (i + 1) * 784), images.labels![i]));
  return `${TRAIN_HEADER}\n${rows.join('\n')}\n`;
}
