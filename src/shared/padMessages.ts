// Messages between the Digit Pad webview and the extension, both ways, with strict validators.
// Everything that crosses the boundary is `unknown` until one of the parse functions accepts it;
// a rejected message is dropped (and logged) by the receiver, never acted upon.
//
// Pure: no DOM, no vscode. Imported by src/extension/digitPadPanel.ts and src/webview/pad/.
import { badSaliency } from './saliency';
import { base64Bytes, isBase64 } from './check';

export const PAD_PIXELS = 784;
export const PAD_CLASSES = 10;
/** Longest model name / error message accepted; longer strings are rejected, not truncated. */
export const MAX_TEXT = 10_000;

/** Fine-Tune on My Drawings needs at least this many labelled drawings. */
export const MIN_FINE_TUNE_SAMPLES = 10;

/** The commands the pad may ask the extension to run. */
export const PAD_COMMANDS = ['train', 'loadModel', 'fineTune', 'cancelFineTune', 'pickSamplesFile', 'openSamplesFile'] as const;
export type PadCommand = (typeof PAD_COMMANDS)[number];

// --- webview → extension ---------------------------------------------------------------------

/** The webview has loaded and wants the current state (active model). */
export interface ReadyMessage {
  type: 'ready';
}
/**
 * Classify a preprocessed 28×28 image: 784 integers 0–255, row-major, white ink on black.
 * `explain` asks for the "see why" map too (sent when the pen lifts, not while it moves).
 */
