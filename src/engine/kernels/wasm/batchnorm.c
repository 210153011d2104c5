// Batch normalisation's training pass and its gradient, for tfjs-backend-wasm (see conv.c for
// how these modules are built and run). Why: written with TF.js ops, a batch-norm layer in
// training streams each activation through ~15 element-wise ops and reductions per step (a
// quarter of the default CNN's step); here the forward pass reads x three times and writes y
// once, and the gradient reads dy and x twice and writes dx once.
//
// Layout: x, y, dy, dx are [P][C] (P pixels, C channels innermost, C a multiple of 4); the
// per-channel vectors are [C]. Sums are taken in float32 over blocks of 64 pixels and the block
// sums added in float64, so that a 73,728-pixel sum keeps float32's precision.
#include "simd.h"
#define BLOCK 64

// total[c] = Σ_p f(x[p][c]) for f(v) = v − shift[c] (squared when `square`), with acc: C floats.
static void channel_sums(const float *x, int P, int C, const float *shift, int square, float *acc, double *total) {
  for (int c = 0; c < C; c++) total[c] = 0;
  for (int p0 = 0; p0 < P; p0 += BLOCK) {
    int p1 = p0 + BLOCK < P ? p0 + BLOCK : P;
    // 16 channels at a time with their sums in registers (through memory, each add waited for the
    // previous one's store); the same additions in the same order.
    int c0 = 0;
    for (; c0 + 16 <= C; c0 += 16) {
      V a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
      V m0 = a0, m1 = a0, m2 = a0, m3 = a0;
      if (shift) m0 = LOAD(shift + c0), m1 = LOAD(shift + c0 + 4), m2 = LOAD(shift + c0 + 8), m3 = LOAD(shift + c0 + 12);
      for (int p = p0; p < p1; p++) {
        const float *row = x + p * C + c0;
        V v0 = LOAD(row), v1 = LOAD(row + 4), v2 = LOAD(row + 8), v3 = LOAD(row + 12);
        if (shift) v0 = wasm_f32x4_sub(v0, m0), v1 = wasm_f32x4_sub(v1, m1), v2 = wasm_f32x4_sub(v2, m2), v3 = wasm_f32x4_sub(v3, m3);
        if (square) v0 = wasm_f32x4_mul(v0, v0), v1 = wasm_f32x4_mul(v1, v1), v2 = wasm_f32x4_mul(v2, v2), v3 = wasm_f32x4_mul(v3, v3);
        a0 = wasm_f32x4_add(a0, v0), a1 = wasm_f32x4_add(a1, v1), a2 = wasm_f32x4_add(a2, v2), a3 = wasm_f32x4_add(a3, v3);
      }
      STORE(acc + c0, a0); STORE(acc + c0 + 4, a1); STORE(acc + c0 + 8, a2); STORE(acc + c0 + 12, a3);
    }
    for (; c0 < C; c0 += 4) {
      V a = wasm_f32x4_splat(0);
      for (int p = p0; p < p1; p++) {
        V v = LOAD(x + p * C + c0);
        if (shift) v = wasm_f32x4_sub(v, LOAD(shift + c0));
        if (square) v = wasm_f32x4_mul(v, v);
        a = wasm_f32x4_add(a, v);
      }
      STORE(acc + c0, a);
    }
    for (int c = 0; c < C; c++) total[c] += acc[c];
  }
}

// Mean and biased variance over the P pixels (as tf.moments), and y = x·scale + offset's factors
// for γ·(x − μ)/√(σ² + ε) + β (also fused.c's). scratch: C floats and C doubles (first).
void batchnorm_statistics(const float *x, int P, int C, const float *gamma, const float *beta, float epsilon,
                          float *mean, float *variance, float *scale, float *offset, double *scratch) {
  double *total = scratch;
  float *acc = (float *)(scratch + C);
  channel_sums(x, P, C, 0, 0, acc, total);
  for (int c = 0; c < C; c++) mean[c] = (float)(total[c] / P);
  channel_sums(x, P, C, mean, 1, acc, total);
  for (int c = 0; c < C; c++) {
    variance[c] = (float)(total[c] / P);
    float inverseStd = 1.0f / __builtin_sqrtf(variance[c] + epsilon);
    scale[c] = gamma[c] * inverseStd;
    offset[c] = beta[c] - mean[c] * scale[c];
  }
}

