// Messages between the Digit Pad webview and the extension, both ways, with strict validators.
// Everything that crosses the boundary is `unknown` until one of the parse functions accepts it;
// a rejected message is dropped (and logged) by the receiver, never acted upon.
//
// Pure: no DOM, no vscode. Imported by src/extension/digitPadPanel.ts and src/webview/pad/.

export const PAD_PIXELS = 784;
export const PAD_CLASSES = 10;
/** Longest model name / error message accepted; longer strings are rejected, not truncated. */
export const MAX_TEXT = 10_000;

/** The commands the pad may ask the extension to run. */
export const PAD_COMMANDS = ['train', 'loadModel'] as const;
export type PadCommand = (typeof PAD_COMMANDS)[number];

// --- webview → extension ---------------------------------------------------------------------

/** The webview has loaded and wants the current state (active model). */
export interface ReadyMessage {
  type: 'ready';
}
/** Classify a preprocessed 28×28 image: 784 integers 0–255, row-major, white ink on black. */
export interface PredictMessage {
  type: 'predict';
  requestId: number;
  pixels: number[];
}
/** Run one of the extension's commands (from the "No model yet" buttons). */
export interface CommandMessage {
  type: 'command';
  command: PadCommand;
}
/** Save the current drawing (784 integers 0–255, as for `predict`) as a Kaggle train-format row; `label` when already known. */
export interface ExportRowMessage {
  type: 'exportRow';
  pixels: number[];
  label?: number;
}
export type WebviewMessage = ReadyMessage | PredictMessage | CommandMessage | ExportRowMessage;

// --- extension → webview ---------------------------------------------------------------------

export interface PadModelInfo {
  name: string;
  /** Validation accuracy 0–1, when known. */
  valAccuracy?: number;
}
/** The answer to the `predict` message with the same requestId. */
export interface PredictionMessage {
  type: 'prediction';
  requestId: number;
  label: number;
  probabilities: number[];
}
/** The active model changed (or the webview just said `ready`); null = no model yet. */
export interface ModelMessage {
  type: 'model';
  model: PadModelInfo | null;
}
/** Something failed; `requestId` is set when it was a `predict` request. */
export interface ErrorMessage {
  type: 'error';
  message: string;
  requestId?: number;
}
export type ExtensionMessage = PredictionMessage | ModelMessage | ErrorMessage;

// --- validation ------------------------------------------------------------------------------

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validates a message from the webview; the value is a fresh object holding only known fields. */
export function checkWebviewMessage(x: unknown): Parsed<WebviewMessage> {
  if (!isRecord(x)) return fail(`not an object: ${describe(x)}`);
  switch (x.type) {
    case 'ready':
      return ok({ type: 'ready' });
    case 'predict': {
      if (!isRequestId(x.requestId)) return fail(`predict: bad requestId ${describe(x.requestId)}`);
      const pixels = x.pixels;
      if (!Array.isArray(pixels)) return fail(`predict: pixels is not an array: ${describe(pixels)}`);
      if (pixels.length !== PAD_PIXELS) return fail(`predict: ${pixels.length} pixels, expected ${PAD_PIXELS}`);
      for (let i = 0; i < pixels.length; i++) {
        const v = pixels[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
          return fail(`predict: pixel ${i} is ${describe(v)}, expected an integer 0–255`);
        }
      }
      return ok({ type: 'predict', requestId: x.requestId, pixels: pixels.slice() as number[] });
    }
    case 'command': {
      const command = x.command;
      if (!(PAD_COMMANDS as readonly unknown[]).includes(command)) return fail(`command: unknown command ${describe(command)}`);
      return ok({ type: 'command', command: command as PadCommand });
    }
    case 'exportRow': {
      const bad = badPixels(x.pixels);
      if (bad) return fail(`exportRow: ${bad}`);
      const label = x.label;
      if (label !== undefined && (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= PAD_CLASSES)) return fail(`exportRow: bad label ${describe(label)}`);
      const pixels = (x.pixels as number[]).slice();
      return ok(label === undefined ? { type: 'exportRow', pixels } : { type: 'exportRow', pixels, label });
    }
    default:
      return fail(`unknown message type ${describe(x.type)}`);
  }
}

/** Validates a message from the extension; the value is a fresh object holding only known fields. */
export function checkExtensionMessage(x: unknown): Parsed<ExtensionMessage> {
  if (!isRecord(x)) return fail(`not an object: ${describe(x)}`);
  switch (x.type) {
    case 'prediction': {
      if (!isRequestId(x.requestId)) return fail(`prediction: bad requestId ${describe(x.requestId)}`);
      const label = x.label;
      if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= PAD_CLASSES) {
        return fail(`prediction: bad label ${describe(label)}`);
      }
      const probabilities = x.probabilities;
      if (!Array.isArray(probabilities) || probabilities.length !== PAD_CLASSES) {
        return fail(`prediction: probabilities must be ${PAD_CLASSES} numbers`);
      }
      for (let i = 0; i < probabilities.length; i++) {
        const p = probabilities[i];
        if (!isProbability(p, 1e-6)) return fail(`prediction: probability ${i} is ${describe(p)}, expected a number 0–1`);
      }
      return ok({ type: 'prediction', requestId: x.requestId, label, probabilities: probabilities.slice() as number[] });
    }
    case 'model': {
      if (x.model === null) return ok({ type: 'model', model: null });
      if (!isRecord(x.model)) return fail(`model: expected an object or null, got ${describe(x.model)}`);
      const { name, valAccuracy } = x.model;
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TEXT) return fail(`model: bad name ${describe(name)}`);
      if (valAccuracy !== undefined && !isProbability(valAccuracy)) return fail(`model: bad valAccuracy ${describe(valAccuracy)}`);
      const model: PadModelInfo = valAccuracy === undefined ? { name } : { name, valAccuracy };
      return ok({ type: 'model', model });
    }
    case 'error': {
      const { message, requestId } = x;
      if (typeof message !== 'string' || message.length > MAX_TEXT) return fail(`error: bad message ${describe(message)}`);
      if (requestId !== undefined && !isRequestId(requestId)) return fail(`error: bad requestId ${describe(requestId)}`);
      return ok(requestId === undefined ? { type: 'error', message } : { type: 'error', message, requestId });
    }
    default:
      return fail(`unknown message type ${describe(x.type)}`);
  }
}

/** The message if it is a valid webview → extension message, else undefined. */
export function parseWebviewMessage(x: unknown): WebviewMessage | undefined {
  const r = checkWebviewMessage(x);
  return r.ok ? r.value : undefined;
}

/** The message if it is a valid extension → webview message, else undefined. */
export function parseExtensionMessage(x: unknown): ExtensionMessage | undefined {
  const r = checkExtensionMessage(x);
  return r.ok ? r.value : undefined;
}

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

/** Why `pixels` is not 784 integers 0–255, or undefined when it is. */
function badPixels(pixels: unknown): string | undefined {
  if (!Array.isArray(pixels)) return `pixels is not an array: ${describe(pixels)}`;
  if (pixels.length !== PAD_PIXELS) return `${pixels.length} pixels, expected ${PAD_PIXELS}`;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) return `pixel ${i} is ${describe(v)}, expected an integer 0–255`;
  }
  return undefined;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isRequestId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** A number in [0, 1]; `slack` tolerates float32 rounding just above 1 in softmax outputs. */
function isProbability(x: unknown, slack = 0): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1 + slack;
}

/** A short, safe description of a bad value for log lines. */
function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `array(${x.length})`;
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === 'object') return 'object';
  return String(x);
}
