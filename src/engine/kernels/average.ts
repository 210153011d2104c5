// Why this kernel exists: the weight average's update (../weightAverage.ts) as one pass of our C
// kernel (wasm/average.c) per weight tensor instead of three TF.js ops.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, ownKernels } from './ownKernels';
import type { Backend, Info } from './wasmOps';

export const MOVING_AVERAGE = 'DigitRecognizerMovingAverage';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

/** inputs average, value (float32, same shape); attrs decay → average·decay + value·(1 − decay). */
function movingAverage({ inputs, backend, attrs }: Args): Info {
  const { average, value } = inputs as { average: Info; value: Info };
  const decay = attrs.decay as number;
  const out = (backend as unknown as BackendWasm).makeOutput(value.shape, 'float32');
  ownKernels(backend)!.moving_average(offsetOf(backend, average), offsetOf(backend, value), tf.util.sizeFromShape(value.shape), decay, 1 - decay, offsetOf(backend, out));
  return out;
}

export const movingAverageConfig: tf.KernelConfig = {
  kernelName: MOVING_AVERAGE,
  backendName: 'wasm',
  kernelFunc: movingAverage as unknown as tf.KernelFunc,
};
