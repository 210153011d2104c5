// Proves a backend can train: one step of the default CNN (convolutions, batch normalisation,
// dropout, their gradients and an Adam update) through the same trainer Train Model uses, on a
// few synthetic images. Install Native TensorFlow runs it in the engine worker before it records
// an install as usable: a library that loads but cannot compute is caught here, not mid-training.
import * as tf from '../core/tf';
import { DEFAULT_TRAIN_SETTINGS } from '../../shared/training';
import { trainModel } from '../training/train';
import { disposeModel } from '../model/architectures';
import { PIXELS } from '../core/types';
import { InputError } from '../core/errors';
import { selectNative } from '../kernels/backend';

// Where native TensorFlow comes from (Install Native TensorFlow's folder) and choosing it: for the
// engine worker and the native probe, which start with them.
export { selectNative, useNativeTensorFlow } from '../kernels/backend';

export interface TrainStepCheck {
  backend: string;
  loss: number;
  seconds: number;
}

const IMAGES = 4;

export async function checkTrainingStep(): Promise<TrainStepCheck> {
  const pixels = new Uint8Array(IMAGES * PIXELS);
  // A bright square per image, in a different place for each label: something to fit.
  for (let i = 0; i < IMAGES; i++) {
    for (let y = 4 + i * 4; y < 12 + i * 4; y++) for (let x = 6; x < 20; x++) pixels[i * PIXELS + y * 28 + x] = 255;
  }
  const labels = Uint8Array.from({ length: IMAGES }, (_, i) => i);
  const result = await trainModel(
    { count: IMAGES, pixels, labels },
    { ...DEFAULT_TRAIN_SETTINGS, epochs: 1, batchSize: IMAGES, validationSplit: 0, augment: false, threads: 1 },
  );
  try {
    const loss = result.history[0]?.loss;
    if (!Number.isFinite(loss)) throw new Error(`one training step on ${tf.getBackend()} gave a loss of ${loss}`);
    return { backend: tf.getBackend(), loss, seconds: result.seconds };
  } finally {
    disposeModel(result.model);
  }
}

/** Install Native TensorFlow's check in the engine worker: make native TensorFlow the backend, then train one step with it. */
export async function runCheckNativeJob(): Promise<TrainStepCheck> {
  const why = await selectNative();
  if (why) throw new InputError(why);
  return checkTrainingStep();
}
