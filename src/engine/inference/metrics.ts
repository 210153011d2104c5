import { NUM_CLASSES } from '../core/types';

export interface ClassMetrics {
  digit: number;
  precision: number;
  recall: number;
  f1: number;
  /** How many images truly are this digit. */
  support: number;
}

/** matrix[true][predicted] counts. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>): number[][] {
  if (truth.length !== predicted.length) throw new Error(`confusionMatrix: ${truth.length} labels vs ${predicted.length} predictions`);
  const matrix = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  for (let i = 0; i < truth.length; i++) matrix[truth[i]][predicted[i]]++;
  return matrix;
}

/** Per-class precision, recall and F1 from a confusion matrix; 0 where undefined (no predictions/support). */
export function classMetrics(matrix: number[][]): ClassMetrics[] {
  return matrix.map((row, digit) => {
    const truePositives = row[digit];
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = matrix.reduce((sum, r) => sum + r[digit], 0);
    const precision = predictedCount ? truePositives / predictedCount : 0;
    const recall = support ? truePositives / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { digit, precision, recall, f1, support };
  });
}

export function accuracyOf(matrix: number[][]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, i) => row.forEach((count, j) => {
    total += count;
    if (i === j) correct += count;
  }));
  return total ? correct / total : 0;
}
