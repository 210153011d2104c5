// The Digit Pad webview: draw a digit, see what the active model reads and why, keep the
// drawing as a labelled sample (one click or key on its digit), list the samples, and start
// Fine-Tune on My Drawings. Talks to src/extension/digitPadPanel.ts with the messages in
// src/shared/padMessages.ts.

import {
  MIN_FINE_TUNE_SAMPLES,
  PAD_PIXELS,
  checkExtensionMessage,
  type ErrorMessage,
  type ExtensionMessage,
  type FineTuneStatusMessage,
  type ModelMessage,
  type PadCommand,
  type PadModelInfo,
  type PredictionMessage,
  type SampleSavedMessage,
  type SamplesMessage,
  type WebviewMessage,
} from '../../shared/padMessages';
import { describeSaliency } from '../../shared/saliency';
import { base64ToBytes } from '../../shared/base64';
import { PendingRequests } from '../../shared/requests';
import type { PreprocessResult } from '../../shared/preprocess';
import { MIN_STEP, RASTER_SIDE, drawStrokes, strokesFromState, strokesToMnist, strokesToState, type Stroke } from './strokes';
import { digitCanvas, h, vscodeApi } from '../common/dom';
import { paintSaliency, saliencyColours } from '../common/saliencyView';

const PREDICT_INTERVAL_MS = 80;
const HISTORY_LIMIT = 100;

const vscode = vscodeApi();

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

// --- DOM ---------------------------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';
/** A 16×16 line icon from path data (stroked in currentColor). */
function icon(d: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}
const ICON_UNDO = 'M5.5 3.5 2.5 6.5l3 3M2.8 6.5H10a3.5 3.5 0 0 1 0 7H7';
const ICON_CLEAR = 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5M7 7v4M9 7v4';
const ICON_TRAIN = 'M8 1.8c2.6 1.6 3.6 4.4 3 7.4L9.6 11H6.4L5 9.2c-.6-3 .4-5.8 3-7.4ZM8 5.2v1.6M5 9.2 3 11v2.2l3.4-2.2M11 9.2l2 1.8v2.2l-3.4-2.2';
const ICON_WHY = 'M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8ZM8 10.2a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4Z';
const ICON_TUNE = 'M2 13.5h12M4 11V7M8 11V3M12 11V5.5';
const ICON_DELETE = 'M4.5 4.5l7 7M11.5 4.5l-7 7';
const ICON_OPEN = 'M1.8 4V12.5h10.7l1.8-5.3H4.1L2.5 12M1.8 4V2.8h4.1l1.3 1.4h4.8v3';

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app', class: 'pad-app' }));

const canvas = h('canvas', {
  class: 'ink',
  'data-testid': 'pad-canvas',
  tabindex: '0',
  role: 'img',
  'aria-label': 'Drawing pad. Draw a digit from 0 to 9 with the mouse, a pen or a finger. Ctrl+Z undoes the last stroke; Delete or Escape clears.',
});
const hint = h('div', { class: 'hint', 'aria-hidden': 'true', text: 'Draw a digit 0–9' });
/** The "see why" map over the drawing (toggled); never receives pointer events. */
const whyOverlay = h('canvas', { class: 'why-overlay', 'data-testid': 'saliency-canvas', 'aria-hidden': 'true' });
const undoButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'undo', title: 'Undo last stroke (Ctrl+Z)' }, icon(ICON_UNDO), 'Undo');
const clearButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'clear', title: 'Clear the pad (Delete / Esc)' }, icon(ICON_CLEAR), 'Clear');
const whyToggle = h('button', { type: 'button', class: 'secondary', 'data-testid': 'saliency-toggle', 'aria-pressed': 'false', title: 'Show on the drawing which ink pushed toward the prediction and which toward the runner-up' }, icon(ICON_WHY), 'See Why');
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const shortcuts = h('span', { class: 'shortcuts', text: `${isMac ? '⌘Z' : 'Ctrl+Z'} undo · Esc clear · 0–9 keep` });

