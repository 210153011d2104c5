// Why this file exists: a 28,000-row prediction takes ~30 s on one wasm thread. Here the calling
// thread and every replica of a ReplicaPool predict chunks of the same images at once: the
// pixels are copied once into shared memory, each thread claims the next chunk with an atomic
// counter (no messages per chunk, no thread waits for another to hand out work) and writes the
// probabilities into a shared output.
import * as tf from '@tensorflow/tfjs';
import { CancelledError, throwIfAborted } from '../errors';
import { DigitImages, NUM_CLASSES, PIXELS } from '../types';
import type { Predictions } from '../predict';
import { ReplicaPool, resolveThreads } from './replicaPool';
import { writeTensors } from './sharedWeights';

/** Rows per claimed chunk: small enough that the last chunks even out, large enough to batch well. */
export const CHUNK_ROWS = 500;

/** Slots of PredictRequest.control. */
const NEXT = 0;
const ABORT = 1;
const DONE = 2;

export interface PredictRequest {
  /** count × 784 pixels 0–255 (shared). */
  pixels: Uint8Array;
  /** count × 10 probabilities (shared), written by whoever predicts each chunk. */
  out: Float32Array;
  /** [next chunk to claim, abort flag, rows done] (shared). */
  control: Int32Array;
  count: number;
  chunk: number;
  /** Pixel values are divided by this (255 for models that take 0–1, 1 for raw bytes). */
  divisor: number;
}

/** Predicts rows [start, end) of the request into its output. */
function predictChunk(model: tf.LayersModel, request: PredictRequest, start: number, end: number): void {
  const n = end - start;
  const source = request.pixels.subarray(start * PIXELS, end * PIXELS);
  const values = new Float32Array(n * PIXELS);
  for (let i = 0; i < values.length; i++) values[i] = source[i] / request.divisor;
  const shape = [n, ...(model.inputs[0].shape.slice(1) as number[])];
  // model.predict runs 32 rows at a time unless told; 128 is ~8% faster (bench, seed CNN).
  const output = tf.tidy(() => model.predict(tf.tensor(values, shape), { batchSize: 128 }) as tf.Tensor);
  try {
    request.out.set(output.dataSync() as Float32Array, start * NUM_CLASSES);
  } finally {
    output.dispose();
  }
}

/**
 * Claims and predicts chunks until none are left or the request is aborted; `between` runs after
 * each chunk (the calling thread yields to its event loop there). Returns the rows predicted.
 */
export async function predictClaimedChunks(model: tf.LayersModel, request: PredictRequest, between?: () => Promise<void>): Promise<number> {
  let rows = 0;
  while (!Atomics.load(request.control, ABORT)) {
    const start = Atomics.add(request.control, NEXT, 1) * request.chunk;
    if (start >= request.count) break;
    const end = Math.min(request.count, start + request.chunk);
    predictChunk(model, request, start, end);
    Atomics.add(request.control, DONE, end - start);
    rows += end - start;
    await between?.();
  }
  return rows;
}

export interface PoolPredictOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** 'byte' for models that take raw 0–255 pixels (see predict.ts). */
  pixelScale?: 'unit' | 'byte';
}

/** Predictions smaller than this stay on the calling thread: starting replicas costs ~1 s. */
export const PARALLEL_MIN_ROWS = 4000;

export interface ParallelOptions extends PoolPredictOptions {
  /** Threads to predict on, this one included: 0 or absent = one per core, 1 = this thread only. */
  threads?: number;
  /** A running pool holding a replica of this model (e.g. the trainer's) to use instead of starting one. */
  pool?: ReplicaPool;
}

/**
 * Starts a prediction pool for `model` ahead of time (e.g. while the CSV is parsed), or resolves
 * to undefined when one thread is wanted or the replicas cannot start. Never rejects.
 */
export async function startPredictionPool(model: tf.LayersModel, threads?: number): Promise<ReplicaPool | undefined> {
  const wanted = resolveThreads(threads);
  if (wanted <= 1) return undefined;
  return ReplicaPool.start(model, { replicas: wanted - 1, maxShard: 0 }).catch(() => undefined);
}

/**
 * predictImages' parallel path: the predictions when they were split over threads, undefined
 * when the caller should predict on its own thread (small inputs, one thread, no replicas).
 */
export async function predictInParallel(model: tf.LayersModel, images: DigitImages, options: ParallelOptions): Promise<Predictions | undefined> {
  if (options.pool) return options.pool.size > 0 && images.count > CHUNK_ROWS ? predictWithPool(model, options.pool, images, options) : undefined;
  if (images.count < PARALLEL_MIN_ROWS) return undefined;
  const threads = Math.min(resolveThreads(options.threads), Math.ceil(images.count / CHUNK_ROWS));
  if (threads <= 1) return undefined;
  throwIfAborted(options.signal);
  let pool: ReplicaPool;
  try {
    pool = await ReplicaPool.start(model, { replicas: threads - 1, maxShard: 0 });
  } catch {
    return undefined; // e.g. no replicaWorker.js beside this bundle: predict on this thread
  }
  try {
    return await predictWithPool(model, pool, images, options);
  } finally {
    await pool.close();
  }
}

/** Predicts every image on this thread and the pool's replicas together. */
export async function predictWithPool(model: tf.LayersModel, pool: ReplicaPool, images: DigitImages, options: PoolPredictOptions = {}): Promise<Predictions> {
  // The replicas predict with exactly this model's weights (BatchNorm statistics included).
  writeTensors(model.weights.map((w) => w.read()), pool.weights, pool.layout);
  const pixels = new Uint8Array(new SharedArrayBuffer(Math.max(1, images.count * PIXELS)));
  pixels.set(images.pixels.subarray(0, images.count * PIXELS));
  const request: PredictRequest = {
    pixels,
    out: new Float32Array(new SharedArrayBuffer(Math.max(1, images.count * NUM_CLASSES) * 4)),
    control: new Int32Array(new SharedArrayBuffer(3 * 4)),
    count: images.count,
    chunk: CHUNK_ROWS,
    divisor: options.pixelScale === 'byte' ? 1 : 255,
  };
  const replies = Promise.all(Array.from({ length: pool.size }, (_, i) => pool.request(i, { kind: 'predict', ...request }, 'predicted')));
  replies.catch(() => undefined); // awaited below; a replica failing mid-run must not be "unhandled"
  try {
    await predictClaimedChunks(model, request, async () => {
      options.onProgress?.(Atomics.load(request.control, DONE), images.count);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) throw new CancelledError();
    });
    await replies;
  } catch (err) {
    // Replicas stop after their current chunk; wait for them so the pool is free again.
    Atomics.store(request.control, ABORT, 1);
    await replies.catch(() => undefined);
    throw err;
  }
  options.onProgress?.(images.count, images.count);
  const probabilities = request.out.slice(0, images.count * NUM_CLASSES);
  const labels = new Uint8Array(images.count);
  for (let i = 0; i < images.count; i++) {
    let best = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (probabilities[i * NUM_CLASSES + k] > probabilities[i * NUM_CLASSES + best]) best = k;
    labels[i] = best;
  }
  return { labels, probabilities };
}
