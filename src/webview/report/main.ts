// The Evaluation Report webview: accuracy, a 10×10 confusion-matrix heatmap (an accessible grid of
// buttons: arrow keys move, Enter/click shows that cell's images), per-class precision, recall,
// F1 and support, and the most confidently wrong images. Exports go through the extension.
import { checkReport, checkReportToWebview, type ReportFromWebview, type ReportPayload, type ReportToWebview } from '../../shared/reportMessages';
import { base64ToBytes } from '../../shared/base64';
import { button, digitCanvas, h, pct, vscodeApi } from '../common/dom';
import { describeSaliency } from '../../shared/saliency';
import { paintSaliency, saliencyColours } from '../common/saliencyView';

const vscode = vscodeApi();
const post = (m: ReportFromWebview) => vscode.postMessage(m);

let report: ReportPayload | undefined;
let pixels: Uint8Array = new Uint8Array(0);
let selected: [number, number] | undefined;
/** "See why" maps of the mistakes (signed bytes), when the report has them. */
let mistakeMaps: Int8Array | undefined;
let showWhy = (vscode.getState() as { showWhy?: unknown } | undefined)?.showWhy !== false;

const app = document.getElementById('app')!;
const status = h('div', { class: 'status-panel', role: 'status', 'data-testid': 'report-status' });
const progressBar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': 'Evaluation progress' }, h('div', { class: 'fill' }));
const content = h('main', { class: 'page report' });
app.replaceChildren(h('div', { class: 'loading' }, status, progressBar), content);

function showStatus(text: string, fraction?: number, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
  status.parentElement!.hidden = false;
  progressBar.hidden = fraction === undefined;
  if (fraction !== undefined) (progressBar.firstChild as HTMLElement).style.width = `${(fraction * 100).toFixed(1)}%`;
}

/** A labelled image; `mistake` (its index in report.mistakes) adds its "see why" map over it. */
function example(k: number, size = 56, mistake?: number): HTMLElement {
  const e = report!.examples[k];
  const conf = e.probabilities[e.predicted];
  const top = e.probabilities.map((p, d) => [d, p] as const).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([d, p]) => `${d}: ${pct(p, 1)}`).join(', ');
  const wrong = e.truth !== e.predicted;
  let label = `CSV line ${e.row + 2}: true ${e.truth}, predicted ${e.predicted} (${pct(conf, 1)}); top probabilities ${top}`;
  let image: HTMLElement = digitCanvas(pixels, k * 784, label, size);
  if (mistake !== undefined && mistakeMaps) {
    const map = mistakeMaps.subarray(mistake * 784, (mistake + 1) * 784);
    label += `. Why ${e.predicted}, not ${e.truth}: ${describeSaliency(map, e.predicted, e.truth).text}`;
    image.setAttribute('aria-label', label);
    const overlay = h('canvas', { class: 'why', width: '28', height: '28', 'data-testid': 'mistake-why', 'aria-hidden': 'true' });
    overlay.style.width = overlay.style.height = `${size}px`;
    paintSaliency(overlay, map, saliencyColours());
    image = h('div', { class: 'stack' }, image, overlay);
  }
  return h(
    'figure',
    { class: `example${wrong ? ' wrong' : ''}`, title: label },
    image,
    h('figcaption', {}, h('span', { class: 'truth', text: `${e.truth}` }), h('span', { class: 'arrow', text: '→' }), h('span', { class: 'pred', text: `${e.predicted}` }), h('span', { class: 'conf', text: pct(conf, 1) })),
  );
}

