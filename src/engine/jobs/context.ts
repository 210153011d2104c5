// What every job shares: the events it reports, the context it runs in (cancellation, the backend
// asked for) and its first step, choosing and announcing the backend.
import * as tf from '../core/tf';
import { initBackend, type BackendInfo } from '../kernels/backend';
import type { BackendPreference } from '../core/types';
import type { BatchProgress, EpochStats } from '../../shared/training';
import type { FineTuneProgress } from '../training/fineTune';

export type JobEvent =
  | { kind: 'backend'; name: string; note?: string }
  | { kind: 'reading'; file: string; rows: number; bytes: number; totalBytes: number }
  | { kind: 'read'; file: string; rows: number; seconds: number }
  /**
   * A run in stages (several networks, learning from unlabelled rows): which one starts, in
   * words, and the share of the whole run's training it spans (from, to: 0–1).
   */
  | { kind: 'stage'; stage: number; stages: number; text: string; span: [number, number]; network?: { index: number; of: number } }
  | { kind: 'batch'; progress: BatchProgress }
  | { kind: 'epoch'; stats: EpochStats }
  | { kind: 'saving'; dir: string }
  | { kind: 'predicting'; done: number; total: number }
  | { kind: 'fineTune'; progress: FineTuneProgress };

export interface JobContext {
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  backend?: BackendPreference;
}

export interface StartedJob {
  emit: (event: JobEvent) => void;
  backend: BackendInfo;
  /** performance.now() when the job started. */
  started: number;
}

/** A job's first step: the backend chosen (once per thread) and announced. */
export async function startJob(context: JobContext): Promise<StartedJob> {
  const started = performance.now();
  const emit = context.onEvent ?? (() => undefined);
  const backend = await initBackend(context.backend);
  emit({ kind: 'backend', name: backend.name, note: backend.note });
  return { emit, backend, started };
}

export interface EngineMemory {
  tensors: number;
  tensorBytes: number;
  rss: number;
  heapUsed: number;
}

/** Live tensors and the process's memory (the soak benchmark watches them stay flat). */
export function engineMemory(): EngineMemory {
  const { numTensors, numBytes } = tf.memory();
  const { rss, heapUsed } = process.memoryUsage();
  return { tensors: numTensors, tensorBytes: numBytes, rss, heapUsed };
}
