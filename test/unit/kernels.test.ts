// Our wasm training kernels (src/engine/kernels) must compute the same gradients as the
// reference cpu backend: single ops over many shapes, a whole small CNN, and a short training run.
import { createRandom } from '../../src/engine/core/random';
import * as assert from 'node:assert';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { ownKernels, setOwnKernelsEnabled } from '../../src/engine/kernels/ownKernels';
import { createModel, disposeModel } from '../../src/engine/model/architectures';
import { shardGradients, trainStep } from '../../src/engine/model/gradients';
import { ownConv2d, setWinogradTile } from '../../src/engine/kernels/convolution';

type Backend = 'wasm' | 'cpu';

/** Deterministic values in [-1, 1) (the engine's seeded generator), so both backends see the same inputs. */
function values(n: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** Runs fn on a backend and returns its tensors' values. */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return data;
}

/** max |a-b| relative to the largest reference magnitude. */
function relDiff(actual: Float32Array, expected: Float32Array): number {
  assert.strictEqual(actual.length, expected.length, 'length');
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
    assert.ok(Number.isFinite(actual[i]), `non-finite value at ${i}`);
  }
  return diff / scale;
}

async function compare(fn: () => tf.Tensor[], label: string, tol = 1e-4): Promise<void> {
  const expected = await on('cpu', fn);
  const actual = await on('wasm', fn);
  expected.forEach((e, i) => {
    const d = relDiff(actual[i], e);
    assert.ok(d < tol, `${label}: output ${i} differs by ${d.toExponential(2)} (relative)`);
  });
}

/** Inside a describe: initialise wasm (with our kernels) first, restore the backend after. */
function useWasm(): void {
  let previous = '';
  before(async () => {
    previous = tf.getBackend();
    const info = await initBackend('wasm');
    assert.strictEqual(info.name, 'wasm');
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });
}