function render(): void {
  const r = report;
  if (!r) return;
  status.parentElement!.hidden = true;
  const correct = r.matrix.reduce((s, row, i) => s + row[i], 0);
  const head = h(
    'header',
    { class: 'head' },
    h('div', { class: 'titles' }, h('h1', { text: r.modelName }), h('p', { class: 'muted', text: `${r.data} · ${new Date(r.date).toLocaleString()} · ${r.seconds}s${r.backend ? ` on ${r.backend}` : ''}` })),
    h(
      'div',
      { class: 'actions' },
      button('Export Markdown', () => post({ type: 'export', format: 'markdown' }), { 'data-testid': 'export-markdown' }),
      button('Export CSV', () => post({ type: 'export', format: 'csv' }), { class: 'secondary', 'data-testid': 'export-csv' }),
      button('Evaluate Again', () => post({ type: 'command', command: 'evaluateAgain' }), { class: 'secondary' }),
      button('Other CSV…', () => post({ type: 'command', command: 'pickFile' }), { class: 'secondary' }),
    ),
  );
  const summary = h(
    'div',
    { class: 'tiles' },
    tile('Accuracy', pct(r.accuracy), 'accuracy'),
    ...(r.networkAccuracies ? [tile(`${r.networkAccuracies.length} networks alone`, r.networkAccuracies.map(pct).join(' · '), 'networks')] : []),
    tile('Correct', `${correct.toLocaleString()} / ${r.rows.toLocaleString()}`),
    tile('Errors', (r.rows - correct).toLocaleString()),
    tile('Macro F1', r.classes.reduce((s, c) => s + c.f1, 0) / 10 > 0 ? (r.classes.reduce((s, c) => s + c.f1, 0) / 10).toFixed(4) : '–'),
  );
  const gallery = h('div', { class: 'cell-images', 'data-testid': 'cell-images', 'aria-live': 'polite' });
  content.replaceChildren(
    head,
    summary,
    h('div', { class: 'report-grid' }, h('section', { 'aria-labelledby': 'cm-title' }, h('h2', { id: 'cm-title', text: 'Confusion matrix' }), h('p', { class: 'muted small', text: 'Rows: true digit · columns: predicted · shade: share of the row. Click a cell (or use the arrow keys and Enter) to see its images.' }), matrixTable(r, gallery), gallery), h('section', {}, h('h2', { text: 'Per-class metrics' }), metricsTable(r))),
    mistakesSection(r),
  );
  if (selected) showCell(selected[0], selected[1], gallery);
}

function mistakesSection(r: ReportPayload): HTMLElement {
  if (!r.mistakes.length) return h('section', {}, h('h2', { text: 'Most confident mistakes' }), h('p', { class: 'muted', text: 'No mistakes: every image was classified correctly.' }));
  const gallery = h('div', { class: `gallery${showWhy ? ' show-why' : ''}`, 'data-testid': 'mistakes' }, ...r.mistakes.map((k, i) => example(k, 64, i)));
  const head = h('div', { class: 'section-head' }, h('h2', { text: 'Most confident mistakes' }));
  if (mistakeMaps) {
    const toggle = button('See Why', () => {
      showWhy = !showWhy;
      gallery.classList.toggle('show-why', showWhy);
      toggle.setAttribute('aria-pressed', String(showWhy));
      vscode.setState({ ...(vscode.getState() as object), showWhy });
    }, { class: 'secondary', 'data-testid': 'mistakes-why', 'aria-pressed': String(showWhy), title: 'Colour each image by the ink that pushed toward the wrong prediction and toward the true digit' });
    head.append(
      toggle,
      h('span', { class: 'why-legend muted' }, h('span', { class: 'swatch toward' }), 'toward the prediction', h('span', { class: 'swatch against' }), 'toward the true digit'),
    );
  }
  return h('section', {}, head, gallery);
}

function tile(caption: string, value: string, testid?: string): HTMLElement {
  return h('div', { class: 'tile', 'data-testid': testid ? `tile-${testid}` : undefined }, h('div', { class: 'caption', text: caption }), h('div', { class: 'value', text: value }));
}

function matrixTable(r: ReportPayload, gallery: HTMLElement): HTMLTableElement {
  const buttons: HTMLButtonElement[][] = [];
  const focusCell = (t: number, p: number) => {
    for (const row of buttons) for (const b of row) b.tabIndex = -1;
    buttons[t][p].tabIndex = 0;
    buttons[t][p].focus();
  };
  const rows = r.matrix.map((row, t) => {
    const support = row.reduce((a, b) => a + b, 0);
    buttons[t] = [];
    return h(
      'tr',
      {},
      h('th', { scope: 'row', text: String(t) }),
      ...row.map((n, p) => {
        const share = support ? n / support : 0;
        const b = h('button', {
          type: 'button',
          class: `cell ${t === p ? 'diag' : 'off'}${n === 0 ? ' zero' : ''}`,
          'data-count': String(n),
          'aria-label': `true ${t}, predicted ${p}: ${n} image${n === 1 ? '' : 's'} (${pct(share, 1)} of ${t}s)`,
          tabindex: t === 0 && p === 0 ? '0' : '-1',
          text: String(n),
        });
        // Intensity: the share of the row, on a square-root scale so single errors still show.
        b.style.setProperty('--share', `${Math.round(Math.sqrt(share) * 100)}%`);
        b.addEventListener('click', () => {
          selected = [t, p];
          for (const el of buttons.flat()) el.setAttribute('aria-pressed', String(el === b));
          showCell(t, p, gallery);
        });
        b.addEventListener('keydown', (e) => {
          const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
          const m = moves[e.key];
          if (!m) return;
          e.preventDefault();
          focusCell(Math.min(9, Math.max(0, t + m[0])), Math.min(9, Math.max(0, p + m[1])));
        });
        buttons[t][p] = b;
        return h('td', {}, b);
      }),
      h('td', { class: 'support', text: String(support) }),
    );
  });
  return h(
    'table',
    { class: 'matrix', 'data-testid': 'confusion-matrix', 'aria-label': 'Confusion matrix: rows are true digits, columns predicted digits' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'corner', text: 'true ╲ pred' }), ...r.matrix.map((_, p) => h('th', { scope: 'col', text: String(p) })), h('th', { scope: 'col', class: 'support', text: 'Σ' }))),
    h('tbody', {}, ...rows),
  );
}

