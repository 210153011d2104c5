// Strokes: the pad's document model. A stroke is a flat list of points [x0, y0, x1, y1, ...] in
// unit coordinates (0–1 across the square canvas), so it survives resizes and can be kept in
// the webview state. The visible canvas draws them with the user's brush (drawStrokes); the
// model reads the 28×28 image drawn from the strokes themselves (shared/penImage.ts: the digit's
// box fitted to 20×20, MNIST's pen width relative to it), the one the pad's preview shows.

import type { PreprocessResult } from '../../shared/preprocess';
import { strokesToImage } from '../../shared/penImage';

export type Stroke = readonly number[];

/** Brush width of the visible canvas, as a fraction of its side. */
export const BRUSH = 1 / 11;
/** The unit of a frame's box (`strokesToMnist(…).frame.box`): pixels of a RASTER_SIDE² square over the canvas. */
export const RASTER_SIDE = 280;
/** Points closer than this (unit coordinates) to the previous one are skipped. */
export const MIN_STEP = 0.003;

const MAX_STROKES = 400;
const MAX_POINTS = 20_000;

/** Strokes read back from saved state, or [] when the state is missing or not ours. */
export function strokesFromState(state: unknown): Stroke[] {
  if (typeof state !== 'object' || state === null) return [];
  const strokes = (state as { strokes?: unknown }).strokes;
  if (!Array.isArray(strokes) || strokes.length > MAX_STROKES) return [];
  let points = 0;
  const out: Stroke[] = [];
  for (const s of strokes) {
    if (!Array.isArray(s) || s.length < 2 || s.length % 2 !== 0) return [];
    if (!s.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= -1 && v <= 2)) return [];
    points += s.length / 2;
    if (points > MAX_POINTS) return [];
    out.push(s.slice());
  }
  return out;
}

/** Strokes in a compact form for `setState` (4 decimals is sub-pixel at any sane size). */
export function strokesToState(strokes: readonly Stroke[]): { strokes: number[][] } {
  return { strokes: strokes.map((s) => s.map((v) => Math.round(v * 10_000) / 10_000)) };
}

/**
 * Draws strokes onto a square area of `side` px: round caps and joins, quadratic curves through
 * the midpoints of successive points (smooth, and passes near every sample).
 */
export function drawStrokes(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, strokes: readonly Stroke[], side: number, colour: string): void {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = side * BRUSH;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    const n = s.length / 2;
    const x = (i: number) => s[i * 2] * side;
    const y = (i: number) => s[i * 2 + 1] * side;
    ctx.beginPath();
    if (n === 1) {
      ctx.arc(x(0), y(0), (side * BRUSH) / 2, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.moveTo(x(0), y(0));
    if (n === 2) {
      ctx.lineTo(x(1), y(1));
    } else {
      for (let i = 1; i < n - 1; i++) {
        ctx.quadraticCurveTo(x(i), y(i), (x(i) + x(i + 1)) / 2, (y(i) + y(i + 1)) / 2);
      }
      ctx.lineTo(x(n - 1), y(n - 1));
    }
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * The model's 28×28 input for these strokes (shared/penImage.ts), with the frame's box in
 * RASTER_SIDE units of the canvas (the "see why" overlay maps the frame back onto the drawing).
 */
export function strokesToMnist(strokes: readonly Stroke[]): PreprocessResult {
  const result = strokesToImage(strokes);
  if (!result.frame) return result;
  const { box } = result.frame;
  const k = RASTER_SIDE;
  return { ...result, frame: { ...result.frame, box: { left: box.left * k, top: box.top * k, right: box.right * k, bottom: box.bottom * k } } };
}
