// Strokes → the 28×28 image the Digit Pad sends, without a browser.
//
// `rasterizeStrokes` is the pad's own code (webview/pad/strokes.ts strokesToMnist, i.e.
// shared/penImage.ts), given [x, y] points. `brushStrokesToMnist` is how the pad made its model
// input before issue 27, kept to measure against (bench/padReplay.ts --input brush): the pad's
// drawStrokes (quadratic curves through the midpoints of successive points, round caps and joins,
// a brush 1/11 of the side) rasterised at 280×280 with a one-pixel anti-aliased edge, then the
// shared MNIST preprocessing (crop, fit 20×20, centre by mass). Close to, not identical with,
// Chromium's canvas.
import { preprocess } from '../../src/shared/preprocess';
import { strokesToMnist } from '../../src/webview/pad/strokes';

type Point = [number, number];

const SIDE = 280;
const BRUSH = 1 / 11;

/** The 784 pixels (0–255) the pad makes of these strokes (unit coordinates) for its model. */
export function rasterizeStrokes(strokes: ReadonlyArray<ReadonlyArray<Point>>): Uint8Array {
  return strokesToMnist(strokes.map((s) => s.flat())).pixels;
}

/** The 784 pixels the pad made of these strokes before issue 27: its canvas brush, cropped and scaled (flat [x0, y0, …] strokes). */
export function brushStrokesToMnist(strokes: ReadonlyArray<ReadonlyArray<number>>): Uint8Array {
  return brushRaster(strokes.map((s) => Array.from({ length: s.length / 2 }, (_, i) => [s[2 * i], s[2 * i + 1]] as Point)));
}

function brushRaster(strokes: ReadonlyArray<ReadonlyArray<Point>>): Uint8Array {
  const coverage = new Float32Array(SIDE * SIDE);
  const radius = (SIDE * BRUSH) / 2;
  for (const stroke of strokes) {
    const path = flatten(stroke.map(([x, y]) => [x * SIDE, y * SIDE] as Point));
    if (path.length === 1) path.push(path[0]);
    for (let i = 1; i < path.length; i++) paintSegment(coverage, path[i - 1], path[i], radius);
  }
  const data = new Uint8ClampedArray(coverage.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(coverage[i] * 255);
  return preprocess({ width: SIDE, height: SIDE, data }).pixels;
}

/** The pad's curve: straight to the first midpoint, quadratic through each point to the next midpoint, straight to the end. */
function flatten(points: Point[]): Point[] {
  if (points.length <= 2) return points.slice();
  const out: Point[] = [points[0]];
  let from = points[0];
  for (let i = 1; i < points.length - 1; i++) {
    const control = points[i];
    const to: Point = [(points[i][0] + points[i + 1][0]) / 2, (points[i][1] + points[i + 1][1]) / 2];
    for (let s = 1; s <= 8; s++) {
      const t = s / 8;
      const u = 1 - t;
      out.push([u * u * from[0] + 2 * u * t * control[0] + t * t * to[0], u * u * from[1] + 2 * u * t * control[1] + t * t * to[1]]);
    }
    from = to;
  }
  out.push(points[points.length - 1]);
  return out;
}

/** A capsule of `radius` around segment ab, anti-aliased over one pixel, max-combined into `coverage`. */
function paintSegment(coverage: Float32Array, a: Point, b: Point, radius: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - radius - 1));
  const x1 = Math.min(SIDE - 1, Math.ceil(Math.max(a[0], b[0]) + radius + 1));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - radius - 1));
  const y1 = Math.min(SIDE - 1, Math.ceil(Math.max(a[1], b[1]) + radius + 1));
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const length2 = vx * vx + vy * vy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - a[0];
      const py = y + 0.5 - a[1];
      const t = length2 > 0 ? Math.max(0, Math.min(1, (px * vx + py * vy) / length2)) : 0;
      const d = Math.hypot(px - t * vx, py - t * vy);
      const c = Math.max(0, Math.min(1, radius + 0.5 - d));
      const i = y * SIDE + x;
      if (c > coverage[i]) coverage[i] = c;
    }
  }
}
