// Why this file exists: data-parallel training (src/engine/parallel/) cannot use
// model.trainOnBatch, which computes and applies gradients in one call. The trainer and its
// replicas each need the gradients of their shard of a batch, to be combined before one
// optimizer step. This computes exactly what trainOnBatch minimises for our compiled models —
// the mean sparse categorical cross-entropy, clipped as tfjs-layers clips it — plus the
// accuracy metric from the same forward pass.
import * as tf from '../core/tf';
import { fusedShardGradients } from '../kernels/fused/trainStep';

export interface ShardGradients {
  /** Gradients of the shard's mean loss, in the order of `model.trainableWeights`. */
  grads: tf.Tensor[];
  /** Mean loss and accuracy over the shard. */
  loss: number;
  accuracy: number;
}

/** The tf.Variables behind a model's trainable weights, in the model's order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * tfjs-layers' sparseCategoricalCrossentropy (losses.ts), mean over the batch: probabilities
 * clipped to [ε, 1−ε], renormalised, −log of the labelled class. With label smoothing s the
 * target is 1 − s + s/K for the labelled class and s/K for each other (Szegedy et al. 2016), as
 * Keras' categorical cross-entropy does it; tfjs-layers' sparse loss has no such option.
 */
export function sparseCrossEntropy(labels: tf.Tensor, probabilities: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const eps = tf.backend().epsilon();
    const classes = probabilities.shape[probabilities.shape.length - 1]!;
    let target = tf.oneHot(tf.cast(tf.floor(tf.reshape(labels, [-1])), 'int32'), classes) as tf.Tensor;
    if (labelSmoothing > 0) target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / classes);
    let p = tf.clipByValue(probabilities, eps, 1 - eps);
    p = tf.div(p, tf.sum(p, -1, true));
    p = tf.clipByValue(p, eps, 1 - eps);
    return tf.mean(tf.neg(tf.sum(tf.mul(target, tf.log(p)), -1))) as tf.Scalar;
  });
}

/** Fraction of rows whose most probable class is the label (tfjs-layers' sparseCategoricalAccuracy). */
export function sparseAccuracy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.cast(tf.reshape(labels, [-1]), 'int32'), tf.argMax(probabilities, -1)), 'float32')) as tf.Scalar);
}

/**
 * Loss, accuracy and gradients of one shard, in training mode (dropout on, BatchNorm with the
 * shard's statistics, which also moves this model's BatchNorm moving averages). Nothing is
 * applied to the weights. The caller disposes `grads`.
 */
export function shardGradients(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, variables = trainableVariables(model), labelSmoothing = 0): ShardGradients {
  const fused = fusedShardGradients(model, x, labels, variables, (l, p) => sparseCrossEntropy(l, p, labelSmoothing), sparseAccuracy);
  if (fused) return fused;
  let accuracy: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const probabilities = model.apply(x, { training: true }) as tf.Tensor;
    accuracy = tf.keep(sparseAccuracy(labels, probabilities));
    return sparseCrossEntropy(labels, probabilities, labelSmoothing);
  }, variables);
  const loss = value.dataSync()[0];
  const acc = accuracy!.dataSync()[0];
  tf.dispose([value, accuracy!]);
  return { grads: variables.map((v) => grads[v.name]), loss, accuracy: acc };
}

/**
 * One optimizer step on a batch in this thread, with the loss above: model.trainOnBatch's step
 * (the same result without label smoothing), which we cannot use with smoothing because
 * tfjs-layers accepts sparse labels only with its own sparse loss.
 */
export function trainStep(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, labelSmoothing = 0): [number, number] {
  const variables = trainableVariables(model);
  const { grads, loss, accuracy } = shardGradients(model, x, labels, variables, labelSmoothing);
  try {
    model.optimizer.applyGradients(Object.fromEntries(variables.map((variable, v) => [variable.name, grads[v]])));
  } finally {
    tf.dispose(grads);
  }
  return [loss, accuracy];
}
