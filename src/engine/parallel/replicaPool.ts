// Why this file exists: TensorFlow.js's WebAssembly backend runs one thread in Node, so one
// JavaScript thread trains and predicts on one core. A pool of replica worker threads — each
// with its own TF.js, wasm backend and copy of the model — lets the trainer (or a prediction)
// use the other cores: data parallelism. This file starts and stops the replicas and carries
// their requests; the shared buffers they work in are allocated here, once per pool.
// The training step is in dataParallel.ts, the split prediction in parallelPredict.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as tf from '../core/tf';
import { captureArtifacts } from '../model/artifacts';
import { PendingRequests } from '../../shared/requests';
import { type Layout, layoutOf, sharedFloats } from './sharedWeights';
import type { FromReplica, ReplicaData, ToReplica } from './protocol';
import { TRANSFORM_ROW } from '../data/augment';

/** Threads (the caller's own plus replicas) for a `threads` setting: 0 = one per core. */
export function resolveThreads(threads: number | undefined, backend = tf.getBackend()): number {
  // Native TensorFlow already spreads each op over the cores.
  if (backend === 'tensorflow') return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const wanted = !threads || threads < 1 ? cores : Math.floor(threads);
  return Math.max(1, Math.min(wanted, 32));
}

let liveThreads = 0;

/** Replica threads started and not yet exited, in this thread (tests check none are left). */
export function liveReplicaThreads(): number {
  return liveThreads;
}

export interface PoolOptions {
  /** Replica threads to start (the caller's thread is not counted). */
  replicas: number;
  /** Largest training shard (rows) a replica receives; 0 when the pool only predicts. */
  maxShard: number;
}

export class ReplicaPool {
  /** All model weights (model.weights order: trainable first), published by the caller. */
  readonly weights: Float32Array;
  readonly layout: Layout;
  /** How many of the layout's leading tensors are trainable. */
  readonly trainableCount: number;
  /** Per replica: its training shard's inputs, labels, augmentation transforms (TRANSFORM_ROW per row), and the gradients it returns. */
  readonly inputs: Float32Array[] = [];
  readonly labels: Float32Array[] = [];
  readonly transforms: Float32Array[] = [];
  readonly grads: Float32Array[] = [];
  readonly gradLayout: Layout;
  private readonly workers: Worker[] = [];
  /** The reply each replica owes, under its index (one request at a time each). */
  private readonly replies = new PendingRequests<FromReplica>();
  private failure: Error | undefined;
  private closed = false;

  private constructor(model: tf.LayersModel, options: PoolOptions) {
    checkWeightOrder(model);
    this.layout = layoutOf(model.weights.map((w) => w.shape as number[]));
    this.trainableCount = model.trainableWeights.length;
    this.gradLayout = layoutOf(this.layout.shapes.slice(0, this.trainableCount));
    this.weights = sharedFloats(this.layout.length);
    const inputSize = (model.inputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    for (let i = 0; i < options.replicas; i++) {
      this.inputs.push(sharedFloats(options.maxShard * inputSize));
      this.labels.push(sharedFloats(options.maxShard));
      this.transforms.push(sharedFloats(options.maxShard * TRANSFORM_ROW));
      this.grads.push(sharedFloats(options.maxShard > 0 ? this.gradLayout.length : 0));
    }
  }

  /** Starts replicas holding a copy of `model` (same topology and weights); resolves when all are ready. */
  static async start(model: tf.LayersModel, options: PoolOptions): Promise<ReplicaPool> {
    const pool = new ReplicaPool(model, options);
    const artifacts = await captureArtifacts(model);
    const script = workerScript();
    try {
      await Promise.all(
        Array.from({ length: options.replicas }, (_, i) => {
          const data: ReplicaData = {
            index: i + 1,
            backend: tf.getBackend(),
            modelTopology: artifacts.modelTopology as object,
            weightSpecs: artifacts.weightSpecs!,
            weightData: Array.isArray(artifacts.weightData) ? tf.io.concatenateArrayBuffers(artifacts.weightData) : artifacts.weightData!,
            weights: pool.weights,
            layoutShapes: pool.layout.shapes,
            trainableCount: pool.trainableCount,
            input: pool.inputs[i],
            labels: pool.labels[i],
            transforms: pool.transforms[i],
            grads: pool.grads[i],
          };
          const worker = new Worker(script.file, { workerData: data, execArgv: script.execArgv });
          pool.attach(worker, i);
          return pool.expect(i, 'ready');
        }),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends a request to replica i; resolves with its reply. */
  request(i: number, message: ToReplica, reply: FromReplica['kind']): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('The replica pool is closed'));
    const promise = this.expect(i, reply);
    this.workers[i].postMessage(message);
    return promise;
  }

  /** Ends every replica (mid-request ones too). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    this.replies.rejectAll(new Error('The replica pool was closed'));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private attach(worker: Worker, i: number): void {
    this.workers[i] = worker;
    liveThreads++;
    // An idle pool must not keep the process alive; one with a request in flight must.
    worker.unref();
    worker.on('message', (message: FromReplica) => {
      worker.unref();
      if (message.kind === 'error') this.replies.reject(i, new Error(`Replica thread ${i + 1}: ${message.message}`));
      else this.replies.resolve(i, message);
    });
    worker.on('error', (err) => this.fail(new Error(`Replica thread ${i + 1} failed: ${err.message}`)));
    worker.on('exit', (code) => {
      liveThreads--;
      if (!this.closed) this.fail(new Error(`Replica thread ${i + 1} stopped (exit code ${code})`));
    });
  }

  private async expect(i: number, kind: FromReplica['kind']): Promise<FromReplica> {
    if (this.replies.has(i)) throw new Error(`Replica thread ${i + 1} is busy`);
    this.workers[i].ref();
    const reply = await this.replies.expect(i);
    if (reply.kind !== kind) throw new Error(`Replica thread ${i + 1} answered ${reply.kind}, expected ${kind}`);
    return reply;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.replies.rejectAll(err);
  }
}

/** Replicas rely on model.weights listing the trainable weights first, as tfjs-layers does. */
function checkWeightOrder(model: tf.LayersModel): void {
  const trainable = model.trainableWeights;
  if (!trainable.every((w, i) => model.weights[i] === w)) throw new Error('model.weights does not start with the trainable weights');
}

/**
 * The replica entry point: dist/replicaWorker.js beside the bundle that runs this code
 * (dist/cli.js, dist/engineWorker.js), or replicaWorker.ts beside this file under tsx
 * (tests, bench), loaded through tsx's require hook.
 */
function workerScript(): { file: string; execArgv?: string[] } {
  const js = path.join(__dirname, 'replicaWorker.js');
  if (fs.existsSync(js)) return { file: js };
  const ts = path.join(__dirname, 'replicaWorker.ts');
  const hook = 'tsx/cjs'; // a variable: bundles never take this path, so esbuild must not resolve it
  if (fs.existsSync(ts)) return { file: ts, execArgv: ['--require', require.resolve(hook)] };
  throw new Error(`replicaWorker.js not found in ${__dirname}`);
}
