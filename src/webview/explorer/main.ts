// The Dataset Explorer webview: row count, label distribution (bar chart), sample and mean images
// per digit, the pixel-intensity histogram and the first row the parser rejected. Statistics come
// from the engine worker via src/extension/explorerPanel.ts (images as base64 bytes).
import { checkExplorerToWebview, type ExplorerFromWebview, type ExplorerPayload, type ExplorerToWebview } from '../../shared/explorerMessages';
import { base64ToBytes } from '../../shared/base64';
import { alpha, forgetChart, themedChart, type Chart } from '../common/charts';
import { button, dataTable, digitCanvas, h, pct, vscodeApi } from '../common/dom';

const vscode = vscodeApi();
const post = (m: ExplorerFromWebview) => vscode.postMessage(m);

const app = document.getElementById('app')!;
const status = h('div', { class: 'status-panel', role: 'status', 'data-testid': 'explorer-status' });
const progressBar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': 'Reading progress' }, h('div', { class: 'fill' }));
const loading = h('div', { class: 'loading' }, status, progressBar);
const content = h('main', { class: 'page explorer' });
app.replaceChildren(loading, content);
const charts: Array<Chart<'bar'>> = [];

function showStatus(text: string, fraction?: number, isError = false): void {
  loading.hidden = false;
  status.textContent = text;
  status.classList.toggle('error', isError);
  progressBar.hidden = fraction === undefined;
  if (fraction !== undefined) {
    (progressBar.firstChild as HTMLElement).style.width = `${(fraction * 100).toFixed(1)}%`;
    progressBar.setAttribute('aria-valuenow', (fraction * 100).toFixed(0));
  }
}

function megabytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

function render(s: ExplorerPayload): void {
  loading.hidden = true;
  charts.splice(0).forEach((c) => forgetChart(c));
  const samplePixels = base64ToBytes(s.samplePixels);
  const means = base64ToBytes(s.meanImages);
  const labelled = !!s.labelCounts;
  const totalPixels = s.histogram.reduce((a, b) => a + b, 0);
  const zeros = s.histogram[0];
  const ink = totalPixels ? s.histogram.reduce((sum, n, v) => sum + n * v, 0) / totalPixels : 0;

  const head = h(
    'header',
    { class: 'head' },
    h('div', { class: 'titles' }, h('h1', { text: s.name, title: s.file }), h('p', { class: 'muted', text: `${s.format === 'train' ? 'Train format (labelled)' : s.format === 'test' ? 'Test format (no labels)' : 'Not readable as a Digit Recognizer CSV'} · ${megabytes(s.bytes)} · read and analysed in ${s.seconds.toFixed(2)} s` })),
    h('div', { class: 'actions' }, ...(labelled ? [button('Train on This File', () => post({ type: 'command', command: 'train' }))] : []), button('Other File…', () => post({ type: 'command', command: 'pickFile' }), { class: 'secondary' })),
  );
  const tiles = h(
    'div',
    { class: 'tiles' },
    tile('Rows', s.rows.toLocaleString(), 'rows'),
    tile('Digits', labelled ? String(s.labelCounts!.filter((n) => n > 0).length) : '–'),
    tile('Background pixels', totalPixels ? pct(zeros / totalPixels, 1) : '–'),
    tile('Mean intensity', ink.toFixed(1)),
  );
  const sections: HTMLElement[] = [head, tiles];
  if (s.rejected) {
    const r = s.rejected;
    sections.push(
      h(
        'section',
        { class: 'rejected', role: 'alert', 'data-testid': 'rejected' },
        h('h2', { text: 'Rejected row' }),
        h('p', { text: r.message }),
        h('p', { class: 'muted small', text: s.rows ? `The reader stops at the first bad row; the statistics below cover the ${s.rows.toLocaleString()} rows before it.` : 'The reader stops at the first bad row; nothing before it could be read.' }),
        ...(r.line ? [button(`Go to Line ${r.line}${r.column ? `, Column ${r.column}` : ''}`, () => post({ type: 'openLine', line: r.line!, column: r.column }), { class: 'secondary' })] : []),
      ),
    );
  }
  if (s.rows > 0) {
    const grid = h('div', { class: 'charts two' });
    if (labelled) grid.append(labelChart(s.labelCounts!));
    grid.append(histogramChart(s.histogram));
    sections.push(grid);
    sections.push(h('section', {}, h('h2', { text: labelled ? 'Mean image per digit' : 'Mean image' }), h('div', { class: 'means', 'data-testid': 'means' }, ...(labelled ? s.labelCounts!.map((n, d) => h('figure', { class: 'mean' }, digitCanvas(means, d * 784, `Mean image of the ${n.toLocaleString()} ${d}s`, 72), h('figcaption', { text: String(d) }))) : [h('figure', { class: 'mean' }, digitCanvas(means, 0, 'Mean image of all rows', 72))]))));
    sections.push(samplesSection(s, samplePixels));
  }
  content.replaceChildren(...sections);
}

function tile(caption: string, value: string, testid?: string): HTMLElement {
  return h('div', { class: 'tile', 'data-testid': testid ? `tile-${testid}` : undefined }, h('div', { class: 'caption', text: caption }), h('div', { class: 'value', text: value }));
}

