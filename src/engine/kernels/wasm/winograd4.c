// 3×3 stride-1 convolutions by Winograd's F(4×4, 3×3) (Lavin & Gray 2016), for tfjs-backend-wasm
// (see conv.c for how these modules are built and run).
//
// Why: F(2×2, 3×3) (winograd.c) does 16 multiplies per 2×2 outputs per channel pair, 2.25× fewer
// than the direct product's 36; F(4×4, 3×3) does 36 per 4×4 outputs, 4× fewer. On 4-lane SIMD
// the multiplies are what a convolution costs, so this is the one lever left once the product
// runs near the core's ceiling. The price is larger transform constants (interpolation points
// 0, ±1, ±2 and ∞): float32 results differ from the exact ones by ~2.5e-6 of their largest
// magnitude, where F(2×2, 3×3) differs by ~3e-7 and the direct product by ~1e-7 (bench/KERNELS.md).
//
//   U = G·g·Gᵀ (filter, 6×6 per channel pair)   V = Bᵀ·d·B (6×6 input block)   Y = Aᵀ·[Σ_c U ⊙ V]·A
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//   G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
//
// The sum over channels is, for each of the 36 positions, a product [tiles × C]·[C × K] (conv.c's
// 4×8 register tile) on blocks of tiles whose transforms stay in the L2 cache. The input is read
// in place: tiles that reach past its edges (its zero padding) are first gathered into a small
// zero-filled block, so no padded copy of the activation is made.
//
// The filter gradient is the transposed algorithm, dW = Gᵀ·[Σ_tiles (A·dY·Aᵀ) ⊙ (Bᵀ·d·B)]·G for
// each 4×4 block of dy and the 6×6 input block under it, the sum over tiles taken per position.
#include "simd.h"
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define K4(v) MUL(v, wasm_f32x4_splat(4.0f))
#define K5(v) MUL(v, wasm_f32x4_splat(5.0f))
#define K2(v) ADD(v, v)
#define TILES4 16
#define GRAD_TILES4 32

void conv_grid(const float *A, int N, int GH, int GW, int aN, int aH, int aW,
               int TH, int TW, int tH, int tW, int C, const float *Bp, int KB,
               float *O, int oN, int oH, int oW, float *spare);
void winograd_accumulate(const float *v, int C, const float *e, int K, int count, float *m);

#define SPLAT(p) wasm_v128_load32_splat(p)

// m [rows][K] = v [rows][C] · U, U packed [K/8][C][8], rows a multiple of 4 (those past the tiles
// in use are computed on whatever the scratch holds, and ignored): 4 rows × 8 channels in
// registers. A function of its own, with few values live in its loop: inlined in the transforms'
// loop, V8 spilled its loop counter and pointers at every step.
__attribute__((noinline)) static void gemm_rows(const float *v, int rows, int C, const float *U, int K, float *m) {
  for (int t = 0; t < rows; t += 4) {
    const float *a = v + t * C;
    for (int k = 0; k < K; k += 8) {
      V c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const float *p0 = a, *p1 = a + C, *p2 = a + 2 * C, *p3 = a + 3 * C, *b = U + k * C;
      for (int c = C; c > 0; c--, p0++, p1++, p2++, p3++, b += 8) {
        V b0 = LOAD(b), b1 = LOAD(b + 4), s;
        s = SPLAT(p0); c00 = ADD(c00, MUL(s, b0)); c01 = ADD(c01, MUL(s, b1));
        s = SPLAT(p1); c10 = ADD(c10, MUL(s, b0)); c11 = ADD(c11, MUL(s, b1));
        s = SPLAT(p2); c20 = ADD(c20, MUL(s, b0)); c21 = ADD(c21, MUL(s, b1));
        s = SPLAT(p3); c30 = ADD(c30, MUL(s, b0)); c31 = ADD(c31, MUL(s, b1));
      }
      float *o = m + t * K + k;
      STORE(o, c00); STORE(o + 4, c01); STORE(o + K, c10); STORE(o + K + 4, c11);
      STORE(o + 2 * K, c20); STORE(o + 2 * K + 4, c21); STORE(o + 3 * K, c30); STORE(o + 3 * K + 4, c31);
    }
  }
}

