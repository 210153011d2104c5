// chart.js for the insight webviews: only the pieces we use are registered (tree-shaken by
// esbuild), colours come from VS Code's --vscode-* theme variables read at run time, and charts
// are restyled when the theme changes. chart.js draws on a canvas with no eval and no injected
// stylesheet, so the webviews' strict CSP holds.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, Tooltip, Legend, Filler);

export { Chart };

export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  blue: string;
  orange: string;
  green: string;
  red: string;
  purple: string;
  yellow: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return alpha(v || fallback, 1);
}

export function theme(): Theme {
  const foreground = cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#cccccc'));
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', foreground),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.3)'),
    blue: cssVar('--vscode-charts-blue', '#3794ff'),
    orange: cssVar('--vscode-charts-orange', '#d18616'),
    green: cssVar('--vscode-charts-green', '#89d185'),
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    purple: cssVar('--vscode-charts-purple', '#b180d7'),
    yellow: cssVar('--vscode-charts-yellow', '#cca700'),
    font: getComputedStyle(document.documentElement).getPropertyValue('--vscode-font-family').trim() || 'system-ui, sans-serif',
  };
}

const probe = document.createElement('canvas').getContext('2d');
/** `color` (any CSS colour a theme variable may hold) as rgba() with alpha `a`: chart.js parses only plain forms. */
export function alpha(color: string, a: number): string {
  if (!probe) return color;
  probe.fillStyle = '#000';
  probe.fillStyle = color; // normalised by the canvas to #rrggbb or rgba(r, g, b, a)
  const v = String(probe.fillStyle);
  let r = 0, g = 0, b = 0, base = 1;
  if (v.startsWith('#')) {
    r = parseInt(v.slice(1, 3), 16);
    g = parseInt(v.slice(3, 5), 16);
    b = parseInt(v.slice(5, 7), 16);
  } else {
    const m = v.match(/[\d.]+/g);
    if (m) [r, g, b] = m.map(Number);
    if (m && m.length > 3) base = Number(m[3]);
  }
  return `rgba(${r}, ${g}, ${b}, ${+(base * a).toFixed(3)})`;
}

/** Applies the theme's text and grid colours to a chart's defaults and scales. */
export function applyTheme(chart: Chart, t = theme()): void {
  const scales = chart.options.scales ?? {};
  for (const scale of Object.values(scales)) {
    if (!scale) continue;
    const s = scale as { ticks?: { color?: string }; grid?: { color?: string }; title?: { color?: string }; border?: { color?: string } };
    s.ticks = { ...s.ticks, color: t.muted };
    s.grid = { ...s.grid, color: t.grid };
    s.border = { ...s.border, color: t.grid };
    if (s.title) s.title.color = t.muted;
  }
  const legend = chart.options.plugins?.legend;
  if (legend) legend.labels = { ...legend.labels, color: t.foreground };
}

const charts = new Set<{ chart: Chart; restyle: (t: Theme) => void }>();

/** Creates a chart and keeps it styled after the theme: `restyle` sets dataset colours. */
export function themedChart<T extends ChartType>(canvas: HTMLCanvasElement, config: ChartConfiguration<T>, restyle: (chart: Chart<T>, t: Theme) => void): Chart<T> {
  Chart.defaults.font.family = theme().font;
  Chart.defaults.color = theme().muted;
  const chart = new Chart(canvas, config);
  const entry = {
    chart: chart as unknown as Chart,
    restyle: (t: Theme) => {
      applyTheme(chart as unknown as Chart, t);
      restyle(chart, t);
      // A full update (animations are off): with 'none', new point elements get no options and are not drawn.
      chart.update();
    },
  };
  entry.restyle(theme());
  charts.add(entry);
  return chart;
}

export function forgetChart(chart: Chart<ChartType>): void {
  for (const e of charts) if (e.chart === (chart as unknown as Chart)) charts.delete(e);
  chart.destroy();
}

// VS Code restyles the page on theme change (html style attribute, body class).
let queued = false;
function onThemeChange(): void {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    const t = theme();
    Chart.defaults.color = t.muted;
    for (const e of charts) e.restyle(t);
  });
}
new MutationObserver(onThemeChange).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(onThemeChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });

/** Respect reduced motion: no chart animations. */
if (matchMedia('(prefers-reduced-motion: reduce)').matches) Chart.defaults.animation = false;