function labelChart(counts: number[]): HTMLElement {
  const total = counts.reduce((a, b) => a + b, 0);
  const canvas = h('canvas', { role: 'img', 'aria-label': `Label distribution: ${counts.map((n, d) => `${d}: ${n}`).join(', ')}` });
  const fig = h('figure', { class: 'chart', 'data-testid': 'label-chart', 'data-bars': String(counts.length) }, h('figcaption', { text: 'Label distribution' }), h('div', { class: 'canvas-box' }, canvas), dataTable('Rows per digit', ['Digit', 'Rows', 'Share'], counts.map((n, d) => [d, n.toLocaleString(), pct(total ? n / total : 0, 1)])));
  charts.push(
    themedChart<'bar'>(
      canvas,
      {
        type: 'bar',
        data: { labels: counts.map((_, d) => String(d)), datasets: [{ label: 'Rows', data: counts, borderWidth: 0, borderRadius: 2 }] },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { title: { display: true, text: 'Digit' }, grid: { display: false } }, y: { beginAtZero: true, title: { display: true, text: 'Rows' } } },
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${Number(c.raw).toLocaleString()} rows (${pct(total ? Number(c.raw) / total : 0, 1)})` } } },
        },
      },
      (chart, t) => {
        chart.data.datasets[0].backgroundColor = t.blue;
        chart.data.datasets[0].hoverBackgroundColor = alpha(t.blue, 0.8);
      },
    ),
  );
  return fig;
}

function histogramChart(histogram: number[]): HTMLElement {
  // 32 bins of 8 values; value 0 (the background, ~80% of MNIST pixels) is left out so the ink shows.
  const bins = new Array<number>(32).fill(0);
  for (let v = 1; v < 256; v++) bins[v >> 3] += histogram[v];
  const labels = bins.map((_, i) => `${i === 0 ? 1 : i * 8}–${i * 8 + 7}`);
  const canvas = h('canvas', { role: 'img', 'aria-label': 'Pixel-intensity histogram of non-zero pixels in 32 bins' });
  const fig = h('figure', { class: 'chart', 'data-testid': 'histogram-chart' }, h('figcaption', { text: 'Pixel intensity (non-zero pixels)' }), h('div', { class: 'canvas-box' }, canvas), dataTable('Pixels per intensity range', ['Intensity', 'Pixels'], bins.map((n, i) => [labels[i], n.toLocaleString()])));
  charts.push(
    themedChart<'bar'>(
      canvas,
      {
        type: 'bar',
        data: { labels, datasets: [{ label: 'Pixels', data: bins, borderWidth: 0, barPercentage: 1, categoryPercentage: 1 }] },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { title: { display: true, text: 'Intensity' }, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } }, y: { type: 'logarithmic', title: { display: true, text: 'Pixels (log scale)' } } },
          plugins: { legend: { display: false } },
        },
      },
      (chart, t) => {
        chart.data.datasets[0].backgroundColor = alpha(t.purple, 0.85);
      },
    ),
  );
  return fig;
}

function samplesSection(s: ExplorerPayload, pixels: Uint8Array): HTMLElement {
  const groups = new Map<string, number[]>();
  s.samples.forEach((sample, i) => {
    const key = sample.label === null ? 'Samples' : String(sample.label);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, indices]) =>
    h(
      'div',
      { class: 'sample-row', role: 'group', 'aria-label': key === 'Samples' ? 'Sample images' : `Samples of digit ${key}` },
      h('div', { class: 'sample-label', text: key === 'Samples' ? '' : key }),
      ...indices.map((i) => digitCanvas(pixels, i * 784, `${key === 'Samples' ? 'Image' : `A ${key}`} from CSV line ${s.samples[i].row + 2}`, 40)),
    ),
  );
  return h('section', {}, h('h2', { text: 'Random samples' }), h('p', { class: 'muted small', text: 'A seeded random sample of each digit; hover an image for its CSV line.' }), h('div', { class: 'samples', 'data-testid': 'samples' }, ...rows));
}

// --- messages: one handler per type --------------------------------------------------------------
const handlers: { [K in ExplorerToWebview['type']]: (m: Extract<ExplorerToWebview, { type: K }>) => void } = {
  stats(m) {
    vscode.setState({ stats: m.stats });
    render(m.stats);
  },
  progress(m) {
    content.replaceChildren();
    const name = m.file.split(/[\\/]/).pop();
    showStatus(m.totalBytes ? `Reading ${name}: ${m.rows.toLocaleString()} rows (${megabytes(m.bytes)} of ${megabytes(m.totalBytes)})` : `Reading ${name}…`, m.totalBytes ? m.bytes / m.totalBytes : undefined);
  },
  error(m) {
    showStatus(m.message, undefined, true);
  },
};

window.addEventListener('message', (event: MessageEvent) => {
  const checked = checkExplorerToWebview(event.data);
  if (!checked.ok) return console.warn(`[dataset explorer] dropped a bad message: ${checked.reason}`);
  (handlers[checked.value.type] as (m: ExplorerToWebview) => void)(checked.value);
});

const saved = checkExplorerToWebview({ type: 'stats', stats: (vscode.getState() as { stats?: unknown } | undefined)?.stats });
if (saved.ok && saved.value.type === 'stats') render(saved.value.stats);
else showStatus('Waiting for the data…');
post({ type: 'ready' });
