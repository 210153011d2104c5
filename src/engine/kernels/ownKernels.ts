// Why this file exists: our C kernels (wasm/*.c, built by scripts/buildKernels.js) run in the
// wasm backend's own memory, so they read and write tensors in place with no copies. This loads
// the module once per backend (each thread has its own backend and memory), gives it a stack
// inside that memory, and wraps the heap bookkeeping (tensor offsets, scratch buffers).
import * as fs from 'fs';
import * as path from 'path';
import type * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The module's exports (conv.c, winograd.c, winograd4.c, fused.c, spaceToDepth.c, matmul.c, pool.c, reduce.c, batchnorm.c, adam.c, average.c, dropout.c); pointers are byte offsets into the backend's memory. */
export interface KernelExports {
  conv_grid(A: number, N: number, GH: number, GW: number, aN: number, aH: number, aW: number,
    TH: number, TW: number, tH: number, tW: number, C: number, Bp: number, KB: number,
    O: number, oN: number, oH: number, oW: number, spare: number): void;
  conv_filter_grad(X: number, N: number, OH: number, OW: number, xN: number, xH: number, xW: number,
    KH: number, KW: number, tH: number, tW: number, C: number, DY: number, K: number, DW: number, chunkRows: number): void;
  pad_nhwc(x: number, N: number, H: number, W: number, C: number, pt: number, pb: number, pl: number, pr: number, out: number): void;
  pack_filter(W: number, KH: number, KW: number, CI: number, CO: number, kh0: number, kw0: number, sh: number, sw: number, TH: number, TW: number, transposed: number, out: number): void;
  fill_zero(p: number, n: number): void;
  copy_floats(dst: number, src: number, n: number): void;
  bias_activation(y: number, P: number, K: number, bias: number, relu: number): void;
  winograd_filter(W: number, C: number, K: number, transposed: number, U: number): void;
  winograd_conv(xp: number, N: number, Hp: number, Wp: number, C: number, U: number, K: number, y: number, OH: number, OW: number, scratch: number): void;
  winograd_filter_grad(xp: number, N: number, Hp: number, Wp: number, C: number, dy: number, K: number, OH: number, OW: number, dw: number, scratch: number): void;
  winograd4_filter(W: number, C: number, K: number, transposed: number, U: number): void;
  winograd4_conv(x: number, N: number, H: number, W: number, C: number, top: number, left: number, U: number, K: number, y: number, OH: number, OW: number, exactZeros: number, scratch: number): void;
  winograd4_conv_into(x: number, N: number, H: number, W: number, C: number, top: number, left: number, U: number, K: number, y: number, OH: number, OW: number,
    yImage: number, yRow: number, yCol: number, exactZeros: number, scratch: number): void;
  phase_filter(W: number, KW: number, CI: number, CO: number, kh0: number, kw0: number, sh: number, sw: number, TH: number, TW: number, g: number): void;
  winograd4_filter_grad(x: number, N: number, H: number, W: number, C: number, top: number, left: number, dy: number, K: number, OH: number, OW: number, dw: number, scratch: number): void;
  adam_update(w: number, g: number, m: number, v: number, n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negLearningRate: number, wOut: number, mOut: number, vOut: number): void;
  matmul(A: number, aI: number, aK: number, B: number, bK: number, bJ: number, M: number, K: number, N: number, out: number, packed: number, spare: number): void;
  maxpool_grad(x: number, dy: number, B: number, H: number, W: number, C: number, OH: number, OW: number,
    fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number, dx: number, scratch: number): void;
  dropout_multiplier(s0: number, s1: number, s2: number, c: number, n: number, keep: number, out: number): void;
  space_to_depth(x: number, N: number, H: number, W: number, C: number, top: number, left: number, Hs: number, Ws: number, out: number): void;
  depth_to_space(input: number, N: number, Hs: number, Ws: number, C: number, top: number, left: number, H: number, W: number, out: number): void;
  filter_blocks(W: number, KH: number, KW: number, C: number, K: number, TH: number, TW: number, blocks: number, toBlocks: number): void;
  leading_sums(x: number, rows: number, columns: number, scale: number, sums: number, out: number): void;
  moving_average(average: number, value: number, n: number, decay: number, oneMinusDecay: number, out: number): void;
  batchnorm_forward(x: number, P: number, C: number, gamma: number, beta: number, epsilon: number,
    y: number, mean: number, variance: number, scratch: number): void;
  batchnorm_backward(dy: number, x: number, P: number, C: number, gamma: number, mean: number, variance: number,
    epsilon: number, dx: number, dgamma: number, dbeta: number, scratch: number): void;
  chain_forward(z: number, P: number, C: number, bias: number, gamma: number, beta: number, epsilon: number,
    relu: number, s0: number, s1: number, s2: number, c: number, keep: number, mask: number,
    y: number, mean: number, variance: number, scratch: number): void;
  chain_backward(dyIn: number, dy: number, y: number, z: number, P: number, C: number, relu: number, invKeep: number, mask: number,
    gamma: number, mean: number, variance: number, epsilon: number, dz: number, dgamma: number, dbeta: number, scratch: number): void;
}

