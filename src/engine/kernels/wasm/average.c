// The exponential moving average of a weight tensor, for tfjs-backend-wasm (see conv.c for how
// these modules are built and run). Why: training keeps an average of every weight, updated after
// each step (src/engine/training/weightAverage.ts); as TF.js ops that is three passes and three kernel
// calls per tensor per step, here one.
#include "simd.h"

// out = average·decay + value·(1 − decay), as TF.js computes tf.add(tf.mul(a, d), tf.mul(v, 1 − d)).
EXPORT(moving_average)
void moving_average(const float *average, const float *value, int n, float decay, float oneMinusDecay, float *out) {
  for (int i = 0; i < n; i++) out[i] = average[i] * decay + value[i] * oneMinusDecay;
}
