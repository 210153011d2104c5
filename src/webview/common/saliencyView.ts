// Drawing "see why" maps (src/shared/saliency.ts) in the webviews, in the theme's colours: VS
// Code's chart blue for ink that pushed toward the predicted digit, its chart orange for ink that
// pushed toward the other one (a pair that stays apart for the common colour-vision deficiencies),
// read from the --vscode-* variables each time, so a theme change is followed on the next draw.
import { saliencyRgba, type Rgb } from '../../shared/saliency';

export interface SaliencyColours {
  toward: Rgb;
  against: Rgb;
  /** The same colours as CSS, for legends. */
  towardCss: string;
  againstCss: string;
}

let probe: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour as RGB (through a 1×1 canvas, which parses every CSS colour syntax). */
export function cssColourToRgb(colour: string, fallback: Rgb): Rgb {
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!probe || !colour) return fallback;
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#000';
  probe.fillStyle = colour;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
  return a === 0 ? fallback : [r, g, b];
}

export function saliencyColours(): SaliencyColours {
  const style = getComputedStyle(document.documentElement);
  const towardCss = style.getPropertyValue('--vscode-charts-blue').trim() || '#3794ff';
  const againstCss = style.getPropertyValue('--vscode-charts-orange').trim() || '#d18616';
  return { toward: cssColourToRgb(towardCss, [55, 148, 255]), against: cssColourToRgb(againstCss, [209, 134, 22]), towardCss, againstCss };
}

/** Paints a map onto a 28×28 canvas (cleared first; transparent where there is no evidence). */
export function paintSaliency(canvas: HTMLCanvasElement | OffscreenCanvas, map: ArrayLike<number>, colours = saliencyColours(), maxAlpha = 0.9): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) return;
  const image = ctx.createImageData(28, 28);
  image.data.set(saliencyRgba(map, colours.toward, colours.against, maxAlpha));
  ctx.clearRect(0, 0, 28, 28);
  ctx.putImageData(image, 0, 0);
}
