// Why this file exists: the trainer and its replica threads exchange weights and gradients
// every step (about 5 MB for the seed CNN). Copying them through postMessage would allocate and
// serialise on every step; instead each set of tensors lives at fixed offsets in one
// SharedArrayBuffer, allocated once per pool, and is copied in and out of the tensors.
import * as tf from '../core/tf';

/** Where each tensor of a list sits in a flat float32 buffer. */
export interface Layout {
  shapes: number[][];
  offsets: number[];
  sizes: number[];
  /** Total float count. */
  length: number;
}

export function layoutOf(shapes: number[][]): Layout {
  const offsets: number[] = [];
  const sizes: number[] = [];
  let length = 0;
  for (const shape of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    offsets.push(length);
    sizes.push(size);
    length += size;
  }
  return { shapes, offsets, sizes, length };
}

export function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, length) * 4));
}

/** The float32 view of tensor `i` of a layout inside a flat buffer (no copy). */
export function viewOf(buffer: Float32Array, layout: Layout, i: number): Float32Array {
  return buffer.subarray(layout.offsets[i], layout.offsets[i] + layout.sizes[i]);
}

/** Copies tensors (in layout order) into the buffer. A missing tensor is written as zeros. */
export function writeTensors(tensors: (tf.Tensor | undefined | null)[], buffer: Float32Array, layout: Layout): void {
  tensors.forEach((t, i) => {
    const view = viewOf(buffer, layout, i);
    if (t) view.set(t.dataSync() as Float32Array);
    else view.fill(0);
  });
}

/**
 * A fresh tensor holding a copy of tensor `i`. The wasm backend copies the values into its own
 * memory when the tensor is made; other backends may keep the array, so they get a copy.
 */
export function tensorFrom(buffer: Float32Array, layout: Layout, i: number): tf.Tensor {
  const view = viewOf(buffer, layout, i);
  return tf.tensor(tf.getBackend() === 'wasm' ? view : view.slice(), layout.shapes[i], 'float32');
}

/**
 * Sets variables to the values in the buffer. Each gets a new tensor rather than an in-place
 * write into backend memory: the wasm backend caches XNNPACK operators with packed filters by
 * tensor id, so data changed under the same id would be used stale.
 */
export function assignVariables(variables: tf.Variable[], buffer: Float32Array, layout: Layout): void {
  variables.forEach((v, i) => {
    const t = tensorFrom(buffer, layout, i);
    v.assign(t);
    t.dispose();
  });
}
