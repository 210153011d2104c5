// FusedBatchNormalization must train exactly like TF.js's BatchNormalization: same outputs, same
// gradients for input, γ and β, same moving statistics, and save as an ordinary BatchNormalization.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { FusedBatchNormalization } from '../../src/engine/layers/fusedBatchNorm';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../../src/engine/kernels/batchNorm';

function values(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) * scale + offset;
  return out;
}

/** Runs one training-mode forward and backward pass of a layer on fixed inputs. */
function pass(layer: tf.layers.Layer, shape: number[]) {
  return tf.tidy(() => {
    const x = tf.tensor(values(shape.reduce((a, b) => a * b), 1, 3, 0.5), shape);
    const dy = tf.tensor(values(x.size, 2), shape);
    if (!layer.built) layer.build(shape);
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    gamma.assign(tf.tensor(values(gamma.size, 3, 0.5, 1)));
    beta.assign(tf.tensor(values(beta.size, 4)));
    const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const dx = tf.grad(f)(x);
    const { grads } = tf.variableGrads(() => f(x), [gamma, beta]);
    const moving = layer.getWeights().slice(2);
    return [y, dx, grads[gamma.name], grads[beta.name], ...moving].map((t) => Array.from(t.dataSync()));
  });
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
  const worst = actual.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
  assert.ok(worst / scale < tolerance, `${what}: differs by ${(worst / scale).toExponential(2)} (relative)`);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`FusedBatchNormalization (${backend})`, () => {
    before(async () => {
      await initBackend(backend);
    });

    // Channels a multiple of 4 run our C kernels on wasm (kernels/batchNorm.ts), others the TF.js ops.
    for (const shape of [[4, 6, 5, 3], [16, 7], [2, 3, 3, 32], [16, 8], [130, 5, 5, 64]]) {
      it(`matches the stock layer in training on [${shape}]`, () => {
        const expected = pass(tf.layers.batchNormalization({ momentum: 0.9 }), shape);
        const actual = pass(new FusedBatchNormalization({ momentum: 0.9 }), shape);
        ['output', 'input gradient', 'γ gradient', 'β gradient', 'moving mean', 'moving variance'].forEach((what, i) =>
          assertClose(actual[i], expected[i], 2e-5, what));
        // The moving statistics moved away from their initial 0 and 1.
        assert.ok(actual[4].some((v) => Math.abs(v) > 1e-3) && actual[5].some((v) => Math.abs(v - 1) > 1e-3));
      });
    }

    it(`trains with ${backend === 'wasm' ? 'our' : 'no'} batch-norm kernels`, async () => {
      const layer = new FusedBatchNormalization();
      const profile = await tf.profile(() => tf.dispose(pass(layer, [4, 3, 3, 8]) as unknown as tf.Tensor[]));
      const names = profile.kernels.map((k) => k.name);
      assert.equal(names.includes(BATCH_NORM_TRAINING), backend === 'wasm', names.join(' '));
      assert.equal(names.includes(BATCH_NORM_TRAINING_GRAD), backend === 'wasm', names.join(' '));
    });

    it('runs the stock code for inference and for other axes', () => {
      const x = tf.tensor(values(2 * 3 * 4, 5), [2, 3, 4]);
      for (const args of [{}, { axis: 1 }]) {
        const stock = tf.layers.batchNormalization(args);
        const fused = new FusedBatchNormalization(args);
        for (const training of [false, true]) {
          const a = stock.apply(x, { training }) as tf.Tensor;
          const b = fused.apply(x, { training }) as tf.Tensor;
          assertClose(Array.from(b.dataSync()), Array.from(a.dataSync()), 1e-6, `axis ${JSON.stringify(args)} training ${training}`);
          tf.dispose([a, b]);
        }
      }
      x.dispose();
    });

    it('leaves no tensors behind', () => {
      const layer = new FusedBatchNormalization();
      tf.dispose(pass(layer, [4, 3, 3, 8]) as unknown as tf.Tensor[]);
      const before = tf.memory().numTensors;
      pass(layer, [4, 3, 3, 8]);
      assert.equal(tf.memory().numTensors, before);
    });
  });
}

describe('FusedBatchNormalization in a saved model', () => {
  it('is saved as an ordinary BatchNormalization and loads as the fused layer', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), new FusedBatchNormalization()] });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const layers = (saved!.modelTopology as { config: { layers: Array<{ class_name: string }> } }).config.layers;
    assert.deepEqual(layers.map((l) => l.class_name), ['Dense', 'BatchNormalization']);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    assert.ok(loaded.layers[1] instanceof FusedBatchNormalization);
    model.dispose();
    loaded.dispose();
  });
});
