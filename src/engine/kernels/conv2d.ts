// Why this kernel exists: the forward convolution, on our C kernels (convolution.ts) rather than
// XNNPACK's: 2.0–2.4× faster on the CNNs' 3×3 layers (Winograd) and 1.4–1.5× on the 5×5 ones
// (bench/KERNELS.md), and the same code the two gradients use. FusedConv2D (a layer with bias and relu, as in the
// seed CNN) adds the bias and relu in one pass after it. Anything else runs the stock kernel.
import * as tf from '../core/tf';
import { biasActivation, ownConv2d } from './convolution';
import { type Backend, type Info, callKernel } from './wasmOps';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

function convInfo(x: Info, filter: Info, a: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    a.strides, a.dilations, a.pad, a.dimRoundingMode, false, a.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast');
}

export function makeConv2DConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function conv2d(args: Args): Info {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    return ownConv2d(args.backend, x, filter, convInfo(x, filter, args.attrs as unknown as ConvAttrs)) ??
      callKernel(stock.kernelFunc, args.backend, args.inputs, args.attrs);
  }
  return { kernelName: 'Conv2D', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: conv2d as unknown as tf.KernelFunc };
}

export function makeFusedConv2DConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function fusedConv2d(args: Args): Info {
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
    const attrs = args.attrs as unknown as ConvAttrs;
    const activation = attrs.activation ?? 'linear';
    const info = convInfo(x, filter, attrs);
    const plainBias = !bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === info.outChannels);
    if ((activation === 'linear' || activation === 'relu') && !preluActivationWeights && plainBias) {
      const y = ownConv2d(args.backend, x, filter, info);
      if (y) {
        biasActivation(args.backend, y, bias, activation === 'relu');
        return y;
      }
    }
    return callKernel(stock.kernelFunc, args.backend, args.inputs, args.attrs);
  }
  return { kernelName: 'FusedConv2D', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: fusedConv2d as unknown as tf.KernelFunc };
}
