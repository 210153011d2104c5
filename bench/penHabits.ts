// An experiment of issue 27 (docs/PAD.md, "What did not help"): bench/recipe.ts --pen-habits.
// Pen habits MNIST hardly has, added to copies of its own digits: a 1 with a long flag (and
// sometimes a foot), a slashed 0, a 7 with a bar through it. Writers taught in Europe, or who
// program, draw them, and a model trained on MNIST alone reads the flagged 1 as a 7 and the
// slashed 0 as an 8 (docs/PAD.md). The marks are drawn on the 28×28 image itself, in the digit's
// own stroke width, so the rest of the drawing stays a real writer's. No augmentation library
// does label-dependent marks like these, hence by hand.
import { IMAGE_SIZE, PIXELS, type DigitImages } from '../src/engine/core/types';
import { type Random } from '../src/engine/core/random';
import { inkBounds } from '../src/shared/preprocess';

/** Per digit, the share of its training rows that get a copy with the habit. */
export const PEN_HABIT_RATES: Readonly<Record<number, number>> = { 0: 0.15, 1: 0.25, 7: 0.15 };

/** Ink above this (of 255) counts as the stroke when measuring a digit. */
const INK = 96;

/**
 * Copies of some of `rows` of `images` (labelled) with a pen habit of their digit drawn in, with
 * their labels: PEN_HABIT_RATES of each digit's rows, chosen and varied by `random`.
 */
export function penHabitRows(images: DigitImages, rows: ArrayLike<number>, random: Random): DigitImages {
  const labels = images.labels;
  if (!labels) throw new Error('penHabitRows: the images need labels');
  const out: Uint8Array[] = [];
  const outLabels: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const label = labels[row];
    const rate = PEN_HABIT_RATES[label] ?? 0;
    if (random() >= rate) continue;
    const image = images.pixels.slice(row * PIXELS, (row + 1) * PIXELS);
    const drawn = label === 1 ? flagOne(image, random) : label === 0 ? slashZero(image, random) : barSeven(image, random);
    if (!drawn) continue;
    out.push(image);
    outLabels.push(label);
  }
  const pixels = new Uint8Array(out.length * PIXELS);
  out.forEach((image, i) => pixels.set(image, i * PIXELS));
  return { count: out.length, pixels, labels: Uint8Array.from(outLabels) };
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function inkBox(image: Uint8Array): Box | undefined {
  const bounds = inkBounds({ width: IMAGE_SIZE, height: IMAGE_SIZE, data: Float64Array.from(image, (v) => v / 255) }, INK / 255);
  // inkBounds' box is half-open; these marks want the last inked row and column.
  return bounds && bounds.bottom - bounds.top > 6 ? { ...bounds, right: bounds.right - 1, bottom: bounds.bottom - 1 } : undefined;
}

/** The ink's mean x in rows [from, to] (inclusive), or undefined when they hold none. */
function meanX(image: Uint8Array, from: number, to: number): number | undefined {
  let sum = 0;
  let weight = 0;
  for (let y = Math.max(0, from); y <= Math.min(IMAGE_SIZE - 1, to); y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = image[y * IMAGE_SIZE + x];
      if (v > INK) {
        sum += x * v;
        weight += v;
      }
    }
  }
  return weight > 0 ? sum / weight : undefined;
}

/** The digit's stroke width: the median length of the ink's horizontal runs in the box's middle half. */
function strokeWidth(image: Uint8Array, box: Box): number {
  const runs: number[] = [];
  const h = box.bottom - box.top;
  for (let y = Math.round(box.top + h / 4); y <= Math.round(box.bottom - h / 4); y++) {
    let run = 0;
    for (let x = 0; x <= IMAGE_SIZE; x++) {
      const v = x < IMAGE_SIZE ? image[y * IMAGE_SIZE + x] : 0;
      if (v > INK) run++;
      else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
  }
  runs.sort((a, b) => a - b);
  const median = runs.length ? runs[runs.length >> 1] : 2.5;
  return Math.min(4.5, Math.max(1.5, median));
}

/** A straight pen stroke from (x0, y0) to (x1, y1), `width` px wide, anti-aliased, over the image (lighter wins). */
function drawLine(image: Uint8Array, x0: number, y0: number, x1: number, y1: number, width: number): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const t = length2 > 0 ? Math.min(1, Math.max(0, ((x - x0) * dx + (y - y0) * dy) / length2)) : 0;
      const d = Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
      const cover = Math.min(1, Math.max(0, width / 2 + 0.5 - d));
      const i = y * IMAGE_SIZE + x;
      image[i] = Math.max(image[i], Math.round(255 * cover));
    }
  }
}

const inFrame = (v: number) => Math.min(IMAGE_SIZE - 1.5, Math.max(0.5, v));
const between = (random: Random, low: number, high: number) => low + (high - low) * random();

/**
 * A flag down and to the left from the top of the 1, at 30–65° from its stem and a quarter to a
 * half of its height long; two in five also get a foot across the bottom.
 */
function flagOne(image: Uint8Array, random: Random): boolean {
  const box = inkBox(image);
  if (!box) return false;
  const h = box.bottom - box.top;
  const topX = meanX(image, box.top, box.top + 1);
  const upperX = meanX(image, box.top, box.top + Math.round(h / 4));
  const lowerX = meanX(image, box.bottom - Math.round(h / 4), box.bottom);
  if (topX === undefined || upperX === undefined || lowerX === undefined) return false;
  // The stem's direction, top to bottom.
  const sx = lowerX - upperX;
  const sy = (3 * h) / 4;
  const norm = Math.hypot(sx, sy);
  const angle = (between(random, 30, 65) * Math.PI) / 180;
  // Rotated from "down the stem" towards the left (clockwise on screen, y pointing down).
  const fx = ((sx * Math.cos(angle) - sy * Math.sin(angle)) / norm) * h * between(random, 0.25, 0.5);
  const fy = ((sx * Math.sin(angle) + sy * Math.cos(angle)) / norm) * h * between(random, 0.25, 0.5);
  const width = strokeWidth(image, box);
  drawLine(image, topX, box.top + width / 2, inFrame(topX + fx), inFrame(box.top + width / 2 + fy), width);
  if (random() < 0.4) {
    const half = h * between(random, 0.15, 0.25);
    const footY = box.bottom - width / 2;
    drawLine(image, inFrame(lowerX - half), footY, inFrame(lowerX + half), footY, width);
  }
  return true;
}

/** A slash through the 0 from its box's top right to its bottom left, reaching a little past the oval or short of it. */
function slashZero(image: Uint8Array, random: Random): boolean {
  const box = inkBox(image);
  if (!box) return false;
  const reach = between(random, -0.05, 0.15);
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  const width = strokeWidth(image, box);
  drawLine(image, inFrame(box.right + reach * w), inFrame(box.top - reach * h), inFrame(box.left - reach * w), inFrame(box.bottom + reach * h), width);
  return true;
}

/** A short bar across the 7's stem around its middle, nearly level. */
function barSeven(image: Uint8Array, random: Random): boolean {
  const box = inkBox(image);
  if (!box) return false;
  const h = box.bottom - box.top;
  const y = Math.round(box.top + h * between(random, 0.45, 0.6));
  const stemX = meanX(image, y, y);
  if (stemX === undefined) return false;
  const half = ((box.right - box.left) * between(random, 0.4, 0.7)) / 2;
  const tilt = between(random, -0.1, 0.1) * half;
  drawLine(image, inFrame(stemX - half), y + tilt, inFrame(stemX + half), y - tilt, strokeWidth(image, box));
  return true;
}
