// "See why" maps in words and in colour, for the pad and the evaluation report. A map is 784
// integers −127…127 (src/engine/inference/saliency.ts): positive where the ink pushed toward the predicted
// digit, negative where it pushed toward the digit it is contrasted with. Pure: no DOM, no vscode.
import { array, int } from './check';

export const SALIENCY_PIXELS = 784;
export const SALIENCY_MAX = 127;

/** A "see why" map: 784 integers −127…127 (a fresh copy), or CheckError. */
export function saliencyMap(x: unknown, what: string): number[] {
  return array(x, what, (v, w) => int(v, w, -SALIENCY_MAX, SALIENCY_MAX), SALIENCY_PIXELS, SALIENCY_PIXELS);
}

/** Where in the 28×28 frame a point lies, in words. */
export function regionName(x: number, y: number): string {
  const col = x < 28 / 3 ? 0 : x < (2 * 28) / 3 ? 1 : 2;
  const row = y < 28 / 3 ? 0 : y < (2 * 28) / 3 ? 1 : 2;
  return [
    ['upper left', 'top', 'upper right'],
    ['left', 'centre', 'right'],
    ['lower left', 'bottom', 'lower right'],
  ][row][col];
}

export interface SaliencySummary {
  /** Share (0–1) of the evidence, by total |value|, that points to the predicted digit. */
  share: number;
  /** The region (of a 3×3 grid) with the most evidence each way, when there is any. */
  toward?: string;
  against?: string;
  /** A sentence for screen readers and the pad's caption. */
  text: string;
}

/**
 * The text alternative of a map: which way the evidence leans, and where each side's strongest
 * evidence is (the region of a 3×3 grid whose ink sums most toward each digit).
 */
export function describeSaliency(map: ArrayLike<number>, predicted: number, contrast: number): SaliencySummary {
  let pos = 0;
  let neg = 0;
  const net = new Array(9).fill(0);
  const regions: string[] = [];
  for (let i = 0; i < SALIENCY_PIXELS; i++) {
    const v = map[i];
    if (v > 0) pos += v;
    else neg -= v;
    const x = i % 28;
    const y = Math.floor(i / 28);
    const r = Math.min(2, Math.floor(y / (28 / 3))) * 3 + Math.min(2, Math.floor(x / (28 / 3)));
    net[r] += v;
    regions[r] ??= regionName(x, y);
  }
  if (pos + neg === 0) return { share: 0, text: `No ink decides between ${predicted} and ${contrast}.` };
  const share = pos / (pos + neg);
  const most = net.indexOf(Math.max(...net));
  const least = net.indexOf(Math.min(...net));
  const toward = net[most] > 0 ? regions[most] : undefined;
  const against = net[least] < 0 ? regions[least] : undefined;
  const first = toward ? `the ink at the ${toward} points most to ${predicted}` : `no part of the ink points to ${predicted}`;
  const second = against ? `the ink at the ${against} most to ${contrast}` : `no part of it to ${contrast}`;
  return { share, toward, against, text: `${Math.round(share * 100)}% of the evidence favours ${predicted}; ${first}, ${second}.` };
}

/** An RGB colour, 0–255 each. */
export type Rgb = [number, number, number];

/**
 * The map as RGBA pixels (28×28): `toward` where it is positive, `against` where negative, with
 * an opacity that grows with |value| (square root, so weaker evidence still shows), transparent
 * where it is zero. `maxAlpha` (0–1) caps the opacity so the ink beneath stays visible.
 */
export function saliencyRgba(map: ArrayLike<number>, toward: Rgb, against: Rgb, maxAlpha = 0.9): Uint8ClampedArray {
  const out = new Uint8ClampedArray(SALIENCY_PIXELS * 4);
  for (let i = 0; i < SALIENCY_PIXELS; i++) {
    const v = map[i];
    if (!v) continue;
    const [r, g, b] = v > 0 ? toward : against;
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = Math.round(Math.sqrt(Math.min(1, Math.abs(v) / SALIENCY_MAX)) * maxAlpha * 255);
  }
  return out;
}
