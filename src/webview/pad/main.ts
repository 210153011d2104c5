// The Digit Pad webview: draw a digit, see what the active model reads.
// Talks to src/extension/digitPadPanel.ts with the messages in src/shared/padMessages.ts.

import {
  checkExtensionMessage,
  type ErrorMessage,
  type ExtensionMessage,
  type ModelMessage,
  type PadCommand,
  type PadModelInfo,
  type PredictionMessage,
  type WebviewMessage,
} from '../../shared/padMessages';
import { MIN_STEP, drawStrokes, strokesFromState, strokesToMnist, strokesToState, type Stroke } from './strokes';
import { h, vscodeApi } from '../common/dom';

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
const ICON_SAVE = 'M2.5 2.5h8.5l2.5 2.5v8.5h-11ZM5 2.5v3.5h5V2.5M5 13.5V9.5h6v4';
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
const undoButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'undo', title: 'Undo last stroke (Ctrl+Z)' }, icon(ICON_UNDO), 'Undo');
const clearButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'clear', title: 'Clear the pad (Delete / Esc)' }, icon(ICON_CLEAR), 'Clear');
const exportRowButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'export-row', title: 'Append this drawing, with its digit, to a Kaggle train-format CSV' }, icon(ICON_SAVE), 'Save as CSV Row');
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const shortcuts = h('span', { class: 'shortcuts', text: `${isMac ? '⌘Z' : 'Ctrl+Z'} undo · Esc clear` });

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
const answer = h(
  'div',
  { class: 'answer' },
  h('div', { class: 'verdict' }, h('div', { class: 'caption', text: 'Prediction' }), prediction, confidence),
  h('figure', { class: 'input' }, preview, h('figcaption', { text: 'Model input · 28×28' })),
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

app.replaceChildren(
  h(
    'main',
    { class: 'pad' },
    h(
      'section',
      { class: 'board', 'aria-label': 'Drawing' },
      h('div', { class: 'surface' }, canvas, hint),
      h('div', { class: 'toolbar' }, undoButton, clearButton, exportRowButton, shortcuts),
    ),
    h('section', { class: 'results', 'aria-label': 'Prediction' }, modelLine, noModel, answer, probs, errorBox, announcer),
  ),
);

// --- state -------------------------------------------------------------------------------------

let strokes: Stroke[] = strokesFromState(vscode.getState());
let history: Stroke[][] = [];
let current: { pointerId: number; points: number[] } | undefined;
let model: PadModelInfo | null | undefined; // undefined until the extension answers `ready`
let nextRequestId = 1;
/** Answers to requests older than this are stale (the drawing was undone/cleared since). */
let acceptFrom = 1;
let shownRequestId = 0;
let predictTimer: ReturnType<typeof setTimeout> | undefined;
let lastSent = 0;

function allStrokes(): Stroke[] {
  return current && current.points.length >= 2 ? [...strokes, current.points] : strokes;
}

function save(): void {
  vscode.setState(strokesToState(strokes));
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
  acceptFrom = nextRequestId;
  refresh();
}

function clear(): void {
  if (current || strokes.length === 0) return;
  change([]);
  acceptFrom = nextRequestId;
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
    canvas.width = px;
    canvas.height = px;
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
canvas.addEventListener('pointerup', endStroke);
canvas.addEventListener('pointercancel', endStroke);
canvas.addEventListener('lostpointercapture', endStroke);
canvas.addEventListener('contextmenu', (e) => e.preventDefault());

undoButton.addEventListener('click', undo);
clearButton.addEventListener('click', clear);
exportRowButton.addEventListener('click', exportRow);
trainButton.addEventListener('click', () => runCommand('train'));
loadButton.addEventListener('click', () => runCommand('loadModel'));

/** Sends the drawing as the model sees it (28×28) to be saved as a train-format CSV row. */
function exportRow(): void {
  const result = strokesToMnist(allStrokes());
  if (result.empty) {
    showError('Draw a digit first, then save it as a CSV row.');
    return;
  }
  post({ type: 'exportRow', pixels: Array.from(result.pixels) });
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
    acceptFrom = nextRequestId;
    showPrediction(undefined);
    return;
  }
  if (!model) return; // nothing to ask yet; the preview still shows what would be sent
  post({ type: 'predict', requestId: nextRequestId++, pixels: Array.from(result.pixels) });
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

function showPrediction(p: { label: number; probabilities: number[] } | undefined): void {
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
}

// --- messages from the extension: one handler per type -------------------------------------------

const handlers: { [K in ExtensionMessage['type']]: (m: Extract<ExtensionMessage, { type: K }>) => void } = {
  prediction(m: PredictionMessage) {
    if (m.requestId < acceptFrom || m.requestId < shownRequestId || allStrokes().length === 0) return;
    shownRequestId = m.requestId;
    showError(undefined);
    showPrediction(m);
    if (!current) announcer.textContent = `Looks like ${m.label}, ${percent(m.probabilities[m.label])} confident`;
  },
  model(m: ModelMessage) {
    const changed = JSON.stringify(model) !== JSON.stringify(m.model);
    model = m.model;
    showModel(m.model);
    if (changed) {
      acceptFrom = nextRequestId;
      showPrediction(undefined);
      showError(undefined);
      if (model) predictNow();
    }
  },
  error(m: ErrorMessage) {
    if (m.requestId !== undefined && m.requestId < acceptFrom) return;
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
showPrediction(undefined);
showError(undefined);
refresh();
post({ type: 'ready' });
