// SeededDropout's mask on wasm is drawn by our C kernel (kernels/dropout.ts) from seedrandom's
// Alea state; it must equal tf.dropout's with the same seed to the bit, in training, and so must
// its gradient.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { SeededDropout } from '../../src/engine/layers/seededDropout';
import { DROPOUT_MULTIPLIER } from '../../src/engine/kernels/dropout';
import { setOwnKernelsEnabled } from '../../src/engine/kernels/ownKernels';

describe('dropout masks from our kernel (wasm)', () => {
  before(async () => {
    await initBackend('wasm');
  });
  after(() => setOwnKernelsEnabled(true));

  for (const [shape, rate] of [[[64, 12, 12, 64], 0.25], [[7, 130], 0.5], [[3], 0.4]] as const) {
    it(`equals tf.dropout on [${shape}] at rate ${rate}, forward and backward`, async () => {
      const x = tf.randomUniform(shape as unknown as number[], -1, 1, 'float32', 3);
      const run = (own: boolean) => {
        setOwnKernelsEnabled(own);
        const layer = new SeededDropout({ rate, seed: 1234 });
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training: true }) as tf.Tensor, 2)))(x);
        const out = [Array.from(y.dataSync()), Array.from(dx.dataSync())];
        tf.dispose([y, dx]);
        return out;
      };
      const profile = await tf.profile(() => {
        const expected = run(false);
        const actual = run(true);
        assert.deepEqual(actual[0], expected[0], 'outputs');
        assert.deepEqual(actual[1], expected[1], 'gradients (the second call draws the second mask)');
      });
      assert.ok(profile.kernels.some((k) => k.name === DROPOUT_MULTIPLIER), 'our kernel ran');
      const kept = (run(true)[0] as number[]).filter((v) => v !== 0).length / x.size;
      assert.ok(Math.abs(kept - (1 - rate)) < (x.size > 1000 ? 0.01 : 0.7), `kept ${kept}`);
      x.dispose();
    });
  }
});
