// The Training Dashboard webview: live loss/accuracy curves (per batch, smoothed, and per epoch,
// training vs validation), learning rate, images/s, ETA, the run's settings and a Stop button.
// Talks to src/extension/dashboardPanel.ts with src/shared/dashboardMessages.ts.
import { checkDashboardToWebview, type BatchPoint, type DashboardFromWebview, type DashboardToWebview, type EpochPoint, type RunSnapshot } from '../../shared/dashboardMessages';
import { batchHistoryEpochs, emptyBatchHistory, smooth, thin } from '../../shared/series';
import { TRAIN_OPTION_KEYS, TRAIN_OPTIONS } from '../../shared/training';
import { formatOption } from '../../shared/options';
import { alpha, themedChart, type Chart } from '../common/charts';
import { button, dataTable, formatSeconds, h, pct, vscodeApi } from '../common/dom';

const vscode = vscodeApi();
const post = (m: DashboardFromWebview) => vscode.postMessage(m);
const MAX_DRAWN = 1500;

// --- state ---------------------------------------------------------------------------------------
interface State {
  run?: RunSnapshot;
  /** Per-batch points (x in epochs), kept here so a reload or hide/show redraws without the host. */
  xs: number[];
  loss: number[];
  accuracy: number[];
  smoothing: number;
}
const saved = vscode.getState() as Partial<State> | undefined;
const state: State = { xs: [], loss: [], accuracy: [], smoothing: 0.8 };
if (saved && typeof saved === 'object' && Array.isArray(saved.xs) && Array.isArray(saved.loss) && Array.isArray(saved.accuracy)) {
  const run = checkDashboardToWebview({ type: 'run', run: saved.run });
  if (run.ok && run.value.type === 'run') state.run = run.value.run;
  state.xs = saved.xs.filter(Number.isFinite);
  state.loss = saved.loss.filter(Number.isFinite);
  state.accuracy = saved.accuracy.filter(Number.isFinite);
  if (typeof saved.smoothing === 'number' && saved.smoothing >= 0 && saved.smoothing < 1) state.smoothing = saved.smoothing;
}
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function save(): void {
  if (saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = undefined;
    const keep = thin(state.xs.map((x, i) => i), 2000);
    vscode.setState({
      run: state.run && { ...state.run, history: emptyBatchHistory() },
      xs: keep.map((i) => state.xs[i]),
      loss: keep.map((i) => state.loss[i]),
      accuracy: keep.map((i) => state.accuracy[i]),
      smoothing: state.smoothing,
    } satisfies State);
  }, 500);
}

// --- DOM -----------------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const title = h('h1', { 'data-testid': 'run-name' });
const statusBadge = h('span', { class: 'badge', 'data-testid': 'run-status', role: 'status' });
const subtitle = h('p', { class: 'muted' });
const stopButton = button('Stop', () => {
  stopButton.disabled = true;
  stopButton.textContent = 'Stopping…';
  post({ type: 'stop' });
}, { 'data-testid': 'stop', class: 'danger', title: 'Stop training (nothing is saved), like Cancel on the notification' });
const evaluateButton = button('Evaluate…', () => post({ type: 'command', command: 'evaluate' }), { 'data-testid': 'evaluate' });
const otherButton = button('Other Model…', () => post({ type: 'command', command: 'pickModel' }), { class: 'secondary' });
const progressBar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': 'Training progress' }, h('div', { class: 'fill' }));
const message = h('div', { class: 'note', role: 'status' });

const tiles = new Map<string, HTMLElement>();
const tileNames = ['Epoch', 'Loss', 'Accuracy', 'Val. loss', 'Val. accuracy', 'Learning rate', 'Images/s', 'Time'];
const tileGrid = h('div', { class: 'tiles' }, ...tileNames.map((name) => {
  const value = h('div', { class: 'value', text: '–' });
  tiles.set(name, value);
  return h('div', { class: 'tile', 'data-testid': `tile-${name.replace(/\W+/g, '-').toLowerCase()}` }, h('div', { class: 'caption', text: name }), value);
}));

const smoothingInput = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(state.smoothing), id: 'smoothing', 'aria-describedby': 'smoothing-value' });
const smoothingValue = h('output', { id: 'smoothing-value', for: 'smoothing', text: state.smoothing.toFixed(2) });
smoothingInput.addEventListener('input', () => {
  state.smoothing = Number(smoothingInput.value);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  scheduleDraw();
  save();
});

