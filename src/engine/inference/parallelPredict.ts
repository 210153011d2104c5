// Why this file exists: a 28,000-row prediction takes ~30 s on one wasm thread. Here the calling
// thread and every replica of a ReplicaPool predict chunks of the same images at once: the
// pixels are copied once into shared memory, each thread claims the next chunk with an atomic
// counter (no messages per chunk, no thread waits for another to hand out work) and writes the
// probabilities into a shared output.
import type * as tf from '../core/tf';
import { CancelledError, throwIfAborted } from '../core/errors';
import { type DigitImages, NUM_CLASSES, PIXELS, type PixelScale, type Predictions } from '../core/types';
import { ABORT, CHUNK_ROWS, DONE, predictClaimedChunks, type PredictRequest } from '../parallel/chunks';
import { ReplicaPool, resolveThreads } from '../parallel/replicaPool';
import { writeTensors } from '../parallel/sharedWeights';

export interface PoolPredictOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  pixelScale?: PixelScale;
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
    pixelScale: options.pixelScale ?? 'unit',
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
