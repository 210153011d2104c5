// Training step time of candidate CNN shapes on the wasm backend (1 thread, batch 128, random
// data), with each one's most expensive kernels from tf.profile. Used to pick the `default`
// architecture for issue 5 (bench/ACCURACY.md, bench/KERNELS.md).
//   npx tsx bench/archs.ts [--fused] [name ...]   names: pooled (= `default`) pooledNoBn c5pool c16 strided
//   --fused: our FusedBatchNormalization (src/engine/fusedBatchNorm.ts) instead of TF.js's layer.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend';
import { FusedBatchNormalization } from '../src/engine/fusedBatchNorm';
type L = tf.layers.Layer;
const fused = process.argv.includes('--fused');
const bn = (): L => (fused ? new FusedBatchNormalization() : tf.layers.batchNormalization());
const conv = (f: number, k = 3, extra: any = {}): L[] => [tf.layers.conv2d({ filters: f, kernelSize: k, padding: 'same', useBias: false, ...extra }), bn(), tf.layers.activation({ activation: 'relu' })];
const convNoBn = (f: number, k = 3, extra: any = {}): L[] => [tf.layers.conv2d({ filters: f, kernelSize: k, padding: 'same', activation: 'relu', ...extra })];
const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
const drop = (r: number) => tf.layers.dropout({ rate: r });
const input = tf.layers.inputLayer({ inputShape: [28, 28, 1] });
const head = (): L[] => [tf.layers.flatten(), tf.layers.dense({ units: 128, useBias: false }), bn(), tf.layers.activation({ activation: 'relu' }), drop(0.4), tf.layers.dense({ units: 10, activation: 'softmax' })];
const specs: Record<string, () => L[]> = {
  pooled: () => [...conv(32), ...conv(32), pool(), drop(0.2), ...conv(64), ...conv(64), pool(), drop(0.25), ...head()],
  pooledNoBn: () => [...convNoBn(32), ...convNoBn(32), pool(), drop(0.2), ...convNoBn(64), ...convNoBn(64), pool(), drop(0.25), tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), drop(0.4), tf.layers.dense({ units: 10, activation: 'softmax' })],
  c5pool: () => [...conv(32, 5), pool(), drop(0.1), ...conv(64), ...conv(64), pool(), drop(0.25), ...conv(128), pool(), drop(0.3), ...head()],
  c16: () => [...conv(16), ...conv(32), pool(), drop(0.2), ...conv(64), ...conv(64), pool(), drop(0.25), ...head()],
  // Stride-2 convolutions instead of pooling (tried for issue 5, bench/ACCURACY.md).
  strided: () => [...conv(32), ...conv(32, 3, { strides: 2 }), drop(0.2), ...conv(64), ...conv(64, 3, { strides: 2 }), drop(0.25), ...head()],
};
const which = process.argv.slice(2).filter((a) => !a.startsWith('--'));
(async () => {
  await initBackend('wasm');
  for (const name of which.length ? which : Object.keys(specs)) {
    const model = tf.sequential({ layers: [input, ...specs[name]()] });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.randomUniform([128, 28, 28, 1]); const y = tf.randomUniform([128], 0, 10, 'int32').cast('float32');
    for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
    const t: number[] = [];
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); await model.trainOnBatch(x, y); t.push(performance.now() - t0); }
    t.sort((a, b) => a - b);
    const prof = await tf.profile(async () => { await model.trainOnBatch(x, y); });
    const by = new Map<string, number>();
    for (const k of prof.kernels) { const key = k.name + (k.inputShapes?.[0] ? ' ' + JSON.stringify(k.inputShapes[0]) : ''); by.set(key, (by.get(key) ?? 0) + (k.kernelTimeMs as number)); }
    const top = [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`\n${name}: params ${model.countParams()}, median step ${t[2].toFixed(0)} ms, ${(128000 / t[2]).toFixed(0)} img/s (1 thread)`);
    for (const [k, v] of top) console.log(`  ${v.toFixed(1).padStart(7)} ${k}`);
    model.dispose();
  }
})();
