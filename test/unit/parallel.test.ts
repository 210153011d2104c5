// Data-parallel training and prediction over replica threads (src/engine/parallel/): the
// combined gradients must be the full batch's, training must follow the single-thread run, and
// no thread or tensor may outlive a run, even a cancelled one.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { compileModel, disposeModel } from '../../src/engine/model/architectures';
import { shardGradients, sparseCrossEntropy, trainStep } from '../../src/engine/model/gradients';
import { liveReplicaThreads, ReplicaPool } from '../../src/engine/parallel/replicaPool';
import { DataParallelTrainer, shardSizes } from '../../src/engine/training/dataParallel';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/training';
import { trainModel } from '../../src/engine/training/train';
import { predictImages } from '../../src/engine/inference/predict';
import { CancelledError } from '../../src/engine/core/errors';
import { type DigitImages, PIXELS } from '../../src/engine/core/types';
import { DEFAULT_AUGMENT, randomTransforms, transformImages } from '../../src/engine/data/augment';
import { createRandom } from '../../src/engine/core/random';

/** A small CNN without dropout or BatchNorm, so every thread computes the same function. */
function plainModel(seed: number): tf.LayersModel {
  const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: seed + s }) });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', ...init(0) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 32, activation: 'relu', ...init(1) }),
      tf.layers.dense({ units: 10, activation: 'softmax', ...init(2) }),
    ],
  });
  compileModel(model, 0.01);
  return model;
}

