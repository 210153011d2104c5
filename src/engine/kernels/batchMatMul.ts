// Why this kernel exists: the stock wasm BatchMatMul only uses XNNPACK when neither operand is
// transposed (and the batch is 1); otherwise it falls back to a scalar triple loop. Training a
// dense layer needs x^T·dy and dy·W^T every step, so we materialise the transposed operand with
// the wasm Transpose kernel (memory-bound, cheap) and call the stock kernel untransposed.
import * as tf from '@tensorflow/tfjs';
import { Backend, Info, callKernel, free, reshape, transpose } from './wasmOps';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

export function makeBatchMatMulConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function batchMatMul(args: Args): Info {
    const { backend } = args;
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
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
