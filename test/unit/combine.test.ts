// The data-parallel trainer's weighted sum of its shard's gradients and the replicas' (our C
// kernel, src/engine/kernels/combine.ts) must be the TF.js ops' sum to the bit.
import * as assert from 'node:assert';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { combineShares } from '../../src/engine/kernels/combine';

describe('combining shards\' gradients', () => {
  let previous = '';
  before(async () => {
    previous = tf.getBackend();
    assert.strictEqual((await initBackend('wasm')).name, 'wasm');
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const replicas of [1, 3]) {
    it(`weights ${replicas + 1} threads' gradients as TF.js's mul and add do, to the bit`, () => {
      const shapes = [[3, 3, 8, 16], [16], [33, 10], [1]];
      const mine = shapes.map((s, i) => tf.randomUniform(s, -1, 1, 'float32', i + 1));
      const theirs = Array.from({ length: replicas }, (_, r) => shapes.map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 100 * r + i).dataSync() as Float32Array));
      const shares = [37, ...Array.from({ length: replicas }, (_, r) => 30 + r)].map((rows, _, all) => rows / all.reduce((a, b) => a + b, 0));
      const ours = combineShares(mine, theirs, shares)!;
      const expected = tf.tidy(() => mine.map((g, v) => {
        let sum = tf.mul(g, shares[0]);
        theirs.forEach((t, i) => (sum = tf.add(sum, tf.mul(tf.tensor(t[v], shapes[v]), shares[i + 1]))));
        return sum;
      }));
      ours.forEach((t, v) => {
        assert.deepStrictEqual(t.shape, shapes[v]);
        assert.deepStrictEqual(Array.from(t.dataSync()), Array.from(expected[v].dataSync()), `tensor ${v}`);
      });
      tf.dispose([...mine, ...ours, ...expected]);
    });
  }
});
