// Why these kernels exist: batch normalisation and bias gradients reduce an [N,H,W,C] tensor
// over its leading axes. The stock wasm Sum and Mean first transpose the reduced axes to the end
// (a full copy of the activations), ~10 ms per call on the default CNN and tens of calls a step.
// Reducing leading axes needs no transpose: one pass adds rows of C values into C sums, four rows
// at a time (2.5 ms for [128,28,28,32]; one row at a time 6 ms; XNNPACK as a vector-matrix
// product 0.7 ms but 15 ms in training, where it re-packs each new matrix as GEMM weights). The
// same arithmetic runs in our C kernel (wasm/reduce.c), SIMD, when it is there.
// Any other reduction goes to the stock kernel.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Backend, type Info, callKernel } from './wasmOps';
import { Scratch, offsetOf, ownKernels } from './ownKernels';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

/** Sum or Mean over axes 0..k-1 (k < rank) of a float32 tensor, else the stock kernel. */
function makeLeadingReduction(name: 'Sum' | 'Mean', stock: tf.KernelConfig): tf.KernelConfig {
  function reduce(args: Args): Info {
    const backend = args.backend as unknown as BackendWasm;
    const { x } = args.inputs as { x: Info };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const shape = x.shape;
    const axes = tf.util.parseAxisParam(axis, shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < shape.length && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return callKernel(stock.kernelFunc, args.backend, args.inputs, args.attrs);
    const rows = shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const columns = shape.slice(axes.length).reduce((a, b) => a * b, 1);
    const outShape = keepDims ? shape.map((d, i) => (i < axes.length ? 1 : d)) : shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    const scale = name === 'Mean' ? 1 / rows : 1;
    const k = ownKernels(args.backend);
    if (k) {
      const scratch = new Scratch(args.backend);
      try {
        k.leading_sums(offsetOf(args.backend, x), rows, columns, scale, scratch.floats(2 * columns), offsetOf(args.backend, out));
      } finally {
        scratch.free();
      }
      return out;
    }
    // Views after makeOutput: allocation may grow (and detach) the wasm memory.
    const sums = columnSums(backend.typedArrayFromHeap(x) as Float32Array, rows, columns);
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    for (let c = 0; c < columns; c++) dst[c] = sums[c] * scale;
    return out;
  }
  return { kernelName: name, backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: reduce as unknown as tf.KernelFunc };
}

export const makeSumConfig = (stock: tf.KernelConfig) => makeLeadingReduction('Sum', stock);
export const makeMeanConfig = (stock: tf.KernelConfig) => makeLeadingReduction('Mean', stock);

/** Sums of each column of a row-major [rows, columns] matrix, in float64. */
export function columnSums(src: Float32Array, rows: number, columns: number): Float64Array {
  const sums = new Float64Array(columns);
  const c2 = 2 * columns;
  const c3 = 3 * columns;
  let r = 0;
  let at = 0;
  for (; r + 4 <= rows; r += 4, at += 4 * columns) {
    for (let c = 0; c < columns; c++) sums[c] += src[at + c] + src[at + columns + c] + (src[at + c2 + c] + src[at + c3 + c]);
  }
  for (; r < rows; r++, at += columns) {
    for (let c = 0; c < columns; c++) sums[c] += src[at + c];
  }
  return sums;
}