// Training-mode batch norm: mean and biased variance over the P pixels (as tf.moments), then
// y = γ·(x − μ)/√(σ² + ε) + β. scratch: 3·C floats and C doubles (8-byte aligned, first).
EXPORT(batchnorm_forward)
void batchnorm_forward(const float *x, int P, int C, const float *gamma, const float *beta, float epsilon,
                       float *y, float *mean, float *variance, double *scratch) {
  float *scale = (float *)(scratch + C) + C, *offset = scale + C;
  batchnorm_statistics(x, P, C, gamma, beta, epsilon, mean, variance, scale, offset, scratch);
  for (int p = 0; p < P; p++) {
    const float *in = x + p * C;
    float *out = y + p * C;
    for (int c = 0; c < C; c += 4) STORE(out + c, wasm_f32x4_add(wasm_f32x4_mul(LOAD(in + c), LOAD(scale + c)), LOAD(offset + c)));
  }
}

// Its gradient, with x̂ = (x − μ)·s and s = 1/√(σ² + ε) recomputed from x:
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·s·(dy − dβ/P − x̂·dγ/P)
//      = k1·dy + k2·(x − μ) + k3 with k1 = γ·s, k2 = −γ·s³·Σdy·(x − μ)/P, k3 = −γ·s·dβ/P.
// masked: dy is first made from dyIn as fused.c's chain_backward masks it (ReLU: dyIn·invKeep
// where y > 0, else 0; or dyIn·mask; or dyIn), in the pass that sums it.
// scratch: 5·C floats and 2·C doubles (8-byte aligned, first).
void batchnorm_backward_masked(const float *dyIn, const float *y, int relu, float invKeep, const float *mask,
                               float *dy, const float *x, int P, int C, const float *gamma, const float *mean,
                               const float *variance, float epsilon, float *dx, float *dgamma, float *dbeta, double *scratch) {
  double *sumDy = scratch, *sumDyX = scratch + C;
  float *accDy = (float *)(scratch + 2 * C), *accDyX = accDy + C, *k1 = accDyX + C, *k2 = k1 + C, *k3 = k2 + C;
  V zero = wasm_f32x4_splat(0), factor = wasm_f32x4_splat(invKeep);
  for (int c = 0; c < C; c++) sumDy[c] = sumDyX[c] = 0;
  for (int p0 = 0; p0 < P; p0 += BLOCK) {
    int p1 = p0 + BLOCK < P ? p0 + BLOCK : P;
    for (int c = 0; c < C; c += 4) {
      STORE(accDy + c, zero);
      STORE(accDyX + c, zero);
    }
    for (int p = p0; p < p1; p++) {
      const float *g = dyIn + p * C, *v = x + p * C;
      for (int c = 0; c < C; c += 4) {
        V d = LOAD(g + c);
        if (relu) d = wasm_v128_and(wasm_f32x4_mul(d, factor), wasm_f32x4_gt(LOAD(y + p * C + c), zero));
        else if (mask) d = wasm_f32x4_mul(d, LOAD(mask + p * C + c));
        if (dy != dyIn || relu || mask) STORE(dy + p * C + c, d);
        STORE(accDy + c, wasm_f32x4_add(LOAD(accDy + c), d));
        STORE(accDyX + c, wasm_f32x4_add(LOAD(accDyX + c), wasm_f32x4_mul(d, wasm_f32x4_sub(LOAD(v + c), LOAD(mean + c)))));
      }
    }
    for (int c = 0; c < C; c++) {
      sumDy[c] += accDy[c];
      sumDyX[c] += accDyX[c];
    }
  }
  for (int c = 0; c < C; c++) {
    float s = 1.0f / __builtin_sqrtf(variance[c] + epsilon);
    dbeta[c] = (float)sumDy[c];
    dgamma[c] = (float)sumDyX[c] * s;
    k1[c] = gamma[c] * s;
    k2[c] = -gamma[c] * s * s * s * (float)(sumDyX[c] / P);
    k3[c] = -gamma[c] * s * (float)(sumDy[c] / P);
  }
  for (int p = 0; p < P; p++) {
    const float *g = dy + p * C, *v = x + p * C;
    float *out = dx + p * C;
    for (int c = 0; c < C; c += 4) {
      V r = wasm_f32x4_add(wasm_f32x4_mul(LOAD(k1 + c), LOAD(g + c)),
                           wasm_f32x4_mul(LOAD(k2 + c), wasm_f32x4_sub(LOAD(v + c), LOAD(mean + c))));
      STORE(out + c, wasm_f32x4_add(r, LOAD(k3 + c)));
    }
  }
}

EXPORT(batchnorm_backward)
void batchnorm_backward(const float *dy, const float *x, int P, int C, const float *gamma, const float *mean,
                        const float *variance, float epsilon, float *dx, float *dgamma, float *dbeta, double *scratch) {
  batchnorm_backward_masked(dy, 0, 0, 1.0f, 0, (float *)dy, x, P, C, gamma, mean, variance, epsilon, dx, dgamma, dbeta, scratch);
}
