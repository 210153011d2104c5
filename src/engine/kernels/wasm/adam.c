// Adam's update of one weight tensor in one pass, for tfjs-backend-wasm (see conv.c for how these
// modules are built and run). Why: TF.js's Adam runs ~12 element-wise ops per weight tensor, each
// a pass over memory; on the seed CNN's 1.2 million weights that was 18 ms of each step, all of it
// on the trainer thread while the other threads wait. Every operation and its order are those of
// tfjs-core's AdamOptimizer, in float32, so the result is the same to the bit:
//   m' = m·β1 + g·(1 − β1)          v' = v·β2 + g²·(1 − β2)
//   w' = (m'/(1 − β1ᵗ)) / (√(v'/(1 − β2ᵗ)) + ε) · (−lr) + w
#include "simd.h"
#define SPLAT wasm_f32x4_splat

// n values; the scalars as TF.js makes them (float32): beta1, 1 − beta1, beta2, 1 − beta2,
// 1 − β1ᵗ, 1 − β2ᵗ, epsilon, −learning rate.
EXPORT(adam_update)
void adam_update(const float *w, const float *g, const float *m, const float *v, int n,
                 float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                 float oneMinusAccBeta1, float oneMinusAccBeta2, float epsilon, float negLearningRate,
                 float *wOut, float *mOut, float *vOut) {
  V b1 = SPLAT(beta1), c1 = SPLAT(oneMinusBeta1), b2 = SPLAT(beta2), c2 = SPLAT(oneMinusBeta2);
  V a1 = SPLAT(oneMinusAccBeta1), a2 = SPLAT(oneMinusAccBeta2), eps = SPLAT(epsilon), lr = SPLAT(negLearningRate);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    V gi = LOAD(g + i);
    V mi = wasm_f32x4_add(wasm_f32x4_mul(LOAD(m + i), b1), wasm_f32x4_mul(gi, c1));
    V vi = wasm_f32x4_add(wasm_f32x4_mul(LOAD(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), c2));
    V step = wasm_f32x4_div(wasm_f32x4_div(mi, a1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, a2)), eps));
    STORE(mOut + i, mi);
    STORE(vOut + i, vi);
    STORE(wOut + i, wasm_f32x4_add(wasm_f32x4_mul(step, lr), LOAD(w + i)));
  }
  for (; i < n; i++) {
    float mi = m[i] * beta1 + g[i] * oneMinusBeta1;
    float vi = v[i] * beta2 + (g[i] * g[i]) * oneMinusBeta2;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = (mi / oneMinusAccBeta1) / (__builtin_sqrtf(vi / oneMinusAccBeta2) + epsilon) * negLearningRate + w[i];
  }
}