describe('wasm training kernels', () => {
  useWasm();

  type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  const convCases: Array<{ x: [number, number, number, number]; k: number; co: number; s: number | [number, number]; pad: Pad }> = [
    { x: [1, 8, 8, 1], k: 3, co: 4, s: 1, pad: 'same' },
    { x: [3, 9, 9, 1], k: 5, co: 32, s: 1, pad: 'valid' },
    { x: [4, 28, 28, 1], k: 3, co: 32, s: 1, pad: 'valid' },
    { x: [2, 10, 10, 32], k: 3, co: 64, s: 1, pad: 'valid' },
    { x: [1, 7, 7, 32], k: 3, co: 32, s: 1, pad: 'same' },
    { x: [2, 9, 9, 64], k: 5, co: 16, s: 1, pad: 'same' },
    { x: [2, 11, 11, 32], k: 3, co: 16, s: 2, pad: 'same' },
    { x: [2, 12, 12, 64], k: 3, co: 32, s: 2, pad: 'same' },
    { x: [2, 11, 11, 64], k: 5, co: 8, s: 2, pad: 'valid' },
    { x: [1, 12, 12, 32], k: 5, co: 8, s: 2, pad: 'valid' },
    { x: [3, 10, 9, 1], k: 3, co: 8, s: [2, 1], pad: 'same' },
    { x: [2, 8, 8, 4], k: 3, co: 6, s: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    // The `default` CNN's strided 5×5 convolutions (24→12 and 8→4), and phases that get no tap.
    { x: [2, 24, 24, 8], k: 5, co: 8, s: 2, pad: 'same' },
    { x: [3, 8, 8, 16], k: 5, co: 16, s: 2, pad: 'same' },
    { x: [2, 13, 11, 3], k: 4, co: 5, s: 3, pad: 'same' },
    { x: [2, 10, 10, 3], k: 2, co: 4, s: 3, pad: 'valid' },
    { x: [1, 9, 9, 2], k: 3, co: 3, s: [1, 2], pad: [[0, 0], [2, 0], [0, 3], [0, 0]] },
    { x: [2, 6, 6, 2], k: 3, co: 3, s: 1, pad: [[0, 0], [3, 1], [0, 3], [0, 0]] },
    // 3×3 stride 1 with channels in multiples of 8: Winograd F(4×4, 3×3) (winograd4.c) or, where
    // partial tiles waste its gain, F(2×2, 3×3) (winograd.c), forward and both gradients; odd
    // output sizes, several blocks of tiles, 'same' padding (border tiles gathered), exact tiles.
    { x: [3, 13, 11, 16], k: 3, co: 24, s: 1, pad: 'valid' },
    { x: [2, 9, 9, 8], k: 3, co: 8, s: 1, pad: 'same' },
    { x: [2, 26, 26, 8], k: 3, co: 16, s: 1, pad: 'valid' },
    { x: [3, 14, 11, 16], k: 3, co: 8, s: 1, pad: 'same' },
    { x: [2, 10, 10, 8], k: 3, co: 8, s: 1, pad: 'valid' },
    // 5×5 stride 2 as a 3×3 stride-1 convolution of the input in 2×2 blocks (spaceToDepth.c):
    // odd sizes, 6 input channels (24 in blocks); the input gradient in blocks by F(4×4, 3×3)
    // (the 24×24 'same' case above and this one), the forward pass at one 4×4 tile (8×8 'same').
    { x: [2, 21, 19, 6], k: 5, co: 8, s: 2, pad: 'valid' },
    { x: [2, 27, 25, 4], k: 5, co: 8, s: 2, pad: 'same' },
    // A filter as large as the input (the `default` CNN's last conv): a matrix product.
    { x: [5, 4, 4, 16], k: 4, co: 24, s: 1, pad: 'valid' },
    { x: [3, 3, 3, 2], k: 3, co: 4, s: 2, pad: 'valid' },
  ];
  for (const c of convCases) {
    const label = `conv2d x=[${c.x}] k=${c.k} co=${c.co} stride=${c.s} pad=${JSON.stringify(c.pad)}`;
    it(`gradients of ${label}`, async () => {
      await compare(() => {
        const x = rand(c.x, 1);
        const w = rand([c.k, c.k, c.x[3], c.co], 2);
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad);
        const g = rand(y.shape, 3);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), g)))([x, w]);
        return [y, dx, dw];
      }, label);
    });
  }

  // Our C kernels (src/engine/kernels/wasm/conv.c): a pixel count that is not a multiple of the
  // 4-pixel tile, a filter-gradient row count that is not a multiple of 4 (one input channel),
  // and a fused convolution with bias and relu (the seed CNN's layers).
  it('runs our C convolution kernels where they apply, and the stock ones elsewhere', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    assert.ok(ownKernels(backend), 'conv.wasm did not instantiate on the wasm backend');
    const info = (x: number[], w: number[]) => tf.backend_util.computeConv2DInfo(x as [number, number, number, number], w as [number, number, number, number], 1, 1, 'valid');
    const x = rand([1, 5, 5, 2], 1);
    const ours = ownConv2d(backend, x, rand([3, 3, 2, 8], 2), info([1, 5, 5, 2], [3, 3, 2, 8]));
    assert.deepStrictEqual(ours?.shape, [1, 3, 3, 8]);
    backend.disposeData(ours!.dataId);
    assert.strictEqual(ownConv2d(backend, x, rand([3, 3, 2, 6], 2), info([1, 5, 5, 2], [3, 3, 2, 6])), undefined, '6 output channels are not a multiple of 8');
    x.dispose();
  });

  it('keeps rearranged filters per filter tensor: a new filter is never served an old one, past the cache size too', async () => {
    await tf.setBackend('wasm');
    const x = rand([2, 9, 9, 8], 51);
    const w = rand([3, 3, 8, 16], 52);
    const expected = tf.tidy(() => Array.from(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid').dataSync()));
    for (let i = 1; i <= 40; i++) {
      const scaled = tf.mul(w, i);
      const y = tf.conv2d(x as tf.Tensor4D, scaled as tf.Tensor4D, 1, 'valid');
      const again = tf.conv2d(x as tf.Tensor4D, scaled as tf.Tensor4D, 1, 'valid'); // served from the cache
      const [a, b] = [y.dataSync(), again.dataSync()];
      a.forEach((v, j) => assert.ok(Math.abs(v - i * expected[j]) <= 1e-4 * i * (1 + Math.abs(expected[j])), `filter ${i}, value ${j}`));
      assert.deepStrictEqual(Array.from(b), Array.from(a));
      tf.dispose([scaled, y, again]);
    }
    tf.dispose([x, w]);
  });

  const fusedCases: Array<{ x: [number, number, number, number]; k: number; co: number; activation: 'relu' | 'linear'; pad: 'same' | 'valid' }> = [
    { x: [3, 7, 7, 1], k: 3, co: 8, activation: 'relu', pad: 'valid' },
    { x: [2, 9, 9, 16], k: 3, co: 24, activation: 'relu', pad: 'same' },
    { x: [1, 6, 6, 8], k: 5, co: 16, activation: 'linear', pad: 'same' },
  ];
  for (const c of fusedCases) {
    const label = `fused conv2d x=[${c.x}] k=${c.k} co=${c.co} ${c.activation} pad=${c.pad}`;
    it(`result and gradients of ${label}`, async () => {
      await compare(() => {
        const x = rand(c.x, 21);
        const w = rand([c.k, c.k, c.x[3], c.co], 22);
        const b = rand([c.co], 23);
        const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.fused.conv2d({ x: p as tf.Tensor4D, filter: q as tf.Tensor4D, strides: 1, pad: c.pad, bias: r, activation: c.activation });
        const y = f(x, w, b);
        const g = rand(y.shape, 24);
        return [y, ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(f(p, q, r), g)))([x, w, b])];
      }, label);
    });
  }

  const matCases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [128, 300], b: [300, 64], ta: false, tb: false },
    { a: [1, 6, 4], b: [1, 6, 9], ta: true, tb: false },
    { a: [3, 4, 6], b: [3, 9, 6], ta: false, tb: true },
    { a: [2, 6, 4], b: [2, 9, 6], ta: true, tb: true },
    // Our C product (wasm/matmul.c) takes the reduction in blocks of 1,024: partial tiles across blocks.
    { a: [6, 2100], b: [2100, 13], ta: false, tb: false },
    { a: [2100, 6], b: [13, 2100], ta: true, tb: true },
    { a: [1, 5, 1100], b: [1, 1100, 17], ta: false, tb: false },
  ];
  for (const c of matCases) {
    const label = `matMul a=[${c.a}]${c.ta ? 'ᵀ' : ''} b=[${c.b}]${c.tb ? 'ᵀ' : ''}`;
    it(`result and gradients of ${label}`, async () => {
      await compare(() => {
        const a = rand(c.a, 4);
        const b = rand(c.b, 5);
        const f = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, c.ta, c.tb);
        const y = f(a, b);
        const g = rand(y.shape, 6);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), g)))([a, b]);
        return [y, da, db];
      }, label);
    });
  }

  const poolCases: Array<{ x: [number, number, number, number]; f: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
    { x: [1, 9, 7, 64], f: 2, s: 2, pad: 'valid' },
    { x: [3, 12, 12, 32], f: 3, s: 3, pad: 'valid' },
    { x: [2, 8, 6, 4], f: [2, 3], s: [2, 3], pad: 'same' },
    { x: [2, 7, 7, 4], f: 2, s: 2, pad: 'same' },
    { x: [2, 9, 9, 4], f: 3, s: 2, pad: 'valid' },
  ];
  for (const c of poolCases) {
    const label = `maxPool x=[${c.x}] window=${c.f} stride=${c.s} pad=${c.pad}`;
    it(`gradient of ${label}, with ties`, async () => {
      await compare(() => {
        // relu'd and quantised values: many windows hold several equal maxima (zeros, repeats).
        const x = tf.round(tf.relu(tf.mul(rand(c.x, 12), 3)));
        const g = rand(tf.maxPool(x as tf.Tensor4D, c.f, c.s, c.pad).shape, 13);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.f, c.s, c.pad), g)))(x);
        return [dx];
      }, label, 1e-6);
    });
  }

  const tileCases: Array<{ x: number[]; reps: number[] }> = [
    { x: [1, 1, 1, 8], reps: [3, 5, 4, 1] }, // batch norm's broadcast
    { x: [2, 3], reps: [2, 3] },
    { x: [3, 1, 2], reps: [1, 4, 2] },
    { x: [5], reps: [3] },
    { x: [2, 1, 3, 2], reps: [1, 1, 1, 1] },
  ];
  for (const c of tileCases) {
    const label = `tile x=[${c.x}] reps=[${c.reps}]`;
    it(`result and gradient of ${label}`, async () => {
      await compare(() => {
        const x = rand(c.x, 14);
        const y = tf.tile(x, c.reps);
        const g = rand(y.shape, 15);
        return [y, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tile(t, c.reps), g)))(x)];
      }, label, 1e-6);
    });
  }

  it('tiles int32 and bool tensors exactly', async () => {
    await tf.setBackend('wasm');
    const ints = tf.tile(tf.tensor2d([[1, -2], [3, 4]], [2, 2], 'int32'), [2, 1]);
    const bools = tf.tile(tf.tensor1d([true, false], 'bool'), [2]);
    assert.deepStrictEqual([ints.dtype, Array.from(ints.dataSync())], ['int32', [1, -2, 3, 4, 1, -2, 3, 4]]);
    assert.deepStrictEqual(Array.from(bools.dataSync()), [1, 0, 1, 0]);
    tf.dispose([ints, bools]);
  });

  const reduceCases: Array<{ x: number[]; axis: number | number[]; keepDims: boolean }> = [
    { x: [6, 5, 4, 8], axis: [0, 1, 2], keepDims: false }, // batch norm: leading axes, one pass
    { x: [6, 5, 4, 8], axis: [2, 0, 1], keepDims: true },
    { x: [7, 3], axis: 0, keepDims: false },
    { x: [4, 5, 6], axis: [0, 1], keepDims: true },
    { x: [4, 5, 6], axis: [1, 2], keepDims: false }, // not leading: the stock kernel
    { x: [4, 5, 6], axis: -1, keepDims: false },
    { x: [4, 5, 6], axis: [0, 1, 2], keepDims: false }, // everything: the stock kernel
    { x: [9], axis: 0, keepDims: false },
  ];
  for (const c of reduceCases) {
    const label = `x=[${c.x}] axis=${JSON.stringify(c.axis)} keepDims=${c.keepDims}`;
    it(`sum and mean of ${label}`, async () => {
      await compare(() => {
        const x = rand(c.x, 16);
        return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)];
      }, label, 1e-5);
      await tf.setBackend('wasm');
      const shape = tf.tidy(() => tf.sum(rand(c.x, 16), c.axis, c.keepDims).shape);
      await tf.setBackend('cpu');
      assert.deepStrictEqual(shape, tf.tidy(() => tf.sum(rand(c.x, 16), c.axis, c.keepDims).shape));
    });
  }

  it('sums int32 tensors with the stock kernel', async () => {
    await tf.setBackend('wasm');
    const s = tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0);
    assert.deepStrictEqual([s.dtype, Array.from(s.dataSync())], ['int32', [4, 6]]);
    s.dispose();
  });

  it('clones and same-dtype casts share memory, and each keeps it alive', async () => {
    await tf.setBackend('wasm');
    const ids = tf.engine().backend.numDataIds();
    const x = tf.tensor1d([1.5, -2, 3]);
    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');
    assert.strictEqual(tf.engine().backend.numDataIds(), ids + 1, 'no new buffers');
    x.dispose();
    assert.deepStrictEqual(Array.from(copy.dataSync()), [1.5, -2, 3]);
    copy.dispose();
    assert.deepStrictEqual(Array.from(same.dataSync()), [1.5, -2, 3]);
    const ints = tf.cast(same, 'int32');
    assert.deepStrictEqual([ints.dtype, Array.from(ints.dataSync())], ['int32', [1, -2, 3]]);
    tf.dispose([same, ints]);
    assert.strictEqual(tf.engine().backend.numDataIds(), ids, 'all freed');
  });

  it('frees every intermediate buffer', async () => {
    await tf.setBackend('wasm');
    const x = rand([2, 10, 10, 8], 7);
    const w = rand([3, 3, 8, 16], 8);
    const a = rand([6, 4], 9);
    const step = () =>
      tf.tidy(() => {
        const conv = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'));
        // Stride 3 with a 2×2 filter: one phase of the input gradient gets no tap (filled with zeros).
        const sparse = (p: tf.Tensor) => tf.sum(tf.conv2d(p as tf.Tensor4D, tf.ones([2, 2, 8, 4]) as tf.Tensor4D, 3, 'valid'));
        const mm = (p: tf.Tensor) => tf.sum(tf.matMul(p, p, true, false));
        const pool = (p: tf.Tensor) => tf.sum(tf.maxPool(p as tf.Tensor4D, 2, 2, 'valid'));
        const tiled = tf.tile(tf.mean(x, [0, 1, 2], true), [2, 10, 10, 1]);
        return [...tf.grads(conv)([x, w]), tf.grad(sparse)(x), tf.grad(mm)(a), tf.grad(pool)(x), tiled].map((t) => tf.sum(t));
      });
    tf.dispose(step()); // warm-up
    const before = { tensors: tf.memory().numTensors, ids: tf.engine().backend.numDataIds() };
    tf.dispose(step());
    assert.deepStrictEqual({ tensors: tf.memory().numTensors, ids: tf.engine().backend.numDataIds() }, before);
    tf.dispose([x, w, a]);
  });
});

