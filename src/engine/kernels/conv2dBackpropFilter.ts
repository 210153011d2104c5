// Why this kernel exists: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so model.fit of any
// conv model fails there (tensorflow/tfjs#8474). The filter gradient is itself a convolution:
//   dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[b,oh,ow,co]
// i.e. a stride-1 conv of x viewed as [ci, H, W, b] ("channels as batch") with dy viewed as a
// filter [oh, ow, b, co] dilated by the forward stride. That runs on the wasm Conv2D kernel
// (XNNPACK), with two transposes around it.
import * as tf from '../core/tf';
import { type Backend, type Info, free, reshape, runWasm, transpose } from './wasmOps';
import { coversInput } from './conv2dBackpropInput';
import { ownConv2dBackpropFilter } from './convolution';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function conv2dBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap }): Info {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Attrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { filterHeight: kh, filterWidth: kw, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow } = info;
  if (coversInput(info)) {
    // One output pixel seeing the whole input (a dense layer written as a conv): dW = xᵀ·dy.
    const xs = reshape(backend, x, [1, info.batchSize, H * W * info.inChannels]);
    const d = reshape(backend, dy, [1, info.batchSize, info.outChannels]);
    const product = runWasm('BatchMatMul', backend, { a: xs, b: d }, { transposeA: true, transposeB: false });
    const dw = reshape(backend, product, filterShape);
    free(backend, xs, d, product);
    return dw;
  }
  const own = ownConv2dBackpropFilter(backend, x, dy, info);
  if (own) return own;
  const { strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // The dilated "filter" (dy) spans (oh-1)*s+1 rows; pad or crop x so the output is exactly kh × kw.
  let bottom = kh - 1 + (oh - 1) * sh + 1 - H - top;
  let right = kw - 1 + (ow - 1) * sw + 1 - W - left;
  const temps: Info[] = [];
  let xT = transpose(backend, x, [3, 1, 2, 0]); // [ci, H, W, b]
  temps.push(xT);
  if (bottom < 0 || right < 0) {
    const cropH = H + Math.min(bottom, 0);
    const cropW = W + Math.min(right, 0);
    xT = runWasm('Slice', backend, { x: xT }, { begin: [0, 0, 0, 0], size: [xT.shape[0], cropH, cropW, xT.shape[3]] });
    temps.push(xT);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oh, ow, b, co]
  temps.push(dyT);
  const dwT = runWasm('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sh, sw],
  }); // [ci, kh, kw, co]
  temps.push(dwT);
  const dw = transpose(backend, dwT, [1, 2, 0, 3]);
  free(backend, ...temps);
  return dw;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
