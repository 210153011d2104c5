// Per-kernel profile of one training step (trainStep: forward, gradients, Adam) of the product's
// CNNs at batch 128 on the wasm backend, this thread only: where a step's time goes.
//   npx tsx bench/profileStep.ts [default|seed ...] [--batch N] [--steps N]
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { createModel } from '../src/engine/model/architectures';
import { type Architecture } from '../src/shared/training';
import { trainStep } from '../src/engine/model/gradients';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = arg('batch', 128);
const steps = arg('steps', 5);
const archs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')) as Architecture[];

(async () => {
  await initBackend('wasm');
  for (const arch of archs.length ? archs : (['default', 'seed'] as Architecture[])) {
    const model = createModel(arch, { seed: 1 });
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 7);
    const y = tf.cast(tf.randomUniform([batch], 0, 10, 'int32', 8), 'float32');
    for (let i = 0; i < 2; i++) trainStep(model, x, y);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      trainStep(model, x, y);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const profile = await tf.profile(() => { trainStep(model, x, y); });
    const byKernel = new Map<string, { ms: number; calls: number }>();
    let total = 0;
    for (const k of profile.kernels) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const e = byKernel.get(key) ?? { ms: 0, calls: 0 };
      e.ms += k.kernelTimeMs as number;
      e.calls++;
      byKernel.set(key, e);
      total += k.kernelTimeMs as number;
    }
    const byName = new Map<string, number>();
    for (const k of profile.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    console.log(`\n${arch}, batch ${batch}: median step ${median.toFixed(0)} ms (${(batch * 1000 / median).toFixed(0)} img/s, 1 thread); profiled kernel time ${total.toFixed(0)} ms in ${profile.kernels.length} kernels`);
    console.log('by kernel name:');
    for (const [k, v] of [...byName.entries()].sort((a, b) => b[1] - a[1])) if (v > 0.5) console.log(`  ${v.toFixed(1).padStart(7)} ${k}`);
    console.log('by kernel and shapes:');
    for (const [k, v] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(`  ${v.ms.toFixed(1).padStart(7)} ×${v.calls} ${k}`);
    model.dispose();
  }
})();