/** Random images that can be learnt: sparse noise plus a bright block placed by the label. */
function randomImages(count: number, seed: number): DigitImages {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pixels = new Uint8Array(count * PIXELS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = next() < 0.2 ? Math.floor(next() * 256) : 0;
  const labels = Uint8Array.from({ length: count }, () => Math.floor(next() * 10));
  labels.forEach((label, i) => {
    const top = 2 + (label % 5) * 5;
    const left = label < 5 ? 4 : 18;
    for (let r = top; r < top + 4; r++) pixels.fill(255, i * PIXELS + r * 28 + left, i * PIXELS + r * 28 + left + 6);
  });
  return { count, pixels, labels };
}

function batch(images: DigitImages, start: number, end: number): [tf.Tensor4D, tf.Tensor1D] {
  const x = tf.tidy(() => tf.div(tf.tensor4d(images.pixels.slice(start * PIXELS, end * PIXELS), [end - start, 28, 28, 1], 'float32'), 255) as tf.Tensor4D);
  return [x, tf.tensor1d(Array.from(images.labels!.subarray(start, end)))];
}

/** max |a − b| / max |b|, over one tensor. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]));
}

describe('data-parallel training and prediction (replica threads)', function () {
  before(async function () {
    const info = await initBackend('auto');
    if (info.name === 'tensorflow') this.skip(); // native TensorFlow trains on one thread with all cores
  });

  afterEach(function () {
    assert.equal(liveReplicaThreads(), 0, 'no replica thread outlives its run');
  });

  it('splits a batch into deterministic shards, remainders to the replicas', function () {
    assert.deepEqual(shardSizes(128, 2), [64, 64]);
    assert.deepEqual(shardSizes(127, 2), [63, 64]);
    assert.deepEqual(shardSizes(10, 3), [10]); // shards under 8 rows are not worth a thread
    assert.deepEqual(shardSizes(20, 3), [10, 10]);
    assert.deepEqual(shardSizes(100, 3), [33, 33, 34]);
  });

  it('computes the loss and accuracy trainOnBatch reports', async function () {
    const model = plainModel(1);
    const [x, y] = batch(randomImages(64, 1), 0, 64);
    try {
      const mine = shardGradients(model, x, y);
      tf.dispose(mine.grads);
      const [loss, accuracy] = (await model.trainOnBatch(x, y)) as number[];
      assert.ok(Math.abs(mine.loss - loss) <= 1e-5 * loss, `loss ${mine.loss} vs trainOnBatch ${loss}`);
      assert.equal(mine.accuracy, accuracy);
    } finally {
      tf.dispose([x, y]);
      disposeModel(model);
    }
  });

  it('takes the same steps as trainOnBatch in one thread (trainStep, no label smoothing)', async function () {
    const data = randomImages(4 * 64, 5);
    const reference = plainModel(5);
    const ours = plainModel(5);
    ours.setWeights(reference.getWeights());
    try {
      for (let step = 0; step < 4; step++) {
        const [x, y] = batch(data, step * 64, (step + 1) * 64);
        const [a, accA] = (await reference.trainOnBatch(x, y)) as number[];
        const [b, accB] = trainStep(ours, x, y);
        tf.dispose([x, y]);
        assert.ok(Math.abs(a - b) <= 1e-5 * a, `step ${step}: loss ${b} vs trainOnBatch ${a}`);
        assert.equal(accB, accA);
      }
      const weights = reference.getWeights().map((w, i) => relDiff(ours.getWeights()[i], w));
      assert.ok(Math.max(...weights) < 1e-4, `weights differ: ${weights}`);
    } finally {
      disposeModel(reference);
      disposeModel(ours);
    }
  });

  it('label smoothing: the loss of a smoothed target, by hand', function () {
    const probabilities = tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]);
    const labels = tf.tensor1d([0, 1]);
    try {
      const s = 0.3;
      const on = 1 - s + s / 3;
      const off = s / 3;
      const expected = -(on * Math.log(0.7) + off * Math.log(0.2) + off * Math.log(0.1) + (off * Math.log(0.1) + on * Math.log(0.1) + off * Math.log(0.8))) / 2;
      const smoothed = sparseCrossEntropy(labels, probabilities, s);
      const plain = sparseCrossEntropy(labels, probabilities);
      assert.ok(Math.abs(smoothed.dataSync()[0] - expected) < 1e-5, `${smoothed.dataSync()[0]} vs ${expected}`);
      assert.ok(Math.abs(plain.dataSync()[0] + (Math.log(0.7) + Math.log(0.1)) / 2) < 1e-5);
      tf.dispose([smoothed, plain]);
    } finally {
      tf.dispose([probabilities, labels]);
    }
  });

  it('combines the gradients of 3 shards into the full batch gradients', async function () {
    const model = plainModel(2);
    const [x, y] = batch(randomImages(100, 2), 0, 100);
    const pool = await ReplicaPool.start(model, { replicas: 2, maxShard: 40 });
    try {
      const trainer = new DataParallelTrainer(model, pool);
      const combined = await trainer.gradients(x, y);
      const full = shardGradients(model, x, y);
      assert.equal(trainer.profile.steps, 1);
      assert.ok(Math.abs(combined.loss - full.loss) <= 1e-5 * full.loss, `loss ${combined.loss} vs ${full.loss}`);
      assert.ok(Math.abs(combined.accuracy - full.accuracy) < 1e-6);
      const diffs = combined.grads.map((g, i) => relDiff(g, full.grads[i]));
      tf.dispose([...combined.grads, ...full.grads]);
      assert.ok(Math.max(...diffs) < 1e-4, `max relative difference per weight: ${diffs.map((d) => d.toExponential(1))}`);
    } finally {
      tf.dispose([x, y]);
      await pool.close();
      disposeModel(model);
    }
  });

  for (const labelSmoothing of [0, 0.1]) {it(`follows the single-thread run step by step (same losses after 12 steps, fixed seed, label smoothing ${labelSmoothing})`, async function () {
    const data = randomImages(12 * 64, 3);
    const single = plainModel(3);
    const twin = plainModel(3);
    twin.setWeights(single.getWeights());
    const pool = await ReplicaPool.start(twin, { replicas: 1, maxShard: 33 });
    const trainer = new DataParallelTrainer(twin, pool, labelSmoothing);
    let afterFirst = 0;
    const losses: [number, number][] = [];
    try {
      for (let step = 0; step < 12; step++) {
        const [x, y] = batch(data, step * 64, (step + 1) * 64);
        // The reference: tfjs-layers' own step, or with label smoothing our one-thread step.
        const [a] = labelSmoothing ? trainStep(single, x, y, labelSmoothing) : ((await single.trainOnBatch(x, y)) as number[]);
        const [b] = await trainer.trainOnBatch(x, y);
        losses.push([a, b]);
        tf.dispose([x, y]);
        if (step === 0) afterFirst = tf.memory().numTensors;
      }
      assert.equal(tf.memory().numTensors, afterFirst, 'no tensor growth across steps');
      assert.ok(losses[11][0] < losses[0][0], `the loss decreases: ${losses.map((l) => l[0].toFixed(3))}`);
      for (const [a, b] of losses) assert.ok(Math.abs(a - b) <= 1e-3 * a, `losses single vs parallel: ${JSON.stringify(losses)}`);
      const weights = single.getWeights().map((w, i) => relDiff(twin.getWeights()[i], w));
      assert.ok(Math.max(...weights) < 1e-3, `weights differ: ${weights}`);
    } finally {
      await pool.close();
      disposeModel(single);
      disposeModel(twin);
    }
  });}

  // With the reference notebooks' ranges, and with a pen's slant and stroke thickness too.
  for (const [what, augment] of [['rotation, zoom, shift', DEFAULT_AUGMENT], ['with shear and thickness', { ...DEFAULT_AUGMENT, shear: 0.3, thickness: 0.5 }]] as const) {
  it(`augments each shard in its own thread exactly as the whole batch would be augmented (${what})`, async function () {
    const model = plainModel(6);
    const [x, y] = batch(randomImages(90, 6), 0, 90);
    const transforms = randomTransforms(90, augment, createRandom(6));
    const pool = await ReplicaPool.start(model, { replicas: 2, maxShard: 31 });
    try {
      const trainer = new DataParallelTrainer(model, pool);
      const sharded = await trainer.gradients(x, y, transforms);
      const augmented = transformImages(x, transforms);
      const whole = shardGradients(model, augmented, y);
      const plain = shardGradients(model, x, y);
      assert.ok(Math.abs(sharded.loss - whole.loss) <= 1e-5 * whole.loss, `loss ${sharded.loss} vs ${whole.loss}`);
      assert.ok(Math.abs(plain.loss - whole.loss) > 1e-3 * whole.loss, 'augmentation changes the loss');
      const diffs = sharded.grads.map((g, i) => relDiff(g, whole.grads[i]));
      tf.dispose([augmented, ...sharded.grads, ...whole.grads, ...plain.grads]);
      assert.ok(Math.max(...diffs) < 1e-4, `max relative difference per weight: ${diffs.map((d) => d.toExponential(1))}`);
    } finally {
      tf.dispose([x, y]);
      await pool.close();
      disposeModel(model);
    }
  });}

  it('trains with 2 threads through trainModel: repeatable, no tensor growth across epochs (BatchNorm model, augmentation)', async function () {
    const data = randomImages(200, 4);
    const counts: number[] = [];
    const run = async () => {
      const losses: number[] = [];
      const result = await trainModel(data, { ...DEFAULT_TRAIN_SETTINGS, arch: 'default', epochs: 3, batchSize: 64, threads: 2 }, { onBatch: (p) => losses.push(p.loss), onEpoch: () => counts.push(tf.memory().numTensors) });
      assert.equal(result.threads, 2, result.threadsNote);
      disposeModel(result.model);
      return losses;
    };
    const first = await run();
    assert.equal(counts[2], counts[1], `tensor counts per epoch: ${counts}`);
    assert.deepEqual(await run(), first, 'the same seed repeats exactly');
  });

  it('ends its replica threads when training is cancelled mid-epoch, leaking no tensors', async function () {
    const data = randomImages(1000, 5);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let sawThreads = 0;
    const run = trainModel(data, { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 2, threads: 2 }, {
      signal: controller.signal,
      onBatch: (p) => {
        sawThreads = liveReplicaThreads();
        if (p.batch === 2) controller.abort();
      },
    });
    await assert.rejects(run, CancelledError);
    assert.equal(sawThreads, 1, 'one replica thread trained beside this one');
    assert.equal(tf.memory().numTensors, before);
  });

  it('splits a large prediction over threads with the same results, and can be cancelled', async function () {
    const model = plainModel(6);
    const images = randomImages(4500, 6);
    try {
      const alone = await predictImages(model, images, { threads: 1 });
      let progress = 0;
      const split = await predictImages(model, images, { threads: 2, onProgress: (done) => (progress = Math.max(progress, done)) });
      assert.equal(progress, images.count);
      assert.deepEqual(split.labels, alone.labels);
      let maxDiff = 0;
      for (let i = 0; i < alone.probabilities.length; i++) maxDiff = Math.max(maxDiff, Math.abs(alone.probabilities[i] - split.probabilities[i]));
      assert.ok(maxDiff < 1e-5, `probabilities differ by ${maxDiff}`);

      const controller = new AbortController();
      const cancelled = predictImages(model, images, { threads: 2, signal: controller.signal, onProgress: () => controller.abort() });
      await assert.rejects(cancelled, CancelledError);
    } finally {
      disposeModel(model);
    }
  });
});