// G applied to 3 values of 4 lanes (the filter transform's columns, then rows); multiplies by
// the reciprocals rather than dividing (a division costs ten multiplies, and the filter of every
// layer is transformed at every training step).
#define G6(g0, g1, g2, o)                                                                        \
  do {                                                                                           \
    V sum_ = ADD(g0, g2);                                                                        \
    o[0] = MUL(g0, wasm_f32x4_splat(0.25f));                                                     \
    o[1] = MUL(ADD(sum_, g1), wasm_f32x4_splat(-1.0f / 6));                                      \
    o[2] = MUL(SUB(sum_, g1), wasm_f32x4_splat(-1.0f / 6));                                      \
    V a_ = ADD(MUL(g0, wasm_f32x4_splat(1.0f / 24)), MUL(g2, wasm_f32x4_splat(1.0f / 6)));       \
    V b_ = MUL(g1, wasm_f32x4_splat(1.0f / 12));                                                 \
    o[3] = ADD(a_, b_);                                                                          \
    o[4] = SUB(a_, b_);                                                                          \
    o[5] = g2;                                                                                   \
  } while (0)

// U [36][K/8][C][8] from a 3×3 filter; transposed as winograd_filter (winograd.c). 4 output
// channels at a time. K a multiple of 8.
EXPORT(winograd4_filter)
void winograd4_filter(const float *W, int C, int K, int transposed, float *U) {
  for (int c = 0; c < C; c++) {
    for (int k = 0; k < K; k += 4) {
      V g[3][3];
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
          if (transposed) {
            const float *w = W + ((2 - a) * 3 + (2 - b)) * K * C + k * C + c;
            g[a][b] = wasm_f32x4_make(w[0], w[C], w[2 * C], w[3 * C]);
          } else {
            g[a][b] = LOAD(W + (a * 3 + b) * C * K + c * K + k);
          }
        }
      V t[6][3]; // G·g
      for (int b = 0; b < 3; b++) {
        V o[6];
        G6(g[0][b], g[1][b], g[2][b], o);
        for (int a = 0; a < 6; a++) t[a][b] = o[a];
      }
      float *u = U + ((k / 8) * C + c) * 8 + k % 8;
      for (int a = 0; a < 6; a++) { // (G·g)·Gᵀ
        V o[6];
        G6(t[a][0], t[a][1], t[a][2], o);
        for (int b = 0; b < 6; b++) STORE(u + (a * 6 + b) * K * C, o[b]);
      }
    }
  }
}

// Bᵀ applied to 6 values.
#define BT6(d0, d1, d2, d3, d4, d5, o)                          \
  do {                                                          \
    V a_ = SUB(d4, K4(d2)), b_ = SUB(d3, K4(d1));               \
    V c_ = SUB(d4, d2), e_ = K2(SUB(d3, d1));                   \
    o[0] = ADD(SUB(K4(d0), K5(d2)), d4);                        \
    o[1] = ADD(a_, b_);                                         \
    o[2] = SUB(a_, b_);                                         \
    o[3] = ADD(c_, e_);                                         \
    o[4] = SUB(c_, e_);                                         \
    o[5] = ADD(SUB(K4(d1), K5(d3)), d5);                        \
  } while (0)

