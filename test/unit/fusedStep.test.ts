// The fused training step (src/engine/kernels/fused) must train exactly as TF.js's tape does with
// the same kernels: same gradients, same losses step after step, same batch-norm statistics and
// dropout masks — and leave any model it does not take to the tape.
import * as assert from 'node:assert';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { createModel, disposeModel } from '../../src/engine/model/architectures';
import { shardGradients, sparseAccuracy, sparseCrossEntropy, trainStep, trainableVariables } from '../../src/engine/model/gradients';
import { fusedShardGradients, setFusedStepEnabled } from '../../src/engine/kernels/fused/trainStep';
import { planOf } from '../../src/engine/kernels/fused/plan';
import { SeededDropout } from '../../src/engine/layers/seededDropout';

/** Deterministic values in [-1, 1) (mulberry32). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

// Learnable images: sparse noise plus a bright block whose place depends on the label.
const rows = 24;
const steps = 8;
const labels = Array.from({ length: steps * rows }, (_, i) => (i * 7 + (i >> 3)) % 10);
const images = values(steps * rows * 784, 31).map((v) => (v > 0.8 ? v : 0));
labels.forEach((label, i) => {
  const top = 2 + (label % 5) * 5;
  const left = label < 5 ? 4 : 18;
  for (let r = top; r < top + 4; r++) images.fill(1, i * 784 + r * 28 + left, i * 784 + r * 28 + left + 6);
});

function batch(step: number, n = rows): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => [
    tf.tensor4d(images.subarray(step * rows * 784, (step * rows + n) * 784), [n, 28, 28, 1]),
    tf.tensor1d(labels.slice(step * rows, step * rows + n), 'float32'),
  ]);
}

/** First-step gradients, then the losses of `steps` Adam steps and every weight after them (moving statistics too). */
function train(model: tf.LayersModel, fused: boolean, labelSmoothing = 0) {
  setFusedStepEnabled(fused);
  const [x0, y0] = batch(0);
  const first = shardGradients(model, x0, y0, trainableVariables(model), labelSmoothing);
  const grads = first.grads.map((g) => Array.from(g.dataSync()));
  tf.dispose([...first.grads, x0, y0]);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const [x, y] = batch(s, s % 3 === 2 ? rows - 5 : rows); // a smaller shard now and then, as a last batch is
    losses.push(trainStep(model, x, y, labelSmoothing)[0]);
    tf.dispose([x, y]);
  }
  return { grads, first: [first.loss, first.accuracy], losses, weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
}

