// Statistics of a Digit Recognizer CSV for the dataset explorer: label counts, mean image per
// digit, pixel-intensity histogram and a seeded sample of images per digit. Pure and fast enough
// for the full 42,000-row train.csv (one pass over 33 M pixels, run in the engine worker).
import { type DigitImages, NUM_CLASSES, PIXELS } from '../core/types';
import { createRandom } from '../core/random';

export interface DatasetStats {
  rows: number;
  labelled: boolean;
  /** Rows per digit (labelled files), else null. */
  labelCounts: number[] | null;
  /** Count of each pixel value 0–255 over all rows. */
  histogram: number[];
  /** Mean image per digit (10 × 784 bytes, rounded), or one mean image for unlabelled files. */
  meanImages: Uint8Array;
  /** Sampled images: the row (0-based data row) and label of each, with their pixels. */
  samples: Array<{ row: number; label: number | null }>;
  samplePixels: Uint8Array;
}

export interface DatasetStatsOptions {
  /** Images sampled per digit (per file for unlabelled data: ×10). */
  samplesPerDigit?: number;
  seed?: number;
}

export function datasetStats(data: DigitImages, options: DatasetStatsOptions = {}): DatasetStats {
  const k = options.samplesPerDigit ?? 12;
  const random = createRandom(options.seed ?? 1);
  const { count, pixels, labels } = data;
  const groups = labels ? NUM_CLASSES : 1;
  const sums = new Float64Array(groups * PIXELS);
  const groupCounts = new Array<number>(groups).fill(0);
  const histogram = new Array<number>(256).fill(0);
  const hist = new Float64Array(256);
  // Reservoir sampling per group: k uniformly chosen rows each, repeatable for a seed.
  const reservoirs: number[][] = Array.from({ length: groups }, () => []);
  const capacity = labels ? k : k * NUM_CLASSES;
  for (let r = 0; r < count; r++) {
    const g = labels ? labels[r] : 0;
    const seen = ++groupCounts[g];
    const reservoir = reservoirs[g];
    if (reservoir.length < capacity) reservoir.push(r);
    else {
      const j = Math.floor(random() * seen);
      if (j < capacity) reservoir[j] = r;
    }
    const base = r * PIXELS;
    const sumBase = g * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      const v = pixels[base + p];
      sums[sumBase + p] += v;
      hist[v]++;
    }
  }
  for (let v = 0; v < 256; v++) histogram[v] = hist[v];
  const meanImages = new Uint8Array(groups * PIXELS);
  for (let g = 0; g < groups; g++) {
    const n = groupCounts[g];
    if (n) for (let p = 0; p < PIXELS; p++) meanImages[g * PIXELS + p] = Math.round(sums[g * PIXELS + p] / n);
  }
  const samples: DatasetStats['samples'] = [];
  for (const reservoir of reservoirs) for (const row of reservoir.sort((a, b) => a - b)) samples.push({ row, label: labels ? labels[row] : null });
  const samplePixels = new Uint8Array(samples.length * PIXELS);
  samples.forEach((s, i) => samplePixels.set(pixels.subarray(s.row * PIXELS, (s.row + 1) * PIXELS), i * PIXELS));
  return { rows: count, labelled: !!labels, labelCounts: labels ? groupCounts : null, histogram, meanImages, samples, samplePixels };
}

/** Histogram bins of `width` values each (256 / width bins), optionally leaving out value 0. */
export function binHistogram(histogram: ArrayLike<number>, width: number, skipZero = false): number[] {
  if (256 % width) throw new RangeError('bin width must divide 256');
  const bins = new Array<number>(256 / width).fill(0);
  for (let v = skipZero ? 1 : 0; v < 256; v++) bins[Math.floor(v / width)] += histogram[v];
  return bins;
}
