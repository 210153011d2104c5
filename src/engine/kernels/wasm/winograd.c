// 3×3 stride-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016,
// "Fast Algorithms for Convolutional Neural Networks"), for tfjs-backend-wasm (see conv.c for
// how these modules are built and run).
//
// Why: two thirds of the default CNN's multiply-adds are in its 3×3 convolutions, and the direct
// product (conv.c) already runs near the SIMD ceiling. Winograd computes each 2×2 block of output
// from a 4×4 block of input with 16 multiplies per channel pair instead of 36 (2.25× fewer); the
// transforms around them are additions. The forward pass and the input gradient (a 3×3
// convolution of dy with the filter reversed) both use it. Its transforms have entries 0, ±1 and
// ±½ only, so float32 rounding stays close to the direct product's (tests compare both with the
// cpu backend).
//
//   U = G·g·Gᵀ (filter, 4×4 per channel pair)   V = Bᵀ·d·B (input block)   Y = Aᵀ·[Σ_c U ⊙ V]·A
//   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// The sum over channels is, for each of the 16 positions, a product [tiles × C]·[C × K]: done by
// conv.c's 4×8 register tile, on blocks of 16 tiles whose transformed input and products stay in
// the L1/L2 caches.
//
// The filter gradient is the same algorithm transposed (F(3×3, 2×2)): each 2×2 block of dy and
// the 4×4 block of input under it give the 3×3 filter gradient block
//   dW = Gᵀ·[Σ_tiles (A·dY·Aᵀ) ⊙ (Bᵀ·d·B)]·G,
// where the sum over all tiles of all images is, per position, a product [C × tiles]·[tiles × K]
// (4 × 8 register tiles, as conv.c's filter gradient), and the final transform is done once.
#include "simd.h"
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define SPLAT(p) wasm_v128_load32_splat(p)
#define MADD(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#define TILES 16

void conv_grid(const float *A, int N, int GH, int GW, int aN, int aH, int aW,
               int TH, int TW, int tH, int tW, int C, const float *Bp, int KB,
               float *O, int oN, int oH, int oW, float *spare);


// U [16][K/8][C][8] from a 3×3 filter. transposed = 0: g = W[.][.][c][k] with W [3][3][C][K];
// transposed = 1: the input gradient's filter, reversed and with its channel axes swapped,
// g[a][b] = W[2 − a][2 − b][k][c] with W [3][3][K][C] (C, K: this convolution's in/out channels).
EXPORT(winograd_filter)
void winograd_filter(const float *W, int C, int K, int transposed, float *U) {
  for (int c = 0; c < C; c++) {
    for (int k = 0; k < K; k++) {
      float g[3][3];
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          g[a][b] = transposed ? W[((2 - a) * 3 + (2 - b)) * K * C + k * C + c] : W[(a * 3 + b) * C * K + c * K + k];
      float t[4][3]; // G·g
      for (int b = 0; b < 3; b++) {
        t[0][b] = g[0][b];
        t[1][b] = 0.5f * (g[0][b] + g[1][b] + g[2][b]);
        t[2][b] = 0.5f * (g[0][b] - g[1][b] + g[2][b]);
        t[3][b] = g[2][b];
      }
      for (int a = 0; a < 4; a++) { // (G·g)·Gᵀ
        float u[4] = {t[a][0], 0.5f * (t[a][0] + t[a][1] + t[a][2]), 0.5f * (t[a][0] - t[a][1] + t[a][2]), t[a][2]};
        for (int b = 0; b < 4; b++) U[(((a * 4 + b) * (K / 8) + k / 8) * C + c) * 8 + k % 8] = u[b];
      }
    }
  }
}

// One 4×4 input block of 4 channels → its 16 transformed values, Bᵀ·d·B, stored 'stride' apart.
static inline void input_transform(const float *d, int rowStride, int C, float *v, int stride) {
  V t[4][4];
  for (int i = 0; i < 4; i++) {
    const float *r = d + i * rowStride;
    V r0 = LOAD(r), r1 = LOAD(r + C), r2 = LOAD(r + 2 * C), r3 = LOAD(r + 3 * C);
    t[i][0] = SUB(r0, r2);
    t[i][1] = ADD(r1, r2);
    t[i][2] = SUB(r2, r1);
    t[i][3] = SUB(r1, r3);
  }
  for (int j = 0; j < 4; j++) {
    STORE(v + (0 * 4 + j) * stride, SUB(t[0][j], t[2][j]));
    STORE(v + (1 * 4 + j) * stride, ADD(t[1][j], t[2][j]));
    STORE(v + (2 * 4 + j) * stride, SUB(t[2][j], t[1][j]));
    STORE(v + (3 * 4 + j) * stride, SUB(t[1][j], t[3][j]));
  }
}

