// Why this file exists: data-parallel training (src/engine/parallel/) cannot use
// model.trainOnBatch, which computes and applies gradients in one call. The trainer and its
// replicas each need the gradients of their shard of a batch, to be combined before one
// optimizer step. This computes exactly what trainOnBatch minimises for our compiled models —
// the mean sparse categorical cross-entropy, clipped as tfjs-layers clips it — plus the
// accuracy metric from the same forward pass.
import * as tf from '@tensorflow/tfjs';

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
 * clipped to [ε, 1−ε], renormalised, −log of the labelled class.
 */
export function sparseCrossEntropy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const eps = tf.backend().epsilon();
    const classes = probabilities.shape[probabilities.shape.length - 1]!;
    const oneHot = tf.oneHot(tf.cast(tf.floor(labels.flatten()), 'int32'), classes);
    let p = tf.clipByValue(probabilities, eps, 1 - eps);
    p = tf.div(p, tf.sum(p, -1, true));
    p = tf.clipByValue(p, eps, 1 - eps);
    return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)), -1))) as tf.Scalar;
  });
}

/** Fraction of rows whose most probable class is the label (tfjs-layers' sparseCategoricalAccuracy). */
export function sparseAccuracy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.cast(labels.flatten(), 'int32'), tf.argMax(probabilities, -1)), 'float32')) as tf.Scalar);
}

/**
 * Loss, accuracy and gradients of one shard, in training mode (dropout on, BatchNorm with the
 * shard's statistics, which also moves this model's BatchNorm moving averages). Nothing is
 * applied to the weights. The caller disposes `grads`.
 */
export function shardGradients(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, variables = trainableVariables(model)): ShardGradients {
  let accuracy: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const probabilities = model.apply(x, { training: true }) as tf.Tensor;
    accuracy = tf.keep(sparseAccuracy(labels, probabilities));
    return sparseCrossEntropy(labels, probabilities);
  }, variables);
  const loss = value.dataSync()[0];
  const acc = accuracy!.dataSync()[0];
  tf.dispose([value, accuracy!]);
  return { grads: variables.map((v) => grads[v.name]), loss, accuracy: acc };
}
