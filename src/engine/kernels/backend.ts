// Chooses and initialises the TensorFlow.js backend once per process (or worker thread):
// native TensorFlow when @tensorflow/tfjs-node is installed (by Install Native TensorFlow into a
// folder of its own, see useNativeTensorFlow, or as the project's optional dependency), else
// WebAssembly with our training kernels, else the pure-JS cpu backend.
import * as tf from '../core/tf';
import * as path from 'path';
import { InputError } from '../core/errors';
import type { BackendPreference } from '../core/types';
import { registerWasmTrainingKernels } from './index';
import { type NativeSource, requireNative } from '../../native/location';


export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  simd: boolean;
  threads: number;
  note?: string;
}

let pending: Promise<BackendInfo> | undefined;
let pendingPrefer: BackendPreference | undefined;
let nativeSource: NativeSource | undefined;

/**
 * Where 'auto' and 'tensorflow' load native TensorFlow from: an install in a folder of its own
 * (Install Native TensorFlow puts it in the extension's global storage), used instead of the
 * optional dependency. Call before initBackend; undefined = the optional dependency.
 */
export function useNativeTensorFlow(source: NativeSource | undefined): void {
  if (source?.dir === nativeSource?.dir && source?.package === nativeSource?.package) return;
  nativeSource = source;
  pending = pendingPrefer = undefined; // the next initBackend selects again
}

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
    const why = await selectNative();
    if (!why) return { name: 'tensorflow', simd: false, threads: 0, note: `native TensorFlow (${nativeName()})` };
    if (prefer === 'tensorflow') {
      throw new InputError(`The "tensorflow" backend is not available: ${why}. Use "auto" or "wasm".`);
    }
    notes.push(why);
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

/** Makes native TensorFlow the backend of this thread; returns why it cannot be instead. Never throws. */
export async function selectNative(): Promise<string | undefined> {
  const err = loadNode();
  if (!err && (await tf.setBackend('tensorflow'))) return undefined;
  return `${nativeName()} ${err ?? 'loaded, but its backend failed to initialise'}`;
}

function nativeName(): string {
  return nativeSource ? `${nativeSource.package} in ${nativeSource.dir}` : '@tensorflow/tfjs-node';
}

/**
 * Loads tfjs-node (from the folder given to useNativeTensorFlow, else the optional dependency)
 * if installed; returns why not otherwise. Never throws. A copy in its own folder brings its own
 * copy of TensorFlow.js; that is fine: tfjs keeps its engine and kernel registry on the global
 * object, so the backend it registers is the one our copy sees (test/unit/nativeBackend.test.ts).
 */
function loadNode(): string | undefined {
  if (tf.findBackendFactory('tensorflow')) return undefined;
  try {
    if (nativeSource) requireNative(nativeSource);
    // Loaded only when wanted (it is optional, native, and may be absent): not an import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    else require('@tensorflow/tfjs-node');
    return tf.findBackendFactory('tensorflow') ? undefined : 'registered no backend';
  } catch (e) {
    const { code, message } = e as { code?: string; message?: string };
    const notFound = code === 'MODULE_NOT_FOUND' && (message ?? '').includes(`'${nativeSource?.package ?? '@tensorflow/tfjs-node'}'`);
    return notFound ? 'is not installed' : `could not load (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
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
