// Why this file exists: the data-parallel trainer (../parallel/dataParallel.ts) combines its own
// shard's gradients with each replica's, read from shared memory, weighted by shard size. As
// TF.js ops that is four per weight tensor (a tensor from the shared view, two products, a sum)
// on the step's serial path, while every other thread waits; here it is one copy into the
// backend's memory and one pass of average.c's kernel per tensor and replica, with TF.js's float32
// arithmetic: g·s₀ + t₁·s₁, then + tᵢ·sᵢ for further replicas (g·1 = g exactly).
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, offsetOf, ownKernels } from './ownKernels';

/**
 * Σ shares[i]·gradients of thread i for each weight tensor: mine (this thread's tensors) and
 * theirs[replica][tensor] (float32 views), or undefined when our kernels are not there (the
 * caller then uses TF.js ops). The caller disposes the returned tensors.
 */
export function combineShares(mine: tf.Tensor[], theirs: Float32Array[][], shares: number[]): tf.Tensor[] | undefined {
  const backend = tf.backend();
  const k = tf.getBackend() === 'wasm' ? ownKernels(backend) : undefined;
  if (!k || theirs.length === 0 || mine.some((g) => g.dtype !== 'float32')) return undefined;
  const wasm = (backend as unknown as BackendWasm).wasm;
  const scratch = wasm._malloc(Math.max(1, ...mine.map((g) => g.size)) * 4) >>> 0;
  try {
    return mine.map((g, v) => {
      const out = tf.engine().makeTensorFromTensorInfo((backend as unknown as BackendWasm).makeOutput(g.shape, 'float32'), backend);
      theirs.forEach((replica, i) => {
        heapFloats(backend, scratch, g.size).set(replica[v]); // a view made after the allocations above
        if (i === 0) k.moving_average(offsetOf(backend, g), scratch, g.size, shares[0], shares[1], offsetOf(backend, out));
        else k.moving_average(offsetOf(backend, out), scratch, g.size, 1, shares[i + 1], offsetOf(backend, out));
      });
      return out;
    });
  } finally {
    wasm._free(scratch);
  }
}
