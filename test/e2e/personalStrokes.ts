// One writer's handwriting, for measuring whether the pad learns it: every digit in a consistent
// personal style with the habits MNIST-trained models misread (a 1 with a flag and a foot, a 7
// with a bar through it, a closed 4, a 9 like an "a", a flat-topped 3, a slashed 0, an 8 of two
// stacked rings, a 2 with a loop), drawn each time a little differently: a seeded random
// rotation, scale, slant and offset of the whole digit, and a wobble of every point, as no two
// drawings by one person are alike.
//
// personalDigit(d, k) is the k-th drawing of digit d; the same (d, k) is always the same drawing.
// The fine-tune tests teach with some k and measure with others, so they measure on drawings the
// model never saw.

import { createRandom } from '../../src/engine/core/random';
import { arc, bezier, join, line, type Point, type Stroke } from './digitStrokes';

const PI = Math.PI;

/** The writer's digits before variation (unit coordinates of the pad, as in digitStrokes.ts). */
export const PERSONAL_STYLE: Record<number, Stroke[]> = {
  // An oval with a slash through it, the slash drawn as a second stroke.
  0: [arc(0.5, 0.5, 0.18, 0.29, PI / 2, PI / 2 + 2 * PI + 0.2, 44), line([0.62, 0.24], [0.38, 0.76], 12)],

  // A long flag, the stem, and a foot across the bottom.
  1: [join(line([0.34, 0.33], [0.53, 0.19], 8), line([0.53, 0.19], [0.53, 0.79], 12)), line([0.36, 0.8], [0.7, 0.8], 10)],

  // A hook, a diagonal down to a small loop at the bottom left, then a flat base.
  2: [
    join(
      bezier([0.3, 0.32], [0.32, 0.15], [0.7, 0.15], [0.67, 0.36], 16),
      bezier([0.67, 0.36], [0.64, 0.5], [0.42, 0.64], [0.32, 0.76], 14),
      arc(0.37, 0.73, 0.06, 0.05, PI + 0.6, 3 * PI - 0.4, 16),
      line([0.34, 0.77], [0.72, 0.78], 10),
    ),
  ],

  // A flat top, a diagonal down to the middle, and one round belly.
  3: [
    join(
      line([0.3, 0.2], [0.68, 0.2], 10),
      line([0.68, 0.2], [0.46, 0.44], 10),
      bezier([0.46, 0.44], [0.7, 0.4], [0.78, 0.62], [0.66, 0.74], 14),
      bezier([0.66, 0.74], [0.56, 0.84], [0.38, 0.82], [0.29, 0.72], 12),
    ),
  ],

  // Closed: up the diagonal to a peak, across, then the stem down through the bar.
  4: [join(line([0.28, 0.58], [0.56, 0.18], 12), line([0.56, 0.18], [0.56, 0.82], 14)), line([0.28, 0.58], [0.74, 0.58], 10)],

  // A flag first, then the stem and a wide belly that nearly closes.
  5: [
    line([0.7, 0.2], [0.36, 0.2], 10),
    join(
      line([0.36, 0.2], [0.33, 0.46], 8),
      bezier([0.33, 0.46], [0.55, 0.34], [0.8, 0.48], [0.7, 0.66], 14),
      bezier([0.7, 0.66], [0.6, 0.84], [0.38, 0.82], [0.34, 0.7], 12),
    ),
  ],

  // A tall, nearly straight stem that curls into a small loop at the bottom.
  6: [join(bezier([0.58, 0.16], [0.46, 0.28], [0.38, 0.48], [0.38, 0.66], 16), arc(0.49, 0.68, 0.11, 0.12, PI, 3 * PI - 0.2, 36))],

  // A bar with a small hook down at its left end, the diagonal, and a bar through the middle.
  7: [join(line([0.28, 0.3], [0.3, 0.2], 4), line([0.3, 0.2], [0.72, 0.2], 10), line([0.72, 0.2], [0.47, 0.82], 14)), line([0.45, 0.5], [0.72, 0.5], 8)],

  // Two rings stacked, drawn one after the other.
  8: [arc(0.5, 0.32, 0.13, 0.13, PI / 2, PI / 2 + 2 * PI + 0.2, 32), arc(0.5, 0.65, 0.16, 0.16, PI / 2, PI / 2 + 2 * PI + 0.2, 36)],

  // Like an "a": a round bowl, and a stem down its right side no longer than the bowl, flicking out at the foot.
  9: [arc(0.46, 0.47, 0.17, 0.2, 0.3, 2 * PI + 0.3, 40), join(line([0.63, 0.28], [0.63, 0.62], 10), bezier([0.63, 0.62], [0.63, 0.7], [0.68, 0.74], [0.75, 0.71], 6))],
};

/** The k-th drawing of `digit` in the personal style: the same (digit, k) always gives the same strokes. */
export function personalDigit(digit: number, k: number): Stroke[] {
  const random = createRandom(1 + digit * 7919 + k * 104_729);
  const sym = (range: number) => (random() * 2 - 1) * range;
  const angle = (sym(6) * PI) / 180;
  const sx = 1 + sym(0.08);
  const sy = 1 + sym(0.08);
  const slant = sym(0.12);
  const dx = sym(0.06);
  const dy = sym(0.05);
  const wobble = () => sym(0.012);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const moved = ([x, y]: Point): Point => {
    const u = (x - 0.5) * sx + slant * (y - 0.5);
    const v = (y - 0.5) * sy;
    return [0.5 + dx + u * cos - v * sin, 0.5 + dy + u * sin + v * cos];
  };
  return PERSONAL_STYLE[digit].map((stroke) => {
    // A smooth wobble: a random offset at a few anchor points, interpolated along the stroke.
    const anchors = Array.from({ length: 4 }, () => [wobble(), wobble()] as Point);
    return stroke.map((p, i) => {
      const t = stroke.length > 1 ? (i / (stroke.length - 1)) * (anchors.length - 1) : 0;
      const a = Math.min(anchors.length - 2, Math.floor(t));
      const f = t - a;
      const [x, y] = moved(p);
      return [x + anchors[a][0] * (1 - f) + anchors[a + 1][0] * f, y + anchors[a][1] * (1 - f) + anchors[a + 1][1] * f] as Point;
    });
  });
}