// One 6×6 input block of 4 channels (rows rowStride apart, pixels C apart) → its 36 transformed
// values Bᵀ·d·B, stored `stride` apart.
static inline void input_transform6(const float *d, int rowStride, int C, float *v, int stride) {
  V t[6][6];
  for (int j = 0; j < 6; j++) {
    const float *p = d + j * C;
    V o[6];
    BT6(LOAD(p), LOAD(p + rowStride), LOAD(p + 2 * rowStride), LOAD(p + 3 * rowStride), LOAD(p + 4 * rowStride), LOAD(p + 5 * rowStride), o);
    for (int i = 0; i < 6; i++) t[i][j] = o[i];
  }
  for (int i = 0; i < 6; i++) {
    V o[6];
    BT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], o);
    for (int j = 0; j < 6; j++) STORE(v + (i * 6 + j) * stride, o[j]);
  }
}

// Aᵀ applied to 6 values.
#define AT6(m0, m1, m2, m3, m4, m5, o)                          \
  do {                                                          \
    V p_ = ADD(m1, m2), q_ = SUB(m1, m2), r_ = ADD(m3, m4), s_ = SUB(m3, m4); \
    o[0] = ADD(ADD(m0, p_), r_);                                \
    o[1] = ADD(q_, K2(s_));                                     \
    o[2] = ADD(p_, K4(r_));                                     \
    o[3] = ADD(ADD(q_, MUL(s_, wasm_f32x4_splat(8.0f))), m5);   \
  } while (0)

// 36 products of 4 channels (stride apart) → the 4×4 output block Aᵀ·m·A; writes the rows and
// columns inside the output (rows, cols: 1 to 4).
static inline void output_transform6(const float *m, int stride, float *y, int rowStride, int colStride, int rows, int cols) {
  V s[4][6];
  for (int j = 0; j < 6; j++) {
    V o[4];
    AT6(LOAD(m + j * stride), LOAD(m + (6 + j) * stride), LOAD(m + (12 + j) * stride), LOAD(m + (18 + j) * stride),
        LOAD(m + (24 + j) * stride), LOAD(m + (30 + j) * stride), o);
    for (int i = 0; i < 4; i++) s[i][j] = o[i];
  }
  for (int i = 0; i < rows; i++) {
    V o[4];
    AT6(s[i][0], s[i][1], s[i][2], s[i][3], s[i][4], s[i][5], o);
    float *r = y + i * rowStride;
    for (int j = 0; j < cols; j++) STORE(r + j * colStride, o[j]);
  }
}

// The 6×6 block of x [N][H][W][C] (zeros outside) whose top-left is at (h0, w0), C channels:
// where it lies inside x, its address and row stride; otherwise gathered into `tmp` (36·C floats).
static inline const float *input_block(const float *x, int n, int H, int W, int C, int h0, int w0, float *tmp, int *rowStride) {
  if (h0 >= 0 && w0 >= 0 && h0 + 6 <= H && w0 + 6 <= W) {
    *rowStride = W * C;
    return x + ((n * H + h0) * W + w0) * C;
  }
  for (int a = 0; a < 6; a++)
    for (int b = 0; b < 6; b++) {
      float *o = tmp + (a * 6 + b) * C;
      int h = h0 + a, w = w0 + b;
      if (h < 0 || h >= H || w < 0 || w >= W) __builtin_memset(o, 0, C * sizeof(float));
      else __builtin_memcpy(o, x + ((n * H + h) * W + w) * C, C * sizeof(float));
    }
  *rowStride = 6 * C;
  return tmp;
}

// Bit a·6 + b set when pixel (a, b) of a 6×6 block (rows rowStride apart) has a channel ≠ ±0.
static inline unsigned long long nonzero_pixels(const float *d, int rowStride, int C) {
  unsigned long long bits = 0;
  V magnitude = wasm_i32x4_splat(0x7fffffff);
  for (int a = 0; a < 6; a++)
    for (int b = 0; b < 6; b++) {
      const float *p = d + a * rowStride + b * C;
      V any = LOAD(p);
      for (int c = 4; c < C; c += 4) any = wasm_v128_or(any, LOAD(p + c));
      if (wasm_v128_any_true(wasm_v128_and(any, magnitude))) bits |= 1ull << (a * 6 + b);
    }
  return bits;
}

