// initBackend picks wasm here (tfjs-node cannot install on these machines), with SIMD and our
// training kernels, and is idempotent.
import * as assert from 'node:assert';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';

describe('initBackend', () => {
  let previous = '';
  before(() => {
    previous = tf.getBackend();
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  it("'auto' falls back to wasm with SIMD when @tensorflow/tfjs-node is absent", async function () {
    let nodeInstalled = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      nodeInstalled = false;
    }
    if (nodeInstalled) this.skip();
    const info = await initBackend('auto');
    assert.strictEqual(info.name, 'wasm');
    assert.strictEqual(info.simd, true);
    assert.ok(info.threads >= 1);
    assert.match(info.note ?? '', /tfjs-node is not installed/);
    assert.strictEqual(tf.getBackend(), 'wasm');
  });

  it('is idempotent and re-activates its backend', async () => {
    const first = await initBackend('auto');
    await tf.setBackend('cpu');
    const second = await initBackend('auto');
    assert.strictEqual(second, first);
    assert.strictEqual(tf.getBackend(), first.name);
    const [a, b] = await Promise.all([initBackend('auto'), initBackend('auto')]);
    assert.strictEqual(a, first);
    assert.strictEqual(b, first);
  });

  it('registers the training kernels for wasm', async () => {
    await initBackend('wasm');
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul']) {
      assert.ok(tf.getKernel(name, 'wasm'), name);
    }
  });

  it("'cpu' selects the cpu backend", async () => {
    const info = await initBackend('cpu');
    assert.deepStrictEqual({ name: info.name, backend: tf.getBackend() }, { name: 'cpu', backend: 'cpu' });
  });

  it("'tensorflow' without tfjs-node is an input error naming the fix", async function () {
    try {
      require.resolve('@tensorflow/tfjs-node');
      this.skip();
    } catch {
      // absent, as on these machines
    }
    await assert.rejects(initBackend('tensorflow'), (e: Error) => e.name === 'InputError' && /auto|wasm/.test(e.message));
  });

  it('trains a conv layer on wasm (Conv2DBackpropFilter is available)', async () => {
    await initBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = tf.ones([4, 6, 6, 1]);
    const y = tf.tensor1d([0, 1, 0, 1]);
    const h = await model.fit(x, y, { epochs: 1, verbose: 0 });
    assert.ok(Number.isFinite(h.history.loss[0] as number));
    tf.dispose([x, y]);
    model.dispose();
  });
});
