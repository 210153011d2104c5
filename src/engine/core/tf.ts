// TensorFlow.js as the engine uses it: core, layers and the pure-JS cpu backend (the fallback;
// the wasm backend is loaded by kernels/backend.ts when chosen). The one place that names these
// packages; the `@tensorflow/tfjs` umbrella would also ship the converter, tfjs-data and webgl,
// which nothing here uses.
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu'; // registers the 'cpu' backend
