// The one place where pixels become a model's input: reshaped to what the model takes (28×28×1,
// 28×28 or 784 values) and scaled to what it expects (0–1, or raw 0–255 for models that rescale
// their input themselves: see PixelScale).
import * as tf from '../core/tf';
import { PIXELS, type PixelScale } from '../core/types';

/** The [batch, …] shape a model expects for n images: 28×28×1, 28×28 or 784 values. */
export function inputShapeFor(model: tf.LayersModel, n: number): number[] {
  return [n, ...(model.inputs[0].shape.slice(1) as number[])];
}

/** `count` images of 784 pixels 0–255 as the model's input tensor. */
export function pixelsToInput(model: tf.LayersModel, pixels: Uint8Array, count: number, pixelScale: PixelScale = 'unit'): tf.Tensor {
  const values = new Float32Array(count * PIXELS);
  const divisor = pixelScale === 'byte' ? 1 : 255;
  for (let i = 0; i < values.length; i++) values[i] = pixels[i] / divisor;
  return tf.tensor(values, inputShapeFor(model, count));
}

/** [n,28,28,1] images in 0–1 (augmented batches, saliency inputs) as the model's input. */
export function toModelInput(model: tf.LayersModel, images: tf.Tensor4D, pixelScale: PixelScale = 'unit'): tf.Tensor {
  return tf.tidy(() => {
    const shaped = tf.reshape(images, inputShapeFor(model, images.shape[0]));
    return pixelScale === 'byte' ? tf.mul(shaped, 255) : shaped;
  });
}
