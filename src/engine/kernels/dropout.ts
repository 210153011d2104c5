// Why this kernel exists: tf.dropout's mask drawn by our C kernel (wasm/dropout.c) from the same
// Alea state seedrandom would use, rather than number by number in JavaScript: the same mask, a
// tenth of the time. ../seededDropout.ts uses it when it is registered for the active backend.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, ownKernels } from './ownKernels';
import type { Backend, Info } from './wasmOps';

export const DROPOUT_MULTIPLIER = 'DigitRecognizerDropoutMultiplier';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

/** attrs: shape, keepProb, and Alea's state (s0, s1, s2, c) → floor(u + keep)/keep for each u drawn. */
function dropoutMultiplier({ backend, attrs }: Args): Info {
  const { shape, keepProb, s0, s1, s2, c } = attrs as { shape: number[]; keepProb: number; s0: number; s1: number; s2: number; c: number };
  const out = (backend as unknown as BackendWasm).makeOutput(shape, 'float32');
  ownKernels(backend)!.dropout_multiplier(s0, s1, s2, c, tf.util.sizeFromShape(shape), keepProb, offsetOf(backend, out));
  return out;
}

export const dropoutMultiplierConfig: tf.KernelConfig = {
  kernelName: DROPOUT_MULTIPLIER,
  backendName: 'wasm',
  kernelFunc: dropoutMultiplier as unknown as tf.KernelFunc,
};
