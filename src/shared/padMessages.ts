// Messages between the Digit Pad webview and the extension, both ways, with strict validators.
// Everything that crosses the boundary is `unknown` until one of the parse functions accepts it;
// a rejected message is dropped (and logged) by the receiver, never acted upon.
//
// Pure: no DOM, no vscode. Imported by src/extension/digitPadPanel.ts and src/webview/pad/.
import { messages, array, bad, base64, bool, int, num, oneOf, record, str, stripUndefined } from './check';
import { saliencyMap } from './saliency';

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
  /** A model of several networks: how many (it reads with their average). */
  networks?: number;
}
/** The answer to the `predict` message with the same requestId. */
export interface PredictionMessage {
  type: 'prediction';
  requestId: number;
  label: number;
  probabilities: number[];
  /** When asked for: which ink pushed toward `label` (+) and which toward `contrast`, the runner-up (−); 784 integers −127…127. */
  why?: { contrast: number; map: number[] };
  /** When the memory of the kept drawings took part: the digit its nearest kept drawings vote for, how many of them, and its weight in the answer (0–1). */
  memory?: PredictionMemory;
}
export interface PredictionMemory {
  label: number;
  neighbours: number;
  weight: number;
}
/** At most this many kept drawings vote (engine/inference/handMemory.ts's k is below it). */
export const MAX_NEIGHBOURS = 100;
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

// --- validation (src/shared/check.ts: a checker returns the cleaned value or throws) ------------

/** Validates a message from the webview; the value is a fresh object holding only known fields. */
export const checkWebviewMessage = messages<WebviewMessage>({
  ready: () => ({ type: 'ready' }),
  predict: (m) => {
      const predict: PredictMessage = { type: 'predict', requestId: requestId(m.requestId, 'predict requestId'), pixels: pixels(m.pixels, 'predict pixels') };
      return m.explain !== undefined && bool(m.explain, 'predict explain') ? { ...predict, explain: true } : predict;
    
  },
  command: (m) => ({ type: 'command', command: oneOf(m.command, 'command', PAD_COMMANDS) }),
  addSample: (m) => ({ type: 'addSample', pixels: pixels(m.pixels, 'addSample pixels'), label: digit(m.label, 'addSample label') }),
  deleteSample: (m) => ({ type: 'deleteSample', row: int(m.row, 'deleteSample row'), key: rowKey(m.key, 'deleteSample key') }),
});

/** Validates a message from the extension; the value is a fresh object holding only known fields. */
export const checkExtensionMessage = messages<ExtensionMessage>({
  prediction: (m) => {
      const label = digit(m.label, 'prediction label');
      const prediction: PredictionMessage = {
        type: 'prediction',
        requestId: requestId(m.requestId, 'prediction requestId'),
        label,
        // `1 + 1e-6` tolerates float32 rounding just above 1 in softmax outputs.
        probabilities: array(m.probabilities, 'prediction probabilities', (p, w) => num(p, w, 0, 1 + 1e-6), PAD_CLASSES, PAD_CLASSES),
      };
      if (m.memory !== undefined) {
        const memory = record(m.memory, 'prediction memory');
        prediction.memory = {
          label: digit(memory.label, 'prediction memory label'),
          neighbours: int(memory.neighbours, 'prediction memory neighbours', 1, MAX_NEIGHBOURS),
          weight: num(memory.weight, 'prediction memory weight', 0, 1),
        };
      }
      if (m.why === undefined) return prediction;
      const why = record(m.why, 'prediction why');
      const contrast = digit(why.contrast, 'prediction contrast digit');
      if (contrast === label) return bad('prediction contrast digit', contrast, 'a digit other than the label');
      return { ...prediction, why: { contrast, map: saliencyMap(why.map, 'prediction map') } };
    
  },
  model: (m) => {
      if (m.model === null) return { type: 'model', model: null };
      const model = record(m.model, 'model');
      const name = str(model.name, 'model name', MAX_TEXT);
      if (name.length === 0) return bad('model name', name, 'a name');
      return {
        type: 'model',
        model: stripUndefined({
          name,
          valAccuracy: model.valAccuracy === undefined ? undefined : num(model.valAccuracy, 'model valAccuracy', 0, 1),
          networks: model.networks === undefined ? undefined : int(model.networks, 'model networks', 2, 10),
        }),
      };
    
  },
  samples: (m) => {
      const name = str(m.name, 'samples name', 1000);
      if (name.length === 0) return bad('samples name', name, 'a file name');
      const count = int(m.count, 'samples count');
      const items = array(
        m.items,
        'samples items',
        (v, w) => {
          const item = record(v, w);
          return { row: int(item.row, `${w}.row`, 0, count - 1), key: rowKey(item.key, `${w}.key`), label: digit(item.label, `${w}.label`) };
        },
        Math.min(MAX_LISTED_SAMPLES, count),
      );
      const samples: SamplesMessage = {
        type: 'samples',
        name,
        path: str(m.path, 'samples path', 4096),
        count,
        items,
        pixels: base64(m.pixels, 'samples pixels', PAD_PIXELS, items.length * PAD_PIXELS, items.length * PAD_PIXELS),
      };
      return m.error === undefined ? samples : { ...samples, error: str(m.error, 'samples error', MAX_TEXT) };
    
  },
  sampleSaved: (m) => ({ type: 'sampleSaved', label: digit(m.label, 'sampleSaved label'), count: int(m.count, 'sampleSaved count', 1) }),
  fineTune: (m) => {
      const status: FineTuneStatusMessage = { type: 'fineTune', state: oneOf(m.state, 'fineTune state', FINE_TUNE_STATES), message: str(m.message, 'fineTune message', MAX_TEXT) };
      return m.fraction === undefined ? status : { ...status, fraction: num(m.fraction, 'fineTune fraction', 0, 1) };
    
  },
  error: (m) => {
      const message = str(m.message, 'error message', MAX_TEXT);
      return m.requestId === undefined ? { type: 'error', message } : { type: 'error', message, requestId: requestId(m.requestId, 'error requestId') };
    
  },
});

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

/** A request id: a safe integer ≥ 0. */
const requestId = (x: unknown, what: string): number => int(x, what);

const digit = (x: unknown, what: string): number => int(x, what, 0, PAD_CLASSES - 1);

/** A 28×28 image: 784 integers 0–255 (a fresh copy). */
const pixels = (x: unknown, what: string): number[] => array(x, what, (v, w) => int(v, w, 0, 255), PAD_PIXELS, PAD_PIXELS);

/** A row hash from engine/data/samples.ts rowKey: 8 hex digits. */
const rowKey = (x: unknown, what: string): string => (typeof x === 'string' && /^[0-9a-f]{8}$/.test(x) ? x : bad(what, x, '8 hex digits'));
