// Why this kernel exists: the stock wasm Conv2DBackpropInput is a plain nested loop in C++, the
// slowest step of conv training on wasm. The input gradient is a "full" convolution of dy with
// the filter rotated 180° and its channel axes swapped, so we run it on the XNNPACK-backed wasm
// Conv2D. For stride s > 1, dy is first spread out with s-1 zeros between its pixels. Cases
// where that would need negative padding (odd explicit pads) go to the stock kernel.
import * as tf from '@tensorflow/tfjs';
import { Backend, Info, callKernel, free, reshape, runWasm, transpose } from './wasmOps';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

export function makeConv2dBackpropInputConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  function conv2dBackpropInput(args: Args): Info {
    const { backend } = args;
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Attrs;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false,
      dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast');
    const { filterHeight: kh, filterWidth: kw, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, batchSize: b, outChannels: co } = info;
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    // Rows of dy once spread by the stride, trailing zeros included: oh*sh.
    let bottom = H + kh - 1 - oh * sh - top;
    let right = W + kw - 1 - ow * sw - left;
    const usable = dataFormat !== 'NCHW' && top >= 0 && left >= 0 && bottom > -sh && right > -sw;
    if (!usable) {
      if (!stock) throw new Error('Conv2DBackpropInput: unsupported configuration on wasm');
      return callKernel(stock.kernelFunc, backend, args.inputs, args.attrs);
    }
    const temps: Info[] = [];
    let d: Info = dy;
    if (sh > 1 || sw > 1) {
      // [b, oh, 1, ow, 1, co] padded to [b, oh, sh, ow, sw, co]: each pixel followed by zeros.
      const r = reshape(backend, dy, [b, oh, 1, ow, 1, co]);
      const p = runWasm('PadV2', backend, { x: r }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
        constantValue: 0,
      });
      d = reshape(backend, p, [b, oh * sh, ow * sw, co]);
      temps.push(r, p, d);
      if (bottom < 0 || right < 0) {
        // Drop trailing zero rows/columns that would fall outside dx.
        d = runWasm('Slice', backend, { x: d }, {
          begin: [0, 0, 0, 0],
          size: [b, oh * sh + Math.min(bottom, 0), ow * sw + Math.min(right, 0), co],
        });
        temps.push(d);
        bottom = Math.max(bottom, 0);
        right = Math.max(right, 0);
      }
    } else {
      // Stride 1: no trailing zeros were added, the formula above is exact.
    }
    const rotated = runWasm('Reverse', backend, { x: filter }, { dims: [0, 1] });
    const f = transpose(backend, rotated, [0, 1, 3, 2]); // [kh, kw, co, ci]
    temps.push(rotated, f);
    const dx = runWasm('Conv2D', backend, { x: d, filter: f }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    });
    free(backend, ...temps);
    return dx;
  }
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc: stock?.setupFunc,
    kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
  };
}
