// Small DOM helpers shared by the webviews.

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
export function vscodeApi(): VsCodeApi {
  return (api ??= acquireVsCodeApi());
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

/** Whether a key went to a text field (which keeps its own keys). */
export function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

export function button(label: string, onClick: () => void, props: Partial<Record<string, string>> = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...props }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** A 28×28 canvas showing one MNIST image (white ink on black), scaled up by CSS. */
export function digitCanvas(pixels: Uint8Array, offset: number, label: string, size = 56): HTMLCanvasElement {
  const canvas = h('canvas', { width: '28', height: '28', class: 'digit', role: 'img', 'aria-label': label, title: label });
  canvas.style.width = canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const image = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels[offset + i];
      image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v;
      image.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }
  return canvas;
}

export function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A <details> holding a data table: the accessible form of a chart. */
export function dataTable(caption: string, headers: string[], rows: Array<Array<string | number>>): HTMLDetailsElement {
  const table = h('table', { class: 'data' }, h('caption', { class: 'visually-hidden', text: caption }), h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col', text: t })))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: String(c) } : { text: String(c) }))))));
  return h('details', { class: 'table' }, h('summary', { text: `${caption} (table)` }), table);
}
