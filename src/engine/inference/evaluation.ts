// The evaluation report's numbers: confusion matrix, per-class metrics, images per confusion-matrix
// cell and the most confidently wrong predictions. Pure (predictions in, report out).
import { type DigitImages, NUM_CLASSES, PIXELS } from '../core/types';
import { type ClassMetrics, accuracyOf, classMetrics, confusionMatrix } from './metrics';
import type { Predictions } from '../core/types';

export interface EvaluationExample {
  /** 0-based data row in the evaluated CSV (line = row + 2). */
  row: number;
  truth: number;
  predicted: number;
  /** Ten probabilities, rounded to 4 decimals. */
  probabilities: number[];
}

export interface Evaluation {
  rows: number;
  accuracy: number;
  /** matrix[true][predicted]. */
  matrix: number[][];
  classes: ClassMetrics[];
  /** Images shown in the report; `pixels` holds 784 bytes for each, in order. */
  examples: EvaluationExample[];
  pixels: Uint8Array;
  /** cells[true][predicted]: indices into `examples` (capped; the matrix has the full counts). */
  cells: number[][][];
  /** Indices into `examples` of wrong predictions, most confident first. */
  mistakes: number[];
}

export interface EvaluationOptions {
  /** Images kept per cell on the diagonal (correct) and off it (errors). */
  perCorrectCell?: number;
  perErrorCell?: number;
  /** Length of the most-confidently-wrong gallery. */
  mistakes?: number;
  /** Data row of each image in the CSV, when `images` is a subset (validation split). */
  rows?: ArrayLike<number>;
}

export function buildEvaluation(images: DigitImages, predictions: Predictions, options: EvaluationOptions = {}): Evaluation {
  const truth = images.labels;
  if (!truth) throw new Error('buildEvaluation needs labelled images');
  const perCorrect = options.perCorrectCell ?? 12;
  const perError = options.perErrorCell ?? 24;
  const topMistakes = options.mistakes ?? 32;
  const matrix = confusionMatrix(truth, predictions.labels);
  const p = predictions.probabilities;
  const confidence = (i: number) => p[i * NUM_CLASSES + predictions.labels[i]];

  // Per cell, the most confident images (the clearest examples on the diagonal, the worst mistakes off it).
  const byCell: number[][][] = Array.from({ length: NUM_CLASSES }, () => Array.from({ length: NUM_CLASSES }, () => []));
  for (let i = 0; i < images.count; i++) byCell[truth[i]][predictions.labels[i]].push(i);
  const wrong: number[] = [];
  for (let t = 0; t < NUM_CLASSES; t++) {
    for (let q = 0; q < NUM_CLASSES; q++) {
      const cell = byCell[t][q].sort((a, b) => confidence(b) - confidence(a) || a - b);
      if (t !== q) wrong.push(...cell);
      cell.length = Math.min(cell.length, t === q ? perCorrect : perError);
    }
  }
  wrong.sort((a, b) => confidence(b) - confidence(a) || a - b);
  wrong.length = Math.min(wrong.length, topMistakes);

  const indexOf = new Map<number, number>();
  const examples: EvaluationExample[] = [];
  const add = (i: number) => {
    let k = indexOf.get(i);
    if (k === undefined) {
      k = examples.length;
      indexOf.set(i, k);
      const probabilities = Array.from(p.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), (v) => Math.round(v * 1e4) / 1e4);
      examples.push({ row: options.rows ? options.rows[i] : i, truth: truth[i], predicted: predictions.labels[i], probabilities });
    }
    return k;
  };
  const mistakes = wrong.map(add);
  const cells = byCell.map((row) => row.map((cell) => cell.map(add)));
  const pixels = new Uint8Array(examples.length * PIXELS);
  for (const [i, k] of indexOf) pixels.set(images.pixels.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
  return { rows: images.count, accuracy: accuracyOf(matrix), matrix, classes: classMetrics(matrix), examples, pixels, cells, mistakes };
}
