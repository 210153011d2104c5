// Why this file exists: the trainer's side of a data-parallel training step, which replaces
// model.trainOnBatch when a ReplicaPool is running. The batch is split into shards; each replica
// gets one in shared memory (with its images' augmentation transforms, which it applies itself)
// and computes its gradients at the current weights while this thread computes its own shard's; the gradients, each of its shard's mean
// loss, are averaged weighted by shard size — the gradient of the batch's mean loss — and applied
// by the model's one optimizer. The replicas' copies are then refreshed from the new weights.
//
// BatchNorm: in training mode each shard is normalised with its own statistics (as in any
// data-parallel trainer), and the moving mean/variance used at inference come from this
// thread's shard only. Dropout masks are drawn per thread.
import * as tf from '../core/tf';
import { type ShardGradients, shardGradients, trainableVariables } from '../model/gradients';
import { TRANSFORM_ROW, transformImages } from '../data/augment';
import { IMAGE_SIZE } from '../core/types';
import type { FromReplica } from '../parallel/protocol';
import type { ReplicaPool } from '../parallel/replicaPool';
import { tensorFrom, viewOf, writeTensors } from '../parallel/sharedWeights';
import { combineShares } from '../kernels/combine';

/** Rows below which a shard is not worth a thread. */
export const MIN_SHARD = 8;

/**
 * Shard sizes for n rows over `parts` threads, the caller's first. Deterministic in n, so a run
 * repeats exactly with the same seed; remainders go to the replicas, the caller also runs the
 * optimizer.
 */
export function shardSizes(n: number, parts: number): number[] {
  const k = Math.max(1, Math.min(parts, Math.floor(n / MIN_SHARD)));
  const base = Math.floor(n / k);
  const sizes = new Array<number>(k).fill(base);
  for (let r = n - base * k, i = k - 1; r > 0; r--, i--) sizes[i]++;
  return sizes;
}

/** Largest shard a replica can be given for batches of `batchSize` rows. */
export function maxShardFor(batchSize: number, threads: number): number {
  return Math.ceil(batchSize / Math.max(1, threads)) + 1;
}

type Trained = Extract<FromReplica, { kind: 'trained' }>;

/** Where a trainer's steps spent their time (ms, summed over steps), for the benchmark's profile. */
export interface StepProfile {
  steps: number;
  /** This thread: its own shard's forward+backward, waiting for the replicas, combining, the optimizer, publishing weights. */
  own: number;
  wait: number;
  combine: number;
  apply: number;
  publish: number;
  /** Replicas (first one): taking weights in, forward+backward, writing gradients. */
  replicaIn: number;
  replicaCompute: number;
  replicaOut: number;
}