// Winograd F(4×4, 3×3) trades precision for multiplies (larger transform constants): its error
// is stated against the cpu backend at the `default` CNN's own layer shapes (the 3×3 layers and
// the 5×5 stride-2 ones, which run as 3×3 convolutions in 2×2 blocks), beside F(2×2, 3×3)'s.
// Measured (batch 4): F(4×4) up to 1.0e-5 of the largest magnitude, F(2×2) up to 1.3e-6.
describe('Winograd F(4×4, 3×3) against the cpu backend at the default CNN\'s shapes', () => {
  useWasm();
  after(() => setWinogradTile(4));
  const layers: Array<{ x: [number, number, number, number]; k: number; co: number; s: number; pad: 'same' | 'valid' }> = [
    { x: [4, 26, 26, 32], k: 3, co: 32, s: 1, pad: 'valid' },
    { x: [4, 24, 24, 32], k: 5, co: 32, s: 2, pad: 'same' },
    { x: [4, 12, 12, 32], k: 3, co: 64, s: 1, pad: 'valid' },
    { x: [4, 10, 10, 64], k: 3, co: 64, s: 1, pad: 'valid' },
    { x: [4, 8, 8, 64], k: 5, co: 64, s: 2, pad: 'same' },
  ];
  it('gives exact zeros where a window of the input is all zeros, as the direct product does (a ReLU may follow)', async () => {
    await tf.setBackend('wasm');
    setWinogradTile(4);
    // An image with a bright block in a zero background, through a layer whose zero bias and ReLU
    // leave the background at exactly 0 (the seed CNN at initialisation).
    const x = tf.tidy(() => tf.relu(tf.mul(rand([2, 14, 14, 8], 71), tf.pad(tf.ones([2, 5, 6, 8]), [[0, 0], [4, 5], [3, 5], [0, 0]]))));
    const w = rand([3, 3, 8, 16], 72);
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid');
    const [ys, window] = [y.dataSync(), tf.tidy(() => tf.maxPool(tf.sum(tf.abs(x), -1, true) as tf.Tensor4D, 3, 1, 'valid').dataSync())];
    let zeros = 0;
    window.forEach((v, p) => {
      if (v !== 0) return;
      zeros++;
      for (let c = 0; c < 16; c++) assert.strictEqual(ys[p * 16 + c], 0, `output ${p} channel ${c}`);
    });
    assert.ok(zeros > 50, `${zeros} all-zero windows`);
    tf.dispose([x, w, y]);
  });

  for (const c of layers) {
    for (const [tile, tol] of [[4, 3e-5], [2, 5e-6]] as const) {
      it(`F(${tile}×${tile}): result and gradients of x=[${c.x}] k=${c.k} co=${c.co} stride ${c.s} within ${tol} (max relative)`, async () => {
        setWinogradTile(tile);
        await compare(() => {
          const x = rand(c.x, 61);
          const w = tf.mul(rand([c.k, c.k, c.x[3], c.co], 62), 0.1);
          const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad);
          const g = rand(y.shape, 63);
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), g)))([x, w]);
          return [y, dx, dw];
        }, `F(${tile}) x=[${c.x}]`, tol);
      });
    }
  }
});

