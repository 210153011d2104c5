// Why this kernel exists: TF.js's batch-norm gradient broadcasts its per-channel factors with
// tf.tile ([1,1,1,C] → [N,H,W,C]), and the stock wasm Tile computes every output element's source
// index on its own: ~200 ms per call on the default CNN's [128,28,28,32] activations, a third of a
// training step. This one builds each output block once and copies it with copyWithin (memmove).
import type * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Backend, type Info, callKernel } from './wasmOps';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };
type Heap = Float32Array | Int32Array | Uint8Array;

export function makeTileConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function tile(args: Args): Info {
    const backend = args.backend as unknown as BackendWasm;
    const { x } = args.inputs as { x: Info };
    const reps = args.attrs.reps as number[];
    const plain = x.dtype === 'float32' || x.dtype === 'int32' || x.dtype === 'bool';
    if (!plain || x.shape.length === 0 || reps.length !== x.shape.length) return callKernel(stock.kernelFunc, args.backend, args.inputs, args.attrs);
    const inShape = x.shape;
    const outShape = inShape.map((d, i) => d * reps[i]);
    const out = backend.makeOutput(outShape, x.dtype);
    if (outShape.some((d) => d === 0)) return out;
    // Views after makeOutput: allocation may grow (and detach) the wasm memory.
    const dst = backend.typedArrayFromHeap(out) as Heap;
    const src = backend.typedArrayFromHeap(x) as Heap;
    const rank = inShape.length;
    const inStride = new Array<number>(rank + 1).fill(1);
    const outStride = new Array<number>(rank + 1).fill(1);
    for (let d = rank - 1; d >= 0; d--) {
      inStride[d] = inStride[d + 1] * inShape[d];
      outStride[d] = outStride[d + 1] * outShape[d];
    }
    // Writes the output block of dimensions d.. for one input prefix: the input's own slices
    // first, then that block repeated reps[d] - 1 times.
    const fill = (d: number, inAt: number, outAt: number): void => {
      if (d === rank - 1) {
        for (let i = 0; i < inShape[d]; i++) dst[outAt + i] = src[inAt + i];
      } else {
        for (let i = 0; i < inShape[d]; i++) fill(d + 1, inAt + i * inStride[d + 1], outAt + i * outStride[d + 1]);
      }
      const block = inShape[d] * outStride[d + 1];
      for (let r = 1; r < reps[d]; r++) dst.copyWithin(outAt + r * block, outAt, outAt + block);
    };
    fill(0, 0, 0);
    return out;
  }
  return { kernelName: 'Tile', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: tile as unknown as tf.KernelFunc };
}
