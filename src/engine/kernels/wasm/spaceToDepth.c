// Rearrangements that turn a stride-2 convolution into a stride-1 one, for tfjs-backend-wasm (see
// conv.c for how these modules are built and run). Why: the default CNN's 5×5 stride-2 layers
// are a third of its multiply-adds and Winograd's F(2×2, 3×3) (winograd.c) needs stride 1. With
// each 2×2 block of the input as one pixel of 4·C channels ("space to depth"), a 5×5 stride-2
// convolution is a 3×3 stride-1 one whose filter is the 5×5 filter zero-padded to 6×6 and cut in
// 2×2 blocks: 36 taps instead of 25, but at 16 multiplies per 2×2 outputs instead of 36.
#include "simd.h"

// out [N][Hs][Ws][4C]: out[n][i][j][(py·2 + px)·C + c] = x[n][2i + py − top][2j + px − left][c], 0 outside x.
EXPORT(space_to_depth)
void space_to_depth(const float *x, int N, int H, int W, int C, int top, int left, int Hs, int Ws, float *out) {
  for (int n = 0; n < N; n++)
    for (int i = 0; i < Hs; i++)
      for (int j = 0; j < Ws; j++)
        for (int py = 0; py < 2; py++)
          for (int px = 0; px < 2; px++) {
            float *o = out + (((n * Hs + i) * Ws + j) * 4 + py * 2 + px) * C;
            int h = 2 * i + py - top, w = 2 * j + px - left;
            if (h < 0 || h >= H || w < 0 || w >= W) __builtin_memset(o, 0, C * sizeof(float));
            else __builtin_memcpy(o, x + ((n * H + h) * W + w) * C, C * sizeof(float));
          }
}

// The inverse for a gradient: out [N][H][W][C] = the pixels of in [N][Hs][Ws][4C] that lie
// inside x; zeros for any of x's pixels beyond in (rows no window reads).
EXPORT(depth_to_space)
void depth_to_space(const float *in, int N, int Hs, int Ws, int C, int top, int left, int H, int W, float *out) {
  for (int n = 0; n < N; n++)
    for (int h = 0; h < H; h++)
      for (int w = 0; w < W; w++) {
        int i = (h + top) >> 1, py = (h + top) & 1, j = (w + left) >> 1, px = (w + left) & 1;
        float *o = out + ((n * H + h) * W + w) * C;
        if (i >= Hs || j >= Ws) __builtin_memset(o, 0, C * sizeof(float));
        else __builtin_memcpy(o, in + (((n * Hs + i) * Ws + j) * 4 + py * 2 + px) * C, C * sizeof(float));
      }
}

// The filter of the stride-1 convolution: blocks [TH][TW][4C][K] from W [KH][KW][C][K]
// (toBlocks = 1), or back for a gradient (toBlocks = 0: W from blocks, the padded taps dropped).
EXPORT(filter_blocks)
void filter_blocks(float *W, int KH, int KW, int C, int K, int TH, int TW, float *blocks, int toBlocks) {
  for (int a = 0; a < TH; a++)
    for (int b = 0; b < TW; b++)
      for (int py = 0; py < 2; py++)
        for (int px = 0; px < 2; px++) {
          float *block = blocks + (((a * TW + b) * 4 + py * 2 + px) * C) * K;
          int kh = 2 * a + py, kw = 2 * b + px;
          int inside = kh < KH && kw < KW;
          float *tap = W + (kh * KW + kw) * C * K;
          if (toBlocks) {
            if (inside) __builtin_memcpy(block, tap, C * K * sizeof(float));
            else __builtin_memset(block, 0, C * K * sizeof(float));
          } else if (inside) {
            __builtin_memcpy(tap, block, C * K * sizeof(float));
          }
        }
}
