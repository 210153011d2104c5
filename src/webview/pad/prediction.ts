// What the model reads in the drawing: asked of the extension as the ink changes (at most every
// PREDICT_INTERVAL_MS while the pen moves, at once when it lifts, with the "see why" map then),
// and the newest answer shown: the digit, its confidence, what the memory of the kept drawings
// contributed (in words), the ten probabilities and the 28×28 image the model was given.

import type { PredictionMemory, PredictionMessage, WebviewMessage } from '../../shared/padMessages';
import type { PreprocessResult } from '../../shared/preprocess';
import { PendingRequests } from '../../shared/requests';
import { strokesToMnist, type Stroke } from './strokes';
import { h } from '../common/dom';

const PREDICT_INTERVAL_MS = 80;

/** The prediction shown, with its "see why" map and where its 28×28 frame sat on the drawing. */
export interface ShownPrediction {
  label: number;
  probabilities: number[];
  why?: { contrast: number; map: number[] };
  frame?: PreprocessResult['frame'];
}

export interface PredictionHooks {
  /** The ink on the pad (the stroke being drawn too). */
  strokes(): Stroke[];
  penIsDown(): boolean;
  hasModel(): boolean;
  post(message: WebviewMessage): void;
  showError(message: string | undefined): void;
  announce(text: string): void;
  /** The shown prediction changed (its map, the buttons follow). */
  shown(): void;
}

export type Prediction = ReturnType<typeof createPrediction>;