export interface PredictMessage {
  type: 'predict';
  requestId: number;
  pixels: number[];
  explain?: boolean;
}
/** Run one of the extension's commands (from the "No model yet" buttons). */
export interface CommandMessage {
  type: 'command';
  command: PadCommand;
}
/** Keep the drawing (784 integers 0–255, as for `predict`) as a labelled sample: the user confirmed or corrected its digit. */
export interface AddSampleMessage {
  type: 'addSample';
  pixels: number[];
  label: number;
}
/** Delete the listed sample at data row `row` whose row hash is `key` (see SamplesMessage). */
export interface DeleteSampleMessage {
  type: 'deleteSample';
  row: number;
  key: string;
}
export type WebviewMessage = ReadyMessage | PredictMessage | CommandMessage | AddSampleMessage | DeleteSampleMessage;

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
  /** When asked for: which ink pushed toward `label` (+) and which toward `contrast`, the runner-up (−); 784 integers −127…127. */
  why?: { contrast: number; map: number[] };
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
/** At most this many samples are listed (the newest); `count` is always the file's total. */
export const MAX_LISTED_SAMPLES = 500;
/** The workspace's samples file and its newest samples, for the thumbnails. */
export interface SamplesMessage {
  type: 'samples';
  /** The file's name and its path (relative to the workspace when inside it), for display. */
  name: string;
  path: string;
  count: number;
  /** Newest first; `row` is the 0-based data row, `key` its row hash (for deleting it). */
  items: Array<{ row: number; key: string; label: number }>;
  /** base64 of items.length × 784 bytes, in the order of `items`. */
  pixels: string;
  /** Why the file could not be read (it is left as it is), e.g. "my-digits.csv line 7, column 'label' …". */
  error?: string;
}
/** The drawing was kept as a sample: the pad clears for the next one. */
export interface SampleSavedMessage {
  type: 'sampleSaved';
  label: number;
  count: number;
}
export const FINE_TUNE_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
/** Progress and outcome of Fine-Tune on My Drawings, wherever it was started. */
export interface FineTuneStatusMessage {
  type: 'fineTune';
  state: (typeof FINE_TUNE_STATES)[number];
  message: string;
  /** 0–1 while running. */
  fraction?: number;
}
export type ExtensionMessage = PredictionMessage | ModelMessage | ErrorMessage | SamplesMessage | SampleSavedMessage | FineTuneStatusMessage;

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
      if (x.explain !== undefined && typeof x.explain !== 'boolean') return fail(`predict: bad explain ${describe(x.explain)}`);
      const predict: PredictMessage = { type: 'predict', requestId: x.requestId, pixels: pixels.slice() as number[] };
      return ok(x.explain ? { ...predict, explain: true } : predict);
    }
    case 'command': {
      const command = x.command;
      if (!(PAD_COMMANDS as readonly unknown[]).includes(command)) return fail(`command: unknown command ${describe(command)}`);
      return ok({ type: 'command', command: command as PadCommand });
    }
    case 'addSample': {
      const bad = badPixels(x.pixels);
      if (bad) return fail(`addSample: ${bad}`);
      if (!isDigit(x.label)) return fail(`addSample: bad label ${describe(x.label)}`);
      return ok({ type: 'addSample', pixels: (x.pixels as number[]).slice(), label: x.label });
    }
    case 'deleteSample': {
      if (!isRequestId(x.row)) return fail(`deleteSample: bad row ${describe(x.row)}`);
      if (!isKey(x.key)) return fail(`deleteSample: bad key ${describe(x.key)}`);
      return ok({ type: 'deleteSample', row: x.row, key: x.key });
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
      const prediction: PredictionMessage = { type: 'prediction', requestId: x.requestId, label, probabilities: probabilities.slice() as number[] };
      if (x.why === undefined) return ok(prediction);
      if (!isRecord(x.why)) return fail(`prediction: bad why ${describe(x.why)}`);
      const { contrast, map } = x.why;
      if (!isDigit(contrast) || contrast === label) return fail(`prediction: bad contrast digit ${describe(contrast)}`);
      const badMap = badSaliency(map);
      if (badMap) return fail(`prediction: ${badMap}`);
      return ok({ ...prediction, why: { contrast, map: (map as number[]).slice() } });
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
    case 'samples': {
      const { name, path, count, items, pixels, error } = x;
      if (typeof name !== 'string' || name.length === 0 || name.length > 1000) return fail(`samples: bad name ${describe(name)}`);
      if (typeof path !== 'string' || path.length > 4096) return fail(`samples: bad path ${describe(path)}`);
      if (!isRequestId(count)) return fail(`samples: bad count ${describe(count)}`);
      if (!Array.isArray(items) || items.length > MAX_LISTED_SAMPLES || items.length > count) return fail(`samples: bad items ${describe(items)}`);
      const listed: SamplesMessage['items'] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (!isRecord(item) || !isRequestId(item.row) || item.row >= count || !isKey(item.key) || !isDigit(item.label)) return fail(`samples: bad item ${i}`);
        listed.push({ row: item.row, key: item.key, label: item.label });
      }
      if (!isBase64(pixels) || base64Bytes(pixels) !== items.length * PAD_PIXELS) return fail(`samples: pixels must be base64 of ${items.length} images`);
      if (error !== undefined && (typeof error !== 'string' || error.length > MAX_TEXT)) return fail(`samples: bad error ${describe(error)}`);
      const samples: SamplesMessage = { type: 'samples', name, path, count, items: listed, pixels };
      return ok(error === undefined ? samples : { ...samples, error });
    }
    case 'sampleSaved': {
      if (!isDigit(x.label)) return fail(`sampleSaved: bad label ${describe(x.label)}`);
      if (!isRequestId(x.count) || x.count < 1) return fail(`sampleSaved: bad count ${describe(x.count)}`);
      return ok({ type: 'sampleSaved', label: x.label, count: x.count });
    }
    case 'fineTune': {
      const { state, message, fraction } = x;
      if (!(FINE_TUNE_STATES as readonly unknown[]).includes(state)) return fail(`fineTune: bad state ${describe(state)}`);
      if (typeof message !== 'string' || message.length > MAX_TEXT) return fail(`fineTune: bad message ${describe(message)}`);
      if (fraction !== undefined && !isProbability(fraction)) return fail(`fineTune: bad fraction ${describe(fraction)}`);
      const status: FineTuneStatusMessage = { type: 'fineTune', state: state as FineTuneStatusMessage['state'], message };
      return ok(fraction === undefined ? status : { ...status, fraction });
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

function isDigit(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < PAD_CLASSES;
}

/** A row hash from engine/data/samples.ts rowKey: 8 hex digits. */
function isKey(x: unknown): x is string {
  return typeof x === 'string' && /^[0-9a-f]{8}$/.test(x);
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