// y [N][OH][OW][K] = the 3×3 convolution of x [N][H][W][C] with `top` rows and `left` columns of
// zeros before it (and zeros after it as far as the windows reach): y[n][i][j] = Σ x[n][i + a −
// top][j + b − left]·g[a][b]. U from winograd4_filter. C a multiple of 4, K of 8.
// exactZeros: an output whose 3×3 window is all zeros is written as 0, as the direct product
// computes it (Winograd's rounding leaves ±1e-9 or so there, which would open a ReLU that follows
// with no bias, or a zero bias, at units the direct product keeps shut). Costs a test of every
// input pixel's channels (~3% of the convolution).
// Output (n, i, j) is written at y + n·yImage + i·yRow + j·yCol (a strided input gradient's phase
// writes every other row and column of dx). scratch: 36·(TILES4·(C + K) + 32) + 36·C + 32 floats.
EXPORT(winograd4_conv_into)
void winograd4_conv_into(const float *x, int N, int H, int W, int C, int top, int left, const float *U, int K,
                         float *y, int OH, int OW, int yImage, int yRow, int yCol, int exactZeros, float *scratch) {
  int TH = (OH + 3) / 4, TW = (OW + 3) / 4;
  int tiles = N * TH * TW;
  // The 36 positions' slices are a cache line more than a multiple of 4 KB apart (see winograd.c).
  int vStride = TILES4 * C + 16, mStride = TILES4 * K + 16;
  float *v = scratch;              // [36][vStride]: [TILES4][C] each
  float *m = v + 36 * vStride;     // [36][mStride]: [TILES4][K] each
  float *tmp = m + 36 * mStride;   // a gathered border block: 36·C
  unsigned zeroOutputs[TILES4];    // per tile, bit i·4 + j: output (i, j)'s window is all zeros
  for (int t0 = 0; t0 < tiles; t0 += TILES4) {
    int count = tiles - t0 < TILES4 ? tiles - t0 : TILES4;
    for (int t = 0; t < count; t++) {
      int tile = t0 + t, n = tile / (TH * TW), r = tile - n * TH * TW, ti = r / TW, tj = r - ti * TW;
      int rowStride;
      const float *d = input_block(x, n, H, W, C, 4 * ti - top, 4 * tj - left, tmp, &rowStride);
      for (int c = 0; c < C; c += 4) input_transform6(d + c, rowStride, C, v + t * C + c, vStride);
      zeroOutputs[t] = 0;
      if (exactZeros) {
        unsigned long long bits = nonzero_pixels(d, rowStride, C);
        if (bits != (1ull << 36) - 1)
          for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
              if ((bits & (0x71c7ull << (i * 6 + j))) == 0) zeroOutputs[t] |= 1u << (i * 4 + j); // 0x71c7: a 3×3 window of a 6-wide block
      }
    }
    // M[ξ] (count × K) = V[ξ] (count × C) · U[ξ] (C × K).
    for (int xi = 0; xi < 36; xi++) gemm_rows(v + xi * vStride, (count + 3) & ~3, C, U + xi * C * K, K, m + xi * mStride);
    for (int t = 0; t < count; t++) {
      int tile = t0 + t, n = tile / (TH * TW), r = tile - n * TH * TW, ti = r / TW, tj = r - ti * TW;
      float *out = y + n * yImage + 4 * ti * yRow + 4 * tj * yCol;
      int rows = OH - 4 * ti < 4 ? OH - 4 * ti : 4, cols = OW - 4 * tj < 4 ? OW - 4 * tj : 4;
      for (int k = 0; k < K; k += 4) output_transform6(m + t * K + k, mStride, out + k, yRow, yCol, rows, cols);
      for (unsigned z = zeroOutputs[t]; z; z &= z - 1) {
        int bit = __builtin_ctz(z), i = bit >> 2, j = bit & 3;
        if (i < rows && j < cols) __builtin_memset(out + i * yRow + j * yCol, 0, K * sizeof(float));
      }
    }
  }
}

