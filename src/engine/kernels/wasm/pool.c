// Max pooling's gradient, for tfjs-backend-wasm (see conv.c for how these modules are built and
// run). Why: the stock wasm MaxPoolGrad routes dy to the last maximum of a window (TF routes it to
// the first) and loses windows whose maximum is ≤ 0 near 'same' padding; the JS replacement we
// had (kernels/maxPoolGrad.ts) took 20 ms of the seed CNN's 131 ms step. This is the cpu
// backend's algorithm — dy goes to the first maximum of each window in row-major order, NaN never
// wins, overlapping windows add up — with the channels compared 4 at a time.
#include "simd.h"


// x [B][H][W][C], dy and the windows [B][OH][OW][C] → dx [B][H][W][C]. scratch: 2·C floats.
EXPORT(maxpool_grad)
void maxpool_grad(const float *x, const float *dy, int B, int H, int W, int C, int OH, int OW,
                  int fh, int fw, int sh, int sw, int dh, int dw, int top, int left, float *dx, float *scratch) {
  __builtin_memset(dx, 0, (long)B * H * W * C * sizeof(float));
  float *best = scratch;
  int *where = (int *)(scratch + C);
  for (int b = 0; b < B; b++) {
    const float *xb = x + b * H * W * C;
    float *dxb = dx + b * H * W * C;
    for (int oy = 0; oy < OH; oy++) {
      for (int ox = 0; ox < OW; ox++) {
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          V bestV = wasm_f32x4_splat(-__builtin_inff());
          V whereV = wasm_i32x4_splat(-1);
          for (int wy = 0; wy < fh; wy += dh) {
            int iy = oy * sh - top + wy;
            if (iy < 0 || iy >= H) continue;
            for (int wx = 0; wx < fw; wx += dw) {
              int ix = ox * sw - left + wx;
              if (ix < 0 || ix >= W) continue;
              int at = (iy * W + ix) * C + c;
              V v = wasm_v128_load(xb + at);
              V greater = wasm_f32x4_gt(v, bestV); // false for NaN: the first maximum stays
              bestV = wasm_v128_bitselect(v, bestV, greater);
              whereV = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(at), wasm_i32x4_make(0, 1, 2, 3)), whereV, greater);
            }
          }
          const float *g = dy + ((b * OH + oy) * OW + ox) * C + c;
          int w0 = wasm_i32x4_extract_lane(whereV, 0), w1 = wasm_i32x4_extract_lane(whereV, 1);
          int w2 = wasm_i32x4_extract_lane(whereV, 2), w3 = wasm_i32x4_extract_lane(whereV, 3);
          if (w0 >= 0) dxb[w0] += g[0];
          if (w1 >= 0) dxb[w1] += g[1];
          if (w2 >= 0) dxb[w2] += g[2];
          if (w3 >= 0) dxb[w3] += g[3];
        }
        for (; c < C; c++) {
          best[c] = -__builtin_inff();
          where[c] = -1;
          for (int wy = 0; wy < fh; wy += dh) {
            int iy = oy * sh - top + wy;
            if (iy < 0 || iy >= H) continue;
            for (int wx = 0; wx < fw; wx += dw) {
              int ix = ox * sw - left + wx;
              if (ix < 0 || ix >= W) continue;
              int at = (iy * W + ix) * C + c;
              if (xb[at] > best[c]) best[c] = xb[at], where[c] = at;
            }
          }
          if (where[c] >= 0) dxb[where[c]] += dy[((b * OH + oy) * OW + ox) * C + c];
        }
      }
    }
  }
}
