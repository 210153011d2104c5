// The machine's ceiling for 4-lane wasm SIMD: multiply-adds with no memory traffic and enough
// independent accumulators to cover the latency. bench/convKernels.ts builds this with clang and
// reports GFLOP/s (2 per lane per multiply-add) beside what each kernel reaches.
#include <wasm_simd128.h>

__attribute__((export_name("peak")))
float peak(int n, float fx, float fy) {
  v128_t a[12];
  for (int j = 0; j < 12; j++) a[j] = wasm_f32x4_splat((float)j);
  v128_t x = wasm_f32x4_splat(fx), y = wasm_f32x4_splat(fy);
  for (int i = 0; i < n; i++) {
#pragma unroll
    for (int j = 0; j < 12; j++) a[j] = wasm_f32x4_add(a[j], wasm_f32x4_mul(x, y));
    x = wasm_f32x4_mul(x, y);
  }
  v128_t s = a[0];
  for (int j = 1; j < 12; j++) s = wasm_f32x4_add(s, a[j]);
  return wasm_f32x4_extract_lane(s, 0);
}
