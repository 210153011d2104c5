// Convolution kernels for training on tfjs-backend-wasm, compiled by scripts/buildKernels.js
// (Debian's clang, --target=wasm32 -msimd128) into kernels.wasm, which imports the backend's own
// memory so that it reads and writes tensors where they are (src/engine/kernels/ownKernels.ts).
//
// Why they exist: XNNPACK (the backend's convolution library) has no gradient kernels; built from
// its forward convolution and transposes, the filter gradient streamed a 73,728-long reduction
// from memory and the strided input gradient ran 5× slower than the forward pass. Here all three
// (forward, input gradient, filter gradient) are one register-blocked product of 4 pixels × 8
// channels that reads NHWC tensors in place: 8 accumulators, 2 filter vectors and 1 broadcast
// stay in the 16 SIMD registers, and each multiply-add reuses loaded data 4 or 8 times.
//
// Layout: NHWC tensors, HWIO filters, float32. Padding is applied by copying into a zeroed,
// larger buffer (pad_nhwc) so that the inner loops have no bounds checks. Every function uses
// no stack memory and no static data: the module owns none of the memory it runs in.
#include "simd.h"
#define SPLAT(p) wasm_v128_load32_splat(p)
#define ZERO wasm_f32x4_splat(0.0f)
// Multiply, then add (two roundings), as XNNPACK's wasm kernels and the cpu backend do.
#define MADD(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))

// out[r][0..8) = Σ_{th<TH, tw<TW, c<C} a_r[th·tH + tw·tW + c] · B[((th·TW + tw)·C + c)·8 + 0..8)
// for the 4 pixels r whose inputs start at a0..a3.
static inline void tile4x8(const float *a0, const float *a1, const float *a2, const float *a3,
                           int TH, int TW, int tH, int tW, int C, const float *B,
                           float *o0, float *o1, float *o2, float *o3) {
  V c00 = ZERO, c01 = ZERO, c10 = ZERO, c11 = ZERO, c20 = ZERO, c21 = ZERO, c30 = ZERO, c31 = ZERO;
  if (C == 1) {
    // One input channel (a first layer): one loop over the taps, the offset stepped, no channel loop.
    for (int th = 0, off = 0; th < TH; th++, off += tH - TW * tW) {
      for (int tw = 0; tw < TW; tw++, off += tW, B += 8) {
        V b0 = LOAD(B), b1 = LOAD(B + 4), s;
        s = SPLAT(a0 + off); MADD(c00, s, b0); MADD(c01, s, b1);
        s = SPLAT(a1 + off); MADD(c10, s, b0); MADD(c11, s, b1);
        s = SPLAT(a2 + off); MADD(c20, s, b0); MADD(c21, s, b1);
        s = SPLAT(a3 + off); MADD(c30, s, b0); MADD(c31, s, b1);
      }
    }
    TH = 0; // skip the general loops
  }
  for (int th = 0; th < TH; th++) {
    for (int tw = 0; tw < TW; tw++) {
      int off = th * tH + tw * tW;
      const float *p0 = a0 + off, *p1 = a1 + off, *p2 = a2 + off, *p3 = a3 + off;
      for (int c = 0; c < C; c++) {
        V b0 = LOAD(B), b1 = LOAD(B + 4);
        B += 8;
        V s;
        s = SPLAT(p0 + c); MADD(c00, s, b0); MADD(c01, s, b1);
        s = SPLAT(p1 + c); MADD(c10, s, b0); MADD(c11, s, b1);
        s = SPLAT(p2 + c); MADD(c20, s, b0); MADD(c21, s, b1);
        s = SPLAT(p3 + c); MADD(c30, s, b0); MADD(c31, s, b1);
      }
    }
  }
  STORE(o0, c00); STORE(o0 + 4, c01);
  STORE(o1, c10); STORE(o1 + 4, c11);
  STORE(o2, c20); STORE(o2 + 4, c21);
  STORE(o3, c30); STORE(o3 + 4, c31);
}

