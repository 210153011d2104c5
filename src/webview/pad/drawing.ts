// Drawing: the canvas the user draws on with a mouse, a pen or a finger, its strokes (the pad's
// document, strokes.ts; kept in the webview state by main.ts), undo and clear (buttons and keys).
// What the model reads in them is prediction.ts's business; this file only says when they change.

import { MIN_STEP, drawStrokes, type Stroke } from './strokes';
import { h, isTextField } from '../common/dom';
import { ICON_CLEAR, ICON_UNDO, icon } from './icons';

const HISTORY_LIMIT = 100;

export interface DrawingHooks {
  /** The strokes changed: keep them (webview state). */
  save(): void;
  /** The pen went down: the buttons follow. */
  penDown(): void;
  /** Ink moved under the pen. */
  inkMoved(): void;
  /** A stroke was finished. */
  strokeEnded(): void;
  /** The strokes were undone, cleared or set aside: whatever was asked about the old ones is stale. */
  edited(): void;
  /** The ink was redrawn: paint what lies over it. */
  rendered(): void;
}

export type Drawing = ReturnType<typeof createDrawing>;

/** The drawing surface: `layers` are canvases laid over the ink and sized with it. */
export function createDrawing(app: HTMLElement, initial: Stroke[], layers: HTMLCanvasElement[], hooks: DrawingHooks) {
  const canvas = h('canvas', {
    class: 'ink',
    'data-testid': 'pad-canvas',
    tabindex: '0',
    role: 'img',
    'aria-label': 'Drawing pad. Draw a digit from 0 to 9 with the mouse, a pen or a finger. Ctrl+Z undoes the last stroke; Delete or Escape clears.',
  });
  const hint = h('div', { class: 'hint', 'aria-hidden': 'true', text: 'Draw a digit 0–9' });
  const surface = h('div', { class: 'surface' }, canvas, ...layers, hint);
  const undoButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'undo', title: 'Undo last stroke (Ctrl+Z)' }, icon(ICON_UNDO), 'Undo');
  const clearButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'clear', title: 'Clear the pad (Delete / Esc)' }, icon(ICON_CLEAR), 'Clear');

  let strokes = initial;
  let history: Stroke[][] = [];
  /** The stroke being drawn. */
  let current: { pointerId: number; points: number[] } | undefined;

  function allStrokes(): Stroke[] {
    return current && current.points.length >= 2 ? [...strokes, current.points] : strokes;
  }

  function change(next: Stroke[]): void {
    history.push(strokes);
    if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
    strokes = next;
    hooks.save();
  }

  function undo(): void {
    if (current) return;
    // Undo steps back through this session's changes; after a reload (history is not kept) it
    // still removes strokes one by one.
    const previous = history.pop() ?? (strokes.length ? strokes.slice(0, -1) : undefined);
    if (!previous) return;
    strokes = previous;
    hooks.save();
    hooks.edited();
  }

  function clear(): void {
    if (current || strokes.length === 0) return;
    change([]);
    hooks.edited();
  }

  function update(): void {
    undoButton.disabled = (history.length === 0 && strokes.length === 0) || !!current;
    clearButton.disabled = strokes.length === 0 || !!current;
    app.classList.toggle('has-ink', allStrokes().length > 0);
  }

  let renderQueued = false;
  function render(): void {
    renderQueued = false;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawStrokes(ctx, allStrokes(), canvas.width, getComputedStyle(canvas).color);
    hooks.rendered();
  }
  function queueRender(): void {
    if (!renderQueued) {
      renderQueued = true;
      requestAnimationFrame(render);
    }
  }

  /** Keeps the canvas square, as large as its box allows, at device-pixel resolution. */
  new ResizeObserver(() => {
    const side = Math.floor(surface.clientWidth);
    const px = Math.max(1, Math.round(side * window.devicePixelRatio));
    if (canvas.width !== px || canvas.height !== px) {
      for (const c of [canvas, ...layers]) {
        c.width = px;
        c.height = px;
      }
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
    hooks.penDown();
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
    hooks.inkMoved();
  });

  function endStroke(e: PointerEvent): void {
    if (!current || e.pointerId !== current.pointerId) return;
    const finished = current.points;
    current = undefined;
    app.classList.remove('drawing');
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    change([...strokes, finished]);
    hooks.strokeEnded();
  }
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);
  canvas.addEventListener('lostpointercapture', endStroke);
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());

  undoButton.addEventListener('click', undo);
  clearButton.addEventListener('click', clear);

  window.addEventListener('keydown', (e) => {
    // VS Code's webview host may already have called preventDefault on undo: act regardless.
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      undo();
    } else if (!mod && !e.altKey && (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape')) {
      if (isTextField(e.target)) return;
      e.preventDefault();
      clear();
    }
  });

  return {
    surface,
    undoButton,
    clearButton,
    /** The finished strokes. */
    get strokes(): Stroke[] {
      return strokes;
    },
    /** The finished strokes and the one being drawn. */
    allStrokes,
    /** Whether a stroke is being drawn. */
    get penIsDown(): boolean {
      return !!current;
    },
    /** Starts over on an empty pad, the drawing kept in the undo history (a sample was kept). */
    setAside(): void {
      change([]);
      hooks.edited();
    },
    render,
    update,
  };
}
