// Why this kernel exists: the stock wasm BatchMatMul only uses XNNPACK when neither operand is
// transposed (and the batch is 1); otherwise it falls back to a scalar triple loop. Training a
// dense layer needs x^T·dy and dy·W^T every step. A float32 product of one matrix pair runs our
// C kernel (wasm/matmul.c), which reads either operand transposed; otherwise (or with our kernels
// off) the transposed operand is materialised with the wasm Transpose kernel and the stock kernel
// runs untransposed.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Backend, type Info, callKernel, free, reshape, transpose } from './wasmOps';
import { type KernelExports, Scratch, offsetOf, ownKernels } from './ownKernels';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

/** matmul.c's K_BLOCK: the reduction is taken in blocks of this many, 4 rows of A copied per block. */
const MATMUL_K_BLOCK = 1024;

/** out [M, N] = a·b (pointers), a [M, K] (or [K, M] transposed), b [K, N] (or [N, K] transposed): this kernel's product, also the fused training step's. */
export function matmulInto(k: KernelExports, scratch: Scratch, a: number, transposeA: boolean, b: number, transposeB: boolean, M: number, K: number, N: number, out: number): void {
  k.matmul(a, transposeA ? 1 : K, transposeA ? M : 1, b, transposeB ? 1 : N, transposeB ? K : 1,
    M, K, N, out, scratch.floats(transposeB || N % 8 ? 8 * Math.ceil(N / 8) * K : 1), scratch.floats(32 + 4 * MATMUL_K_BLOCK));
}

export function makeBatchMatMulConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function batchMatMul(args: Args): Info {
    const { backend } = args;
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const k = ownKernels(backend);
    if (k && batchA === 1 && batchB === 1 && a.dtype === 'float32' && b.dtype === 'float32') {
      const r = a.shape.length;
      const [rowsA, colsA] = [a.shape[r - 2], a.shape[r - 1]];
      const [rowsB, colsB] = [b.shape[b.shape.length - 2], b.shape[b.shape.length - 1]];
      const [M, K] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
      const N = transposeB ? rowsB : colsB;
      const out = (backend as unknown as BackendWasm).makeOutput([...a.shape.slice(0, -2), M, N], 'float32');
      const scratch = new Scratch(backend);
      try {
        matmulInto(k, scratch, offsetOf(backend, a), transposeA, offsetOf(backend, b), transposeB, M, K, N, offsetOf(backend, out));
      } finally {
        scratch.free();
      }
      return out;
    }
    if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return callKernel(stock.kernelFunc, backend, args.inputs, args.attrs);
    }
    const temps: Info[] = [];
    const flip = (t: Info): Info => {
      const r = t.shape.length;
      const m = reshape(backend, t, [t.shape[r - 2], t.shape[r - 1]]);
      const tt = transpose(backend, m, [1, 0]);
      temps.push(m, tt);
      return tt;
    };
    const a2 = transposeA ? flip(a) : a;
    const b2 = transposeB ? flip(b) : b;
    const out = callKernel(stock.kernelFunc, backend, { a: a2, b: b2 }, { ...args.attrs, transposeA: false, transposeB: false });
    free(backend, ...temps);
    return out;
  }
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: batchMatMul as unknown as tf.KernelFunc,
  };
}
