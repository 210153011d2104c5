// Messages between a ReplicaPool (replicaPool.ts, the trainer's thread) and its replica threads
// (replicaWorker.ts). The bulk of the data — weights, gradients, shards, pixels — is in shared
// memory that both sides were given at start; messages only say what to do with it.
import type * as tf from '../core/tf';
import type { PredictRequest } from './chunks';

export interface ReplicaData {
  /** 1, 2, …: this replica's place among the threads (the trainer is 0). */
  index: number;
  backend: string;
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** All model weights, published by the trainer (trainable ones first). */
  weights: Float32Array;
  layoutShapes: number[][];
  trainableCount: number;
  /** This replica's training shard (inputs flattened, labels, augmentation transforms) and the gradients it writes. */
  input: Float32Array;
  labels: Float32Array;
  transforms: Float32Array;
  grads: Float32Array;
}

export type ToReplica =
  /** Gradients of the first n rows of `input`/`labels` (augmented by `transforms` first, if asked) at the published trainable weights. */
  | { kind: 'train'; n: number; labelSmoothing: number; augment: boolean }
  | ({ kind: 'predict' } & PredictRequest);

export type FromReplica =
  | { kind: 'ready' }
  /** ms: time spent taking the weights in, computing, writing the gradients out. */
  | { kind: 'trained'; loss: number; accuracy: number; ms: [number, number, number] }
  | { kind: 'predicted'; rows: number }
  | { kind: 'error'; message: string };
