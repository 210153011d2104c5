/** Side of an MNIST image, and its pixel count. */
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

/** Kaggle's two CSV layouts: train (`label,pixel0..783`) and test (`pixel0..783`). */
export type CsvFormat = 'train' | 'test';

/** Images in compact form: row-major 28×28 bytes per image, 0 = background. */
export interface DigitImages {
  count: number;
  /** count × 784 pixels, 0–255. */
  pixels: Uint8Array;
  /** count labels 0–9, or null for unlabelled (test-format) data. */
  labels: Uint8Array | null;
}

export interface DigitCsv extends DigitImages {
  file: string;
  format: CsvFormat;
}

export interface Prediction {
  label: number;
  /** Ten probabilities, index = digit. */
  probabilities: number[];
}

export interface Predictions {
  /** Predicted digit per image. */
  labels: Uint8Array;
  /** count × 10 probabilities. */
  probabilities: Float32Array;
}

/** 'unit': pixels scaled to 0–1 (our models, most Keras ones); 'byte': raw 0–255 (models that rescale their input themselves). */
export type PixelScale = 'unit' | 'byte';

/** Which TensorFlow.js backend to use: native TensorFlow when installed ('auto'), or one by name. */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
