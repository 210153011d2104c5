import * as tf from '../core/tf';
import { IMAGE_SIZE } from '../core/types';
import { type Random, symmetric } from '../core/random';

/** Ranges of the random transforms, as the reference notebooks' ImageDataGenerator used, plus a pen's. */
export interface AugmentOptions {
  /** Maximum rotation in degrees (±). */
  rotation: number;
  /** Maximum zoom as a fraction (±). */
  zoom: number;
  /** Maximum shift as a fraction of the image side (±), both axes. */
  shift: number;
  /** Maximum horizontal shear, dx per dy (±): a slant. 0 or absent: none. */
  shear?: number;
  /**
   * Maximum change of stroke thickness (±), as a share of a one-pixel-a-side dilation (> 0) or
   * erosion (< 0) with a 3×3 cross. 0 or absent: none.
   */
  thickness?: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { rotation: 10, zoom: 0.1, shift: 0.1 };

/**
 * Numbers per image of randomTransforms' rows: tf.image.transform's 8 (a projective transform)
 * and the stroke thickness change.
 */
export const TRANSFORM_ROW = 9;

/**
 * One row of TRANSFORM_ROW numbers per image. The first 8 are a projective-transform row for
 * tf.image.transform: it maps each output pixel to the input point to sample, so this is the
 * inverse of "shear, rotate, zoom, then shift" about the centre. The ninth is the thickness change.
 * Ranges that are 0 or absent draw nothing (so the draws of a recipe without them are unchanged).
 */
export function randomTransforms(count: number, options: AugmentOptions, random: Random): Float32Array {
  const rows = new Float32Array(count * TRANSFORM_ROW);
  const centre = (IMAGE_SIZE - 1) / 2;
  for (let i = 0; i < count; i++) {
    const angle = (symmetric(random, options.rotation) * Math.PI) / 180;
    const scale = 1 + symmetric(random, options.zoom);
    const tx = symmetric(random, options.shift) * IMAGE_SIZE;
    const ty = symmetric(random, options.shift) * IMAGE_SIZE;
    const shear = options.shear ? symmetric(random, options.shear) : 0;
    const thickness = options.thickness ? symmetric(random, options.thickness) : 0;
    const cos = Math.cos(angle) / scale;
    const sin = Math.sin(angle) / scale;
    // input = S(−shear) · R(−angle)/scale · (output − centre − shift) + centre, S(k) = [[1, k], [0, 1]]
    const ox = centre + tx;
    const oy = centre + ty;
    const a = cos - shear * -sin;
    const b = sin - shear * cos;
    const o = i * TRANSFORM_ROW;
    rows[o] = a;
    rows[o + 1] = b;
    rows[o + 2] = centre - a * ox - b * oy;
    rows[o + 3] = -sin;
    rows[o + 4] = cos;
    rows[o + 5] = centre + sin * ox - cos * oy;
    rows[o + 8] = thickness;
  }
  return rows;
}

/** Randomly rotated, zoomed and shifted copies of a [n,28,28,1] batch (bilinear, zero fill). */
export function augmentBatch(images: tf.Tensor4D, options: AugmentOptions, random: Random): tf.Tensor4D {
  return transformImages(images, randomTransforms(images.shape[0], options, random));
}

/**
 * The images under their transform rows (randomTransforms), bilinear with zero fill, then their
 * strokes thickened or thinned. Each image depends only on its own row, so the threads of a
 * data-parallel step transform their own shards.
 */
export function transformImages(images: tf.Tensor4D, rows: Float32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const count = images.shape[0];
    const affine = new Float32Array(count * 8);
    const thickness = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      affine.set(rows.subarray(i * TRANSFORM_ROW, i * TRANSFORM_ROW + 8), i * 8);
      thickness[i] = rows[i * TRANSFORM_ROW + 8];
    }
    const transforms = tf.tensor2d(affine, [count, 8]);
    // The cpu backend's Transform kernel (tfjs-backend-cpu 4.22) returns after the first image of
    // a batch, leaving the others blank; there, transform one image at a time.
    const moved =
      tf.getBackend() === 'cpu' && count > 1
        ? tf.concat(Array.from({ length: count }, (_, i) => tf.image.transform(tf.slice(images, i, 1), tf.slice(transforms, i, 1), 'bilinear', 'constant', 0)))
        : tf.image.transform(images, transforms, 'bilinear', 'constant', 0);
    return thickness.some((t) => t !== 0) ? changeThickness(moved, thickness) : moved;
  });
}

/**
 * Grey-level dilation (t > 0) or erosion (t < 0) with a 3×3 cross, blended in by |t| per image:
 * MNIST's pens were of many widths; a drawing's is one.
 */
function changeThickness(images: tf.Tensor4D, thickness: Float32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const n = images.shape[0];
    const cross = (x: tf.Tensor4D) => tf.maximum(tf.maxPool(x, [1, 3], 1, 'same'), tf.maxPool(x, [3, 1], 1, 'same'));
    const dilated = cross(images);
    const eroded = tf.neg(cross(tf.neg(images)));
    const t = tf.tensor4d(thickness, [n, 1, 1, 1]);
    const grow = tf.relu(t);
    const shrink = tf.relu(tf.neg(t));
    return tf.add(images, tf.add(tf.mul(grow, tf.sub(dilated, images)), tf.mul(shrink, tf.sub(eroded, images)))) as tf.Tensor4D;
  });
}