// Confirm or correct in one step: the digit's button (or key) keeps the drawing as a sample.
const labelButtons = Array.from({ length: 10 }, (_, d) =>
  h('button', { type: 'button', class: 'secondary label', 'data-testid': `label-${d}`, 'aria-label': `Keep as a ${d}`, title: `Keep this drawing as a ${d} (key ${d})`, text: String(d) }),
);
const labelStrip = h(
  'div',
  { class: 'labels', role: 'group', 'aria-label': 'Keep the drawing as a sample of the digit you drew' },
  h('span', { class: 'caption', text: 'Keep as' }),
  ...labelButtons,
);

const modelName = h('span', { class: 'model-name', 'data-testid': 'model-name' });
const modelAccuracy = h('span', { class: 'model-accuracy' });
const modelLine = h('div', { class: 'model', title: 'Active model' }, h('span', { class: 'label', text: 'Model' }), modelName, modelAccuracy);

const trainButton = h('button', { type: 'button', 'data-testid': 'train' }, icon(ICON_TRAIN), 'Train Model');
const loadButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'load-model' }, icon(ICON_OPEN), 'Load Model File');
const noModel = h(
  'div',
  { class: 'no-model', 'data-testid': 'no-model', role: 'region', 'aria-label': 'No model' },
  h('h2', { text: 'No model yet' }),
  h('p', { text: 'Train a model on the Digit Recognizer data, or load a saved model file, to see what it reads in your drawing.' }),
  h('div', { class: 'actions' }, trainButton, loadButton),
);

const prediction = h('div', { class: 'prediction', 'data-testid': 'prediction', 'aria-hidden': 'true' });
const confidence = h('div', { class: 'confidence', 'data-testid': 'confidence' });
const announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
const preview = h('canvas', { class: 'preview', width: '28', height: '28', 'data-testid': 'input-preview', role: 'img', 'aria-label': 'The 28 by 28 image sent to the model' });
/** The "see why" map over the preview: blue ink pushed toward the prediction, orange toward the runner-up. */
const whyPreview = h('canvas', { class: 'preview why', width: '28', height: '28', 'data-testid': 'saliency', role: 'img', 'aria-label': 'Why: no prediction yet' });
const towardLabel = h('span', { 'data-testid': 'saliency-toward' });
const againstLabel = h('span', { 'data-testid': 'saliency-against' });
const whyLegend = h('div', { class: 'why-legend', 'aria-hidden': 'true' }, h('span', { class: 'swatch toward' }), towardLabel, h('span', { class: 'swatch against' }), againstLabel);
const whyText = h('p', { class: 'why-text', 'data-testid': 'saliency-text' });
const answer = h(
  'div',
  { class: 'answer' },
  h('div', { class: 'verdict' }, h('div', { class: 'caption', text: 'Prediction' }), prediction, confidence),
  h('figure', { class: 'input' }, h('div', { class: 'preview-stack' }, preview, whyPreview), h('figcaption', { text: 'Model input · 28×28' }), whyLegend),
);

const bars: Array<{ row: HTMLElement; meter: HTMLElement; fill: HTMLElement; pct: HTMLElement }> = [];
const probs = h('ol', { class: 'probs', 'aria-label': 'Probability of each digit' });
for (let d = 0; d < 10; d++) {
  const fill = h('div', { class: 'fill' });
  const meter = h('div', { class: 'meter', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'aria-label': `Digit ${d}` }, fill);
  const pct = h('span', { class: 'pct', text: '–' });
  const row = h('li', { 'data-testid': `prob-${d}` }, h('span', { class: 'digit', text: String(d) }), h('span', { class: 'visually-hidden', text: ': ' }), meter, pct);
  bars.push({ row, meter, fill, pct });
  probs.append(row);
}
const errorBox = h('div', { class: 'error', role: 'alert', 'data-testid': 'error' });

