// Hand-drawn-style stroke paths for the digits 0–9, for the e2e tests that draw on the Digit Pad.
//
// A digit is a list of strokes (pen down … pen up); a stroke is a list of [x, y] points in unit
// coordinates of the square pad (0,0 top left, 1,1 bottom right), dense enough that a mouse
// moving straight between successive points traces a smooth curve. The shapes follow how people
// write digits in MNIST: a 1 as one plain stroke, a 4 with an open top, a 7 with a plain bar (no
// crossbar), a 9 as a closed loop with a straight stem, a 0 as an upright oval.
//
// Each digit spans about 60% of the pad's height: the pad's brush is 1/11 of its side, which then
// gives MNIST's stroke width relative to the digit (≈ 2–3 px of its 20 px box).

export type Point = [number, number];
export type Stroke = Point[];

/** Points along a cubic Bézier curve (n segments, both ends included). */
export function bezier(p0: Point, p1: Point, p2: Point, p3: Point, n = 16): Stroke {
  const out: Stroke = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    out.push([
      u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0],
      u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1],
    ]);
  }
  return out;
}

/** Points along a straight line (n segments). */
export function line(a: Point, b: Point, n = 8): Stroke {
  return bezier(a, lerp(a, b, 1 / 3), lerp(a, b, 2 / 3), b, n);
}

/**
 * Points along an elliptic arc around (cx, cy) with radii rx, ry, from angle a0 to a1 (radians,
 * mathematical convention on screen: 0 = right, π/2 = up; a1 > a0 goes anticlockwise).
 */
export function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number, n = 32): Stroke {
  const out: Stroke = [];
  for (let i = 0; i <= n; i++) {
    const a = a0 + ((a1 - a0) * i) / n;
    out.push([cx + rx * Math.cos(a), cy - ry * Math.sin(a)]);
  }
  return out;
}

export function lerp(a: Point, b: Point, t: number): Point {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

/** Joins pieces into one stroke, dropping a piece's first point when it repeats the last one. */
export function join(...pieces: Stroke[]): Stroke {
  const out: Stroke = [];
  for (const piece of pieces) {
    for (const p of piece) {
      const last = out[out.length - 1];
      if (last && Math.hypot(last[0] - p[0], last[1] - p[1]) < 1e-6) continue;
      out.push(p);
    }
  }
  return out;
}

const PI = Math.PI;

export const DIGIT_STROKES: Record<number, Stroke[]> = {
  // An upright oval, drawn anticlockwise from the top, closing with a small overlap.
  0: [arc(0.5, 0.5, 0.19, 0.3, PI / 2, PI / 2 + 2 * PI + 0.25, 48)],

  // One plain stroke, slightly slanted as most people write it.
  1: [line([0.53, 0.2], [0.47, 0.8], 12)],

  // A hook over the top, a diagonal down to the left, a flat base.
  2: [
    join(
      bezier([0.3, 0.33], [0.32, 0.16], [0.68, 0.15], [0.67, 0.36], 16),
      bezier([0.67, 0.36], [0.66, 0.5], [0.45, 0.64], [0.3, 0.79], 16),
      line([0.3, 0.79], [0.72, 0.78], 10),
    ),
  ],

  // Two bumps on the right, meeting in the middle.
  3: [
    join(
      bezier([0.32, 0.26], [0.42, 0.15], [0.72, 0.17], [0.64, 0.36], 16),
      bezier([0.64, 0.36], [0.6, 0.46], [0.5, 0.48], [0.44, 0.49], 8),
      bezier([0.44, 0.49], [0.62, 0.48], [0.74, 0.58], [0.68, 0.7], 12),
      bezier([0.68, 0.7], [0.62, 0.82], [0.42, 0.84], [0.3, 0.74], 14),
    ),
  ],

  // Open top: down and across in one stroke, then the long stem.
  4: [join(line([0.36, 0.2], [0.3, 0.56], 10), line([0.3, 0.56], [0.74, 0.56], 10)), line([0.6, 0.28], [0.6, 0.82], 12)],

  // The stem and belly in one stroke, then the flag on top.
  5: [
    join(
      line([0.38, 0.22], [0.35, 0.47], 8),
      bezier([0.35, 0.47], [0.5, 0.38], [0.72, 0.45], [0.69, 0.62], 14),
      bezier([0.69, 0.62], [0.66, 0.82], [0.42, 0.84], [0.3, 0.74], 14),
    ),
    line([0.38, 0.22], [0.7, 0.22], 10),
  ],

  // A curve down from the top right into a closed loop at the bottom.
  6: [
    join(
      bezier([0.62, 0.18], [0.5, 0.3], [0.36, 0.46], [0.34, 0.64], 16),
      arc(0.49, 0.65, 0.15, 0.15, PI, 3 * PI - 0.3, 40),
    ),
  ],

  // A plain bar and a long diagonal.
  7: [join(line([0.3, 0.22], [0.71, 0.22], 10), line([0.71, 0.22], [0.44, 0.82], 14))],

  // A figure of eight in one stroke, crossing in the middle.
  8: [
    (() => {
      const out: Stroke = [];
      const n = 72;
      for (let i = 0; i <= n; i++) {
        const t = (i / n) * 2 * PI + 0.15;
        // Upper loop a little smaller than the lower one, like most written 8s.
        const top = Math.cos(t) > 0;
        const y = 0.5 - (top ? 0.28 : 0.3) * Math.cos(t);
        const x = 0.5 + (top ? 0.15 : 0.18) * Math.sin(2 * t);
        out.push([x, y]);
      }
      return out;
    })(),
  ],

  // A closed loop at the top, then a straight stem down from its right side.
  9: [join(arc(0.49, 0.36, 0.16, 0.15, 0, 2 * PI, 40), line([0.65, 0.36], [0.63, 0.82], 12))],
};