const lossCanvas = h('canvas', { role: 'img', 'aria-label': 'Loss per batch (smoothed) and per epoch, training and validation' });
const accCanvas = h('canvas', { role: 'img', 'aria-label': 'Accuracy per batch (smoothed) and per epoch, training and validation' });
const lossBox = h('figure', { class: 'chart', 'data-testid': 'loss-chart' }, h('figcaption', { text: 'Loss' }), h('div', { class: 'canvas-box' }, lossCanvas));
const accBox = h('figure', { class: 'chart', 'data-testid': 'accuracy-chart' }, h('figcaption', { text: 'Accuracy' }), h('div', { class: 'canvas-box' }, accCanvas));
const settingsList = h('dl', { class: 'settings', 'data-testid': 'settings' });
const epochTable = h('div', { 'data-testid': 'epoch-table' });
const empty = h('div', { class: 'empty' }, h('h2', { text: 'No training run yet' }), h('p', { text: 'Start Train Model, or show the curves of a saved model.' }), button('Show a Saved Model…', () => post({ type: 'command', command: 'pickModel' })));

const main = h(
  'main',
  { class: 'page dashboard' },
  h('header', { class: 'head' }, h('div', { class: 'titles' }, h('div', { class: 'title-line' }, title, statusBadge), subtitle), h('div', { class: 'actions' }, stopButton, evaluateButton, otherButton)),
  progressBar,
  message,
  tileGrid,
  h('div', { class: 'controls' }, h('label', { for: 'smoothing', text: 'Smoothing' }), smoothingInput, smoothingValue),
  h('div', { class: 'charts two' }, lossBox, accBox),
  h('section', { class: 'below' }, h('div', {}, h('h2', { text: 'Settings' }), settingsList), h('div', {}, h('h2', { text: 'Epochs' }), epochTable)),
);
app.replaceChildren(main, empty);

