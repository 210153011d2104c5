// Loads native TensorFlow in a process of its own and runs one operation with it, before the
// engine worker (a thread of the extension host) loads it. A native library can crash the
// process that loads it (SIGILL on a CPU without the AVX instructions the prebuilt libtensorflow
// needs, a segfault from a mismatched CUDA): here that ends this process, which the extension
// reports, instead of the extension host. Run as `node nativeProbe.js <folder> <package>`;
// prints one line of JSON: { ok: true, backend } or { ok: false, error }.
import { probeNative, type ProbeResult } from '../engine/jobs/nativeProbe';

async function main(): Promise<ProbeResult> {
  const [dir, pkg] = process.argv.slice(2);
  if (!dir || !pkg) return { ok: false, error: 'usage: nativeProbe.js <folder> <package>' };
  return probeNative(dir, pkg);
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => process.stdout.write(`${JSON.stringify({ ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) })}\n`),
);