// winograd4_conv_into writing y [N][OH][OW][K].
EXPORT(winograd4_conv)
void winograd4_conv(const float *x, int N, int H, int W, int C, int top, int left, const float *U, int K,
                    float *y, int OH, int OW, int exactZeros, float *scratch) {
  winograd4_conv_into(x, N, H, W, C, top, left, U, K, y, OH, OW, OH * OW * K, OW * K, K, exactZeros, scratch);
}

// The 3×3 filter of one phase of a strided convolution's input gradient (conv.c's pack_filter has
// the phases of the direct product): g[a][b][co][ci] = W[kh0 + s·(TH − 1 − a)][kw0 + s·(TW − 1 − b)][ci][co]
// for a < TH, b < TW (the taps of the phase, reversed), 0 beyond; W [KH][KW][CI][CO], g [3][3][CO][CI].
EXPORT(phase_filter)
void phase_filter(const float *W, int KW, int CI, int CO, int kh0, int kw0, int sh, int sw, int TH, int TW, float *g) {
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      float *o = g + (a * 3 + b) * CO * CI;
      if (a >= TH || b >= TW) {
        __builtin_memset(o, 0, CO * CI * sizeof(float));
        continue;
      }
      const float *tap = W + ((kh0 + sh * (TH - 1 - a)) * KW + kw0 + sw * (TW - 1 - b)) * CI * CO;
      for (int co = 0; co < CO; co++)
        for (int ci = 0; ci < CI; ci++) o[co * CI + ci] = tap[ci * CO + co];
    }
}

// One 4×4 block of dy (4 channels; rows/cols inside dy: 1 to 4, zeros beyond) → A·dY·Aᵀ (36
// values, `stride` apart), A = Aᵀ's transpose: (e0..e3) → (e0, Σe, e0 − e1 + e2 − e3, e0 + 2e1 +
// 4e2 + 8e3, e0 − 2e1 + 4e2 − 8e3, e3).
#define A6(e0, e1, e2, e3, o)                                   \
  do {                                                          \
    V p_ = ADD(e0, e2), q_ = ADD(e1, e3);                       \
    V r_ = ADD(e0, K4(e2)), s_ = K2(ADD(e1, K4(e3)));           \
    o[0] = e0;                                                  \
    o[1] = ADD(p_, q_);                                         \
    o[2] = SUB(p_, q_);                                         \
    o[3] = ADD(r_, s_);                                         \
    o[4] = SUB(r_, s_);                                         \
    o[5] = e3;                                                  \
  } while (0)

static inline void gradient_transform6(const float *dy, int rowStride, int K, int rows, int cols, float *e, int stride) {
  V zero = wasm_f32x4_splat(0);
  V d[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) d[i][j] = i < rows && j < cols ? LOAD(dy + i * rowStride + j * K) : zero;
  V t[6][4];
  for (int j = 0; j < 4; j++) {
    V o[6];
    A6(d[0][j], d[1][j], d[2][j], d[3][j], o);
    for (int i = 0; i < 6; i++) t[i][j] = o[i];
  }
  for (int i = 0; i < 6; i++) {
    V o[6];
    A6(t[i][0], t[i][1], t[i][2], t[i][3], o);
    for (int j = 0; j < 6; j++) STORE(e + (i * 6 + j) * stride, o[j]);
  }
}