// 16 products of 4 channels (stride apart) → the 2×2 output block, Aᵀ·m·A; writes the rows and
// columns that lie inside the output (rows, cols: 1 or 2).
static inline void output_transform(const float *m, int stride, float *y, int rowStride, int K, int rows, int cols) {
  V s0[4], s1[4];
  for (int i = 0; i < 4; i++) {
    V m0 = LOAD(m + (i * 4 + 0) * stride), m1 = LOAD(m + (i * 4 + 1) * stride);
    V m2 = LOAD(m + (i * 4 + 2) * stride), m3 = LOAD(m + (i * 4 + 3) * stride);
    s0[i] = ADD(ADD(m0, m1), m2);
    s1[i] = SUB(SUB(m1, m2), m3);
  }
  STORE(y, ADD(ADD(s0[0], s0[1]), s0[2]));
  if (cols > 1) STORE(y + K, ADD(ADD(s1[0], s1[1]), s1[2]));
  if (rows > 1) {
    STORE(y + rowStride, SUB(SUB(s0[1], s0[2]), s0[3]));
    if (cols > 1) STORE(y + rowStride + K, SUB(SUB(s1[1], s1[2]), s1[3]));
  }
}

// y [N][OH][OW][K] = the valid 3×3 convolution of xp [N][Hp][Wp][C], with Hp ≥ 2·⌈OH/2⌉ + 2 and
// Wp ≥ 2·⌈OW/2⌉ + 2 (zeros beyond the input), U from winograd_filter. C and K multiples of 8.
// scratch: 16·(TILES·(C + K) + 32) + 32 floats.
EXPORT(winograd_conv)
void winograd_conv(const float *xp, int N, int Hp, int Wp, int C, const float *U, int K,
                   float *y, int OH, int OW, float *scratch) {
  int TH = (OH + 1) / 2, TW = (OW + 1) / 2;
  int tiles = N * TH * TW;
  // The 16 positions' slices are a cache line more than a power of two apart, so that the 16
  // stores of one transform do not all land in the same cache set.
  int vStride = TILES * C + 16, mStride = TILES * K + 16;
  float *v = scratch;                  // [16][vStride]: [TILES][C] each
  float *m = v + 16 * vStride;         // [16][mStride]: [TILES][K] each
  float *spare = m + 16 * mStride;     // 32 floats
  for (int t0 = 0; t0 < tiles; t0 += TILES) {
    int count = tiles - t0 < TILES ? tiles - t0 : TILES;
    for (int t = 0; t < count; t++) {
      int tile = t0 + t, n = tile / (TH * TW), r = tile - n * TH * TW, ti = r / TW, tj = r - ti * TW;
      const float *d = xp + ((n * Hp + 2 * ti) * Wp + 2 * tj) * C;
      for (int c = 0; c < C; c += 4) input_transform(d + c, Wp * C, C, v + t * C + c, vStride);
    }
    for (int xi = 0; xi < 16; xi++) {
      // M[ξ] (count × K) = V[ξ] (count × C) · U[ξ] (C × K), 4 tiles × 8 channels at a time.
      conv_grid(v + xi * vStride, 1, 1, count, 0, 0, C, 1, 1, 0, 0, C, U + xi * C * K, K / 8,
                m + xi * mStride, 0, 0, K, spare);
    }
    for (int t = 0; t < count; t++) {
      int tile = t0 + t, n = tile / (TH * TW), r = tile - n * TH * TW, ti = r / TW, tj = r - ti * TW;
      float *out = y + ((n * OH + 2 * ti) * OW + 2 * tj) * K;
      int rows = OH - 2 * ti < 2 ? 1 : 2, cols = OW - 2 * tj < 2 ? 1 : 2;
      for (int k = 0; k < K; k += 4) output_transform(m + t * K + k, mStride, out + k, OW * K, K, rows, cols);
    }
  }
}

// One 2×2 block of dy (4 channels; rows/cols inside dy: 1 or 2, zeros beyond) → A·dY·Aᵀ (16
// values, 'stride' apart), with A = [1 0; 1 1; 1 −1; 0 −1].
static inline void gradient_transform(const float *dy, int rowStride, int K, int rows, int cols, float *e, int stride) {
  V zero = wasm_f32x4_splat(0);
  V d00 = LOAD(dy), d01 = cols > 1 ? LOAD(dy + K) : zero;
  V d10 = rows > 1 ? LOAD(dy + rowStride) : zero, d11 = rows > 1 && cols > 1 ? LOAD(dy + rowStride + K) : zero;
  V r[4][2] = {{d00, d01}, {ADD(d00, d10), ADD(d01, d11)}, {SUB(d00, d10), SUB(d01, d11)}, {SUB(zero, d10), SUB(zero, d11)}};
  for (int p = 0; p < 4; p++) {
    STORE(e + (p * 4 + 0) * stride, r[p][0]);
    STORE(e + (p * 4 + 1) * stride, ADD(r[p][0], r[p][1]));
    STORE(e + (p * 4 + 2) * stride, SUB(r[p][0], r[p][1]));
    STORE(e + (p * 4 + 3) * stride, SUB(zero, r[p][1]));
  }
}

#ifndef GRAD_TILES
#define GRAD_TILES 64
#endif