export class DataParallelTrainer {
  readonly profile: StepProfile = { steps: 0, own: 0, wait: 0, combine: 0, apply: 0, publish: 0, replicaIn: 0, replicaCompute: 0, replicaOut: 0 };
  private readonly variables: tf.Variable[];
  private readonly inputSize: number;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly pool: ReplicaPool,
    /** Of the loss every thread minimises (gradients.ts sparseCrossEntropy). */
    private readonly labelSmoothing = 0,
  ) {
    this.variables = trainableVariables(model);
    this.inputSize = (model.inputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    this.publishWeights();
  }

  /**
   * One optimizer step on a batch; returns its [mean loss, accuracy] like trainOnBatch. With
   * `transforms` (augment.ts randomTransforms, TRANSFORM_ROW per row) each thread augments its own rows.
   */
  async trainOnBatch(x: tf.Tensor, y: tf.Tensor, transforms?: Float32Array): Promise<[number, number]> {
    const { grads, loss, accuracy } = await this.gradients(x, y, transforms);
    const t = performance.now();
    try {
      this.model.optimizer.applyGradients(Object.fromEntries(this.variables.map((variable, v) => [variable.name, grads[v]])));
    } finally {
      tf.dispose(grads);
    }
    const t2 = performance.now();
    this.publishWeights(false);
    this.profile.apply += t2 - t;
    this.profile.publish += performance.now() - t2;
    return [loss, accuracy];
  }

  /**
   * Gradients of the batch's mean loss at the current weights, from every thread's shard
   * (weighted by shard size), with the batch's mean loss and accuracy. The caller disposes them.
   */
  async gradients(x: tf.Tensor, y: tf.Tensor, transforms?: Float32Array): Promise<ShardGradients> {
    const n = x.shape[0];
    const sizes = shardSizes(n, this.pool.size + 1);
    const own = sizes[0];
    const t0 = performance.now();
    // Hand the replicas their shards first, so they work while this thread computes its own.
    let replies: Promise<Trained[]> = Promise.resolve([]);
    if (sizes.length > 1) {
      const xs = x.dataSync() as Float32Array;
      const ys = y.dataSync() as Float32Array;
      let offset = own;
      const requests = sizes.slice(1).map((rows, i) => {
        this.pool.inputs[i].set(xs.subarray(offset * this.inputSize, (offset + rows) * this.inputSize));
        this.pool.labels[i].set(ys.subarray(offset, offset + rows));
        if (transforms) this.pool.transforms[i].set(transforms.subarray(offset * TRANSFORM_ROW, (offset + rows) * TRANSFORM_ROW));
        offset += rows;
        return this.pool.request(i, { kind: 'train', n: rows, labelSmoothing: this.labelSmoothing, augment: !!transforms }, 'trained') as Promise<Trained>;
      });
      replies = Promise.all(requests);
      replies.catch(() => undefined); // awaited below
    }
    const [ownX, ownY] = tf.tidy(() => {
      const images = own === n ? x : tf.slice(x, 0, own);
      const augmented = transforms ? tf.reshape(transformImages(tf.reshape(images, [own, IMAGE_SIZE, IMAGE_SIZE, 1]), transforms), images.shape) : images;
      return [augmented, own === n ? y : tf.slice(y, 0, own)];
    });
    let mine: ShardGradients;
    try {
      mine = shardGradients(this.model, ownX, ownY, this.variables, this.labelSmoothing);
    } finally {
      if (ownX !== x) ownX.dispose();
      if (ownY !== y) ownY.dispose();
    }
    const t1 = performance.now();
    let theirs: Trained[];
    try {
      theirs = await replies;
    } catch (err) {
      tf.dispose(mine.grads);
      throw err;
    }
    const t2 = performance.now();
    if (theirs.length === 0) return mine;
    const share = sizes.map((rows) => rows / n);
    const views = theirs.map((_, i) => this.variables.map((_, v) => viewOf(this.pool.grads[i], this.pool.gradLayout, v)));
    const grads = combineShares(mine.grads, views, share) ?? tf.tidy(() =>
      this.variables.map((_, v) => {
        let g = tf.mul(mine.grads[v], share[0]);
        theirs.forEach((_, i) => (g = tf.add(g, tf.mul(tensorFrom(this.pool.grads[i], this.pool.gradLayout, v), share[i + 1]))));
        return g;
      }),
    );
    tf.dispose(mine.grads);
    const p = this.profile;
    p.steps++;
    p.own += t1 - t0;
    p.wait += t2 - t1;
    p.combine += performance.now() - t2;
    p.replicaIn += theirs[0].ms[0];
    p.replicaCompute += theirs[0].ms[1];
    p.replicaOut += theirs[0].ms[2];
    let loss = mine.loss * share[0];
    let accuracy = mine.accuracy * share[0];
    theirs.forEach((r, i) => {
      loss += r.loss * share[i + 1];
      accuracy += r.accuracy * share[i + 1];
    });
    return { grads, loss, accuracy };
  }

  /** Writes the weights the replicas read: all of them, or the trainable ones after a step. */
  publishWeights(all = true): void {
    const weights = all ? this.model.weights.map((w) => w.read()) : this.variables;
    writeTensors(weights, this.pool.weights, this.pool.layout);
  }
}
