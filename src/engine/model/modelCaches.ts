// Tensors derived from a model's weights and kept between calls (the saliency pass's rotated
// filters and transposed matrices), released with the model: disposeModel calls
// releaseModelCaches, since tensors on the wasm backend are not freed by garbage collection.
import type * as tf from '../core/tf';

type Cache = Map<object, { data: object; tensor: tf.Tensor }>;
const caches = new WeakMap<tf.LayersModel, Cache>();

/** The cache of `model`: derived tensors by the weights (variables) they come from, with the data they were made from. */
export function modelCache(model: tf.LayersModel): Cache {
  let cache = caches.get(model);
  if (!cache) caches.set(model, (cache = new Map()));
  return cache;
}

export function releaseModelCaches(model: tf.LayersModel): void {
  const cache = caches.get(model);
  if (!cache) return;
  for (const { tensor } of cache.values()) tensor.dispose();
  caches.delete(model);
}
