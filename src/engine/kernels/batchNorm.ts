// Why these kernels exist: batch normalisation's training pass and gradient written with TF.js
// ops stream every activation through many element-wise ops and reductions (a quarter of the
// default CNN's step on wasm). These two run our C kernels (wasm/batchnorm.c) instead: the
// forward pass reads x three times, the gradient reads dy and x twice. fusedBatchNorm.ts calls
// them when they are registered for the active backend (only wasm).
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Scratch, offsetOf, ownKernels } from './ownKernels';
import type { Backend, Info } from './wasmOps';

export const BATCH_NORM_TRAINING = 'DigitRecognizerBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'DigitRecognizerBatchNormTrainingGrad';

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

/** Whether the active backend has our batch-norm kernels for activations with this many channels. */
export function hasOwnBatchNorm(channels: number): boolean {
  return channels % 4 === 0 && tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined && ownKernels(tf.backend()) !== undefined;
}

function output(backend: Backend, shape: number[]): Info {
  return (backend as unknown as BackendWasm).makeOutput(shape, 'float32');
}

/** inputs x [..., C], gamma [C], beta [C]; attrs epsilon → [y, mean, variance] (biased). */
function batchNormTraining({ inputs, backend, attrs }: Args): Info[] {
  const { x, gamma, beta } = inputs as { x: Info; gamma: Info; beta: Info };
  const k = ownKernels(backend)!;
  const C = x.shape[x.shape.length - 1];
  const y = output(backend, x.shape);
  const mean = output(backend, [C]);
  const variance = output(backend, [C]);
  const scratch = new Scratch(backend);
  try {
    k.batchnorm_forward(offsetOf(backend, x), tf.util.sizeFromShape(x.shape) / C, C, offsetOf(backend, gamma), offsetOf(backend, beta),
      attrs.epsilon as number, offsetOf(backend, y), offsetOf(backend, mean), offsetOf(backend, variance), scratch.floats(5 * C));
  } finally {
    scratch.free();
  }
  return [y, mean, variance];
}

/** inputs dy, x [..., C], gamma, mean, variance [C]; attrs epsilon → [dx, dgamma, dbeta]. */
function batchNormTrainingGrad({ inputs, backend, attrs }: Args): Info[] {
  const { dy, x, gamma, mean, variance } = inputs as { dy: Info; x: Info; gamma: Info; mean: Info; variance: Info };
  const k = ownKernels(backend)!;
  const C = x.shape[x.shape.length - 1];
  const dx = output(backend, x.shape);
  const dgamma = output(backend, [C]);
  const dbeta = output(backend, [C]);
  const scratch = new Scratch(backend);
  try {
    k.batchnorm_backward(offsetOf(backend, dy), offsetOf(backend, x), tf.util.sizeFromShape(x.shape) / C, C, offsetOf(backend, gamma),
      offsetOf(backend, mean), offsetOf(backend, variance), attrs.epsilon as number,
      offsetOf(backend, dx), offsetOf(backend, dgamma), offsetOf(backend, dbeta), scratch.floats(9 * C));
  } finally {
    scratch.free();
  }
  return [dx, dgamma, dbeta];
}

export const batchNormTrainingConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAINING,
  backendName: 'wasm',
  kernelFunc: batchNormTraining as unknown as tf.KernelFunc,
};

export const batchNormTrainingGradConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGrad as unknown as tf.KernelFunc,
};
