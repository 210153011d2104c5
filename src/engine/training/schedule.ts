/**
 * Learning-rate schedules, evaluated per training step. "onecycle" (Smith & Topurkar's
 * super-convergence: a short warm-up to the peak rate, then cosine annealing to almost zero)
 * reaches a given accuracy in far fewer epochs than a constant rate, which matters on a CPU.
 */
import type { LearningRateSchedule } from '../../shared/training';

/** Fraction of the run spent warming up, and how far below the peak the warm-up starts and the anneal ends. */
const WARMUP = 0.2;
const START_DIVISOR = 20;
const END_DIVISOR = 1000;

/** The learning rate at `step` (0-based) of `totalSteps`, for a peak (or constant) rate `peak`. */
export function learningRateAt(schedule: LearningRateSchedule, peak: number, step: number, totalSteps: number): number {
  if (schedule === 'constant' || totalSteps <= 1) return peak;
  const t = Math.min(1, Math.max(0, step / (totalSteps - 1)));
  return t < WARMUP ? cosine(peak / START_DIVISOR, peak, t / WARMUP) : cosine(peak, peak / END_DIVISOR, (t - WARMUP) / (1 - WARMUP));
}

/** From `from` (p = 0) to `to` (p = 1) along half a cosine. */
function cosine(from: number, to: number, p: number): number {
  return to + ((from - to) * (1 + Math.cos(Math.PI * p))) / 2;
}