// A convolution as a product over a grid of N × GH × GW output pixels. Pixel (n, i, j) reads its
// inputs from A + n·aN + i·aH + j·aW (then tap offsets th·tH + tw·tW, then C channels) and writes
// KB blocks of 8 channels to O + n·oN + i·oH + j·oW. Bp holds the filter packed per output block:
// [KB][TH][TW][C][8]. The forward pass, the stride-1 input gradient and each phase of a strided
// input gradient are this product with different strides (ownKernels.ts sets them up).
// spare: 32 floats where the rows past the last pixel of the grid are written.
EXPORT(conv_grid)
void conv_grid(const float *A, int N, int GH, int GW, int aN, int aH, int aW,
               int TH, int TW, int tH, int tW, int C, const float *Bp, int KB,
               float *O, int oN, int oH, int oW, float *spare) {
  int P = N * GH * GW;
  int blockSize = TH * TW * C * 8;
  // Walk the grid 4 pixels at a time with (n, i, j) counters rather than divisions. Past the
  // grid's end a row repeats the last pixel's input and writes to `spare` (step 0).
  int n = 0, i = 0, j = 0;
  for (int p = 0; p < P; p += 4) {
    const float *a0, *a1, *a2, *a3;
    float *o0, *o1, *o2, *o3;
    int step1 = 1, step2 = 1, step3 = 1;
#define NEXT(a, o, step, r)                                            \
    if (p + r < P) {                                                   \
      a = A + n * aN + i * aH + j * aW;                                \
      o = O + n * oN + i * oH + j * oW;                                \
      if (++j == GW) { j = 0; if (++i == GH) { i = 0; n++; } }         \
    } else {                                                           \
      a = a0;                                                          \
      o = spare + r * 8;                                               \
      step = 0;                                                        \
    }
    a0 = A + n * aN + i * aH + j * aW; // p < P: the first row is always a pixel
    o0 = O + n * oN + i * oH + j * oW;
    if (++j == GW) { j = 0; if (++i == GH) { i = 0; n++; } }
    NEXT(a1, o1, step1, 1) NEXT(a2, o2, step2, 2) NEXT(a3, o3, step3, 3)
#undef NEXT
    for (int kb = 0; kb < KB; kb++) {
      int k = kb * 8;
      tile4x8(a0, a1, a2, a3, TH, TW, tH, tW, C, Bp + kb * blockSize,
              o0 + k, o1 + step1 * k, o2 + step2 * k, o3 + step3 * k);
    }
  }
}

// The filter gradient: dW[kh][kw][c][k] += Σ_{n, oh, ow} X[n·xN + oh·xH + ow·xW + kh·tH + kw·tW + c]
//                                                       · DY[((n·OH + oh)·OW + ow)·K + k].
// Rows m = (kh, kw, c) are taken 4 at a time, columns k 8 at a time; the (n, oh) rows of DY are
// taken chunkRows at a time so that the slices of X and DY a chunk reads stay in cache while every
// (m, k) tile sweeps them. DW has M = KH·KW·C rows rounded up to a multiple of 4 (the extra rows
// are scratch) and must hold zeros (or a sum to add to) on entry. K is a multiple of 8.
EXPORT(conv_filter_grad)
void conv_filter_grad(const float *X, int N, int OH, int OW, int xN, int xH, int xW,
                      int KH, int KW, int tH, int tW, int C, const float *DY, int K,
                      float *DW, int chunkRows) {
  int M = KH * KW * C;
  int rows = N * OH;
  for (int row0 = 0; row0 < rows; row0 += chunkRows) {
    int row1 = row0 + chunkRows < rows ? row0 + chunkRows : rows;
    int n0 = row0 / OH, oh0 = row0 - n0 * OH;
    int kh = 0, kw = 0, c = 0; // (kh, kw, c) of row m, stepped without divisions when C % 4 == 0
    for (int m = 0; m < M; m += 4) {
      // Offsets of the 4 rows' inputs from a pixel's base (the last row repeats past M).
      int r0, r1, r2, r3;
      if (C % 4 == 0) {
        r0 = kh * tH + kw * tW + c;
        r1 = r0 + 1, r2 = r0 + 2, r3 = r0 + 3;
        if ((c += 4) == C) { c = 0; if (++kw == KW) { kw = 0; kh++; } }
      } else {
#define ROW_OFFSET(mm) ({ int mq = (mm) < M ? (mm) : M - 1; int t = mq / C; int th = t / KW; \
                          (th * tH) + (t - th * KW) * tW + (mq - t * C); })
        r0 = ROW_OFFSET(m), r1 = ROW_OFFSET(m + 1), r2 = ROW_OFFSET(m + 2), r3 = ROW_OFFSET(m + 3);
#undef ROW_OFFSET
      }
      for (int k = 0; k < K; k += 8) {
        float *w0 = DW + m * K + k, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        V c00 = LOAD(w0), c01 = LOAD(w0 + 4), c10 = LOAD(w1), c11 = LOAD(w1 + 4);
        V c20 = LOAD(w2), c21 = LOAD(w2 + 4), c30 = LOAD(w3), c31 = LOAD(w3 + 4);
        const float *d = DY + row0 * OW * K + k;
        for (int row = row0, n = n0, oh = oh0; row < row1; row++) {
          const float *a = X + n * xN + oh * xH;
          for (int ow = 0; ow < OW; ow++) {
            V b0 = LOAD(d), b1 = LOAD(d + 4);
            d += K;
            V s;
            s = SPLAT(a + r0); MADD(c00, s, b0); MADD(c01, s, b1);
            s = SPLAT(a + r1); MADD(c10, s, b0); MADD(c11, s, b1);
            s = SPLAT(a + r2); MADD(c20, s, b0); MADD(c21, s, b1);
            s = SPLAT(a + r3); MADD(c30, s, b0); MADD(c31, s, b1);
            a += xW;
          }
          if (++oh == OH) { oh = 0; n++; }
        }
        STORE(w0, c00); STORE(w0 + 4, c01); STORE(w1, c10); STORE(w1 + 4, c11);
        STORE(w2, c20); STORE(w2 + 4, c21); STORE(w3, c30); STORE(w3 + 4, c31);
      }
    }
  }
}

