import * as assert from 'node:assert/strict';
import { accuracyOf, classMetrics, confusionMatrix } from '../../src/engine/inference/metrics';

describe('metrics', function () {
  // Hand-computed: truth 0,0,0,1,1,2 vs predicted 0,0,1,1,2,2.
  const truth = [0, 0, 0, 1, 1, 2];
  const predicted = [0, 0, 1, 1, 2, 2];

  it('counts the confusion matrix as [true][predicted]', function () {
    const m = confusionMatrix(truth, predicted);
    assert.deepEqual(m[0].slice(0, 3), [2, 1, 0]);
    assert.deepEqual(m[1].slice(0, 3), [0, 1, 1]);
    assert.deepEqual(m[2].slice(0, 3), [0, 0, 1]);
    assert.equal(m.flat().reduce((a, b) => a + b, 0), 6);
  });

  it('computes precision, recall, F1 and support per class', function () {
    const [c0, c1, c2, c3] = classMetrics(confusionMatrix(truth, predicted));
    assert.deepEqual([c0.precision, c0.recall, c0.support], [1, 2 / 3, 3]);
    assert.ok(Math.abs(c0.f1 - 0.8) < 1e-12);
    assert.deepEqual([c1.precision, c1.recall, c1.f1, c1.support], [0.5, 0.5, 0.5, 2]);
    assert.deepEqual([c2.precision, c2.recall, c2.support], [0.5, 1, 1]);
    assert.ok(Math.abs(c2.f1 - 2 / 3) < 1e-12);
    assert.deepEqual([c3.precision, c3.recall, c3.f1, c3.support], [0, 0, 0, 0]);
  });

  it('computes accuracy from the diagonal', function () {
    assert.equal(accuracyOf(confusionMatrix(truth, predicted)), 4 / 6);
  });

  it('rejects mismatched lengths', function () {
    assert.throws(() => confusionMatrix([1], [1, 2]), /1 labels vs 2 predictions/);
  });
});
