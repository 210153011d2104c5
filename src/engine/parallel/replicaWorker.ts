// Why this file exists: the body of one replica thread of a ReplicaPool (replicaPool.ts). It
// initialises its own TF.js backend, rebuilds the model from the artifacts it is given, and then
// answers two requests, both working in shared memory: "train" (gradients of its shard at the
// trainer's current weights) and "predict" (claim chunks of rows until none are left).
import { parentPort, workerData } from 'worker_threads';
import * as tf from '../core/tf';
import { type BackendPreference } from '../core/types';
import { initBackend } from '../kernels/backend';
import { shardGradients } from '../model/gradients';
import { transformImages } from '../data/augment';
import { IMAGE_SIZE } from '../core/types';
import { assignVariables, layoutOf, writeTensors } from './sharedWeights';
import { predictClaimedChunks } from './chunks';
import type { FromReplica, ReplicaData, ToReplica } from './protocol';
// Registers our Dropout so the rebuilt model draws fresh, seeded masks, different from other threads'.
import { setDropoutStream } from '../layers/seededDropout';
// Registers our BatchNormalization (a closed-form training gradient) for the rebuilt model.
import '../layers/fusedBatchNorm';
import '../layers/plainConv2d';

const port = parentPort;
if (port) {
  const data = workerData as ReplicaData;
  const send = (m: FromReplica) => port.postMessage(m);
  const setup = (async () => {
    setDropoutStream(data.index);
    await initBackend(data.backend as BackendPreference);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: data.modelTopology, weightSpecs: data.weightSpecs, weightData: data.weightData }));
    const variables = model.weights.map((w) => w.read() as tf.Variable);
    const layout = layoutOf(data.layoutShapes);
    const same = variables.length === layout.shapes.length && variables.every((v, i) => v.shape.join() === layout.shapes[i].join());
    if (!same) throw new Error('the rebuilt model’s weights differ from the trainer’s');
    const trainable = variables.slice(0, data.trainableCount);
    const gradLayout = layoutOf(data.layoutShapes.slice(0, data.trainableCount));
    const inputShape = model.inputs[0].shape.slice(1) as number[];
    const inputSize = inputShape.reduce((a, b) => a * b, 1);
    return { model, variables, trainable, layout, gradLayout, inputShape, inputSize };
  })();

  const handle = async (message: ToReplica): Promise<FromReplica> => {
    const r = await setup;
    if (message.kind === 'train') {
      const n = message.n;
      const t0 = performance.now();
      assignVariables(r.trainable, data.weights, r.layout);
      const x = tf.tidy(() => {
        const images = tf.tensor(data.input.slice(0, n * r.inputSize), [n, ...r.inputShape]);
        if (!message.augment) return images;
        // Augmentation works on 28×28×1 images; the model may take them flattened.
        return tf.reshape(transformImages(tf.reshape(images, [n, IMAGE_SIZE, IMAGE_SIZE, 1]), data.transforms), images.shape);
      });
      const y = tf.tensor1d(data.labels.slice(0, n));
      try {
        const t1 = performance.now();
        const { grads, loss, accuracy } = shardGradients(r.model, x, y, r.trainable, message.labelSmoothing);
        const t2 = performance.now();
        writeTensors(grads, data.grads, r.gradLayout);
        tf.dispose(grads);
        return { kind: 'trained', loss, accuracy, ms: [t1 - t0, t2 - t1, performance.now() - t2] };
      } finally {
        tf.dispose([x, y]);
      }
    }
    assignVariables(r.variables, data.weights, r.layout);
    const rows = await predictClaimedChunks(r.model, message);
    return { kind: 'predicted', rows };
  };

  setup.then(
    () => send({ kind: 'ready' }),
    (err: unknown) => send({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
  port.on('message', (message: ToReplica) => {
    handle(message).then(send, (err: unknown) => send({ kind: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }));
  });
}
