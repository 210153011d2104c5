// The native probe's job (src/worker/nativeProbe.ts runs it in a process of its own): load native
// TensorFlow from the folder Install Native TensorFlow made and run one matrix product with it.
import * as tf from '../core/tf';
import { selectNative, useNativeTensorFlow } from '../kernels/backend';

export type ProbeResult = { ok: true; backend: string } | { ok: false; error: string };

export async function probeNative(dir: string, pkg: string): Promise<ProbeResult> {
  useNativeTensorFlow({ dir, package: pkg });
  const why = await selectNative();
  if (why) return { ok: false, error: why };
  const n = 64;
  const sum = tf.tidy(() => tf.sum(tf.matMul(tf.ones([n, n]), tf.ones([n, n]))).dataSync()[0]);
  if (sum !== n * n * n) return { ok: false, error: `a matrix product on ${tf.getBackend()} gave ${sum} instead of ${n * n * n}` };
  return { ok: true, backend: tf.getBackend() };
}
