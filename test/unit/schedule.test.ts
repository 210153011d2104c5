import * as assert from 'node:assert/strict';
import { learningRateAt } from '../../src/engine/training/schedule';

describe('learning-rate schedule', function () {
  it('constant stays at the rate', function () {
    for (const step of [0, 5, 99]) assert.equal(learningRateAt('constant', 0.01, step, 100), 0.01);
  });

  it('onecycle warms up to the peak, then anneals to almost zero', function () {
    const rates = Array.from({ length: 101 }, (_, i) => learningRateAt('onecycle', 0.01, i, 101));
    assert.ok(Math.abs(rates[0] - 0.01 / 20) < 1e-12, `starts at peak/20 (${rates[0]})`);
    assert.ok(Math.abs(rates[20] - 0.01) < 1e-12, `peaks at 20% (${rates[20]})`);
    assert.ok(Math.abs(rates[100] - 0.01 / 1000) < 1e-12, `ends at peak/1000 (${rates[100]})`);
    for (let i = 1; i <= 20; i++) assert.ok(rates[i] > rates[i - 1], `rising at ${i}`);
    for (let i = 21; i <= 100; i++) assert.ok(rates[i] < rates[i - 1], `falling at ${i}`);
    assert.equal(Math.max(...rates), 0.01);
  });

  it('a one-step run uses the peak', function () {
    assert.equal(learningRateAt('onecycle', 0.01, 0, 1), 0.01);
  });
});
