// GFLOP/s of each convolution and dense layer of the product's CNNs (forward, input gradient,
// weight gradient), our C kernels (src/engine/kernels/wasm/*.c) against the previous ones
// (XNNPACK's forward, our compositions of stock kernels; DIGIT_RECOGNIZER_OWN_KERNELS=0), side by
// side in one process, beside the machine's ceiling for 4-lane wasm SIMD (bench/wasm/peak.c,
// built with clang). One thread; CPU time of this thread, the best of --repeats runs (the machine
// is shared: the best run is the one least disturbed). Results go to bench/KERNELS.md.
//   npx tsx bench/kernelRates.ts [--batch 64] [--repeats 7] [--baseline f2] [default|seed ...]
// --baseline f2: "previous" is our kernels with every 3×3 convolution on Winograd F(2×2, 3×3),
// "ours" with F(4×4, 3×3) where convolution.ts takes it (issue 26).
import * as os from 'os';
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { type Architecture } from '../src/shared/training';
import { createModel } from '../src/engine/model/architectures';
import { setOwnKernelsEnabled } from '../src/engine/kernels/ownKernels';
import { setWinogradTile } from '../src/engine/kernels/convolution';
import { simdCeiling } from './simdCeiling';
import { normalizeInTraining } from '../src/engine/layers/fusedBatchNorm';
import { SeededDropout } from '../src/engine/layers/seededDropout';
import { FusedAdam } from '../src/engine/layers/adam';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = arg('batch', 64);
const repeats = arg('repeats', 7);
const archs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')) as Architecture[];
const baselineF2 = process.argv.includes('--baseline') && process.argv[process.argv.indexOf('--baseline') + 1] === 'f2';
/** Switches between the two engines compared: previous (false) and ours (true). */
function useOurs(ours: boolean): void {
  if (baselineF2) {
    setOwnKernelsEnabled(true);
    setWinogradTile(ours ? 4 : 2);
  } else {
    setOwnKernelsEnabled(ours);
  }
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Best CPU time of `repeats` runs of each function, interleaved so both see the same machine. */
function best(fns: Array<() => void>): number[] {
  const out = fns.map(() => Infinity);
  for (let r = 0; r < repeats; r++) {
    fns.forEach((f, i) => {
      const t = cpuMs();
      f();
      out[i] = Math.min(out[i], cpuMs() - t);
    });
  }
  return out;
}

interface ConvLayer {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
}

interface DenseLayer {
  name: string;
  inputs: number;
  units: number;
}

function layersOf(arch: Architecture): { convs: ConvLayer[]; denses: DenseLayer[] } {
  const model = createModel(arch, { seed: 1 });
  const layers: ConvLayer[] = [];
  const denses: DenseLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dense') {
      const [inputs, units] = layer.getWeights()[0].shape;
      denses.push({ name: layer.name, inputs, units });
    }
    if (layer.getClassName() !== 'Conv2D') continue;
    const c = layer.getConfig() as { strides: number | number[]; padding: 'same' | 'valid' };
    const input = (layer.input as tf.SymbolicTensor).shape as number[];
    const strides = typeof c.strides === 'number' ? [c.strides, c.strides] : c.strides;
    layers.push({
      name: layer.name,
      x: [batch, input[1], input[2], input[3]],
      filter: layer.getWeights()[0].shape as [number, number, number, number],
      strides: [strides[0], strides[1]],
      pad: c.padding,
    });
  }
  model.dispose();
  return { convs: layers, denses };
}