describe('fused training step', () => {
  let previous = '';
  before(async () => {
    previous = tf.getBackend();
    assert.strictEqual((await initBackend('wasm')).name, 'wasm');
  });
  after(async () => {
    setFusedStepEnabled(true);
    if (previous) await tf.setBackend(previous);
  });

  it('takes the default CNN\'s seven conv blocks (batch norm, ReLU, dropout in them) and the seed CNN\'s two, the rest on the tape', () => {
    const plan = (arch: 'default' | 'seed') => {
      const model = createModel(arch, { seed: 1 });
      const p = planOf(model)!;
      const summary = { blocks: p.blocks.map((b) => [b.kernelShape.join('×'), !!b.batchNorm, b.relu, b.dropout?.rate ?? 0]), tail: p.tail.map((l) => l.getClassName()) };
      disposeModel(model);
      return summary;
    };
    assert.deepStrictEqual(plan('default'), {
      blocks: [['3×3×1×32', true, true, 0], ['3×3×32×32', true, true, 0], ['5×5×32×32', true, true, 0.4], ['3×3×32×64', true, true, 0],
        ['3×3×64×64', true, true, 0], ['5×5×64×64', true, true, 0.4], ['4×4×64×128', true, true, 0.4]],
      tail: ['Dense'],
    });
    assert.deepStrictEqual(plan('seed'), { blocks: [['3×3×1×32', false, true, 0], ['3×3×32×64', false, true, 0]], tail: ['MaxPooling2D', 'Dropout', 'Flatten', 'Dense', 'Dropout', 'Dense'] });
  });

  // Measured: identical to the bit (every operation is the tape's, in its order).
  for (const [arch, smoothing] of [['default', 0], ['default', 0.1], ['seed', 0]] as const) {
    it(`${arch} CNN${smoothing ? `, label smoothing ${smoothing}` : ''}: the tape's gradients, and its losses and weights over ${steps} Adam steps (relative difference ≤ 1e-6)`, () => {
      const run = (fused: boolean) => {
        const model = createModel(arch, { seed: 5, learningRate: 0.002 });
        const before = tf.memory().numTensors;
        const r = train(model, fused, smoothing);
        const added = tf.memory().numTensors - before; // Adam's moments
        disposeModel(model);
        return { ...r, added };
      };
      const tape = run(false);
      const fused = run(true);
      assert.strictEqual(fused.added, tape.added, 'tensors left behind');
      const close = (a: number[], b: number[], what: string) => {
        const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-30);
        a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-6 * scale, `${what}[${i}]: fused ${v}, tape ${b[i]}`));
      };
      tape.grads.forEach((g, i) => close(fused.grads[i], g, `gradient ${i}`));
      close(fused.first, tape.first, 'first loss and accuracy');
      close(fused.losses, tape.losses, 'losses');
      assert.ok(tape.losses[steps - 1] < tape.losses[0], `the loss falls: ${tape.losses}`);
      tape.weights.forEach((w, i) => close(fused.weights[i], w, `weight ${i} after ${steps} steps`));
    });
  }

  // The fused step's own kernels (fused.c, and the convolutions in its geometries) against TF.js's
  // reference cpu backend, which trains this model on the tape with its plain loops: a model with
  // every kind of block (batch norm, ReLU, dropout, a 5×5 stride-2 'same' convolution, F(4×4, 3×3)
  // and direct products, a bias), small enough for the cpu backend. Tolerance as for the kernels
  // (kernels.test.ts): 1e-4 of each gradient's largest element (measured: 4e-6 at most).
  it('gives the cpu backend\'s gradients (relative difference < 1e-4)', async () => {
    const build = () => {
      const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [14, 14, 1], filters: 8, kernelSize: 3, useBias: false, ...init(1) }),
          tf.layers.batchNormalization(),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, useBias: false, ...init(2) }),
          tf.layers.batchNormalization(),
          tf.layers.activation({ activation: 'relu' }),
          new SeededDropout({ rate: 0.3, seed: 9 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', ...init(3) }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax', ...init(4) }),
        ],
      });
      return model;
    };
    const grads = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      setFusedStepEnabled(true);
      const model = build();
      if (backend === 'wasm') assert.strictEqual(planOf(model)?.blocks.length, 3);
      const [x, y] = tf.tidy(() => [tf.tensor4d(values(6 * 196, 77).map((v) => Math.max(0, v)), [6, 14, 14, 1]), tf.tensor1d([3, 1, 4, 1, 5, 9], 'float32')]);
      const g = shardGradients(model, x, y);
      const data = g.grads.map((t) => Array.from(t.dataSync()));
      tf.dispose([...g.grads, x, y]);
      model.dispose();
      return { data, loss: g.loss };
    };
    const expected = await grads('cpu');
    const actual = await grads('wasm');
    await tf.setBackend('wasm');
    assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-5 * expected.loss, `loss ${actual.loss} vs ${expected.loss}`);
    expected.data.forEach((e, i) => {
      const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-30);
      const diff = e.reduce((m, v, j) => Math.max(m, Math.abs(v - actual.data[i][j])), 0);
      assert.ok(diff / scale < 1e-4, `weight ${i}: differs by ${(diff / scale).toExponential(2)} of its largest element`);
    });
  });

  it('draws each dropout layer\'s next mask, as the layer would', () => {
    const model = createModel('default', { seed: 3 });
    const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
    const [x, y] = batch(0);
    setFusedStepEnabled(true);
    tf.dispose(shardGradients(model, x, y).grads);
    // All three are in conv blocks (the last after the Flatten): each drawn once.
    assert.deepStrictEqual(dropouts.map((d) => d.nextSeed()! - d.seed!), [1, 1, 1]);
    tf.dispose([x, y]);
    disposeModel(model);
  });

  it('leaves a model it does not take to the tape', () => {
    const [x, y] = batch(0);
    const loss = (l: tf.Tensor, p: tf.Tensor) => sparseCrossEntropy(l, p);
    const models = [
      // 12 output channels: not a multiple of 8.
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 12, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
      // No convolution first.
      tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] }),
    ];
    for (const model of models) {
      assert.strictEqual(fusedShardGradients(model, x, y, trainableVariables(model), loss, sparseAccuracy), undefined, model.name);
      const g = shardGradients(model, x, y); // the tape
      assert.strictEqual(g.grads.length, model.trainableWeights.length);
      tf.dispose(g.grads);
      disposeModel(model);
    }
    tf.dispose([x, y]);
  });

  it('stops its blocks at a frozen layer, the tape taking the rest', () => {
    const [x, y] = batch(0);
    const grads = (fused: boolean) => {
      setFusedStepEnabled(fused);
      const model = createModel('default', { seed: 1 });
      model.layers[4].trainable = false; // the second batch norm
      if (fused) assert.strictEqual(planOf(model)!.blocks.length, 2);
      const g = shardGradients(model, x, y);
      const data = g.grads.map((t) => Array.from(t.dataSync()));
      tf.dispose(g.grads);
      disposeModel(model);
      return data;
    };
    assert.deepStrictEqual(grads(true), grads(false));
    tf.dispose([x, y]);
  });
});
