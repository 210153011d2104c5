// PlainConv2D must compute exactly what TF.js's Conv2D does (output, kernel gradient), skip the
// input gradient when only the weights are differentiated, and save as an ordinary Conv2D.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { PlainConv2D } from '../../src/engine/layers/plainConv2d';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233);
  return out;
}

type Args = Parameters<typeof tf.layers.conv2d>[0];

/** Output, kernel gradient and input gradient of a layer on fixed inputs and weights. */
function pass(layer: tf.layers.Layer, shape: [number, number, number, number]) {
  return tf.tidy(() => {
    const x = tf.tensor(values(shape.reduce((a, b) => a * b), 1), shape);
    if (!layer.built) layer.build(shape);
    layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(values(w.size, 2 + i), w.shape)));
    const y = layer.apply(x) as tf.Tensor;
    const dy = tf.tensor(values(y.size, 9), y.shape);
    const f = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, dy)) as tf.Scalar;
    const kernel = layer.trainableWeights[0].read() as tf.Variable;
    const dKernel = tf.variableGrads(f, [kernel]).grads[kernel.name];
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, dy)))(x);
    return [y, dKernel, dx].map((t) => Array.from(t.dataSync()));
  });
}

function assertClose(actual: number[], expected: number[], what: string) {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1e-6, ...expected.map(Math.abs));
  const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  assert.ok(worst / scale < 1e-5, `${what}: differs by ${(worst / scale).toExponential(2)} (relative)`);
}

const cases: Array<{ args: Args; shape: [number, number, number, number] }> = [
  { args: { filters: 4, kernelSize: 3, padding: 'same', useBias: false }, shape: [2, 6, 6, 1] },
  { args: { filters: 3, kernelSize: 5, strides: 2, padding: 'same', useBias: false }, shape: [2, 9, 8, 2] },
  { args: { filters: 5, kernelSize: 4, padding: 'valid', useBias: false }, shape: [3, 4, 4, 3] },
  // With bias or activation the stock code runs; the results must still match.
  { args: { filters: 2, kernelSize: 3, activation: 'relu' }, shape: [1, 5, 5, 2] },
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`PlainConv2D (${backend})`, () => {
    before(async () => {
      await initBackend(backend);
    });

    for (const { args, shape } of cases) {
      it(`matches the stock layer: ${JSON.stringify(args)} on [${shape}]`, () => {
        const expected = pass(tf.layers.conv2d(args), shape);
        const actual = pass(new PlainConv2D(args), shape);
        ['output', 'kernel gradient', 'input gradient'].forEach((what, i) => assertClose(actual[i], expected[i], what));
      });
    }

    it('computes no input gradient when only the kernel is differentiated', async () => {
      const kernelsRun = async (layer: tf.layers.Layer) => {
        const x = tf.ones([2, 8, 8, 1]);
        layer.build(x.shape);
        const kernel = layer.trainableWeights[0].read() as tf.Variable;
        const profile = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, [kernel]);
          tf.dispose([value, ...Object.values(grads)]);
        });
        x.dispose();
        return profile.kernels.map((k) => k.name);
      };
      const args: Args = { filters: 4, kernelSize: 3, padding: 'same', useBias: false };
      assert.ok((await kernelsRun(tf.layers.conv2d(args))).includes('Conv2DBackpropInput'), 'the stock layer computes it');
      const plain = await kernelsRun(new PlainConv2D(args));
      assert.ok(plain.includes('Conv2DBackpropFilter'));
      assert.ok(!plain.includes('Conv2DBackpropInput'));
    });
  });
}

describe('PlainConv2D in a saved model', () => {
  it('is saved as an ordinary Conv2D and loads as PlainConv2D', async () => {
    const model = tf.sequential({ layers: [new PlainConv2D({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, useBias: false })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const layers = (saved!.modelTopology as { config: { layers: Array<{ class_name: string }> } }).config.layers;
    assert.deepEqual(layers.map((l) => l.class_name), ['Conv2D']);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    assert.ok(loaded.layers[0] instanceof PlainConv2D);
    model.dispose();
    loaded.dispose();
  });
});