const samplesCount = h('span', { class: 'count', 'data-testid': 'samples-count', text: '0' });
const samplesNoun = h('span', { text: ' samples' });
const samplesFile = h('button', { type: 'button', class: 'link', 'data-testid': 'samples-file', title: 'Open the samples CSV' });
const samplesChange = h('button', { type: 'button', class: 'link', 'data-testid': 'samples-change', title: 'Keep the samples in another CSV', text: 'Change…' });
const samplesError = h('div', { class: 'error', role: 'alert', 'data-testid': 'samples-error' });
const thumbs = h('ul', { class: 'thumbs', 'data-testid': 'samples', 'aria-label': 'Your labelled drawings, newest first' });
const samplesEmpty = h('p', { class: 'muted', text: 'Draw a digit and click its number below the pad to keep it here.' });
const fineTuneButton = h('button', { type: 'button', 'data-testid': 'fine-tune', title: 'Fine-tune the active model on these drawings (with a replay of the training CSV)' }, icon(ICON_TUNE), 'Fine-Tune on My Drawings');
const fineTuneCancel = h('button', { type: 'button', class: 'secondary', 'data-testid': 'fine-tune-cancel', text: 'Cancel' });
const fineTuneBar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Fine-tuning progress', 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('div', { class: 'fill' }));
const fineTuneStatus = h('p', { class: 'fine-tune-status', 'data-testid': 'fine-tune-status', role: 'status' });
const samplesSection = h(
  'section',
  { class: 'samples', 'aria-labelledby': 'samples-title' },
  h('div', { class: 'samples-head' }, h('h2', { id: 'samples-title', text: 'My drawings' }), h('span', { class: 'muted' }, samplesCount, samplesNoun)),
  h('div', { class: 'samples-file muted' }, samplesFile, ' · ', samplesChange),
  samplesError,
  samplesEmpty,
  thumbs,
  h('div', { class: 'fine-tune' }, fineTuneButton, fineTuneCancel),
  fineTuneBar,
  fineTuneStatus,
);

app.replaceChildren(
  h(
    'main',
    { class: 'pad' },
    h(
      'section',
      { class: 'board', 'aria-label': 'Drawing' },
      h('div', { class: 'surface' }, canvas, whyOverlay, hint),
      h('div', { class: 'toolbar' }, undoButton, clearButton, whyToggle, shortcuts),
      labelStrip,
    ),
    h('section', { class: 'results', 'aria-label': 'Prediction' }, modelLine, noModel, answer, whyText, probs, errorBox, samplesSection, announcer),
  ),
);

// --- state -------------------------------------------------------------------------------------

const saved = vscode.getState() as { whyOnCanvas?: unknown } | undefined;
let strokes: Stroke[] = strokesFromState(saved);
/** Show the "see why" map on the drawing too (remembered). */
let whyOnCanvas = saved?.whyOnCanvas === true;
let history: Stroke[][] = [];
let current: { pointerId: number; points: number[] } | undefined;
let model: PadModelInfo | null | undefined; // undefined until the extension answers `ready`
/**
 * Predictions asked for and not yet answered. The extension answers in order and skips requests
 * a newer one made stale, so an answer also ends the older ones; a discrete change (undo, clear,
 * a kept sample, another model) forgets them all, as they describe a drawing that is gone.
 */
const predictions = new PendingRequests<PredictionMessage>({ latestWins: true });
let predictTimer: ReturnType<typeof setTimeout> | undefined;
let lastSent = 0;
/** The prediction shown, with its "see why" map and where its 28×28 frame sat on the drawing. */
let shown: { label: number; probabilities: number[]; why?: { contrast: number; map: number[] }; frame?: PreprocessResult['frame'] } | undefined;
/** A sample is being saved: the label buttons wait for the answer. */
let saving = false;
let sampleCount = 0;
let fineTuning = false;

function allStrokes(): Stroke[] {
  return current && current.points.length >= 2 ? [...strokes, current.points] : strokes;
}

function save(): void {
  vscode.setState({ ...strokesToState(strokes), whyOnCanvas });
}

function change(next: Stroke[]): void {
  history.push(strokes);
  if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
  strokes = next;
  save();
}

