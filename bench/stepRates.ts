// One training step (trainStep: forward, gradients, Adam) of the product's CNNs on one thread, the
// fused step (src/engine/kernels/fused) against TF.js's tape, side by side in one process:
// steps alternate between the two (each on its own model, same seed and data), and each side
// reports the best and the median CPU time of this thread per step (the machine is shared: the
// best step is the least disturbed one). Results go to bench/KERNELS.md.
//   npx tsx bench/stepRates.ts [default|seed ...] [--batch 64] [--steps 15] [--baseline tape|f2] [--profile]
// --profile: also CPU ms per part of the fused step (and Adam), the median step's share.
// --baseline f2: "before" is the fused step with every 3×3 convolution by Winograd F(2×2, 3×3).
import * as os from 'os';
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { createModel, disposeModel } from '../src/engine/model/architectures';
import { type Architecture } from '../src/shared/training';
import { trainStep } from '../src/engine/model/gradients';
import { setFusedStepEnabled, setFusedStepProfile } from '../src/engine/kernels/fused/trainStep';
import { passCost, setWinogradTile } from '../src/engine/kernels/convolution';
import { simdCeiling } from './simdCeiling';
import { trainingFlops } from './flops';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const batch = Number(arg('batch', '64'));
const steps = Number(arg('steps', '15'));
const baseline = arg('baseline', 'tape');
const archs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')) as Architecture[];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Switches between the two engines compared. */
function use(after: boolean): void {
  if (baseline === 'f2') {
    setFusedStepEnabled(true);
    setWinogradTile(after ? 4 : 2);
  } else {
    setFusedStepEnabled(after);
    setWinogradTile(4);
  }
}

/** The backend's geometry of each convolution layer of a model, for a batch. */
function convInfos(model: tf.LayersModel, batch: number): tf.backend_util.Conv2DInfo[] {
  return model.layers.filter((l) => l.getClassName() === 'Conv2D').map((layer) => {
    const c = layer.getConfig() as { strides: number | number[]; padding: 'same' | 'valid' };
    const input = (layer.input as tf.SymbolicTensor).shape as number[];
    const strides = typeof c.strides === 'number' ? [c.strides, c.strides] : c.strides;
    const kernel = layer.getWeights()[0].shape as [number, number, number, number];
    return tf.backend_util.computeConv2DInfo([batch, input[1], input[2], input[3]], kernel, [strides[0], strides[1]], 1, c.padding);
  });
}

(async () => {
  await initBackend('wasm');
  const ceiling = simdCeiling();
  const load = os.loadavg()[0];
  const rows: string[] = [];
  for (const arch of archs.length ? archs : (['default', 'seed'] as Architecture[])) {
    const models = [createModel(arch, { seed: 1 }), createModel(arch, { seed: 1 })];
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 7);
    const y = tf.cast(tf.randomUniform([batch], 0, 10, 'int32', 8), 'float32');
    const times: number[][] = [[], []];
    const parts = new Map<string, number>();
    for (let s = 0; s < steps + 2; s++) {
      for (const side of [0, 1]) {
        use(side === 1);
        if (side === 1 && s >= 2 && process.argv.includes('--profile')) setFusedStepProfile(parts);
        const t = cpuMs();
        trainStep(models[side], x, y);
        if (s >= 2) times[side].push(cpuMs() - t);
        setFusedStepProfile(undefined);
      }
    }
    if (parts.size) {
      const total = [...parts.values()].reduce((a, b) => a + b, 0);
      const sumSteps = times[1].reduce((a, b) => a + b, 0);
      // Per convolution pass: GFLOP/s by the direct product's count, and by the multiply-adds it
      // executes (Winograd's element-wise products), the latter as a fraction of the ceiling.
      const convs = convInfos(models[1], batch);
      console.log(`${arch}, batch ${batch}, fused step: CPU ms per step by part (mean of ${steps}); for convolution passes GFLOP/s by the direct product's count, the algorithm, and GFLOP/s of the multiply-adds it executes${ceiling ? ` (% of the ${ceiling.toFixed(1)} GFLOP/s ceiling)` : ''}; the rest of the step (Adam, gradients' bookkeeping) ${((sumSteps - total) / steps).toFixed(1)} ms`);
      let executed = 0;
      for (const [label, total] of parts) {
        const ms = total / steps;
        const match = /^(\d+) conv (forward|filter gradient|input gradient)$/.exec(label);
        let rate = '';
        if (match && ms > 0.05) {
          const info = convs[Number(match[1]) - 1];
          const cost = passCost(info, match[2] === 'forward' ? 'forward' : match[2] === 'filter gradient' ? 'filter' : 'input');
          const direct = 2 * info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
          const gf = (2 * cost.multiplyAdds) / ms / 1e6;
          executed += 2 * cost.multiplyAdds;
          rate = ` | ${(direct / ms / 1e6).toFixed(1)} | ${cost.algorithm} | ${gf.toFixed(1)}${ceiling ? ` (${((100 * gf) / ceiling).toFixed(0)}%)` : ''}`;
        }
        console.log(`| ${label} | ${ms.toFixed(2)}${rate} |`);
      }
      const convMs = [...parts].filter(([l]) => / conv /.test(l)).reduce((a, [, v]) => a + v / steps, 0);
      console.log(`convolution passes: ${convMs.toFixed(1)} ms, executed multiply-adds at ${(executed / convMs / 1e6).toFixed(1)} GFLOP/s${ceiling ? ` (${((100 * executed) / convMs / 1e6 / ceiling).toFixed(0)}% of the ceiling)` : ''}`);
    }
    use(true);
    const flops = trainingFlops(arch) * batch;
    const [before, after] = times.map((t) => {
      const sorted = [...t].sort((a, b) => a - b);
      return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
    });
    const gf = (ms: number) => flops / ms / 1e6;
    rows.push(`| ${arch} | ${batch} | ${before.best.toFixed(1)} / ${before.median.toFixed(1)} | ${after.best.toFixed(1)} / ${after.median.toFixed(1)} | ${(before.best / after.best).toFixed(2)}× / ${(before.median / after.median).toFixed(2)}× | ${((batch * 1000) / after.best).toFixed(0)} | ${gf(after.best).toFixed(1)}${ceiling ? ` (${((100 * gf(after.best)) / ceiling).toFixed(0)}% of ${ceiling.toFixed(1)})` : ''} |`);
    models.forEach(disposeModel);
    tf.dispose([x, y]);
  }
  console.log(`${new Date().toISOString()}, load ${load.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}; one thread; CPU ms per step, best / median of ${steps}; before = ${baseline === 'f2' ? 'fused step, F(2×2, 3×3)' : "TF.js's tape"}`);
  console.log('| CNN | batch | before ms (best / median) | after ms (best / median) | speed-up (best / median) | after img/s (best) | after GFLOP/s (best, direct-product count) |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
})();
