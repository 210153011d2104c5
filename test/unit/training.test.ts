import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv } from '../../src/engine/data/csv';
import { trainModel } from '../../src/engine/training/train';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../../src/shared/training';
import { disposeModel } from '../../src/engine/model/architectures';
import { CancelledError } from '../../src/engine/core/errors';
import { type DigitImages } from '../../src/engine/core/types';
import { requireData, slice } from '../support/data';

describe('training (fallback backend)', function () {
  let data: DigitImages;

  before(async function () {
    const dir = requireData(this);
    const info = await initBackend('auto');
    assert.notEqual(info.name, 'cpu', 'training tests need a fast backend');
    data = await readDigitCsv(await slice(dir, 'train.csv', 3000), { expect: 'train' });
  });

  it('reaches ≥ 90% validation accuracy on 3,000 real rows', async function () {
    const settings: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 3, augment: false, validationSplit: 0.2 };
    const epochs: number[] = [];
    let batches = 0;
    const result = await trainModel(data, settings, { onBatch: () => batches++, onEpoch: (s) => epochs.push(s.epoch) });
    try {
      const last = result.history[result.history.length - 1];
      assert.deepEqual(epochs, [1, 2, 3]);
      assert.equal(batches, 3 * Math.ceil(result.trainCount / settings.batchSize));
      assert.ok(Math.abs(result.validationCount - 600) <= 10, `validation rows ${result.validationCount}`);
      assert.ok(last.valAccuracy! >= 0.9, `validation accuracy ${last.valAccuracy}`);
      assert.ok(result.history[0].loss > last.loss, 'loss decreases');
    } finally {
      disposeModel(result.model);
    }
  });

  it('does not grow the tensor count across epochs, with augmentation on', async function () {
    const small: DigitImages = { count: 400, pixels: data.pixels.subarray(0, 400 * 784), labels: data.labels!.subarray(0, 400) };
    const counts: number[] = [];
    const result = await trainModel(small, { ...DEFAULT_TRAIN_SETTINGS, arch: 'default', epochs: 3, batchSize: 64 }, { onEpoch: () => counts.push(tf.memory().numTensors) });
    disposeModel(result.model);
    assert.equal(counts.length, 3);
    assert.equal(counts[2], counts[1], `tensor counts per epoch: ${counts}`);
  });

  it('repeats exactly with the same seed', async function () {
    const small: DigitImages = { count: 300, pixels: data.pixels.subarray(0, 300 * 784), labels: data.labels!.subarray(0, 300) };
    const settings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed' as const, epochs: 1, batchSize: 50 };
    const losses = async () => {
      const seen: number[] = [];
      const r = await trainModel(small, settings, { onBatch: (p) => seen.push(p.loss) });
      disposeModel(r.model);
      return seen;
    };
    assert.deepEqual(await losses(), await losses());
  });

  it('stops between batches when cancelled, leaking no tensors', async function () {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = trainModel(data, { ...DEFAULT_TRAIN_SETTINGS, arch: 'seed', epochs: 1 }, { signal: controller.signal, onBatch: (p) => p.batch === 2 && controller.abort() });
    await assert.rejects(run, CancelledError);
    assert.equal(tf.memory().numTensors, before);
  });

  it('rejects bad settings and unlabelled data with clear messages', async function () {
    await assert.rejects(trainModel(data, { ...DEFAULT_TRAIN_SETTINGS, epochs: 0 }), /epochs must be a whole number from 1 to 200 \(got 0\)/);
    await assert.rejects(trainModel(data, { ...DEFAULT_TRAIN_SETTINGS, validationSplit: 1 }), /validation split must be a number from 0 to below 1 \(got 1\)/);
    await assert.rejects(trainModel(data, { ...DEFAULT_TRAIN_SETTINGS, labelSmoothing: 0.6 }), /label smoothing must be a number from 0 to 0.5 \(got 0.6\)/);
    await assert.rejects(trainModel({ ...data, labels: null }, DEFAULT_TRAIN_SETTINGS), /needs a labelled/);
  });
});
