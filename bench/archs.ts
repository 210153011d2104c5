// Training step time of candidate CNN shapes on the wasm backend (1 thread, batch 128, random
// data), with each one's most expensive kernels from tf.profile. Used to pick the `default`
// architecture for issue 5 (bench/ACCURACY.md, bench/KERNELS.md).
//   npx tsx bench/archs.ts [--fused] [name ...]   names: pooled pooledNoBn c5pool c16 c5s2 (= `default`) strided
//   --fused: our FusedBatchNormalization (src/engine/layers/fusedBatchNorm.ts) instead of TF.js's layer.
//   --plain: our PlainConv2D (src/engine/layers/plainConv2d.ts) for the bias-free convolutions.
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { FusedBatchNormalization } from '../src/engine/layers/fusedBatchNorm';
import { PlainConv2D } from '../src/engine/layers/plainConv2d';
type L = tf.layers.Layer;
const fused = process.argv.includes('--fused');
const plain = process.argv.includes('--plain');
const bn = (): L => (fused ? new FusedBatchNormalization() : tf.layers.batchNormalization());
const conv2d = (args: any): L => (plain ? new PlainConv2D(args) : tf.layers.conv2d(args));
const conv = (f: number, k = 3, extra: any = {}): L[] => [conv2d({ filters: f, kernelSize: k, padding: 'same', useBias: false, ...extra }), bn(), tf.layers.activation({ activation: 'relu' })];
const convNoBn = (f: number, k = 3, extra: any = {}): L[] => [tf.layers.conv2d({ filters: f, kernelSize: k, padding: 'same', activation: 'relu', ...extra })];
const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
const drop = (r: number) => tf.layers.dropout({ rate: r });
const input = tf.layers.inputLayer({ inputShape: [28, 28, 1] });
const head = (): L[] => [tf.layers.flatten(), tf.layers.dense({ units: 128, useBias: false }), bn(), tf.layers.activation({ activation: 'relu' }), drop(0.4), tf.layers.dense({ units: 10, activation: 'softmax' })];
const specs: Record<string, () => L[]> = {
  // The `default` architecture until c5s2 replaced it.
  pooled: () => [...conv(32), ...conv(32), pool(), drop(0.2), ...conv(64), ...conv(64), pool(), drop(0.25), ...head()],
  pooledNoBn: () => [...convNoBn(32), ...convNoBn(32), pool(), drop(0.2), ...convNoBn(64), ...convNoBn(64), pool(), drop(0.25), tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), drop(0.4), tf.layers.dense({ units: 10, activation: 'softmax' })],
  c5pool: () => [...conv(32, 5), pool(), drop(0.1), ...conv(64), ...conv(64), pool(), drop(0.25), ...conv(128), pool(), drop(0.3), ...head()],
  c16: () => [...conv(16), ...conv(32), pool(), drop(0.2), ...conv(64), ...conv(64), pool(), drop(0.25), ...head()],
  // Kaggle's "25 Million Images" CNN (Chris Deotte): 32C3-32C3-32C5S2-64C3-64C3-64C5S2-128C4, valid
  // padding; the `default` architecture since it measured more accurate than `pooled` (bench/ACCURACY.md).
  c5s2: () => [...conv(32, 3, { padding: 'valid' }), ...conv(32, 3, { padding: 'valid' }), ...conv(32, 5, { strides: 2 }), drop(0.4),
    ...conv(64, 3, { padding: 'valid' }), ...conv(64, 3, { padding: 'valid' }), ...conv(64, 5, { strides: 2 }), drop(0.4),
    ...conv(128, 4, { padding: 'valid' }), tf.layers.flatten(), drop(0.4), tf.layers.dense({ units: 10, activation: 'softmax' })],
  // Stride-2 convolutions instead of pooling (tried for issue 5, bench/ACCURACY.md).
  strided: () => [...conv(32), ...conv(32, 3, { strides: 2 }), drop(0.2), ...conv(64), ...conv(64, 3, { strides: 2 }), drop(0.25), ...head()],
};
const which = process.argv.slice(2).filter((a) => !a.startsWith('--'));
(async () => {
  await initBackend('wasm');
  for (const name of which.length ? which : Object.keys(specs)) {
    const model = tf.sequential({ layers: [input, ...specs[name]()] });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.randomUniform([128, 28, 28, 1]); const y = tf.cast(tf.randomUniform([128], 0, 10, 'int32'), 'float32');
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
