// TensorFlow.js as the engine uses it: core, layers and the pure-JS cpu backend (the fallback;
// kernels/backend.ts loads the wasm backend when it is chosen). The one module that names these
// packages: the `@tensorflow/tfjs` umbrella would also ship the converter, tfjs-data and webgl,
// which nothing here uses (eslint.config.mjs forbids importing them). Without the umbrella no
// chained ops are registered: write tf.reshape(x, s), not x.reshape(s) (the compiler says so).
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu'; // registers the 'cpu' backend
