// Dropout's mask, for tfjs-backend-wasm (see conv.c for how these modules are built and run).
// Why: tf.dropout draws its uniform numbers one by one in JavaScript (seedrandom's Alea) and then
// runs three element-wise ops on them; for the seed CNN's 590,000 dropped activations per thread
// that took ~15 ms of each step. This draws the same Alea sequence from the same state and makes
// the same multiplier floor(u + keep)/keep in float32, so the masks are identical to the bit.
#include "alea.h"
#include "simd.h"

// out[i] = floor(f32(u_i) + keep) / keep with u_i the next values of Alea from (s0, s1, s2, c).
EXPORT(dropout_multiplier)
void dropout_multiplier(double s0, double s1, double s2, double c, int n, float keep, float *out) {
  Alea a = {s0, s1, s2, c};
  for (int i = 0; i < n; i++) {
    float u = (float)alea_next(&a);
    out[i] = __builtin_floorf(u + keep) / keep;
  }
}
