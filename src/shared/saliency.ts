// "See why" maps in words and in colour, for the pad and the evaluation report. A map is 784
// integers −127…127 (src/engine/saliency.ts): positive where the ink pushed toward the predicted
// digit, negative where it pushed toward the digit it is contrasted with. Pure: no DOM, no vscode.

export const SALIENCY_PIXELS = 784;
export const SALIENCY_MAX = 127;

/** Why `map` is not 784 integers −127…127, or undefined when it is. */
export function badSaliency(map: unknown): string | undefined {
  if (!Array.isArray(map)) return 'the map is not an array';
  if (map.length !== SALIENCY_PIXELS) return `the map has ${map.length} values, expected ${SALIENCY_PIXELS}`;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -SALIENCY_MAX || v > SALIENCY_MAX) return `map value ${i} is ${String(v)}, expected an integer −127…127`;
  }
  return undefined;
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
  /** Where the ink pointing each way is centred (undefined when there is none). */
  toward?: string;
  against?: string;
  /** A sentence for screen readers and the pad's caption. */
  text: string;
}

/** The text alternative of a map: which way the evidence leans, and where each side's ink is. */
export function describeSaliency(map: ArrayLike<number>, predicted: number, contrast: number): SaliencySummary {
  let pos = 0;
  let neg = 0;
  let px = 0;
  let py = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < SALIENCY_PIXELS; i++) {
    const v = map[i];
    const x = i % 28;
    const y = Math.floor(i / 28);
    if (v > 0) {
      pos += v;
      px += v * x;
      py += v * y;
    } else if (v < 0) {
      neg -= v;
      nx -= v * x;
      ny -= v * y;
    }
  }
  if (pos + neg === 0) return { share: 0, text: `No ink decides between ${predicted} and ${contrast}.` };
  const share = pos / (pos + neg);
  const toward = pos > 0 ? regionName(px / pos, py / pos) : undefined;
  const against = neg > 0 ? regionName(nx / neg, ny / neg) : undefined;
  const first = toward ? `Ink pointing to ${predicted} (${Math.round(share * 100)}% of the evidence) is mostly at the ${toward}` : `No ink points to ${predicted}`;
  const second = against ? `ink pointing to ${contrast} is mostly at the ${against}` : `no ink points to ${contrast}`;
  return { share, toward, against, text: `${first}; ${second}.` };
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
