// Why this kernel exists: Adam's update of a weight tensor as one pass of our C kernel
// (wasm/adam.c) instead of TF.js's ~12 element-wise ops; the same float32 arithmetic in the same
// order, so the same weights. ../adam.ts uses it when it is registered for the active backend.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, ownKernels } from './ownKernels';
import type { Backend, Info } from './wasmOps';

export const ADAM_UPDATE = 'DigitRecognizerAdamUpdate';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

/** inputs value, gradient, m, v (float32, same shape); attrs: the update's scalars → [value', m', v']. */
function adamUpdate({ inputs, backend, attrs }: Args): Info[] {
  const { value, gradient, m, v } = inputs as { value: Info; gradient: Info; m: Info; v: Info };
  const a = attrs as Record<string, number>;
  const make = () => (backend as unknown as BackendWasm).makeOutput(value.shape, 'float32');
  const [w2, m2, v2] = [make(), make(), make()];
  ownKernels(backend)!.adam_update(offsetOf(backend, value), offsetOf(backend, gradient), offsetOf(backend, m), offsetOf(backend, v),
    tf.util.sizeFromShape(value.shape), a.beta1, a.oneMinusBeta1, a.beta2, a.oneMinusBeta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2,
    a.epsilon, a.negLearningRate, offsetOf(backend, w2), offsetOf(backend, m2), offsetOf(backend, v2));
  return [w2, m2, v2];
}

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamUpdate as unknown as tf.KernelFunc,
};
