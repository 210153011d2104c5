// "See why": which ink pushed the model toward the digit it reads (blue) and which toward the
// runner-up (orange) — on the 28×28 preview, in words, and over the drawing when toggled on (a
// choice kept in the webview state). The maps come with the answers to pen-up predictions.

import { describeSaliency } from '../../shared/saliency';
import { RASTER_SIDE } from './strokes';
import type { ShownPrediction } from './prediction';
import { h } from '../common/dom';
import { paintSaliency, saliencyColours } from '../common/saliencyView';
import { ICON_WHY, icon } from './icons';

export interface SaliencyHooks {
  /** The prediction shown, if any. */
  shown(): ShownPrediction | undefined;
  penIsDown(): boolean;
  /** The toggle changed: keep it (webview state); the buttons follow. */
  toggled(): void;
}

export type Saliency = ReturnType<typeof createSaliency>;

export function createSaliency(app: HTMLElement, onCanvasAtStart: boolean, hooks: SaliencyHooks) {
  /** The map over the drawing (toggled); never receives pointer events. */
  const overlay = h('canvas', { class: 'why-overlay', 'data-testid': 'saliency-canvas', 'aria-hidden': 'true' });
  const toggle = h('button', { type: 'button', class: 'secondary', 'data-testid': 'saliency-toggle', 'aria-pressed': 'false', title: 'Show on the drawing which ink pushed toward the prediction and which toward the runner-up' }, icon(ICON_WHY), 'See Why');
  /** The map over the preview: blue ink pushed toward the prediction, orange toward the runner-up. */
  const preview = h('canvas', { class: 'preview why', width: '28', height: '28', 'data-testid': 'saliency', role: 'img', 'aria-label': 'Why: no prediction yet' });
  const towardLabel = h('span', { 'data-testid': 'saliency-toward' });
  const againstLabel = h('span', { 'data-testid': 'saliency-against' });
  const legend = h('div', { class: 'why-legend', 'aria-hidden': 'true' }, h('span', { class: 'swatch toward' }), towardLabel, h('span', { class: 'swatch against' }), againstLabel);
  const text = h('p', { class: 'why-text', 'data-testid': 'saliency-text' });
  const small = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(28, 28) : Object.assign(document.createElement('canvas'), { width: 28, height: 28 });

  let onCanvas = onCanvasAtStart;

  /** Paints the shown prediction's map on the preview and, when toggled on, over the drawing. */
  function draw(): void {
    const shown = hooks.shown();
    const why = shown?.why;
    const colours = saliencyColours();
    const previewCtx = preview.getContext('2d');
    if (!why) previewCtx?.clearRect(0, 0, 28, 28);
    else paintSaliency(preview, why.map, colours);
    const ctx = overlay.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    const frame = shown?.frame;
    if (!why || !frame || !onCanvas || hooks.penIsDown()) return;
    // The 28×28 frame mapped back onto the drawing: the ink's box was resampled to frame.width ×
    // frame.height pixels at (dx, dy), and the raster is RASTER_SIDE² of the canvas.
    paintSaliency(small, why.map, colours, 0.8);
    const k = overlay.width / RASTER_SIDE;
    const sx = (frame.box.right - frame.box.left) / frame.width;
    const sy = (frame.box.bottom - frame.box.top) / frame.height;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, (frame.box.left - frame.dx * sx) * k, (frame.box.top - frame.dy * sy) * k, 28 * sx * k, 28 * sy * k);
  }

  /** Shows the map of the prediction shown (or none) and its words. */
  function show(): void {
    const shown = hooks.shown();
    const why = shown?.why;
    app.classList.toggle('has-why', !!why);
    if (!shown || !why) {
      text.textContent = '';
      preview.setAttribute('aria-label', 'Why: no prediction yet');
    } else {
      const words = describeSaliency(why.map, shown.label, why.contrast).text;
      text.textContent = `Why ${shown.label}, not ${why.contrast}: ${words}`;
      preview.setAttribute('aria-label', `Why ${shown.label} and not ${why.contrast}: ${words}`);
      towardLabel.textContent = `toward ${shown.label}`;
      againstLabel.textContent = `toward ${why.contrast}`;
    }
    draw();
  }

  toggle.addEventListener('click', () => {
    onCanvas = !onCanvas;
    hooks.toggled();
    draw();
  });

  return {
    overlay,
    toggle,
    preview,
    legend,
    text,
    /** Whether the map is shown over the drawing too. */
    get onCanvas(): boolean {
      return onCanvas;
    },
    draw,
    show,
    update(): void {
      toggle.setAttribute('aria-pressed', String(onCanvas));
    },
  };
}
