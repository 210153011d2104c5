// FusedAdam (src/engine/layers/adam.ts): on wasm one C kernel per weight tensor (kernels/adam.ts) must
// give TF.js's Adam's weights exactly — same float32 operations in the same order — and keep its
// state in the same form.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { FusedAdam } from '../../src/engine/layers/adam';
import { ADAM_UPDATE } from '../../src/engine/kernels/adam';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) * (i % 7 === 0 ? 1e-6 : 1);
  return out;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`FusedAdam (${backend})`, () => {
    before(async () => {
      await initBackend(backend);
    });

    it('takes exactly the steps of TF.js\'s Adam (shapes with and without a multiple of 4 elements)', async () => {
      const shapes = [[3, 3, 1, 32], [7], [130, 10], [1]];
      const run = (optimizer: tf.Optimizer) => {
        const vars = shapes.map((s, i) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(s), i + 1), s)));
        for (let step = 0; step < 5; step++) {
          const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(values(v.size, 10 * step + i + 7), v.shape)]));
          optimizer.applyGradients(grads);
          tf.dispose(Object.values(grads));
        }
        const out = vars.map((v) => Array.from(v.dataSync()));
        tf.dispose(vars);
        return out;
      };
      const stock = tf.train.adam(0.003);
      const fused = new FusedAdam(0.003);
      const profile = await tf.profile(() => {
        const expected = run(stock);
        const actual = run(fused);
        actual.forEach((w, i) => assert.deepEqual(w, expected[i], `weight ${i} differs`));
      });
      assert.equal(profile.kernels.some((k) => k.name === ADAM_UPDATE), backend === 'wasm', 'the fused kernel runs on wasm only');
      assert.equal(fused.iterations, 5);
      const names = (await fused.getWeights()).map((w) => w.name);
      assert.equal(names.length, 1 + 2 * shapes.length);
      assert.ok(names.slice(1, 1 + shapes.length).every((n) => n.endsWith('/m')) && names.slice(1 + shapes.length).every((n) => n.endsWith('/v')), names.join(' '));
      stock.dispose();
      fused.dispose();
    });
  });
}