function showCell(t: number, p: number, gallery: HTMLElement): void {
  const r = report!;
  const shown = r.cells[t][p];
  const n = r.matrix[t][p];
  gallery.replaceChildren(
    h('h3', { text: `True ${t}, predicted ${p}: ${n.toLocaleString()} image${n === 1 ? '' : 's'}${shown.length < n ? ` (the ${shown.length} most confident shown)` : ''}` }),
    shown.length ? h('div', { class: 'gallery' }, ...shown.map((k) => example(k))) : h('p', { class: 'muted', text: 'No images in this cell.' }),
  );
}

function metricsTable(r: ReportPayload): HTMLTableElement {
  const bar = () => h('span', { class: 'bar', role: 'presentation' }, Object.assign(h('span', { class: 'bar-fill' }), {}));
  const cell = (v: number) => {
    const c = h('td', { class: 'num' }, bar(), h('span', { text: v.toFixed(4) }));
    (c.querySelector('.bar-fill') as HTMLElement).style.width = `${(v * 100).toFixed(1)}%`;
    return c;
  };
  return h(
    'table',
    { class: 'metrics', 'data-testid': 'class-metrics' },
    h('caption', { class: 'visually-hidden', text: 'Precision, recall, F1 and support per digit' }),
    h('thead', {}, h('tr', {}, ...['Digit', 'Precision', 'Recall', 'F1', 'Support'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, ...r.classes.map((c) => h('tr', {}, h('th', { scope: 'row', text: String(c.digit) }), cell(c.precision), cell(c.recall), cell(c.f1), h('td', { class: 'num', text: c.support.toLocaleString() })))),
  );
}

// --- messages: one handler per type --------------------------------------------------------------
const handlers: { [K in ReportToWebview['type']]: (m: Extract<ReportToWebview, { type: K }>) => void } = {
  report(m) {
    report = m.report;
    pixels = base64ToBytes(m.report.pixels);
    mistakeMaps = mapsOf(m.report);
    selected = undefined;
    vscode.setState({ report: m.report, showWhy });
    render();
  },
  progress(m) {
    content.replaceChildren();
    showStatus(m.message, m.fraction);
  },
  error(m) {
    showStatus(m.message, undefined, true);
  },
  exported(m) {
    const note = h('div', { class: 'toast', role: 'status', text: `Exported to ${m.file}` });
    app.append(note);
    setTimeout(() => note.remove(), 4000);
  },
};

window.addEventListener('message', (event: MessageEvent) => {
  const checked = checkReportToWebview(event.data);
  if (!checked.ok) return console.warn(`[evaluation report] dropped a bad message: ${checked.reason}`);
  (handlers[checked.value.type] as (m: ReportToWebview) => void)(checked.value);
});

function mapsOf(r: ReportPayload): Int8Array | undefined {
  if (!r.mistakeMaps) return undefined;
  const bytes = base64ToBytes(r.mistakeMaps);
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// Theme changes: repaint the maps in the new theme's colours.
new MutationObserver(() => {
  if (report && mistakeMaps) render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Restore the last report (hide/show, window reload) before the extension answers.
const saved = vscode.getState() as { report?: unknown } | undefined;
try {
  if (saved?.report) {
    report = checkReport(saved.report);
    pixels = base64ToBytes(report.pixels);
    mistakeMaps = mapsOf(report);
    render();
  } else showStatus('Waiting for the evaluation…');
} catch {
  showStatus('Waiting for the evaluation…');
}
post({ type: 'ready' });