/** The answer view; `figure` holds what is laid over the preview and shown under it (the "see why" map and its legend). */
export function createPrediction(app: HTMLElement, figure: { previewOverlay: HTMLCanvasElement; legend: HTMLElement }, hooks: PredictionHooks) {
  const digit = h('div', { class: 'prediction', 'data-testid': 'prediction', 'aria-hidden': 'true' });
  const confidence = h('div', { class: 'confidence', 'data-testid': 'confidence' });
  const memory = h('div', { class: 'memory', 'data-testid': 'memory' });
  const preview = h('canvas', { class: 'preview', width: '28', height: '28', 'data-testid': 'input-preview', role: 'img', 'aria-label': 'The 28 by 28 image sent to the model' });
  const answer = h(
    'div',
    { class: 'answer' },
    h('div', { class: 'verdict' }, h('div', { class: 'caption', text: 'Prediction' }), digit, confidence, memory),
    h('figure', { class: 'input' }, h('div', { class: 'preview-stack' }, preview, figure.previewOverlay), h('figcaption', { text: 'Model input · 28×28' }), figure.legend),
  );

  const bars: Array<{ row: HTMLElement; meter: HTMLElement; fill: HTMLElement; pct: HTMLElement }> = [];
  const probabilities = h('ol', { class: 'probs', 'aria-label': 'Probability of each digit' });
  for (let d = 0; d < 10; d++) {
    const fill = h('div', { class: 'fill' });
    const meter = h('div', { class: 'meter', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'aria-label': `Digit ${d}` }, fill);
    const pct = h('span', { class: 'pct', text: '–' });
    const row = h('li', { 'data-testid': `prob-${d}` }, h('span', { class: 'digit', text: String(d) }), h('span', { class: 'visually-hidden', text: ': ' }), meter, pct);
    bars.push({ row, meter, fill, pct });
    probabilities.append(row);
  }

  /**
   * Predictions asked for and not yet answered. The extension answers in order and skips requests
   * a newer one made stale, so an answer also ends the older ones; a discrete change (undo, clear,
   * a kept sample, another model) forgets them all, as they describe a drawing that is gone.
   */
  const requests = new PendingRequests<PredictionMessage>({ latestWins: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastSent = 0;
  let shown: ShownPrediction | undefined;

  /** Predicts soon: at most every PREDICT_INTERVAL_MS while the pen moves. */
  function schedule(): void {
    if (timer !== undefined) return;
    const wait = Math.max(0, PREDICT_INTERVAL_MS - (performance.now() - lastSent));
    timer = setTimeout(() => {
      timer = undefined;
      predictNow();
    }, wait);
  }

  function predictNow(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    lastSent = performance.now();
    let result;
    try {
      result = strokesToMnist(hooks.strokes());
    } catch (err) {
      hooks.showError(`Could not read the drawing: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    drawPreview(result.pixels);
    if (result.empty) {
      requests.forget();
      show(undefined);
      return;
    }
    if (!hooks.hasModel()) return; // nothing to ask yet; the preview still shows what would be sent
    // The "see why" map is asked for when the pen is up: while it moves, predictions only.
    const explain = !hooks.penIsDown();
    // Where the explained drawing's 28×28 frame sat, to lay its map over the drawing.
    const frame = explain ? result.frame : undefined;
    requests
      .send((requestId) => {
        app.dataset.sent = String(requestId);
        hooks.post({ type: 'predict', requestId, pixels: Array.from(result.pixels), ...(explain ? { explain: true } : {}) });
      })
      .then(
        (m) => showAnswer(m, frame),
        (err: Error) => hooks.showError(err.message),
      );
  }

  /** Shows the answer to the newest request (older ones were dropped), unless the pad was cleared meanwhile. */
  function showAnswer(m: PredictionMessage, frame: PreprocessResult['frame'] | undefined): void {
    if (hooks.strokes().length === 0) return;
    app.dataset.shown = String(m.requestId);
    hooks.showError(undefined);
    show(m, frame);
    if (!hooks.penIsDown()) hooks.announce(`Looks like ${m.label}, ${percent(m.probabilities[m.label])} confident${m.memory ? `. ${memoryText(m.label, m.memory)}` : ''}`);
  }

  function drawPreview(pixels: Uint8Array): void {
    const ctx = preview.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels[i];
      image.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
  }

  function show(p: (Omit<ShownPrediction, 'frame'> & { memory?: PredictionMemory }) | undefined, frame?: PreprocessResult['frame']): void {
    shown = p && { label: p.label, probabilities: p.probabilities, why: p.why, frame };
    if (!p) delete app.dataset.shown;
    digit.textContent = p ? String(p.label) : '';
    confidence.textContent = p ? `${percent(p.probabilities[p.label])} confident` : hooks.strokes().length ? '' : 'Draw to see a prediction';
    memory.textContent = p?.memory ? memoryText(p.label, p.memory) : '';
    memory.title = p?.memory ? `Your kept drawings weighed ${percent(p.memory.weight)} in this answer (the model the rest). Fine-Tune on My Drawings makes them part of the model.` : '';
    memory.classList.toggle('agrees', !!p?.memory && p.memory.label === p.label);
    app.classList.toggle('has-prediction', !!p);
    bars.forEach(({ row, meter, fill, pct }, d) => {
      const v = p ? Math.min(1, Math.max(0, p.probabilities[d])) : 0;
      fill.style.width = `${(v * 100).toFixed(2)}%`;
      pct.textContent = p ? percent(v) : '–';
      meter.setAttribute('aria-valuenow', (v * 100).toFixed(1));
      meter.setAttribute('aria-valuetext', p ? percent(v) : 'no prediction');
      row.classList.toggle('top', !!p && d === p.label);
    });
    hooks.shown();
  }

  return {
    answer,
    probabilities,
    /** The prediction shown, if any. */
    get shown(): ShownPrediction | undefined {
      return shown;
    },
    schedule,
    predictNow,
    /** Forgets the requests in flight: their answers describe a drawing that is gone. */
    forget: () => requests.forget(),
    /** Shows nothing (no ink, or another model). */
    clear: () => show(undefined),
    /** The extension's answer to a request. */
    answered: (m: PredictionMessage) => void requests.resolve(m.requestId, m),
    /** The extension could not answer a request. */
    failed: (requestId: number, message: string) => void requests.reject(requestId, new Error(message)),
  };
}

/** What the memory of the kept drawings contributed, in words: "Like 3 of your kept 1s". */
export function memoryText(label: number, m: PredictionMemory): string {
  const some = m.neighbours === 1 ? 'one' : String(m.neighbours);
  return m.label === label ? `Like ${some} of your kept ${label}s` : `Near ${some} of your kept ${m.label}s, but read as ${label}`;
}

function percent(p: number): string {
  const v = Math.min(1, Math.max(0, p)) * 100;
  return v > 0 && v < 0.1 ? '<0.1%' : `${v.toFixed(1)}%`;
}
