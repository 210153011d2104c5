// Strokes: the pad's document model. A stroke is a flat list of points [x0, y0, x1, y1, ...] in
// unit coordinates (0–1 across the square canvas), so it survives resizes and can be kept in
// the webview state. Drawing is done by one function for both the visible canvas and the fixed
// resolution raster that feeds preprocessing, so what you see is what the model gets.

import { preprocess, type PreprocessResult } from '../../shared/preprocess';

export type Stroke = readonly number[];

/** Brush width as a fraction of the canvas side: MNIST strokes are ~2–3 px of a 20 px box. */
export const BRUSH = 1 / 11;
/** Side of the internal raster that preprocessing reads. */
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

let raster: { canvas: OffscreenCanvas | HTMLCanvasElement; ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D } | undefined;

/** Renders the strokes white on black at RASTER_SIDE² and runs MNIST preprocessing on the coverage. */
export function strokesToMnist(strokes: readonly Stroke[]): PreprocessResult {
  if (strokes.length === 0) return preprocess({ width: 0, height: 0, data: [] });
  if (!raster) {
    const canvas: OffscreenCanvas | HTMLCanvasElement =
      typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(RASTER_SIDE, RASTER_SIDE) : Object.assign(document.createElement('canvas'), { width: RASTER_SIDE, height: RASTER_SIDE });
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (!ctx) throw new Error('2D canvas is not available');
    raster = { canvas, ctx };
  }
  const { ctx } = raster;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, RASTER_SIDE, RASTER_SIDE);
  drawStrokes(ctx, strokes, RASTER_SIDE, '#fff');
  const rgba = ctx.getImageData(0, 0, RASTER_SIDE, RASTER_SIDE).data;
  const coverage = new Uint8ClampedArray(RASTER_SIDE * RASTER_SIDE);
  for (let i = 0; i < coverage.length; i++) coverage[i] = rgba[i * 4];
  return preprocess({ width: RASTER_SIDE, height: RASTER_SIDE, data: coverage });
}
