// Why this file exists: our wasm training kernels are compositions of kernels that the wasm
// backend already has (Conv2D, BatchMatMul and Transpose run on XNNPACK or tight C++ loops).
// Calling those kernel functions directly, rather than tf.* ops, keeps the intermediate buffers
// invisible to the engine (no tensor bookkeeping, nothing recorded on a gradient tape); the
// helpers below run one kernel and free intermediates by hand.
import * as tf from '../core/tf';

export type Backend = tf.KernelBackend;
export type Info = tf.TensorInfo;

/** Runs the kernel currently registered as `name` on the wasm backend. */
export function runWasm(name: string, backend: Backend, inputs: Record<string, Info>, attrs: object = {}): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  return callKernel(kernel.kernelFunc, backend, inputs, attrs);
}

export function callKernel(fn: tf.KernelFunc, backend: Backend, inputs: tf.NamedTensorInfoMap | Record<string, Info>, attrs: object = {}): Info {
  const out = fn({ inputs: inputs as tf.NamedTensorInfoMap, attrs: attrs as tf.NamedAttrMap, backend });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees intermediates made by runWasm (reshapes share storage and hold a reference each). */
export function free(backend: Backend, ...infos: Info[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function transpose(backend: Backend, x: Info, perm: number[]): Info {
  return runWasm('Transpose', backend, { x }, { perm });
}

export function reshape(backend: Backend, x: Info, shape: number[]): Info {
  return runWasm('Reshape', backend, { x }, { shape });
}