// out [N][H + pt + pb][W + pl + pr][C] = x [N][H][W][C] surrounded by zeros.
EXPORT(pad_nhwc)
void pad_nhwc(const float *x, int N, int H, int W, int C, int pt, int pb, int pl, int pr, float *out) {
  int Hp = H + pt + pb, Wp = W + pl + pr;
  int rowOut = Wp * C, rowIn = W * C;
  for (int n = 0; n < N; n++) {
    for (int h = 0; h < Hp; h++) {
      float *o = out + (n * Hp + h) * rowOut;
      int ih = h - pt;
      if (ih < 0 || ih >= H) {
        __builtin_memset(o, 0, rowOut * sizeof(float));
        continue;
      }
      __builtin_memset(o, 0, pl * C * sizeof(float));
      __builtin_memcpy(o + pl * C, x + (n * H + ih) * rowIn, rowIn * sizeof(float));
      __builtin_memset(o + pl * C + rowIn, 0, pr * C * sizeof(float));
    }
  }
}

// Packs taps of a filter W [KH][KW][CI][CO] for conv_grid, blocks of 8 output channels:
// out[b][a][c][q][j] = W[kh0 + sh·a][kw0 + sw·c][...] for a < TH, c < TW, with
//   forward (transposed = 0): reduction q over CI, output block b of CO: W[.][.][q][8b + j]
//   input gradient (transposed = 1): reduction q over CO, output block b of CI: W[.][.][8b + j][q]
EXPORT(pack_filter)
void pack_filter(const float *W, int KH, int KW, int CI, int CO, int kh0, int kw0, int sh, int sw, int TH, int TW,
                 int transposed, float *out) {
  int Q = transposed ? CO : CI;
  int outChannels = transposed ? CI : CO;
  (void)KH;
  for (int b = 0; b < outChannels / 8; b++)
    for (int a = 0; a < TH; a++)
      for (int c = 0; c < TW; c++) {
        const float *tap = W + ((kh0 + sh * a) * KW + kw0 + sw * c) * CI * CO;
        for (int q = 0; q < Q; q++)
          for (int j = 0; j < 8; j++)
            *out++ = transposed ? tap[(8 * b + j) * CO + q] : tap[q * CO + 8 * b + j];
      }
}

// Element-wise helpers for the kernels' glue (ownKernels.ts), so that no JS view of the heap is
// needed: the heap may grow, and each growth detaches the views.
EXPORT(fill_zero)
void fill_zero(float *p, int n) { __builtin_memset(p, 0, n * sizeof(float)); }

EXPORT(copy_floats)
void copy_floats(float *dst, const float *src, int n) { __builtin_memcpy(dst, src, n * sizeof(float)); }

// y[p][k] = act(y[p][k] + bias[k]) for P pixels of K channels (K a multiple of 4); act: 0 linear, 1 relu.
EXPORT(bias_activation)
void bias_activation(float *y, int P, int K, const float *bias, int relu) {
  V zero = ZERO;
  for (int p = 0; p < P; p++, y += K) {
    for (int k = 0; k < K; k += 4) {
      V v = LOAD(y + k);
      if (bias) v = wasm_f32x4_add(v, LOAD(bias + k));
      if (relu) v = wasm_f32x4_max(v, zero);
      STORE(y + k, v);
    }
  }
}
