// Pen strokes → the MNIST-style 28×28 image a model reads, drawn from the strokes themselves
// rather than from a picture of them. MNIST's digits were written with a pen on paper and their
// box scaled to 20×20, so a stroke is ~2–3 px wide whatever size the person wrote at. A raster
// drawn with a brush fixed to the canvas and then cropped cannot do that: a small digit becomes
// thick strokes, a large one thin strokes. Here the digit's own box is fitted to 20×20 first and
// the pen is drawn at a width fixed relative to that box, anti-aliased, then centred by mass: the
// same image at any drawing size and position.
//
// Pure: no DOM, no vscode. The Digit Pad sends it to the model (the visible canvas keeps the
// user's brush); benchmarks and tests call the same function.

import { MNIST_BOX, MNIST_CENTRE, MNIST_PIXELS, MNIST_SIDE, centreOfMass, type PreprocessResult } from './preprocess';

/** One pen-down stroke as a flat list of points [x0, y0, x1, y1, …], y pointing down, any unit. */
export type FlatStroke = readonly number[];

export interface PenImageOptions {
  /**
   * The pen's width in pixels of the 28×28 frame, the digit's ink box fitting 20×20 (MNIST's pen:
   * ~2–3 px of 20). Default PEN_WIDTH.
   */
  penWidth?: number;
  /** Shear the strokes upright first (slant from their second moments). Default false. */
  deskew?: boolean;
}

/**
 * The pen's width in pixels of the 28×28 frame, ~1/8 of the 20-pixel box: chosen by
 * bench/padReplay.ts on real pen digits, within the range of MNIST's own strokes (docs/PAD.md).
 */
export const PEN_WIDTH = 2.5;

/** Sub-segments of each quadratic curve between two sampled points (as the pad's canvas draws it). */
const CURVE_STEPS = 8;

/**
 * The strokes as the model's 28×28 input (white ink, 0–255), with where the frame sits on the
 * strokes' coordinates (`frame.box` is in the strokes' unit). Each stroke is smoothed as the
 * pad's canvas draws it (quadratic curves through the midpoints of successive points).
 */
export function strokesToImage(strokes: readonly FlatStroke[], options: PenImageOptions = {}): PreprocessResult {
  const penWidth = options.penWidth ?? PEN_WIDTH;
  if (!(penWidth > 0 && penWidth < MNIST_BOX)) throw new RangeError(`strokesToImage: pen width ${penWidth} is not in (0, ${MNIST_BOX})`);
  const pixels = new Uint8Array(MNIST_PIXELS);
  const paths = withoutSpecks(strokes.map(smoothPath).filter((p) => p.length > 0));
  if (paths.length === 0) return { pixels, empty: true };

  const shear = options.deskew ? slantOf(paths) : 0;
  // Sheared about y = 0: x' = x − shear · y (a translation of the result does not matter: it is centred).
  const sheared = shear === 0 ? paths : paths.map((p) => p.map((v, i) => (i % 2 === 0 ? v - shear * p[i + 1] : v)));

  const { left, top, right, bottom } = boxOf(sheared);
  // The centre line's box scaled so the ink's box (centre line plus the pen) fits MNIST_BOX.
  const extent = Math.max(right - left, bottom - top);
  const scale = extent > 0 ? (MNIST_BOX - penWidth) / extent : 1;
  const inkWidth = (right - left) * scale + penWidth;
  const inkHeight = (bottom - top) * scale + penWidth;

  // First with the ink's box centred, then moved so the centre of mass lands on pixel (14, 14),
  // as MNIST did (the move clamped so no ink leaves the frame).
  const centred = { dx: (MNIST_SIDE - inkWidth) / 2, dy: (MNIST_SIDE - inkHeight) / 2 };
  const coverage = new Float32Array(MNIST_PIXELS);
  paint(coverage, sheared, left, top, scale, centred.dx, centred.dy, penWidth);
  const com = centreOfMass(coverage, MNIST_SIDE, MNIST_SIDE);
  if (!com) return { pixels, empty: true };
  const dx = clamp(centred.dx + MNIST_CENTRE - com.x, 0, MNIST_SIDE - inkWidth);
  const dy = clamp(centred.dy + MNIST_CENTRE - com.y, 0, MNIST_SIDE - inkHeight);
  coverage.fill(0);
  paint(coverage, sheared, left, top, scale, dx, dy, penWidth);
  for (let i = 0; i < MNIST_PIXELS; i++) pixels[i] = Math.round(coverage[i] * 255);

  const half = penWidth / 2 / scale;
  return {
    pixels,
    empty: false,
    frame: {
      box: { left: left - half, top: top - half, right: right + half, bottom: bottom + half },
      width: inkWidth,
      height: inkHeight,
      dx,
      dy,
    },
  };
}

/**
 * A stroke as the polyline the pad's canvas draws (drawStrokes): straight to the first midpoint,
 * a quadratic curve through each sampled point to the next midpoint, straight to the last point.
 * Flat [x0, y0, …]; a single point stays one point (a dot).
 */
export function smoothPath(stroke: FlatStroke): number[] {
  const n = Math.floor(stroke.length / 2);
  if (n <= 2) return stroke.slice(0, n * 2);
  const out = [stroke[0], stroke[1]];
  let fx = stroke[0];
  let fy = stroke[1];
  for (let i = 1; i < n - 1; i++) {
    const cx = stroke[i * 2];
    const cy = stroke[i * 2 + 1];
    const tx = (cx + stroke[i * 2 + 2]) / 2;
    const ty = (cy + stroke[i * 2 + 3]) / 2;
    for (let s = 1; s <= CURVE_STEPS; s++) {
      const t = s / CURVE_STEPS;
      const u = 1 - t;
      out.push(u * u * fx + 2 * u * t * cx + t * t * tx, u * u * fy + 2 * u * t * cy + t * t * ty);
    }
    fx = tx;
    fy = ty;
  }
  out.push(stroke[n * 2 - 2], stroke[n * 2 - 1]);
  return out;
}

