// Loads native TensorFlow in a process of its own and runs one operation with it, before the
// engine worker (a thread of the extension host) loads it. A native library can crash the
// process that loads it (SIGILL on a CPU without the AVX instructions the prebuilt libtensorflow
// needs, a segfault from a mismatched CUDA): here that ends this process, which the extension
// reports, instead of the extension host. Run as `node nativeProbe.js <folder> <package>`;
// prints one line of JSON: { ok: true, backend } or { ok: false, error }.
import * as tf from '@tensorflow/tfjs';
import { selectNative, useNativeTensorFlow } from '../engine/backend';

async function main(): Promise<{ ok: true; backend: string } | { ok: false; error: string }> {
  const [dir, pkg] = process.argv.slice(2);
  if (!dir || !pkg) return { ok: false, error: 'usage: nativeProbe.js <folder> <package>' };
  useNativeTensorFlow({ dir, package: pkg });
  const why = await selectNative();
  if (why) return { ok: false, error: why };
  const n = 64;
  const sum = tf.tidy(() => tf.matMul(tf.ones([n, n]), tf.ones([n, n])).sum().dataSync()[0]);
  if (sum !== n * n * n) return { ok: false, error: `a matrix product on ${tf.getBackend()} gave ${sum} instead of ${n * n * n}` };
  return { ok: true, backend: tf.getBackend() };
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => process.stdout.write(`${JSON.stringify({ ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) })}\n`),
);
