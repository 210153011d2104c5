// The Digit Pad webview: draw a digit, see what the active model reads and why, keep the
// drawing as a labelled sample (one click or key on its digit), list the samples, and start
// Fine-Tune on My Drawings. Talks to src/extension/digitPadPanel.ts with the messages in
// src/shared/padMessages.ts. This file lays out the page and wires its parts, one file a concern:
// drawing.ts (canvas, strokes, undo), prediction.ts (asking, probabilities, preview), saliency.ts
// ("see why"), samples.ts (keep, thumbnails, delete), fineTune.ts, model.ts (the active model).

import { checkExtensionMessage, type ExtensionMessage, type WebviewMessage } from '../../shared/padMessages';
import { strokesFromState, strokesToState } from './strokes';
import { h, vscodeApi } from '../common/dom';
import { createDrawing } from './drawing';
import { createPrediction } from './prediction';
import { createSaliency } from './saliency';
import { createSamples } from './samples';
import { createFineTune } from './fineTune';
import { createModelView } from './model';

const vscode = vscodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);
const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app', class: 'pad-app' }));
const saved = vscode.getState() as { whyOnCanvas?: unknown } | undefined;

const errorBox = h('div', { class: 'error', role: 'alert', 'data-testid': 'error' });
const announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });

function showError(message: string | undefined): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = !message;
}

/** The strokes and the "see why" toggle live in the webview state: they survive hide/show and reloads. */
function save(): void {
  vscode.setState({ ...strokesToState(drawing.strokes), whyOnCanvas: saliency.onCanvas });
}

/** Every button's state follows the pad's: ink, pen, saving, model, samples, fine-tuning. */
function updateButtons(): void {
  drawing.update();
  samples.update();
  saliency.update();
  fineTune.update();
}

/** Redraws and re-predicts after a change of the ink. */
function refresh(): void {
  drawing.render();
  updateButtons();
  prediction.predictNow();
}

const saliency = createSaliency(app, saved?.whyOnCanvas === true, {
  shown: () => prediction.shown,
  penIsDown: () => drawing.penIsDown,
  toggled: () => {
    save();
    updateButtons();
  },
});
const drawing = createDrawing(app, strokesFromState(saved), [saliency.overlay], {
  save,
  penDown: updateButtons,
  inkMoved: () => prediction.schedule(),
  strokeEnded: refresh,
  edited: () => {
    prediction.forget();
    refresh();
  },
  rendered: () => saliency.draw(),
});
const model = createModelView(app, { run: (command) => post({ type: 'command', command }), changed: updateButtons });
const prediction = createPrediction(app, { previewOverlay: saliency.preview, legend: saliency.legend }, {
  strokes: () => drawing.allStrokes(),
  penIsDown: () => drawing.penIsDown,
  hasModel: () => !!model.model,
  post,
  showError,
  announce: (text) => (announcer.textContent = text),
  shown: () => {
    saliency.show();
    updateButtons();
  },
});
const fineTune = createFineTune({ run: (command) => post({ type: 'command', command }), hasModel: () => !!model.model, sampleCount: () => samples.count, changed: updateButtons });
const samples = createSamples(fineTune.parts, {
  strokes: () => drawing.strokes,
  penIsDown: () => drawing.penIsDown,
  predicted: () => prediction.shown?.label,
  post,
  showError,
  changed: updateButtons,
});

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
app.replaceChildren(
  h(
    'main',
    { class: 'pad' },
    h(
      'section',
      { class: 'board', 'aria-label': 'Drawing' },
      drawing.surface,
      h('div', { class: 'toolbar' }, drawing.undoButton, drawing.clearButton, saliency.toggle, h('span', { class: 'shortcuts', text: `${isMac ? '⌘Z' : 'Ctrl+Z'} undo · Esc clear · 0–9 keep` })),
      samples.labelStrip,
    ),
    h('section', { class: 'results', 'aria-label': 'Prediction' }, model.line, model.noModel, prediction.answer, saliency.text, prediction.probabilities, errorBox, samples.section, announcer),
  ),
);

// --- messages from the extension: one handler per type -------------------------------------------

const handlers: { [K in ExtensionMessage['type']]: (m: Extract<ExtensionMessage, { type: K }>) => void } = {
  prediction: (m) => prediction.answered(m),
  samples: (m) => samples.show(m),
  sampleSaved(m) {
    samples.saved();
    showError(undefined);
    // Cleared for the next drawing (Undo brings this one back).
    drawing.setAside();
    announcer.textContent = `Kept as a ${m.label}: ${m.count} sample${m.count === 1 ? '' : 's'}.`;
  },
  fineTune: (m) => fineTune.show(m),
  model(m) {
    if (!model.show(m.model)) return;
    prediction.forget();
    prediction.clear();
    showError(undefined);
    if (m.model) prediction.predictNow();
  },
  error(m) {
    // The failure of a prediction still asked for is shown by its request; a stale one is dropped.
    if (m.requestId !== undefined) return prediction.failed(m.requestId, m.message);
    samples.notSaved();
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

prediction.clear();
showError(undefined);
refresh();
post({ type: 'ready' });