/** How small a stroke is, at most, to be a speck (a share of the largest stroke's extent)... */
const SPECK_SIZE = 0.05;
/** ... and how far from the other strokes' box it lies, at least, to be left out (a share of that box's longer side). */
const SPECK_DISTANCE = 0.25;

/**
 * The paths without specks: a tap or a tiny stroke well away from the rest of the drawing (a
 * slip of the pen, a pen-down glitch of a tablet) is no part of a digit, and kept it would make
 * the digit's box, and so the digit, small. Specks near the ink, and a drawing of specks only, stay.
 */
function withoutSpecks(paths: number[][]): number[][] {
  const boxes = paths.map((p) => boxOf([p]));
  const largest = Math.max(...boxes.map(extentOf));
  const isSpeck = boxes.map((b) => extentOf(b) <= SPECK_SIZE * largest);
  if (isSpeck.every(Boolean)) return paths; // a dot, or dots only: all of it is the drawing
  const body = boxOf(paths.filter((_, i) => !isSpeck[i]));
  const reach = SPECK_DISTANCE * extentOf(body);
  const far = (b: Box) => Math.max(body.left - b.right, b.left - body.right, body.top - b.bottom, b.top - body.bottom) > reach;
  return paths.filter((_, i) => !(isSpeck[i] && far(boxes[i])));
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The bounding box of the paths' points. */
function boxOf(paths: number[][]): Box {
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const p of paths) {
    for (let i = 0; i < p.length; i += 2) {
      box.left = Math.min(box.left, p[i]);
      box.right = Math.max(box.right, p[i]);
      box.top = Math.min(box.top, p[i + 1]);
      box.bottom = Math.max(box.bottom, p[i + 1]);
    }
  }
  return box;
}

function extentOf(box: Box): number {
  return Math.max(box.right - box.left, box.bottom - box.top);
}

/**
 * The slant of the strokes: the shear dx/dy that makes their ink upright, from the second moments
 * of the centre line weighted by length (the classic MNIST deskew, on the pen's path instead of
 * the pixels). Clamped to ±1 (45°) so a flat scribble is not sheared into a smear.
 */
function slantOf(paths: number[][]): number {
  let mass = 0;
  let mx = 0;
  let my = 0;
  let sxy = 0;
  let syy = 0;
  const segments = (visit: (x: number, y: number, w: number) => void) => {
    for (const p of paths) {
      if (p.length === 2) visit(p[0], p[1], 1e-9);
      for (let i = 2; i < p.length; i += 2) {
        const w = Math.hypot(p[i] - p[i - 2], p[i + 1] - p[i - 1]);
        visit((p[i] + p[i - 2]) / 2, (p[i + 1] + p[i - 1]) / 2, w);
      }
    }
  };
  segments((x, y, w) => {
    mass += w;
    mx += w * x;
    my += w * y;
  });
  if (!(mass > 0)) return 0;
  mx /= mass;
  my /= mass;
  segments((x, y, w) => {
    sxy += w * (x - mx) * (y - my);
    syy += w * (y - my) * (y - my);
  });
  return syy > 0 ? clamp(sxy / syy, -1, 1) : 0;
}

/**
 * Paints the paths (moved by −left, −top, scaled, their ink's box placed at dx, dy) as
 * round-capped strokes of `width` px into `coverage`: a pixel's coverage falls from 1 to 0 over the pixel at the pen's
 * edge (the area a straight edge covers), strokes max-combined as ink on paper.
 */
function paint(coverage: Float32Array, paths: number[][], left: number, top: number, scale: number, dx: number, dy: number, width: number): void {
  const r = width / 2;
  // The centre line's box starts half a pen inside the ink's.
  const px = (x: number) => (x - left) * scale + dx + r;
  const py = (y: number) => (y - top) * scale + dy + r;
  for (const p of paths) {
    if (p.length === 2) capsule(coverage, px(p[0]), py(p[1]), px(p[0]), py(p[1]), r);
    for (let i = 2; i < p.length; i += 2) capsule(coverage, px(p[i - 2]), py(p[i - 1]), px(p[i]), py(p[i + 1]), r);
  }
}

function capsule(coverage: Float32Array, ax: number, ay: number, bx: number, by: number, r: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 0.5));
  const x1 = Math.min(MNIST_SIDE - 1, Math.ceil(Math.max(ax, bx) + r + 0.5));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 0.5));
  const y1 = Math.min(MNIST_SIDE - 1, Math.ceil(Math.max(ay, by) + r + 0.5));
  const vx = bx - ax;
  const vy = by - ay;
  const length2 = vx * vx + vy * vy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      // Pixel (x, y) covers [x, x + 1) × [y, y + 1): its centre is at x + 0.5, y + 0.5.
      const qx = x + 0.5 - ax;
      const qy = y + 0.5 - ay;
      const t = length2 > 0 ? Math.max(0, Math.min(1, (qx * vx + qy * vy) / length2)) : 0;
      const c = r + 0.5 - Math.hypot(qx - t * vx, qy - t * vy);
      if (c <= 0) continue;
      const i = y * MNIST_SIDE + x;
      const v = c < 1 ? c : 1;
      if (v > coverage[i]) coverage[i] = v;
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
