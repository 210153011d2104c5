// The element-wise layers between two convolutions (or dense layers) of a training step, in one
// pass each way, for the fused training step (src/engine/kernels/fused/; see conv.c for how these
// modules are built and run).
//
// Why: run by TF.js, a conv–batch norm–ReLU–dropout block of the `default` CNN is five kernels
// forward (bias, batch norm, ReLU, dropout's mask, its product) and as many backward, each
// streaming the whole activation through memory, and each an allocation and a tape record. Here
// the forward pass reads the convolution's output for the statistics and once more to write the
// block's output; the backward pass masks the incoming gradient in place and runs batch norm's
// gradient. The arithmetic is TF.js's, operation for operation (batchnorm.c's statistics and
// gradient, max(x, 0), dropout's floor(u + keep)/keep from the same Alea state), so the fused
// step computes the same numbers as the layers it replaces.
//
// Layout: [P][C] (P pixels, C channels innermost, C a multiple of 4); per-channel vectors [C].
#include "simd.h"
#include "alea.h"

void batchnorm_statistics(const float *x, int P, int C, const float *gamma, const float *beta, float epsilon,
                          float *mean, float *variance, float *scale, float *offset, double *scratch);
void batchnorm_backward_masked(const float *dyIn, const float *y, int relu, float invKeep, const float *mask,
                               float *dy, const float *x, int P, int C, const float *gamma, const float *mean,
                               const float *variance, float epsilon, float *dx, float *dgamma, float *dbeta, double *scratch);

// y = dropout(relu(batchnorm(z + bias))), each part optional: bias 0 for none (else added to z in
// place, z then holding the layer's output before batch norm); gamma 0 for no batch norm (else
// beta, mean and variance too, the batch's statistics written to mean and variance); relu 0/1;
// keep 0 for no dropout (else its mask drawn from Alea state (s0, s1, s2, c), and its multipliers
// written to mask unless mask is 0). y may be z when there is no batch norm.
// scratch: 3·C floats and C doubles (8-byte aligned, first).
EXPORT(chain_forward)
void chain_forward(float *z, int P, int C, const float *bias, const float *gamma, const float *beta, float epsilon,
                   int relu, double s0, double s1, double s2, double c, float keep, float *mask,
                   float *y, float *mean, float *variance, double *scratch) {
  if (bias)
    for (int p = 0; p < P; p++)
      for (int k = 0; k < C; k += 4) STORE(z + p * C + k, wasm_f32x4_add(LOAD(z + p * C + k), LOAD(bias + k)));
  float *scale = (float *)(scratch + C) + C, *offset = scale + C;
  if (gamma) batchnorm_statistics(z, P, C, gamma, beta, epsilon, mean, variance, scale, offset, scratch);
  if (gamma || relu) {
    V zero = wasm_f32x4_splat(0);
    for (int p = 0; p < P; p++) {
      const float *in = z + p * C;
      float *out = y + p * C;
      for (int k = 0; k < C; k += 4) {
        V v = LOAD(in + k);
        if (gamma) v = wasm_f32x4_add(wasm_f32x4_mul(v, LOAD(scale + k)), LOAD(offset + k));
        if (relu) v = wasm_f32x4_max(v, zero);
        STORE(out + k, v);
      }
    }
  } else if (y != z) {
    __builtin_memcpy(y, z, (unsigned long)P * C * sizeof(float));
  }
  if (keep > 0) {
    Alea a = {s0, s1, s2, c};
    int n = P * C;
    for (int i = 0; i < n; i++) {
      float m = __builtin_floorf((float)alea_next(&a) + keep) / keep;
      y[i] *= m;
      if (mask) mask[i] = m;
    }
  }
}

// The gradient of chain_forward: dyIn (the gradient of y) is masked into dy (which may be dyIn)
// — by ReLU (y > 0, which after dropout also says the unit was kept: multiplied by invKeep =
// 1/keep, or 1 without dropout) or, with dropout and no ReLU, by the stored multipliers — and
// then, with batch norm, turned into the gradient of z (dz, which may be dy) with dgamma and
// dbeta. Without batch norm the masked dy is the gradient of z.
// scratch: batchnorm_backward's (5·C floats and 2·C doubles).
EXPORT(chain_backward)
void chain_backward(const float *dyIn, float *dy, const float *y, const float *z, int P, int C, int relu, float invKeep,
                    const float *mask, const float *gamma, const float *mean, const float *variance, float epsilon,
                    float *dz, float *dgamma, float *dbeta, double *scratch) {
  if (gamma) {
    // Masked as it is summed (batchnorm.c), one pass fewer over the block's output.
    batchnorm_backward_masked(dyIn, y, relu, invKeep, mask, dy, z, P, C, gamma, mean, variance, epsilon, dz, dgamma, dbeta, scratch);
    return;
  }
  int n = P * C;
  if (relu) {
    V zero = wasm_f32x4_splat(0), factor = wasm_f32x4_splat(invKeep);
    for (int i = 0; i < n; i += 4) {
      V g = wasm_f32x4_mul(LOAD(dyIn + i), factor);
      STORE(dy + i, wasm_v128_and(g, wasm_f32x4_gt(LOAD(y + i), zero)));
    }
  } else if (mask) {
    for (int i = 0; i < n; i += 4) STORE(dy + i, wasm_f32x4_mul(LOAD(dyIn + i), LOAD(mask + i)));
  } else if (dy != dyIn) {
    __builtin_memcpy(dy, dyIn, (unsigned long)n * sizeof(float));
  }
}
