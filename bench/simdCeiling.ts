// The machine's ceiling for 4-lane wasm SIMD on one core: bench/wasm/peak.c (independent
// multiply-adds, no memory traffic) built with clang and timed. Used by bench/kernelRates.ts and
// bench/run.ts to put each kernel's GFLOP/s beside what the core can do.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** GFLOP/s of the peak loop, or undefined without clang. */
export function simdCeiling(): number | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-peak-'));
  try {
    const out = path.join(dir, 'peak.wasm');
    const r = spawnSync('clang', ['--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-Wl,--no-entry', path.join(__dirname, 'wasm', 'peak.c'), '-o', out]);
    if (r.status !== 0) return undefined;
    const peak = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(out))).exports.peak as (n: number, x: number, y: number) => number;
    const n = 2e7;
    peak(1e5, 1.0000001, 0.9999999);
    let bestSeconds = Infinity;
    // CPU time of this process (one thread runs), as the kernels' rates are measured: on a shared
    // machine wall time would count other processes' turns on the core.
    for (let i = 0; i < 5; i++) {
      const t = process.cpuUsage();
      peak(n, 1.0000001, 0.9999999);
      const used = process.cpuUsage(t);
      bestSeconds = Math.min(bestSeconds, (used.user + used.system) / 1e6);
    }
    return (n * 12 * 4 * 2) / bestSeconds / 1e9;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

