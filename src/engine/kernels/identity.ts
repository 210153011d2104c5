// Why these kernels exist: the stock wasm Identity (used by tf.clone, and so by every tensor a
// gradient saves for later) and Cast to the same dtype copy the whole tensor; a training step of
// the default CNN made ~10 such copies of its largest activations. Here they share the input's
// memory and count one more reference, as the cpu backend's Identity does (no kernel writes into
// its inputs, so sharing is safe). Cast to another dtype runs the stock kernel.
import type * as tf from '../core/tf';
import { type Backend, type Info, callKernel } from './wasmOps';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

function share(backend: Backend, x: Info): Info {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function makeIdentityConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function identity(args: Args): Info {
    const { x } = args.inputs as { x: Info };
    return x.dtype === 'string' ? callKernel(stock.kernelFunc, args.backend, args.inputs, args.attrs) : share(args.backend, x);
  }
  return { kernelName: 'Identity', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: identity as unknown as tf.KernelFunc };
}

export function makeCastConfig(stock: tf.KernelConfig): tf.KernelConfig {
  function cast(args: Args): Info {
    const { x } = args.inputs as { x: Info };
    return x.dtype === args.attrs.dtype && x.dtype !== 'string' ? share(args.backend, x) : callKernel(stock.kernelFunc, args.backend, args.inputs, args.attrs);
  }
  return { kernelName: 'Cast', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: cast as unknown as tf.KernelFunc };
}