function undo(): void {
  if (current) return;
  // Undo steps back through this session's changes; after a reload (history is not kept) it
  // still removes strokes one by one.
  const previous = history.pop() ?? (strokes.length ? strokes.slice(0, -1) : undefined);
  if (!previous) return;
  strokes = previous;
  save();
  predictions.forget();
  refresh();
}

function clear(): void {
  if (current || strokes.length === 0) return;
  change([]);
  predictions.forget();
  refresh();
}

/** Redraws and re-predicts after a discrete change (undo, clear, restore, model change). */
function refresh(): void {
  render();
  updateButtons();
  predictNow();
}

function updateButtons(): void {
  undoButton.disabled = (history.length === 0 && strokes.length === 0) || !!current;
  clearButton.disabled = strokes.length === 0 || !!current;
  app.classList.toggle('has-ink', allStrokes().length > 0);
  const canKeep = strokes.length > 0 && !current && !saving;
  labelButtons.forEach((b, d) => {
    b.disabled = !canKeep;
    const predicted = !!shown && shown.label === d;
    b.classList.toggle('predicted', predicted);
    b.classList.toggle('secondary', !predicted);
    b.setAttribute('aria-label', predicted ? `Keep as a ${d}: confirm what the model reads` : `Keep as a ${d}`);
  });
  whyToggle.setAttribute('aria-pressed', String(whyOnCanvas));
  fineTuneButton.disabled = fineTuning || !model || sampleCount < MIN_FINE_TUNE_SAMPLES;
  fineTuneButton.title = !model
    ? 'Train or load a model first'
    : sampleCount < MIN_FINE_TUNE_SAMPLES
      ? `Keep at least ${MIN_FINE_TUNE_SAMPLES} labelled drawings first (${sampleCount} so far)`
      : 'Fine-tune the active model on these drawings (with a replay of the training CSV)';
  fineTuneCancel.hidden = !fineTuning;
}

// --- drawing -----------------------------------------------------------------------------------

let renderQueued = false;
function render(): void {
  renderQueued = false;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  drawStrokes(ctx, allStrokes(), canvas.width, getComputedStyle(canvas).color);
  drawWhy();
}
function queueRender(): void {
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(render);
  }
}

/** Keeps the canvas square, as large as its box allows, at device-pixel resolution. */
const surface = canvas.parentElement!;
new ResizeObserver(() => {
  const side = Math.floor(surface.clientWidth);
  const px = Math.max(1, Math.round(side * window.devicePixelRatio));
  if (canvas.width !== px || canvas.height !== px) {
    canvas.width = whyOverlay.width = px;
    canvas.height = whyOverlay.height = px;
    render();
  }
}).observe(surface);