// m [C][K] += vᵀ·e for v [count][C], e [count][K]: 4 rows of m × 8 columns in registers (also
// winograd4.c's).
void winograd_accumulate(const float *v, int C, const float *e, int K, int count, float *m) {
  for (int c = 0; c < C; c += 4) {
    for (int k = 0; k < K; k += 8) {
      float *w0 = m + c * K + k, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
      V c00 = LOAD(w0), c01 = LOAD(w0 + 4), c10 = LOAD(w1), c11 = LOAD(w1 + 4);
      V c20 = LOAD(w2), c21 = LOAD(w2 + 4), c30 = LOAD(w3), c31 = LOAD(w3 + 4);
      const float *a = v + c, *d = e + k;
      for (int t = 0; t < count; t++, a += C, d += K) {
        V b0 = LOAD(d), b1 = LOAD(d + 4), s;
        s = SPLAT(a); MADD(c00, s, b0); MADD(c01, s, b1);
        s = SPLAT(a + 1); MADD(c10, s, b0); MADD(c11, s, b1);
        s = SPLAT(a + 2); MADD(c20, s, b0); MADD(c21, s, b1);
        s = SPLAT(a + 3); MADD(c30, s, b0); MADD(c31, s, b1);
      }
      STORE(w0, c00); STORE(w0 + 4, c01); STORE(w1, c10); STORE(w1 + 4, c11);
      STORE(w2, c20); STORE(w2 + 4, c21); STORE(w3, c30); STORE(w3 + 4, c31);
    }
  }
}

// dW [3][3][C][K] (overwritten) of the valid 3×3 convolution of xp [N][Hp][Wp][C] whose output
// gradient is dy [N][OH][OW][K], with Hp ≥ 2·⌈OH/2⌉ + 2, Wp ≥ 2·⌈OW/2⌉ + 2 (zeros beyond the
// input). C a multiple of 4, K of 8. scratch: 16·(GRAD_TILES·(C + K) + C·K + 48) floats.
EXPORT(winograd_filter_grad)
void winograd_filter_grad(const float *xp, int N, int Hp, int Wp, int C, const float *dy, int K,
                          int OH, int OW, float *dw, float *scratch) {
  int TH = (OH + 1) / 2, TW = (OW + 1) / 2;
  int tiles = N * TH * TW;
  int vStride = GRAD_TILES * C + 16, eStride = GRAD_TILES * K + 16, mStride = C * K + 16; // see winograd_conv
  float *v = scratch;                // [16][vStride]: [GRAD_TILES][C] each
  float *e = v + 16 * vStride;       // [16][eStride]: [GRAD_TILES][K] each
  float *m = e + 16 * eStride;       // [16][mStride]: [C][K] each, the sums
  __builtin_memset(m, 0, 16 * mStride * sizeof(float));
  for (int t0 = 0; t0 < tiles; t0 += GRAD_TILES) {
    int count = tiles - t0 < GRAD_TILES ? tiles - t0 : GRAD_TILES;
    for (int t = 0; t < count; t++) {
      int tile = t0 + t, n = tile / (TH * TW), r = tile - n * TH * TW, ti = r / TW, tj = r - ti * TW;
      const float *d = xp + ((n * Hp + 2 * ti) * Wp + 2 * tj) * C;
      for (int c = 0; c < C; c += 4) input_transform(d + c, Wp * C, C, v + t * C + c, vStride);
      const float *g = dy + ((n * OH + 2 * ti) * OW + 2 * tj) * K;
      int rows = OH - 2 * ti < 2 ? 1 : 2, cols = OW - 2 * tj < 2 ? 1 : 2;
      for (int k = 0; k < K; k += 4) gradient_transform(g + k, OW * K, K, rows, cols, e + t * K + k, eStride);
    }
    for (int xi = 0; xi < 16; xi++) {
      // M[ξ] (C × K) += V[ξ]ᵀ (C × count) · E[ξ] (count × K)
      winograd_accumulate(v + xi * vStride, C, e + xi * eStride, K, count, m + xi * mStride);
    }
  }
  // dW[.][.][c][k] = Gᵀ·M·G, Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
  V half = wasm_f32x4_splat(0.5f);
  for (int i = 0; i < C * K; i += 4) {
    V q[4][4], s[3][4];
    for (int xi = 0; xi < 16; xi++) q[xi / 4][xi % 4] = LOAD(m + xi * mStride + i);
    for (int b = 0; b < 4; b++) {
      V h = wasm_f32x4_mul(half, ADD(q[1][b], q[2][b]));
      s[0][b] = ADD(q[0][b], h);
      s[1][b] = wasm_f32x4_mul(half, SUB(q[1][b], q[2][b]));
      s[2][b] = ADD(h, q[3][b]);
    }
    for (int a = 0; a < 3; a++) {
      V h = wasm_f32x4_mul(half, ADD(s[a][1], s[a][2]));
      STORE(dw + (a * 3 + 0) * C * K + i, ADD(s[a][0], h));
      STORE(dw + (a * 3 + 1) * C * K + i, wasm_f32x4_mul(half, SUB(s[a][1], s[a][2])));
      STORE(dw + (a * 3 + 2) * C * K + i, ADD(h, s[a][3]));
    }
  }
}
