// Matrix products for dense layers, for tfjs-backend-wasm (see conv.c for how these modules are
// built and run). Why: the stock BatchMatMul uses XNNPACK only with neither operand transposed,
// and XNNPACK re-packs the weights as a new matrix at every call; a dense layer's training step
// needs x·W, dy·Wᵀ and xᵀ·dy. On the seed CNN's 9216 → 128 layer those took 33 ms of a 131 ms
// step (dy·Wᵀ alone 21 ms, 7 GFLOP/s). Here any operand layout is read through strides: B is
// packed into panels of 8 columns (zeros past the last), A is read in place, and the reduction
// is taken in blocks whose panels stay in the L1 cache.
#include "simd.h"
#define SPLAT(p) wasm_v128_load32_splat(p)
#define MADD(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#define K_BLOCK 1024

// out[i][j] = Σ_k A[i·aI + k·aK] · B[k·bK + j·bJ] for i < M, j < N, k < K.
// packed: 8·⌈N/8⌉·K floats (unused when B's rows hold whole panels: bJ = 1, N a multiple of 8);
// spare: 32 + 4·K_BLOCK floats.
EXPORT(matmul)
void matmul(const float *A, int aI, int aK, const float *B, int bK, int bJ, int M, int K, int N,
            float *out, float *packed, float *spare) {
  int panels = (N + 7) / 8;
  int inPlace = bJ == 1 && N % 8 == 0;
  // Panel p's row k is at panel + p·panelStep + k·rowStep.
  const float *panel = inPlace ? B : packed;
  int panelStep = inPlace ? 8 : 8 * K, rowStep = inPlace ? bK : 8;
  if (!inPlace)
    for (int p = 0; p < panels; p++)
      for (int k = 0; k < K; k++)
        for (int j = 0; j < 8; j++)
          packed[(p * K + k) * 8 + j] = 8 * p + j < N ? B[k * bK + (8 * p + j) * bJ] : 0.0f;
  for (int k0 = 0; k0 < K; k0 += K_BLOCK) {
    int k1 = k0 + K_BLOCK < K ? k0 + K_BLOCK : K;
    // 4 rows of A at a time, copied side by side into `rows` (a transposed A's column stride can
    // be a multiple of 4 KB, which maps a whole strip onto one L1 cache set), each against every
    // panel: the rows' block stays in L1 while B's panels (one block of rows each) stream from L2.
    float *rows = spare + 32;
    for (int i = 0; i < M; i += 4) {
      // Rows past M repeat the last row and go to `spare`, as do columns past N.
      const float *a0 = A + i * aI + k0 * aK;
      const float *a1 = A + (i + 1 < M ? i + 1 : M - 1) * aI + k0 * aK;
      const float *a2 = A + (i + 2 < M ? i + 2 : M - 1) * aI + k0 * aK;
      const float *a3 = A + (i + 3 < M ? i + 3 : M - 1) * aI + k0 * aK;
      for (int k = 0; k < k1 - k0; k++) {
        rows[4 * k] = a0[k * aK];
        rows[4 * k + 1] = a1[k * aK];
        rows[4 * k + 2] = a2[k * aK];
        rows[4 * k + 3] = a3[k * aK];
      }
      for (int p = 0; p < panels; p++) {
        int direct = 8 * p + 8 <= N && i + 4 <= M;
        float *o0 = direct ? out + i * N + 8 * p : spare, *o1 = o0 + (direct ? N : 8), *o2 = o1 + (direct ? N : 8), *o3 = o2 + (direct ? N : 8);
        V c00, c01, c10, c11, c20, c21, c30, c31;
        if (k0 == 0) {
          c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0);
        } else if (direct) {
          c00 = LOAD(o0), c01 = LOAD(o0 + 4), c10 = LOAD(o1), c11 = LOAD(o1 + 4);
          c20 = LOAD(o2), c21 = LOAD(o2 + 4), c30 = LOAD(o3), c31 = LOAD(o3 + 4);
        } else {
          // A partial tile: its running sums are in `out`'s valid cells, zero elsewhere.
          for (int r = 0; r < 4; r++)
            for (int j = 0; j < 8; j++) spare[r * 8 + j] = i + r < M && 8 * p + j < N ? out[(i + r) * N + 8 * p + j] : 0.0f;
          c00 = LOAD(spare), c01 = LOAD(spare + 4), c10 = LOAD(spare + 8), c11 = LOAD(spare + 12);
          c20 = LOAD(spare + 16), c21 = LOAD(spare + 20), c30 = LOAD(spare + 24), c31 = LOAD(spare + 28);
        }
        const float *b = panel + p * panelStep + k0 * rowStep;
        const float *a = rows;
        for (int k = k0; k < k1; k++) {
          V b0 = LOAD(b), b1 = LOAD(b + 4), s;
          b += rowStep;
          s = SPLAT(a); MADD(c00, s, b0); MADD(c01, s, b1);
          s = SPLAT(a + 1); MADD(c10, s, b0); MADD(c11, s, b1);
          s = SPLAT(a + 2); MADD(c20, s, b0); MADD(c21, s, b1);
          s = SPLAT(a + 3); MADD(c30, s, b0); MADD(c31, s, b1);
          a += 4;
        }
        STORE(o0, c00); STORE(o0 + 4, c01); STORE(o1, c10); STORE(o1 + 4, c11);
        STORE(o2, c20); STORE(o2 + 4, c21); STORE(o3, c30); STORE(o3 + 4, c31);
        if (!direct)
          for (int r = 0; r < 4 && i + r < M; r++)
            for (int j = 0; j < 8 && 8 * p + j < N; j++) out[(i + r) * N + 8 * p + j] = spare[r * 8 + j];
      }
    }
  }
}