(async () => {
  await initBackend('wasm');
  const ceiling = simdCeiling();
  console.log(`ceiling (multiply-add loop, 1 thread): ${ceiling ? ceiling.toFixed(1) + ' GFLOP/s' : 'not measured (no clang)'}`);
  const rows: string[] = ['| layer | pass | shape | GFLOP | previous ms | ours ms | previous GFLOP/s | ours GFLOP/s | speed-up |', '|---|---|---|---|---|---|---|---|---|'];
  const totals = { previous: 0, ours: 0, flop: 0 };
  const record = (arch: string, name: string, pass: string, shape: string, flop: number, run: () => tf.Tensor) => {
    const timed = (own: boolean) => () => {
      useOurs(own);
      run().dispose(); // wasm kernels run synchronously
    };
    const [previous, ours] = best([timed(false), timed(true)]);
    totals.previous += previous;
    totals.ours += ours;
    totals.flop += flop;
    const gf = (ms: number) => (flop / ms / 1e6).toFixed(1);
    rows.push(`| ${arch} ${name} | ${pass} | ${shape} | ${(flop / 1e9).toFixed(2)} | ${previous.toFixed(1)} | ${ours.toFixed(1)} | ${gf(previous)} | ${gf(ours)} | ${(previous / ours).toFixed(2)}× |`);
  };
  for (const arch of archs.length ? archs : (['default', 'seed'] as Architecture[])) {
    const { convs, denses } = layersOf(arch);
    for (const d of denses) {
      const x = tf.randomUniform([batch, d.inputs], -1, 1, 'float32', 4) as tf.Tensor2D;
      const w = tf.randomUniform([d.inputs, d.units], -1, 1, 'float32', 5) as tf.Tensor2D;
      const dy = tf.randomUniform([batch, d.units], -1, 1, 'float32', 6) as tf.Tensor2D;
      const flop = 2 * batch * d.inputs * d.units;
      const shape = `x [${batch},${d.inputs}] · W [${d.inputs},${d.units}]`;
      record(arch, d.name, 'forward x·W', shape, flop, () => tf.matMul(x, w));
      record(arch, d.name, 'input gradient dy·Wᵀ', shape, flop, () => tf.matMul(dy, w, false, true));
      record(arch, d.name, 'weight gradient xᵀ·dy', shape, flop, () => tf.matMul(x, dy, true, false));
      tf.dispose([x, w, dy]);
    }
    for (const c of convs) {
      const x = tf.randomUniform(c.x, -1, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomUniform(c.filter, -1, 1, 'float32', 2) as tf.Tensor4D;
      const y = tf.conv2d(x, w, c.strides, c.pad);
      const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 3) as tf.Tensor4D;
      const [, oh, ow] = y.shape;
      const flop = 2 * batch * oh * ow * c.filter[0] * c.filter[1] * c.filter[2] * c.filter[3];
      const passes: Array<[string, () => tf.Tensor]> = [
        ['forward', () => tf.conv2d(x, w, c.strides, c.pad)],
        ['filter gradient', () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter }) as tf.Tensor],
      ];
      if (c.filter[2] > 1) {
        passes.push(['input gradient', () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as tf.Tensor]);
      }
      for (const [pass, run] of passes) record(arch, c.name, pass, `x [${c.x}] ⊛ [${c.filter}] s${c.strides[0]} ${c.pad}`, flop, run);
      tf.dispose([x, w, y, dy]);
    }
  }
  // The other kernels of a training step (no multiply-add count: ms only), on the default CNN's
  // largest activation and the seed CNN's dense weights.
  const others: string[] = ['| kernel | shape | previous ms | ours ms | speed-up |', '|---|---|---|---|---|'];
  const other = (what: string, shape: string, run: () => tf.Tensor | tf.Tensor[]) => {
    const timed = (own: boolean) => () => {
      useOurs(own);
      tf.dispose(run());
    };
    const [previous, ours] = best([timed(false), timed(true)]);
    others.push(`| ${what} | ${shape} | ${previous.toFixed(2)} | ${ours.toFixed(2)} | ${(previous / ours).toFixed(2)}× |`);
  };
  {
    const x = tf.randomUniform([batch, 26, 26, 32], -1, 1, 'float32', 7);
    const dy = tf.randomUniform([batch, 26, 26, 32], -1, 1, 'float32', 8);
    const gamma = tf.randomUniform([32], 0.5, 1.5, 'float32', 9);
    const beta = tf.randomUniform([32], -0.5, 0.5, 'float32', 10);
    const bn = (t: tf.Tensor) => normalizeInTraining(t, gamma, beta, 1e-3);
    other('batch norm, training: forward and gradient', `[${x.shape}]`, () => {
      const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => {
        const r = bn(t);
        tf.dispose([r.mean, r.variance]);
        return tf.sum(tf.mul(r.y, dy)) as tf.Scalar;
      })([x]);
      return [value, ...grads];
    });
    other('sum over leading axes (bias gradient)', `[${x.shape}] → [32]`, () => tf.sum(x, [0, 1, 2]));
    const pooled = tf.randomUniform([batch, 24, 24, 64], -1, 1, 'float32', 11) as tf.Tensor4D;
    const poolDy = tf.randomUniform([batch, 12, 12, 64], -1, 1, 'float32', 12);
    other('max-pool gradient (seed CNN)', `[${pooled.shape}]`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), poolDy)))(pooled));
    other('dropout mask, rate 0.25 (seed CNN)', `[${batch},12,12,64]`, () => new SeededDropout({ rate: 0.25, seed: 3 }).apply(poolDy, { training: true }) as tf.Tensor);
    const w = tf.variable(tf.randomUniform([9216, 128], -0.1, 0.1, 'float32', 13));
    const g = tf.randomUniform([9216, 128], -0.01, 0.01, 'float32', 14);
    const adam = new FusedAdam(0.001);
    other('Adam update (seed CNN dense weights)', '[9216,128]', () => {
      adam.applyGradients([{ name: w.name, tensor: g }]);
      return [];
    });
    other('clone (every tensor a gradient saves)', `[${x.shape}]`, () => tf.clone(x));
    tf.dispose([x, dy, gamma, beta, pooled, poolDy, w, g]);
    adam.dispose();
  }
  useOurs(true);
  rows.push(`| all | | | ${(totals.flop / 1e9).toFixed(2)} | ${totals.previous.toFixed(0)} | ${totals.ours.toFixed(0)} | ${(totals.flop / totals.previous / 1e6).toFixed(1)} | ${(totals.flop / totals.ours / 1e6).toFixed(1)} | ${(totals.previous / totals.ours).toFixed(2)}× |`);
  console.log(`batch ${batch}, best of ${repeats} (CPU time of this thread), ${new Date().toISOString()}, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(rows.join('\n'));
  console.log('\nOther kernels of a training step:');
  console.log(others.join('\n'));
})();
