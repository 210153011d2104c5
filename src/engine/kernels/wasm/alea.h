// seedrandom 3.0.5's Alea generator (lib/alea.js), shared by dropout.c and fused.c so that a
// dropout mask drawn by either is the one TF.js would draw from the same state.
#ifndef ALEA_H
#define ALEA_H

typedef struct { double s0, s1, s2, c; } Alea;

// The next number in [0, 1): t = 2091639·s0 + c·2⁻³²; s0 = s1; s1 = s2; s2 = t − (c = t | 0).
static inline double alea_next(Alea *a) {
  double t = 2091639.0 * a->s0 + a->c * 2.3283064365386963e-10;
  a->s0 = a->s1;
  a->s1 = a->s2;
  a->c = __builtin_trunc(t); // t | 0 for 0 ≤ t < 2³¹: one rounding instruction, not two conversions on the step's critical path
  a->s2 = t - a->c;
  return a->s2;
}

#endif