/** A small "default"-style CNN: conv + BatchNorm + relu + maxpool + dropout + dense + softmax. */
function smallCnn(dropout: number): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      // No bias before BatchNorm: its true gradient is 0, so both backends would only compare noise.
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 8, kernelSize: 3, useBias: false, kernelInitializer: init(1) }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: dropout, seed: 3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(4) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  });
}

describe('wasm training of a small CNN', () => {
  useWasm();
  const batch = 8;
  const images = values(batch * 144, 11).map((v) => (v + 1) / 2);
  const labels = Array.from({ length: batch }, (_, i) => (i * 7) % 10);

  it('gives the same variable gradients as cpu', async () => {
    const grads = async (backend: Backend) => {
      await tf.setBackend(backend);
      const model = smallCnn(0);
      const out = tf.tidy(() => {
        const x = tf.tensor4d(images, [batch, 12, 12, 1]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
        const { grads: g } = tf.variableGrads(() =>
          tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        return model.trainableWeights.map((w) => g[w.originalName ?? w.name]);
      });
      const data = out.map((t) => t.dataSync() as Float32Array);
      tf.dispose(out);
      model.dispose();
      return data;
    };
    const expected = await grads('cpu');
    const actual = await grads('wasm');
    assert.strictEqual(actual.length, expected.length);
    expected.forEach((e, i) => {
      const d = relDiff(actual[i], e);
      assert.ok(d < 1e-4, `weight ${i}: gradient differs by ${d.toExponential(2)}`);
    });
  });

  it('gives the same loss sequence as cpu over 8 Adam steps (seeded dropout)', async () => {
    const losses = async (backend: Backend) => {
      await tf.setBackend(backend);
      const model = smallCnn(0.25);
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
      const x = tf.tensor4d(images, [batch, 12, 12, 1]);
      const y = tf.tensor1d(labels, 'float32');
      const seq: number[] = [];
      for (let i = 0; i < 8; i++) seq.push((await model.trainOnBatch(x, y)) as number);
      tf.dispose([x, y]);
      model.dispose();
      return seq;
    };
    const expected = await losses('cpu');
    const actual = await losses('wasm');
    assert.ok(expected[7] < expected[0], `loss should fall: ${expected}`);
    actual.forEach((l, i) => {
      assert.ok(Math.abs(l - expected[i]) <= 1e-3 * Math.max(1, Math.abs(expected[i])),
        `step ${i}: wasm ${l} vs cpu ${expected[i]}`);
    });
  });
});

// Issue 15: our C kernels must not change training. They are compared with the engine they
// replaced (DIGIT_RECOGNIZER_OWN_KERNELS=0: XNNPACK's forward convolution, the gradient kernels
// built from stock ones, TF.js-op batch norm) on the product's own CNNs, same seed, same data.
describe('training with our C kernels against the previous engine', () => {
  useWasm();
  after(() => setOwnKernelsEnabled(true));
  const rows = 32;
  // Learnable images: sparse noise plus a bright block whose place depends on the label.
  const labels = Array.from({ length: 20 * rows }, (_, i) => (i * 7 + (i >> 3)) % 10);
  const images = values(20 * rows * 784, 31).map((v) => (v > 0.8 ? v : 0));
  labels.forEach((label, i) => {
    const top = 2 + (label % 5) * 5;
    const left = label < 5 ? 4 : 18;
    for (let r = top; r < top + 4; r++) images.fill(1, i * 784 + r * 28 + left, i * 784 + r * 28 + left + 6);
  });

  async function losses(arch: 'seed' | 'default', own: boolean, steps: number): Promise<number[]> {
    setOwnKernelsEnabled(own);
    const model = createModel(arch, { seed: 5, learningRate: 0.001 });
    const out: number[] = [];
    for (let s = 0; s < steps; s++) {
      const [x, y] = tf.tidy(() => [
        tf.tensor4d(images.subarray(s * rows * 784, (s + 1) * rows * 784), [rows, 28, 28, 1]),
        tf.tensor1d(labels.slice(s * rows, (s + 1) * rows), 'float32'),
      ]);
      out.push(trainStep(model, x, y)[0]);
      tf.dispose([x, y]);
    }
    disposeModel(model);
    return out;
  }

  // Measured: 2e-7 at worst over the 20 steps with every 3×3 convolution by F(2×2, 3×3) (the
  // arithmetic of issue 15); 4e-6 with F(4×4, 3×3) (issue 26: ~5× F(2×2)'s rounding error; and
  // before winograd4.c wrote exact zeros for all-zero windows, 3e-2: see winograd4_conv).
  it('seed CNN: the same loss at each of 20 Adam steps (relative difference < 1e-5; < 2e-5 with F(4×4, 3×3))', async () => {
    const previous = await losses('seed', false, 20);
    assert.ok(previous[19] < previous[0], `the loss falls: ${previous}`);
    for (const [tile, tol] of [[2, 1e-5], [4, 2e-5]] as const) {
      setWinogradTile(tile);
      const ours = await losses('seed', true, 20);
      ours.forEach((l, i) => assert.ok(Math.abs(l - previous[i]) <= tol * previous[i], `F(${tile}), step ${i}: ours ${l} vs previous ${previous[i]}`));
    }
    setWinogradTile(4);
  });

  const defaultGradients = (own: boolean) => {
    setOwnKernelsEnabled(own);
    const model = createModel('default', { seed: 5 });
    const grads = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(0, rows * 784), [rows, 28, 28, 1]);
      const y = tf.tensor1d(labels.slice(0, rows), 'float32');
      return shardGradients(model, x, y).grads;
    });
    const data = grads.map((g) => g.dataSync() as Float32Array);
    tf.dispose(grads);
    disposeModel(model);
    return data;
  };

  // With batch norm and Adam, float rounding differences grow step by step whatever the kernels:
  // Adam's first steps move every weight by about the learning rate in the direction of its
  // gradient's sign, and the sign of a gradient that is float noise is noise. Measured on 32 real
  // rows, ours against the previous engine: 4e-7 after 3 steps, 2e-5 after 4, 5e-4 after 5,
  // 7e-3 after 8. So the default CNN is compared on its first-step gradients and 2 steps.
  it('default CNN with F(2×2, 3×3): the same gradients for every weight, and the same loss at each of the first 2 Adam steps (relative difference < 1e-4)', async () => {
    setWinogradTile(2);
    try {
      const expected = defaultGradients(false);
      defaultGradients(true).forEach((g, i) => {
        const d = relDiff(g, expected[i]);
        assert.ok(d < 1e-4, `weight ${i}: gradient differs by ${d.toExponential(2)} (relative to its largest element)`);
      });
      const previous = await losses('default', false, 2);
      const ours = await losses('default', true, 2);
      ours.forEach((l, i) => assert.ok(Math.abs(l - previous[i]) <= 1e-4 * previous[i], `step ${i}: ours ${l} vs previous ${previous[i]}`));
    } finally {
      setWinogradTile(4);
    }
  });

  // F(4×4, 3×3)'s rounding (~5e-6 of a result's magnitude) moves one unit of these 32 rows' 5th
  // ReLU (after the 8×8×64 convolution) to the other side of 0; that changes every gradient below
  // it by ~3e-3 of its norm (measured: 2.4e-3 over all weights). A random 3e-6 change of the
  // second convolution's weights moves the same unit with the same effect, so this is the
  // network's sensitivity, not the kernel's error (which the F(4×4) tests above state). The
  // check is therefore on the whole gradient's norm, and on the losses of 8 Adam steps (measured:
  // within 6e-3 of the previous engine's; F(2×2) against the previous engine: 2.7e-3).
  it('default CNN with F(4×4, 3×3): gradients within 1e-2 of the previous engine\'s (relative norm), and losses of 8 Adam steps within 2e-2', async () => {
    const norm = (gs: Float32Array[], minus?: Float32Array[]) => Math.sqrt(gs.reduce((sum, g, i) => sum + g.reduce((s2, v, j) => s2 + (v - (minus ? minus[i][j] : 0)) ** 2, 0), 0));
    const expected = defaultGradients(false);
    const ours = defaultGradients(true);
    const d = norm(ours, expected) / norm(expected);
    assert.ok(d < 1e-2, `gradients differ by ${d.toExponential(2)} of their norm`);
    const previous = await losses('default', false, 8);
    const mine = await losses('default', true, 8);
    assert.ok(previous[7] < previous[0], `the loss falls: ${previous}`);
    mine.forEach((l, i) => assert.ok(Math.abs(l - previous[i]) <= 2e-2 * previous[i], `step ${i}: ours ${l} vs previous ${previous[i]}`));
  });
});

describe('leading-axis sums: our C kernel against the JavaScript pass it replaced', () => {
  useWasm();
  after(() => setOwnKernelsEnabled(true));
  for (const shape of [[64, 24, 24, 64], [7, 5, 3], [9, 6], [5, 13]]) {
    it(`gives the same bits for sum and mean of [${shape}] over the leading axes`, () => {
      const x = rand(shape, 41);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const run = (own: boolean) => {
        setOwnKernelsEnabled(own);
        const r = [tf.sum(x, axes), tf.mean(x, axes, true)];
        const out = r.map((t) => Array.from(t.dataSync()));
        tf.dispose(r);
        return out;
      };
      assert.deepStrictEqual(run(true), run(false));
      x.dispose();
    });
  }
});