// dW [3][3][C][K] (overwritten) of the 3×3 convolution of x [N][H][W][C] padded by top/left (as
// winograd4_conv) whose output gradient is dy [N][OH][OW][K]. C a multiple of 4, K of 8.
// scratch: 36·(GRAD_TILES4·(C + K) + C·K + 48) + 36·C floats.
EXPORT(winograd4_filter_grad)
void winograd4_filter_grad(const float *x, int N, int H, int W, int C, int top, int left, const float *dy, int K,
                           int OH, int OW, float *dw, float *scratch) {
  int TH = (OH + 3) / 4, TW = (OW + 3) / 4;
  int tiles = N * TH * TW;
  int vStride = GRAD_TILES4 * C + 16, eStride = GRAD_TILES4 * K + 16, mStride = C * K + 16;
  float *v = scratch;              // [36][vStride]: [GRAD_TILES4][C] each
  float *e = v + 36 * vStride;     // [36][eStride]: [GRAD_TILES4][K] each
  float *m = e + 36 * eStride;     // [36][mStride]: [C][K] each, the sums
  float *tmp = m + 36 * mStride;   // a gathered border block: 36·C
  __builtin_memset(m, 0, 36 * mStride * sizeof(float));
  for (int t0 = 0; t0 < tiles; t0 += GRAD_TILES4) {
    int count = tiles - t0 < GRAD_TILES4 ? tiles - t0 : GRAD_TILES4;
    for (int t = 0; t < count; t++) {
      int tile = t0 + t, n = tile / (TH * TW), r = tile - n * TH * TW, ti = r / TW, tj = r - ti * TW;
      int rowStride;
      const float *d = input_block(x, n, H, W, C, 4 * ti - top, 4 * tj - left, tmp, &rowStride);
      for (int c = 0; c < C; c += 4) input_transform6(d + c, rowStride, C, v + t * C + c, vStride);
      const float *g = dy + ((n * OH + 4 * ti) * OW + 4 * tj) * K;
      int rows = OH - 4 * ti < 4 ? OH - 4 * ti : 4, cols = OW - 4 * tj < 4 ? OW - 4 * tj : 4;
      for (int k = 0; k < K; k += 4) gradient_transform6(g + k, OW * K, K, rows, cols, e + t * K + k, eStride);
    }
    for (int xi = 0; xi < 36; xi++) winograd_accumulate(v + xi * vStride, C, e + xi * eStride, K, count, m + xi * mStride);
  }
  // dW[.][.][c][k] = Gᵀ·M·G: (m0..m5) → (m0/4 − (m1 + m2)/6 + (m3 + m4)/24, (m3 − m4)/12 − (m1 − m2)/6,
  // (m3 + m4 − m1 − m2)/6 + m5).
  V quarter = wasm_f32x4_splat(0.25f), sixth = wasm_f32x4_splat(1.0f / 6), twelfth = wasm_f32x4_splat(1.0f / 12), twentyfourth = wasm_f32x4_splat(1.0f / 24);
#define GT6(m0, m1, m2, m3, m4, m5, o)                                                            \
  do {                                                                                            \
    V p_ = ADD(m1, m2), q_ = SUB(m1, m2), r_ = ADD(m3, m4), s_ = SUB(m3, m4);                     \
    o[0] = ADD(SUB(MUL(m0, quarter), MUL(p_, sixth)), MUL(r_, twentyfourth));                     \
    o[1] = SUB(MUL(s_, twelfth), MUL(q_, sixth));                                                 \
    o[2] = ADD(MUL(SUB(r_, p_), sixth), m5);                                                      \
  } while (0)
  for (int i = 0; i < C * K; i += 4) {
    V s[3][6];
    for (int j = 0; j < 6; j++) {
      V o[3];
      GT6(LOAD(m + j * mStride + i), LOAD(m + (6 + j) * mStride + i), LOAD(m + (12 + j) * mStride + i),
          LOAD(m + (18 + j) * mStride + i), LOAD(m + (24 + j) * mStride + i), LOAD(m + (30 + j) * mStride + i), o);
      for (int a = 0; a < 3; a++) s[a][j] = o[a];
    }
    for (int a = 0; a < 3; a++) {
      V o[3];
      GT6(s[a][0], s[a][1], s[a][2], s[a][3], s[a][4], s[a][5], o);
      for (int b = 0; b < 3; b++) STORE(dw + (a * 3 + b) * C * K + i, o[b]);
    }
  }
#undef GT6
}
