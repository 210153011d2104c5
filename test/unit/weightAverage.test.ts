// The weight average (src/engine/training/weightAverage.ts): its arithmetic, that it leaves training
// itself untouched (the same losses step by step, on 2 threads too), and that the model a run
// returns holds the averaged weights its last validation measured.
import * as assert from 'node:assert/strict';
import * as tf from '../../src/engine/core/tf';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv } from '../../src/engine/data/csv';
import { trainModel } from '../../src/engine/training/train';
import { subset } from '../../src/engine/data/dataset';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../../src/shared/training';
import { stratifiedSplit } from '../../src/engine/data/dataset';
import { createRandom } from '../../src/engine/core/random';
import { createModel, disposeModel } from '../../src/engine/model/architectures';
import { evaluateImages } from '../../src/engine/inference/predict';
import { WeightAverage } from '../../src/engine/training/weightAverage';
import { setOwnKernelsEnabled } from '../../src/engine/kernels/ownKernels';
import { type DigitImages } from '../../src/engine/core/types';
import { requireData, slice } from '../support/data';

describe('weight average', function () {
  before(async function () {
    await initBackend('auto');
  });
  after(() => setOwnKernelsEnabled(true));

  it('averages every weight with the warmed-up decay min(d, (1 + t)/(10 + t)), the same with and without our kernel', () => {
    const run = (own: boolean) => {
      setOwnKernelsEnabled(own);
      const model = createModel('seed', { seed: 3 });
      const average = new WeightAverage(model, 0.9, { count: 0, pixels: new Uint8Array(0), labels: null });
      const initial = model.getWeights().map((w) => w.clone());
      const first = initial[0].dataSync()[0];
      const values = [first];
      for (let step = 1; step <= 3; step++) {
        model.setWeights(initial.map((w) => tf.add(w, step)));
        average.update();
        values.push(first + step);
      }
      tf.dispose(initial);
      average.applyToModel();
      const averaged = model.getWeights().map((w) => Array.from(w.dataSync()));
      average.dispose();
      disposeModel(model);
      return { averaged, values };
    };
    const { averaged, values } = run(true);
    let expected = values[0];
    for (let t = 1; t <= 3; t++) {
      const d = Math.min(0.9, (1 + t) / (10 + t));
      expected = expected * d + values[t] * (1 - d);
    }
    assert.ok(Math.abs(averaged[0][0] - expected) < 1e-5, `${averaged[0][0]} vs ${expected}`);
    assert.deepEqual(run(false).averaged, averaged, 'our kernel and TF.js ops give the same bits');
  });

  describe('in training', function () {
    let data: DigitImages;
    before(async function () {
      const dir = requireData(this);
      // Three quarters held out: 525 validation rows, enough for validation to run on the replica
      // threads too; 175 rows train, 3 steps an epoch.
      data = await readDigitCsv(await slice(dir, 'train.csv', 700), { expect: 'train' });
    });

    for (const threads of [1, 2]) {
      it(`leaves the training steps as they were (${threads} thread${threads > 1 ? 's' : ''}), and the run returns the model its last validation measured`, async function () {
        const settings: TrainSettings = { ...DEFAULT_TRAIN_SETTINGS, arch: 'default', epochs: 2, batchSize: 64, validationSplit: 0.75, threads };
        const run = async (emaDecay: number) => {
          const losses: number[] = [];
          const result = await trainModel(data, { ...settings, emaDecay }, { onBatch: (p) => losses.push(p.batchLoss) });
          return { result, losses };
        };
        const plain = await run(0);
        const averaged = await run(0.95);
        try {
          assert.deepEqual(averaged.losses, plain.losses, 'the average must not change training');
          const last = averaged.result.history[averaged.result.history.length - 1];
          // The validation rows of this run: the same split trainModel made (seeded).
          const validation = subset(data, stratifiedSplit(data.labels!, settings.validationSplit, createRandom(settings.seed)).validation);
          const measured = (await evaluateImages(averaged.result.model, validation)).accuracy;
          assert.equal(measured, last.valAccuracy, 'the returned model is the averaged one that was validated');
          const a = averaged.result.model.getWeights()[0].dataSync();
          const b = plain.result.model.getWeights()[0].dataSync();
          assert.ok(a.some((v, i) => v !== b[i]), 'the averaged weights differ from the last step’s');
        } finally {
          disposeModel(plain.result.model);
          disposeModel(averaged.result.model);
        }
      });
    }
  });
});