// Theme changes restyle the page (html style attribute, body class): redraw the ink colour.
new MutationObserver(() => queueRender()).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(() => queueRender()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function pointOf(e: PointerEvent): [number, number] {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
}

canvas.addEventListener('pointerdown', (e) => {
  if (current || (e.pointerType === 'mouse' && e.button !== 0)) return;
  e.preventDefault(); // no text selection or focus change; shortcuts are handled on the window
  try {
    canvas.setPointerCapture(e.pointerId);
  } catch {
    // not an active pointer (synthetic event): draw without capture
  }
  current = { pointerId: e.pointerId, points: [...pointOf(e)] };
  app.classList.add('drawing');
  updateButtons();
  queueRender();
});

canvas.addEventListener('pointermove', (e) => {
  if (!current || e.pointerId !== current.pointerId) return;
  const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
  for (const ev of events.length ? events : [e]) {
    const [x, y] = pointOf(ev);
    const pts = current.points;
    if (Math.hypot(x - pts[pts.length - 2], y - pts[pts.length - 1]) >= MIN_STEP) pts.push(x, y);
  }
  queueRender();
  schedulePredict();
});

function endStroke(e: PointerEvent): void {
  if (!current || e.pointerId !== current.pointerId) return;
  const finished = current.points;
  current = undefined;
  app.classList.remove('drawing');
  if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
  change([...strokes, finished]);
  render();
  updateButtons();
  predictNow();
}

// --- see why -----------------------------------------------------------------------------------

const whySmall = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(28, 28) : Object.assign(document.createElement('canvas'), { width: 28, height: 28 });

/** Paints the shown prediction's map on the preview and, when toggled on, over the drawing. */
function drawWhy(): void {
  const why = shown?.why;
  const colours = saliencyColours();
  const previewCtx = whyPreview.getContext('2d');
  if (!why) previewCtx?.clearRect(0, 0, 28, 28);
  else paintSaliency(whyPreview, why.map, colours);
  const ctx = whyOverlay.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, whyOverlay.width, whyOverlay.height);
  const frame = shown?.frame;
  if (!why || !frame || !whyOnCanvas || current) return;
  // The 28×28 frame mapped back onto the drawing: the ink's box was resampled to frame.width ×
  // frame.height pixels at (dx, dy), and the raster is RASTER_SIDE² of the canvas.
  paintSaliency(whySmall, why.map, colours, 0.8);
  const k = whyOverlay.width / RASTER_SIDE;
  const sx = (frame.box.right - frame.box.left) / frame.width;
  const sy = (frame.box.bottom - frame.box.top) / frame.height;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(whySmall, (frame.box.left - frame.dx * sx) * k, (frame.box.top - frame.dy * sy) * k, 28 * sx * k, 28 * sy * k);
}

function showWhy(): void {
  const why = shown?.why;
  app.classList.toggle('has-why', !!why);
  if (!shown || !why) {
    whyText.textContent = '';
    whyPreview.setAttribute('aria-label', 'Why: no prediction yet');
  } else {
    const text = describeSaliency(why.map, shown.label, why.contrast).text;
    whyText.textContent = `Why ${shown.label}, not ${why.contrast}: ${text}`;
    whyPreview.setAttribute('aria-label', `Why ${shown.label} and not ${why.contrast}: ${text}`);
    towardLabel.textContent = `toward ${shown.label}`;
    againstLabel.textContent = `toward ${why.contrast}`;
  }
  drawWhy();
}

whyToggle.addEventListener('click', () => {
  whyOnCanvas = !whyOnCanvas;
  save();
  updateButtons();
  drawWhy();
});
canvas.addEventListener('pointerup', endStroke);
canvas.addEventListener('pointercancel', endStroke);
canvas.addEventListener('lostpointercapture', endStroke);
canvas.addEventListener('contextmenu', (e) => e.preventDefault());

undoButton.addEventListener('click', undo);
clearButton.addEventListener('click', clear);
trainButton.addEventListener('click', () => runCommand('train'));
loadButton.addEventListener('click', () => runCommand('loadModel'));
labelButtons.forEach((b, d) => b.addEventListener('click', () => keep(d)));
samplesFile.addEventListener('click', () => runCommand('openSamplesFile'));
samplesChange.addEventListener('click', () => runCommand('pickSamplesFile'));
fineTuneButton.addEventListener('click', () => runCommand('fineTune'));
fineTuneCancel.addEventListener('click', () => runCommand('cancelFineTune'));

/** Keeps the drawing, as the model sees it (28×28), as a sample of `digit`; the pad clears once it is saved. */
function keep(digit: number): void {
  if (saving || current) return;
  const result = strokesToMnist(strokes);
  if (result.empty) {
    showError('Draw a digit first, then click the digit you drew to keep it.');
    return;
  }
  saving = true;
  updateButtons();
  post({ type: 'addSample', pixels: Array.from(result.pixels), label: digit });
}

function runCommand(command: PadCommand): void {
  post({ type: 'command', command });
}

window.addEventListener('keydown', (e) => {
  // VS Code's webview host may already have called preventDefault on undo: act regardless.
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    undo();
  } else if (!mod && !e.altKey && (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape')) {
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    e.preventDefault();
    clear();
  } else if (!mod && !e.altKey && /^[0-9]$/.test(e.key) && strokes.length > 0) {
    // Typing the digit keeps the drawing as a sample of it (as clicking its button does).
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    e.preventDefault();
    keep(Number(e.key));
  }
});