const STACK_BYTES = 64 * 1024;
export const KERNELS_WASM = path.join(__dirname, 'wasm', 'kernels.wasm');

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<object, KernelExports>();
// DIGIT_RECOGNIZER_OWN_KERNELS=0 runs the previous kernels instead: for side-by-side benchmarks,
// and a way around a kernel bug without a new release.
let enabled = process.env.DIGIT_RECOGNIZER_OWN_KERNELS !== '0';

/** Turns our C kernels on or off in this thread (benchmarks compare both in one process). */
export function setOwnKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The module instantiated on this backend's memory; undefined when it cannot be, or is switched off. */
export function ownKernels(backend: tf.KernelBackend): KernelExports | undefined {
  if (!enabled) return undefined;
  const cached = instances.get(backend);
  if (cached) return cached;
  const wasm = (backend as unknown as BackendWasm).wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; _malloc(n: number): number };
  const memory = wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  compiled ??= new WebAssembly.Module(fs.readFileSync(KERNELS_WASM));
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports & { __stack_pointer: WebAssembly.Global };
  // The kernels use no stack today; should a compiler spill to it, it lands in memory we own.
  const stack = wasm._malloc(STACK_BYTES);
  exports.__stack_pointer.value = (stack + STACK_BYTES) & ~15;
  instances.set(backend, exports);
  return exports;
}

/** A view of n floats at byte offset p of the backend's memory (valid until the memory grows: make it after allocating). */
export function heapFloats(backend: tf.KernelBackend, p: number, n: number): Float32Array {
  const wasm = (backend as unknown as BackendWasm).wasm as unknown as { asm: { memory: WebAssembly.Memory } };
  return new Float32Array(wasm.asm.memory.buffer, p, n);
}

/** Byte offset of a tensor's data in the backend's memory. */
export function offsetOf(backend: tf.KernelBackend, t: tf.TensorInfo): number {
  return (backend as unknown as BackendWasm).dataIdMap.get(t.dataId)!.memoryOffset;
}

/** Scratch buffers on the backend's heap, freed together. */
export class Scratch {
  private readonly blocks: number[] = [];
  constructor(private readonly backend: tf.KernelBackend) {}

  floats(n: number): number {
    const wasm = (this.backend as unknown as BackendWasm).wasm;
    const p = wasm._malloc(Math.max(1, n) * 4) >>> 0;
    this.blocks.push(p);
    return p;
  }

  free(): void {
    const wasm = (this.backend as unknown as BackendWasm).wasm;
    for (const p of this.blocks) wasm._free(p);
    this.blocks.length = 0;
  }
}

/**
 * Filters rearranged for our kernels (packed in panels, Winograd-transformed), kept for the next
 * call with the same filter: a prediction's filters are the same tensors call after call, and at
 * batch 1 (the Digit Pad) rearranging them cost more than the convolutions. A tensor's data never
 * changes under its dataId (training assigns new tensors), so an entry stays valid; the least
 * recently used ones are freed past MAX_ENTRIES (training churns through them harmlessly).
 */
export class FilterCache {
  private static readonly MAX_ENTRIES = 32;
  private readonly entries = new Map<object, Map<string, number>>();
  private readonly order: Array<[object, string]> = [];

  constructor(private readonly backend: tf.KernelBackend) {}

  /** The rearranged filter (`floats` floats, made by `make` into the pointer it is given). */
  get(filter: tf.TensorInfo, kind: string, floats: number, make: (out: number) => void): number {
    const byKind = this.entries.get(filter.dataId);
    const hit = byKind?.get(kind);
    if (hit !== undefined) return hit;
    const wasm = (this.backend as unknown as BackendWasm).wasm;
    const p = wasm._malloc(Math.max(1, floats) * 4) >>> 0;
    make(p);
    if (byKind) byKind.set(kind, p);
    else this.entries.set(filter.dataId, new Map([[kind, p]]));
    this.order.push([filter.dataId, kind]);
    while (this.order.length > FilterCache.MAX_ENTRIES) {
      const [id, k] = this.order.shift()!;
      const kinds = this.entries.get(id)!;
      wasm._free(kinds.get(k)!);
      kinds.delete(k);
      if (kinds.size === 0) this.entries.delete(id);
    }
    return p;
  }
}

const filterCaches = new WeakMap<object, FilterCache>();

/** This backend's filter cache. */
export function filterCache(backend: tf.KernelBackend): FilterCache {
  let cache = filterCaches.get(backend);
  if (!cache) filterCaches.set(backend, (cache = new FilterCache(backend)));
  return cache;
}
