// Sums over the leading axes of a tensor (batch norm's and a bias's gradient reduce [N,H,W,C] to
// [C]), for tfjs-backend-wasm (see conv.c for how these modules are built and run). Why: the
// JavaScript pass of kernels/reduceLeading.ts took 3–4 ms of the seed CNN's step. This is the same
// arithmetic — float64 sums, four rows at a time as (r0 + r1) + (r2 + r3) — so the same result.
#include "simd.h"


// out[c] = (float)(scale · Σ_r x[r·columns + c]); sums: `columns` doubles of scratch (8-aligned).
EXPORT(leading_sums)
void leading_sums(const float *x, int rows, int columns, double scale, double *sums, float *out) {
  __builtin_memset(sums, 0, columns * sizeof(double));
  int r = 0;
  for (; r + 4 <= rows; r += 4, x += 4 * columns) {
    int c = 0;
    for (; c + 4 <= columns; c += 4) {
      V a = wasm_v128_load(x + c), b = wasm_v128_load(x + columns + c);
      V d = wasm_v128_load(x + 2 * columns + c), e = wasm_v128_load(x + 3 * columns + c);
      V lo = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(a), wasm_f64x2_promote_low_f32x4(b)),
                            wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(d), wasm_f64x2_promote_low_f32x4(e)));
      V hi = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(a, a, 1, 0)), wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(b, b, 1, 0))),
                            wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(d, d, 1, 0)), wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(e, e, 1, 0))));
      wasm_v128_store(sums + c, wasm_f64x2_add(wasm_v128_load(sums + c), lo));
      wasm_v128_store(sums + c + 2, wasm_f64x2_add(wasm_v128_load(sums + c + 2), hi));
    }
    for (; c < columns; c++)
      sums[c] += ((double)x[c] + (double)x[columns + c]) + ((double)x[2 * columns + c] + (double)x[3 * columns + c]);
  }
  for (; r < rows; r++, x += columns)
    for (int c = 0; c < columns; c++) sums[c] += x[c];
  for (int c = 0; c < columns; c++) out[c] = (float)(sums[c] * scale);
}