// --- prediction --------------------------------------------------------------------------------

function schedulePredict(): void {
  if (predictTimer !== undefined) return;
  const wait = Math.max(0, PREDICT_INTERVAL_MS - (performance.now() - lastSent));
  predictTimer = setTimeout(() => {
    predictTimer = undefined;
    predictNow();
  }, wait);
}

function predictNow(): void {
  if (predictTimer !== undefined) {
    clearTimeout(predictTimer);
    predictTimer = undefined;
  }
  lastSent = performance.now();
  let result;
  try {
    result = strokesToMnist(allStrokes());
  } catch (err) {
    showError(`Could not read the drawing: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  drawPreview(result.pixels);
  if (result.empty) {
    predictions.forget();
    showPrediction(undefined);
    return;
  }
  if (!model) return; // nothing to ask yet; the preview still shows what would be sent
  // The "see why" map is asked for when the pen is up: while it moves, predictions only.
  const explain = !current;
  // Where the explained drawing's 28×28 frame sat, to lay its map over the drawing.
  const frame = explain ? result.frame : undefined;
  predictions
    .send((requestId) => {
      app.dataset.sent = String(requestId);
      post({ type: 'predict', requestId, pixels: Array.from(result.pixels), ...(explain ? { explain: true } : {}) });
    })
    .then(
      (answer) => showAnswer(answer, frame),
      (err: Error) => showError(err.message),
    );
}

/** Shows the answer to the newest request (older ones were dropped), unless the pad was cleared meanwhile. */
function showAnswer(m: PredictionMessage, frame: PreprocessResult['frame'] | undefined): void {
  if (allStrokes().length === 0) return;
  app.dataset.shown = String(m.requestId);
  showError(undefined);
  showPrediction(m, frame);
  if (!current) announcer.textContent = `Looks like ${m.label}, ${percent(m.probabilities[m.label])} confident`;
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

function percent(p: number): string {
  const v = Math.min(1, Math.max(0, p)) * 100;
  return v > 0 && v < 0.1 ? '<0.1%' : `${v.toFixed(1)}%`;
}

function showPrediction(p: { label: number; probabilities: number[]; why?: { contrast: number; map: number[] } } | undefined, frame?: PreprocessResult['frame']): void {
  shown = p && { label: p.label, probabilities: p.probabilities, why: p.why, frame };
  if (!p) delete app.dataset.shown;
  prediction.textContent = p ? String(p.label) : '';
  confidence.textContent = p ? `${percent(p.probabilities[p.label])} confident` : allStrokes().length ? '' : 'Draw to see a prediction';
  app.classList.toggle('has-prediction', !!p);
  bars.forEach(({ row, meter, fill, pct }, d) => {
    const v = p ? Math.min(1, Math.max(0, p.probabilities[d])) : 0;
    fill.style.width = `${(v * 100).toFixed(2)}%`;
    pct.textContent = p ? percent(v) : '–';
    meter.setAttribute('aria-valuenow', (v * 100).toFixed(1));
    meter.setAttribute('aria-valuetext', p ? percent(v) : 'no prediction');
    row.classList.toggle('top', !!p && d === p.label);
  });
  showWhy();
  updateButtons();
}

function showError(message: string | undefined): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = !message;
}

function showModel(m: PadModelInfo | null): void {
  modelName.textContent = m ? m.name : '';
  modelName.title = m ? m.name : '';
  modelAccuracy.textContent = m && m.valAccuracy !== undefined ? `${(m.valAccuracy * 100).toFixed(2)}% val. accuracy` : '';
  modelLine.hidden = !m;
  noModel.hidden = !!m;
  app.classList.toggle('no-model-state', !m);
  updateButtons();
}

function showSamples(m: SamplesMessage): void {
  sampleCount = m.count;
  samplesCount.textContent = String(m.count);
  samplesNoun.textContent = m.count === 1 ? ' sample' : ' samples';
  samplesFile.textContent = m.name;
  samplesFile.title = `Open ${m.path}`;
  samplesError.textContent = m.error ?? '';
  samplesError.hidden = !m.error;
  samplesEmpty.hidden = m.count > 0 || !!m.error;
  const pixels = base64ToBytes(m.pixels);
  thumbs.replaceChildren(
    ...m.items.map((item, i) => {
      const label = `A ${item.label}, sample ${item.row + 1}`;
      const remove = h('button', { type: 'button', class: 'delete', 'data-testid': 'sample-delete', 'aria-label': `Delete ${label.toLowerCase()}`, title: 'Delete this sample' }, icon(ICON_DELETE));
      remove.addEventListener('click', () => post({ type: 'deleteSample', row: item.row, key: item.key }));
      return h('li', { class: 'thumb', 'data-testid': 'sample', 'data-label': String(item.label) }, digitCanvas(pixels, i * PAD_PIXELS, label, 36), h('span', { class: 'badge', 'aria-hidden': 'true', text: String(item.label) }), remove);
    }),
  );
  if (m.count > m.items.length) thumbs.append(h('li', { class: 'more muted', text: `+${(m.count - m.items.length).toLocaleString()} older` }));
  updateButtons();
}

function showFineTune(m: FineTuneStatusMessage): void {
  fineTuning = m.state === 'running';
  fineTuneStatus.textContent = m.message;
  fineTuneStatus.dataset.state = m.state;
  fineTuneBar.hidden = !fineTuning;
  (fineTuneBar.firstChild as HTMLElement).style.width = `${((m.fraction ?? 0) * 100).toFixed(1)}%`;
  fineTuneBar.setAttribute('aria-valuenow', ((m.fraction ?? 0) * 100).toFixed(0));
  updateButtons();
}

// --- messages from the extension: one handler per type -------------------------------------------

const handlers: { [K in ExtensionMessage['type']]: (m: Extract<ExtensionMessage, { type: K }>) => void } = {
  prediction(m: PredictionMessage) {
    predictions.resolve(m.requestId, m);
  },
  samples(m: SamplesMessage) {
    showSamples(m);
  },
  sampleSaved(m: SampleSavedMessage) {
    saving = false;
    showError(undefined);
    // Cleared for the next drawing (Undo brings this one back).
    change([]);
    predictions.forget();
    refresh();
    announcer.textContent = `Kept as a ${m.label}: ${m.count} sample${m.count === 1 ? '' : 's'}.`;
  },
  fineTune(m: FineTuneStatusMessage) {
    showFineTune(m);
  },
  model(m: ModelMessage) {
    const changed = JSON.stringify(model) !== JSON.stringify(m.model);
    model = m.model;
    showModel(m.model);
    if (changed) {
      predictions.forget();
      showPrediction(undefined);
      showError(undefined);
      if (model) predictNow();
    }
  },
  error(m: ErrorMessage) {
    // The failure of a prediction still asked for is shown by its request; a stale one is dropped.
    if (m.requestId !== undefined) return void predictions.reject(m.requestId, new Error(m.message));
    if (saving) {
      saving = false; // the sample was not saved: the drawing stays
      updateButtons();
    }
    showError(m.message);
  },
};

window.addEventListener('message', (event: MessageEvent) => {
  const checked = checkExtensionMessage(event.data);
  if (!checked.ok) {
    console.warn(`[digit pad] dropped a bad message: ${checked.reason}`);
    return;
  }
  const m = checked.value;
  (handlers[m.type] as (m: ExtensionMessage) => void)(m);
});

// --- start ---------------------------------------------------------------------------------------

noModel.hidden = true; // until the extension says whether there is a model
modelLine.hidden = true;
fineTuneBar.hidden = true;
samplesError.hidden = true;
showPrediction(undefined);
showError(undefined);
refresh();
post({ type: 'ready' });