// --- charts --------------------------------------------------------------------------------------
type XY = { x: number; y: number };
function lineChart(canvas: HTMLCanvasElement, yTitle: string, percent: boolean): Chart<'line', XY[]> {
  const chart = themedChart<'line'>(
    canvas,
    {
      type: 'line',
      data: {
        datasets: [
          { label: 'Batch', data: [], borderWidth: 1, pointRadius: 0, tension: 0 },
          { label: 'Batch (smoothed)', data: [], borderWidth: 2, pointRadius: 0, tension: 0.2 },
          { label: 'Epoch (training)', data: [], borderWidth: 0, pointRadius: 4, showLine: false, clip: false },
          { label: 'Validation', data: [], borderWidth: 2, pointRadius: 4, borderDash: [5, 3], clip: false },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', intersect: false, axis: 'x' },
        scales: {
          x: { type: 'linear', min: 0, title: { display: true, text: 'Epoch' }, ticks: { precision: 0 } },
          y: { type: 'linear', title: { display: true, text: yTitle }, ...(percent ? { max: 1, ticks: { callback: (v) => `${Math.round(Number(v) * 100)}%` } } : { min: 0 }) },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 2 } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${percent ? pct(c.parsed.y ?? 0) : (c.parsed.y ?? 0).toFixed(4)} (epoch ${(c.parsed.x ?? 0).toFixed(2)})` } },
        },
      },
    },
    (chart, t) => {
      const [raw, smoothed, epoch, val] = chart.data.datasets;
      raw.borderColor = alpha(t.blue, 0.3);
      smoothed.borderColor = t.blue;
      epoch.backgroundColor = epoch.borderColor = t.purple;
      val.borderColor = val.backgroundColor = t.orange;
    },
  );
  return chart as unknown as Chart<'line', XY[]>;
}
const lossChart = lineChart(lossCanvas, 'Loss', false);
const accChart = lineChart(accCanvas, 'Accuracy', true);

let drawQueued = false;
function scheduleDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  setTimeout(() => {
    drawQueued = false;
    draw();
  }, 150);
}

function draw(): void {
  const run = state.run;
  const epochs = run?.epochs ?? [];
  const series = (values: number[]): XY[] => thin(values.map((y, i) => ({ x: state.xs[i], y })), MAX_DRAWN);
  const fill = (chart: Chart<'line', XY[]>, values: number[], trainKey: 'loss' | 'accuracy', valKey: 'valLoss' | 'valAccuracy') => {
    const [raw, smoothed, epoch, val] = chart.data.datasets;
    raw.data = series(values);
    smoothed.data = series(smooth(values, state.smoothing));
    epoch.data = epochs.map((e) => ({ x: e.epoch, y: e[trainKey] }));
    val.data = epochs.filter((e) => e[valKey] !== undefined).map((e) => ({ x: e.epoch, y: e[valKey]! }));
    (chart.options.scales!.x as { max?: number }).max = Math.max(1, run?.settings.epochs ?? 1, ...epochs.map((e) => e.epoch));
    chart.update(); // animations are off; 'none' would leave new point markers undrawn
  };
  fill(lossChart, state.loss, 'loss', 'valLoss');
  fill(accChart, state.accuracy, 'accuracy', 'valAccuracy');
  lossBox.dataset.points = String(state.loss.length);
  accBox.dataset.points = String(state.accuracy.length);
  lossBox.dataset.epochs = String(epochs.length);
}

// --- rendering -----------------------------------------------------------------------------------
const STATUS_TEXT: Record<RunSnapshot['status'], string> = {
  starting: 'Starting',
  reading: 'Reading data',
  running: 'Training',
  saving: 'Saving',
  done: 'Finished',
  cancelled: 'Stopped',
  failed: 'Failed',
  saved: 'Saved model',
  interrupted: 'Interrupted',
};

function render(): void {
  const run = state.run;
  main.hidden = !run;
  empty.hidden = !!run;
  if (!run) return;
  const live = ['starting', 'reading', 'running', 'saving'].includes(run.status);
  title.textContent = run.name;
  statusBadge.textContent = STATUS_TEXT[run.status];
  statusBadge.className = `badge ${run.status}`;
  const fileName = run.file.split(/[\\/]/).pop() ?? run.file;
  subtitle.textContent = [fileName && `${fileName}${run.rows ? ` · ${run.rows.toLocaleString()} rows` : ''}`, run.backend && `backend ${run.backend}`, `started ${new Date(run.started).toLocaleString()}`].filter(Boolean).join(' · ');
  stopButton.hidden = !live;
  if (live && run.status !== 'saving') {
    stopButton.disabled = false;
    stopButton.textContent = 'Stop';
  } else stopButton.disabled = true;
  evaluateButton.hidden = !run.modelId;
  message.textContent = run.message ?? '';
  message.hidden = !run.message;

  const last = run.last;
  const done = last ? ((last.epoch - 1) * last.batches + last.batch) / (last.epochs * last.batches) : run.status === 'saved' || run.status === 'done' ? 1 : 0;
  (progressBar.firstChild as HTMLElement).style.width = `${(done * 100).toFixed(1)}%`;
  progressBar.setAttribute('aria-valuenow', (done * 100).toFixed(0));
  progressBar.hidden = !live && done === 0;

  const lastEpoch: EpochPoint | undefined = run.epochs[run.epochs.length - 1];
  const smoothLoss = state.loss.length ? smooth(state.loss.slice(-200), state.smoothing).pop()! : undefined;
  const smoothAcc = state.accuracy.length ? smooth(state.accuracy.slice(-200), state.smoothing).pop()! : undefined;
  const set = (name: string, text: string, hint?: string) => {
    const el = tiles.get(name)!;
    el.textContent = text;
    el.title = hint ?? '';
  };
  set('Epoch', last && live ? `${last.epoch}/${last.epochs} · ${last.batch}/${last.batches}` : `${run.epochs.length}/${run.settings.epochs ?? '–'}`, last && live ? `epoch ${last.epoch} of ${last.epochs}, batch ${last.batch} of ${last.batches}` : undefined);
  set('Loss', live && smoothLoss !== undefined ? smoothLoss.toFixed(4) : lastEpoch ? lastEpoch.loss.toFixed(4) : '–', live ? 'smoothed, recent batches' : 'last epoch');
  set('Accuracy', live && smoothAcc !== undefined ? pct(smoothAcc) : lastEpoch ? pct(lastEpoch.accuracy) : '–', live ? 'smoothed, recent batches' : 'last epoch');
  set('Val. loss', lastEpoch?.valLoss !== undefined ? lastEpoch.valLoss.toFixed(4) : '–');
  set('Val. accuracy', lastEpoch?.valAccuracy !== undefined ? pct(lastEpoch.valAccuracy) : '–');
  set('Learning rate', (last?.learningRate ?? lastEpoch?.learningRate ?? run.settings.learningRate)?.toPrecision(3) ?? '–');
  const averageSpeed = run.trainingSeconds && run.rows ? (run.rows * (1 - (run.settings.validationSplit ?? 0)) * run.epochs.length) / run.trainingSeconds : undefined;
  set('Images/s', last && live ? Math.round(last.imagesPerSecond).toLocaleString() : averageSpeed ? `≈${Math.round(averageSpeed).toLocaleString()}` : '–', live ? 'training speed' : 'average over the run, including validation');
  set('Time', live && last ? `${formatSeconds(last.etaSeconds)} left` : run.trainingSeconds !== undefined ? formatSeconds(run.trainingSeconds) : '–', live ? 'estimated time left' : 'training time');

  // Every training option, as its schema names and shows it; '–' for one the model did not record.
  const s: Record<string, unknown> = run.settings;
  const entries: Array<[string, string, string?]> = [
    ...TRAIN_OPTION_KEYS.map((key): [string, string, string] => [TRAIN_OPTIONS[key].label, s[key] === undefined ? '–' : formatOption(TRAIN_OPTIONS[key], s[key]), TRAIN_OPTIONS[key].description]),
    ['Backend', run.backend ?? '–'],
    ['Training file', run.file || '–'],
  ];
  settingsList.replaceChildren(...entries.flatMap(([k, v, about]) => [h('dt', { text: k, title: about ?? k }), h('dd', { text: v, title: v })]));
  epochTable.replaceChildren(
    run.epochs.length
      ? dataTable('Per-epoch results', ['Epoch', 'Loss', 'Accuracy', 'Val. loss', 'Val. accuracy', 'Learning rate', 'Seconds'], run.epochs.map((e) => [e.epoch, e.loss.toFixed(4), pct(e.accuracy), e.valLoss?.toFixed(4) ?? '–', e.valAccuracy !== undefined ? pct(e.valAccuracy) : '–', e.learningRate.toPrecision(3), e.seconds.toFixed(1)]))
      : h('p', { class: 'muted', text: live ? 'The first epoch is under way.' : 'No epochs recorded.' }),
  );
  if (epochTable.firstElementChild instanceof HTMLDetailsElement) epochTable.firstElementChild.open = true;
  scheduleDraw();
}

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    render();
  }, 200);
}

// --- messages: one handler per type --------------------------------------------------------------
const handlers: { [K in DashboardToWebview['type']]: (m: Extract<DashboardToWebview, { type: K }>) => void } = {
  run(m) {
    state.run = m.run;
    const xs = batchHistoryEpochs(m.run.history);
    if (m.run.history.count > 0 || m.run.status === 'saved' || m.run.status === 'starting') {
      state.xs = xs;
      state.loss = m.run.history.loss.slice();
      state.accuracy = m.run.history.accuracy.slice();
    }
    render();
    save();
  },
  batch(m) {
    if (!state.run) return;
    const p: BatchPoint = m.point;
    state.run.last = p;
    if (state.run.status !== 'running') state.run.status = 'running';
    state.xs.push((p.epoch - 1) + p.batch / p.batches);
    state.loss.push(p.batchLoss);
    state.accuracy.push(p.batchAccuracy);
    scheduleRender();
    save();
  },
  epoch(m) {
    if (!state.run) return;
    state.run.epochs = [...state.run.epochs.filter((e) => e.epoch !== m.stats.epoch), m.stats];
    scheduleRender();
    save();
  },
  status(m) {
    if (!state.run) return;
    Object.assign(state.run, { status: m.status, message: m.message });
    if (m.modelId) state.run.modelId = m.modelId;
    if (m.backend) state.run.backend = m.backend;
    if (m.rows !== undefined) state.run.rows = m.rows;
    if (m.trainingSeconds !== undefined) state.run.trainingSeconds = m.trainingSeconds;
    render();
    save();
  },
};

window.addEventListener('message', (event: MessageEvent) => {
  const checked = checkDashboardToWebview(event.data);
  if (!checked.ok) return console.warn(`[training dashboard] dropped a bad message: ${checked.reason}`);
  (handlers[checked.value.type] as (m: DashboardToWebview) => void)(checked.value);
});

// A run that was live when the window reloaded cannot continue (its worker is gone): if the
// extension does not answer `ready` with the run soon, say so.
let answered = false;
window.addEventListener('message', () => (answered = true), { once: true });
setTimeout(() => {
  if (answered || !state.run || !['starting', 'reading', 'running', 'saving'].includes(state.run.status)) return;
  state.run.status = 'interrupted';
  state.run.message = 'The window was reloaded while this run was training, which stopped it. Curves up to that point are shown.';
  render();
  save();
}, 3000);
render();
post({ type: 'ready' });
