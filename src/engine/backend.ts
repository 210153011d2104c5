// Chooses and initialises the TensorFlow.js backend once per process (or worker thread):
// native TensorFlow when @tensorflow/tfjs-node is installed, else WebAssembly with our training
// kernels, else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { InputError } from './errors';
import { registerWasmTrainingKernels } from './kernels';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  simd: boolean;
  threads: number;
  note?: string;
}

let pending: Promise<BackendInfo> | undefined;
let pendingPrefer: BackendPreference | undefined;

/**
 * Selects a backend. Idempotent: repeated calls with the same preference return the same info
 * (and re-activate that backend if something else switched it); a different preference
 * re-selects.
 */
export async function initBackend(prefer: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (!pending || pendingPrefer !== prefer) {
    pendingPrefer = prefer;
    pending = select(prefer);
    pending.catch(() => {
      if (pendingPrefer === prefer) pending = pendingPrefer = undefined;
    });
  }
  const info = await pending;
  if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
  return info;
}

async function select(prefer: BackendPreference): Promise<BackendInfo> {
  const notes: string[] = [];
  if (prefer === 'auto' || prefer === 'tensorflow') {
    const err = loadNode();
    if (!err && (await tf.setBackend('tensorflow'))) {
      return { name: 'tensorflow', simd: false, threads: 0, note: 'native TensorFlow (@tensorflow/tfjs-node)' };
    }
    const why = err ?? 'its backend failed to initialise';
    if (prefer === 'tensorflow') {
      throw new InputError(`The "tensorflow" backend is not available: @tensorflow/tfjs-node ${why}. Use "auto" or "wasm".`);
    }
    notes.push(`@tensorflow/tfjs-node ${why}`);
  }
  if (prefer === 'auto' || prefer === 'wasm') {
    try {
      const info = await initWasm();
      return { ...info, note: [...notes, info.note].filter(Boolean).join('; ') || undefined };
    } catch (e) {
      if (prefer === 'wasm') throw e;
      notes.push(`WebAssembly backend failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js cpu backend failed to initialise');
  notes.push('pure-JS cpu backend: training is very slow');
  return { name: 'cpu', simd: false, threads: 1, note: notes.join('; ') };
}

/** Loads tfjs-node if installed; returns why not otherwise. Never throws. */
function loadNode(): string | undefined {
  if (tf.findBackendFactory('tensorflow')) return undefined;
  try {
    require('@tensorflow/tfjs-node');
    return tf.findBackendFactory('tensorflow') ? undefined : 'registered no backend';
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'MODULE_NOT_FOUND' ? 'is not installed' : `could not load (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

let wasmLoaded = false;

async function initWasm(): Promise<BackendInfo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  if (!wasmLoaded) {
    // The package is external in our bundles, so its .wasm files sit next to its main file.
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    wasmLoaded = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('initialisation returned false');
  // Our kernels wrap stock ones whose setup (binding wasm exports) setBackend has just run.
  registerWasmTrainingKernels();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = wasm.getThreadsCount();
  return { name: 'wasm', simd, threads, note: simd ? undefined : 'WebAssembly without SIMD: slow' };
}
