import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../core/types';
import { type Random, symmetric } from '../core/random';

/** Ranges of the random affine transform, as the reference notebooks' ImageDataGenerator used. */
export interface AugmentOptions {
  /** Maximum rotation in degrees (±). */
  rotation: number;
  /** Maximum zoom as a fraction (±). */
  zoom: number;
  /** Maximum shift as a fraction of the image side (±), both axes. */
  shift: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { rotation: 10, zoom: 0.1, shift: 0.1 };

/**
 * One projective-transform row per image for tf.image.transform: it maps each output pixel to
 * the input point to sample, so this is the inverse of "rotate, zoom, then shift" about the centre.
 */
export function randomTransforms(count: number, options: AugmentOptions, random: Random): Float32Array {
  const rows = new Float32Array(count * 8);
  const centre = (IMAGE_SIZE - 1) / 2;
  for (let i = 0; i < count; i++) {
    const angle = (symmetric(random, options.rotation) * Math.PI) / 180;
    const scale = 1 + symmetric(random, options.zoom);
    const tx = symmetric(random, options.shift) * IMAGE_SIZE;
    const ty = symmetric(random, options.shift) * IMAGE_SIZE;
    const cos = Math.cos(angle) / scale;
    const sin = Math.sin(angle) / scale;
    // input = R(-angle)/scale · (output − centre − shift) + centre
    const ox = centre + tx;
    const oy = centre + ty;
    const o = i * 8;
    rows[o] = cos;
    rows[o + 1] = sin;
    rows[o + 2] = centre - cos * ox - sin * oy;
    rows[o + 3] = -sin;
    rows[o + 4] = cos;
    rows[o + 5] = centre + sin * ox - cos * oy;
  }
  return rows;
}

/** Randomly rotated, zoomed and shifted copies of a [n,28,28,1] batch (bilinear, zero fill). */
export function augmentBatch(images: tf.Tensor4D, options: AugmentOptions, random: Random): tf.Tensor4D {
  return transformImages(images, randomTransforms(images.shape[0], options, random));
}

/**
 * The images under their transform rows (randomTransforms), bilinear with zero fill. Each image
 * depends only on its own row, so the threads of a data-parallel step transform their own shards.
 */
export function transformImages(images: tf.Tensor4D, rows: Float32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const count = images.shape[0];
    const transforms = tf.tensor2d(rows.subarray(0, count * 8), [count, 8]);
    // The cpu backend's Transform kernel (tfjs-backend-cpu 4.22) returns after the first image of
    // a batch, leaving the others blank; there, transform one image at a time.
    if (tf.getBackend() === 'cpu' && count > 1) {
      return tf.concat(Array.from({ length: count }, (_, i) => tf.image.transform(images.slice(i, 1), transforms.slice(i, 1), 'bilinear', 'constant', 0)));
    }
    return tf.image.transform(images, transforms, 'bilinear', 'constant', 0);
  });
}
