// Why this kernel exists: the stock wasm MaxPoolGrad is slow (~80-120 ms per step on the seed
// CNN's [128,24,24,64] pool, more than the conv before it) and disagrees with TF's semantics on
// ties: it routes dy to the last maximum of a window, and windows whose maximum is <= 0 near a
// 'same' padding lose their gradient. This is the cpu backend's algorithm (dy goes to the first
// maximum of each window, row-major; overlapping windows add up): our C kernel (wasm/pool.c), or
// with our kernels off one JS pass over the wasm heap, channels innermost so memory is read in
// order. MaxPoolWithArgmax + ScatterNd measured slower (~45 ms) and has the same tie problem.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Backend, type Info } from './wasmOps';
import { Scratch, offsetOf, ownKernels } from './ownKernels';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

function maxPoolGrad(args: Args): Info {
  const backend = args.backend as unknown as BackendWasm;
  const { dy, input: x } = args.inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, inChannels: C } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;

  const out = backend.makeOutput(x.shape, 'float32');
  const k = ownKernels(args.backend);
  if (k && x.dtype === 'float32' && dy.dtype === 'float32') {
    const scratch = new Scratch(args.backend);
    try {
      k.maxpool_grad(offsetOf(args.backend, x), offsetOf(args.backend, dy), B, H, W, C, OH, OW, fh, fw, sh, sw, dh, dw, top, left,
        offsetOf(args.backend, out), scratch.floats(2 * C));
    } finally {
      scratch.free();
    }
    return out;
  }
  // Views after makeOutput: allocation may grow (and detach) the wasm memory.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    const xBase = b * H * W * C;
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * sh - top;
      for (let ox = 0; ox < OW; ox++) {
        const x0 = ox * sw - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let wy = 0; wy < fh; wy += dh) {
          const iy = y0 + wy;
          if (iy < 0 || iy >= H) continue;
          for (let wx = 0; wx < fw; wx += dw) {
            const ix = x0 + wx;
            if (ix < 0 || ix >= W) continue;
            const at = xBase + (iy * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = xs[at + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = at + c;
              }
            }
          }
        }
        const gAt = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += g[gAt + c];
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
