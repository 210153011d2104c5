// Why this file exists: run by TF.js, one training step of the `default` CNN is ~400 kernel calls,
// each allocating its output, recording itself on the gradient tape and being disposed, with
// batch norm, ReLU and dropout each streaming whole activations through memory (issue 26). This
// runs a model's leading convolution blocks (plan.ts) with our C kernels directly — the same
// convolution kernels, and fused.c's one pass for everything element-wise between two
// convolutions — on buffers kept from step to step, and only the model's tail (the dense
// softmax layer of our CNNs) on TF.js's tape. Every operation is the one TF.js would run, in the
// same order, so the gradients are the tape path's (test/unit/fusedStep.test.ts); a model or
// backend this does not take trains on the tape as before.
import * as tf from '../../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { Scratch, heapFloats, offsetOf, ownKernels } from '../ownKernels';
import { type BlockedInput, blockedInputFloats, convFilterGrad, convForward, convInputGrad, convSupported, inputGradSupported } from '../convolution';
import { coversInput } from '../conv2dBackpropInput';
import { matmulInto } from '../batchMatMul';
import { type Plan, planOf } from './plan';

export interface FusedGradients {
  /** Gradients of the mean loss, in the order of the variables asked for. */
  grads: tf.Tensor[];
  loss: number;
  accuracy: number;
}

/** The loss (and the accuracy metric) of a batch from its labels and the model's output. */
export type Objective = (labels: tf.Tensor, output: tf.Tensor) => tf.Scalar;

// DIGIT_RECOGNIZER_FUSED_STEP=0 trains every layer on TF.js's tape: for side-by-side benchmarks,
// and a way around a bug without a new release.
let enabled = process.env.DIGIT_RECOGNIZER_FUSED_STEP !== '0';

/** Turns the fused step on or off in this thread (benchmarks and tests compare both in one process). */
export function setFusedStepEnabled(on: boolean): void {
  enabled = on;
}

/** Benchmarks (bench/stepRates.ts --profile): CPU ms per part of the step, summed over steps. */
let profile: Map<string, number> | undefined;
let lastMark = 0;

export function setFusedStepProfile(into: Map<string, number> | undefined): void {
  profile = into;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Adds the CPU time since the previous mark to `label` (when profiling). */
function mark(label?: string): void {
  if (!profile) return;
  const now = cpuMs();
  if (label) profile.set(label, (profile.get(label) ?? 0) + now - lastMark);
  lastMark = now;
}

const plans = new WeakMap<tf.LayersModel, Plan | null>();

function planFor(model: tf.LayersModel): Plan | undefined {
  let plan = plans.get(model);
  if (plan === undefined) plans.set(model, (plan = planOf(model) ?? null));
  return plan ?? undefined;
}

/** A block's geometry for a batch: its convolution and sizes. */
interface Geometry {
  info: tf.backend_util.Conv2DInfo;
  /** Pixels (N·OH·OW) and channels of its output. */
  P: number;
  C: number;
}

/**
 * Buffers of the blocks' activations and gradients on a backend's heap, kept between steps (one
 * set per thread, the last model's: reallocated when the sizes change).
 */
class Workspace {
  private blocks: number[] = [];
  constructor(private readonly backend: tf.KernelBackend, readonly key: string, sizes: number[]) {
    const wasm = (backend as unknown as BackendWasm).wasm;
    this.blocks = sizes.map((n) => wasm._malloc(Math.max(1, n) * 4) >>> 0);
  }

  get(i: number): number {
    return this.blocks[i];
  }

  free(): void {
    const wasm = (this.backend as unknown as BackendWasm).wasm;
    for (const p of this.blocks) wasm._free(p);
    this.blocks = [];
  }
}

const workspaces = new WeakMap<object, Workspace>();
/** A workspace unused this long is freed, its memory left to the backend's other work (prediction). */
const IDLE_MS = 30_000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function workspace(backend: tf.KernelBackend, sizes: number[]): Workspace {
  const key = sizes.join(',');
  let w = workspaces.get(backend);
  if (w?.key !== key) {
    w?.free();
    workspaces.set(backend, (w = new Workspace(backend, key, sizes)));
  }
  // One thread, one backend in use: its workspace goes when training has stopped.
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    workspaces.get(backend)?.free();
    workspaces.delete(backend);
  }, IDLE_MS);
  idleTimer.unref?.();
  return w;
}

function output(backend: tf.KernelBackend, shape: number[]): tf.TensorInfo {
  return (backend as unknown as BackendWasm).makeOutput(shape, 'float32');
}

function tensor(backend: tf.KernelBackend, info: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/**
 * The gradients of `loss` (mean over the shard) for `variables`, its value and `accuracy`'s, in
 * training mode — what tf.variableGrads over model.apply(x, { training: true }) computes, with
 * the same side effects (batch norm's moving statistics, dropout's call count) — or undefined when
 * the fused step does not take this model, input or backend.
 */
export function fusedShardGradients(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, variables: tf.Variable[], loss: Objective, accuracy: Objective): FusedGradients | undefined {
  if (!enabled || x.dtype !== 'float32' || x.rank !== 4 || tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend();
  const k = ownKernels(backend);
  const plan = k && planFor(model);
  if (!k || !plan) return undefined;
  const N = x.shape[0];
  const geometry: Geometry[] = [];
  let shape = x.shape.slice(1) as [number, number, number];
  for (const [i, block] of plan.blocks.entries()) {
    const info = tf.backend_util.computeConv2DInfo([N, ...shape], block.kernelShape, block.strides, 1, block.padding);
    if (!convSupported(info) || (i > 0 && !coversInput(info) && !inputGradSupported(info))) return undefined;
    geometry.push({ info, P: N * info.outHeight * info.outWidth, C: info.outChannels });
    shape = [info.outHeight, info.outWidth, info.outChannels];
  }
  const roles = variableRoles(plan, variables);
  if (!roles) return undefined;

  // Buffers per block: z (the convolution's output, + bias), y (the block's output; z itself
  // without batch norm), dropout's multipliers (without ReLU), g (the gradient of y, then of z),
  // batch norm's mean and variance. The last block's y is a tensor: the tail's input.
  const last = plan.blocks.length - 1;
  const sizes: number[] = [];
  const at = plan.blocks.map((block, i) => {
    const { P, C } = geometry[i];
    const slot = (n: number) => (sizes.push(n), sizes.length - 1);
    return {
      z: slot(P * C),
      y: block.batchNorm && i < last ? slot(P * C) : -1,
      mask: block.dropout && !block.relu ? slot(P * C) : -1,
      g: slot(P * C),
      mean: block.batchNorm ? slot(C) : -1,
      variance: block.batchNorm ? slot(C) : -1,
      // The input in 2×2 blocks, rearranged once for the forward pass and the filter gradient.
      blocks: blockedInputFloats(geometry[i].info) > 0 ? slot(blockedInputFloats(geometry[i].info)) : -1,
    };
  });
  mark();
  const ws = workspace(backend, sizes);
  const ptr = (slot: number) => (slot < 0 ? 0 : ws.get(slot));

  const kept: tf.Tensor[] = [];
  const grads = new Map<tf.Variable, tf.Tensor>();
  const newGradient = (variable: tf.LayerVariable | undefined): number => {
    if (!variable) return 0;
    const v = variable.read() as tf.Variable;
    const t = tensor(backend, output(backend, v.shape));
    grads.set(v, t);
    return offsetOf(backend, t);
  };
  try {
    // Forward through the blocks.
    const inputs: number[] = [];
    const outputs: number[] = [];
    const blocked: Array<BlockedInput | undefined> = at.map((a) => (a.blocks < 0 ? undefined : { at: ws.get(a.blocks), filled: false }));
    let lastOutput: tf.Tensor | undefined;
    let input = offsetOf(backend, x);
    for (const [i, block] of plan.blocks.entries()) {
      const { info, P, C } = geometry[i];
      const scratch = new Scratch(backend);
      try {
        inputs.push(input);
        const z = ptr(at[i].z);
        convForward(backend, k, scratch, input, block.kernel.read(), info, z, true, blocked[i]);
        mark(`${i + 1} conv forward`);
        let y = ptr(at[i].y) || z;
        if (i === last) {
          lastOutput = tensor(backend, output(backend, block.flatten ? [N, info.outHeight * info.outWidth * C] : [N, info.outHeight, info.outWidth, C]));
          kept.push(lastOutput);
          y = offsetOf(backend, lastOutput);
        }
        const bn = block.batchNorm;
        const alea = block.dropout ? aleaState(block.dropout.nextSeed()) : { s0: 0, s1: 0, s2: 0, c: 0 };
        const keep = block.dropout ? 1 - block.dropout.rate : 0;
        k.chain_forward(z, P, C, block.bias ? offsetOf(backend, block.bias.read()) : 0,
          bn ? offsetOf(backend, bn.gamma.read()) : 0, bn ? offsetOf(backend, bn.beta.read()) : 0, bn?.epsilon ?? 0,
          block.relu ? 1 : 0, alea.s0, alea.s1, alea.s2, alea.c, keep, ptr(at[i].mask), y, ptr(at[i].mean), ptr(at[i].variance), scratch.floats(5 * C));
        if (bn) updateMovingStatistics(backend, bn.movingMean, bn.movingVariance, ptr(at[i].mean), ptr(at[i].variance), bn.momentum);
        mark(`${i + 1} batch norm, ReLU, dropout forward`);
        outputs.push(y);
        input = y;
      } finally {
        scratch.free();
      }
    }

    // The tail on TF.js's tape: its weights' gradients, and the gradient of its input.
    const tailVariables = variables.filter((v) => roles.get(v) === 'tail');
    let acc: tf.Scalar | undefined;
    const { value, grads: tailGrads } = tf.engine().gradients(() => {
      let h: tf.Tensor = lastOutput!;
      for (const layer of plan.tail) h = layer.apply(h, { training: true }) as tf.Tensor;
      acc = tf.keep(accuracy(labels, h));
      return loss(labels, h);
    }, [lastOutput!, ...tailVariables], undefined, true);
    kept.push(value, acc!, ...tailGrads);
    mark('tail (TF.js tape) forward and backward');
    tailVariables.forEach((v, j) => {
      grads.set(v, tailGrads[j + 1]);
      kept.splice(kept.indexOf(tailGrads[j + 1]), 1);
    });
    let gradientIn = offsetOf(backend, tailGrads[0]);

    // Backward through the blocks.
    for (let i = last; i >= 0; i--) {
      const block = plan.blocks[i];
      const { info, P, C } = geometry[i];
      const bn = block.batchNorm;
      const g = ptr(at[i].g);
      const scratch = new Scratch(backend);
      try {
        const dgamma = bn ? newGradient(bn.gamma) : 0;
        const dbeta = bn ? newGradient(bn.beta) : 0;
        k.chain_backward(gradientIn, g, outputs[i], ptr(at[i].z), P, C, block.relu ? 1 : 0, block.dropout ? Math.fround(1 / Math.fround(1 - block.dropout.rate)) : 1,
          ptr(at[i].mask), bn ? offsetOf(backend, bn.gamma.read()) : 0, ptr(at[i].mean), ptr(at[i].variance), bn?.epsilon ?? 0, g, dgamma, dbeta, scratch.floats(12 * C));
        if (block.bias) k.leading_sums(g, P, C, 1, scratch.floats(2 * C), newGradient(block.bias));
        mark(`${i + 1} batch norm, ReLU, dropout backward`);
        const dw = newGradient(block.kernel);
        if (coversInput(info)) {
          // As Conv2DBackpropFilter/Input run it (conv2dBackpropFilter.ts): a matrix product.
          const inputs_ = info.inHeight * info.inWidth * info.inChannels;
          matmulInto(k, scratch, inputs[i], true, g, false, inputs_, N, C, dw);
          mark(`${i + 1} conv filter gradient`);
          if (i > 0) matmulInto(k, scratch, g, false, offsetOf(backend, block.kernel.read()), true, N, C, inputs_, ptr(at[i - 1].g));
          mark(`${i + 1} conv input gradient`);
        } else {
          convFilterGrad(k, scratch, inputs[i], g, info, dw, blocked[i]);
          mark(`${i + 1} conv filter gradient`);
          if (i > 0) convInputGrad(backend, k, scratch, g, block.kernel.read(), info, ptr(at[i - 1].g));
          mark(`${i + 1} conv input gradient`);
        }
        gradientIn = i > 0 ? ptr(at[i - 1].g) : 0;
      } finally {
        scratch.free();
      }
    }
    const result = { grads: variables.map((v) => grads.get(v)!), loss: value.dataSync()[0], accuracy: acc!.dataSync()[0] };
    for (const v of variables) grads.delete(v);
    mark('reading the loss');
    return result;
  } finally {
    tf.dispose(kept);
    for (const t of grads.values()) t.dispose();
  }
}

/** Each variable's place: a block's weight, or the tail's; undefined if one is neither. */
function variableRoles(plan: Plan, variables: tf.Variable[]): Map<tf.Variable, 'block' | 'tail'> | undefined {
  const roles = new Map<tf.Variable, 'block' | 'tail'>();
  for (const block of plan.blocks) {
    for (const w of [block.kernel, block.bias, block.batchNorm?.gamma, block.batchNorm?.beta]) if (w) roles.set(w.read() as tf.Variable, 'block');
  }
  for (const layer of plan.tail) for (const w of layer.trainableWeights) roles.set(w.read() as tf.Variable, 'tail');
  return variables.every((v) => roles.has(v)) ? roles : undefined;
}

/** seedrandom's Alea state for a dropout mask's seed (a random one without a seed, as tf.dropout draws). */
function aleaState(seed: number | undefined): { s0: number; s1: number; s2: number; c: number } {
  return seedrandom.alea((seed ?? Math.random()).toString(), { state: true }).state() as { s0: number; s1: number; s2: number; c: number };
}

/**
 * Batch norm's moving statistics after a training batch, as the layer updates them:
 * moving − (moving − batch)·(1 − momentum), in float32 (TF.js's sub, mul, sub).
 */
function updateMovingStatistics(backend: tf.KernelBackend, movingMean: tf.LayerVariable, movingVariance: tf.LayerVariable, mean: number, variance: number, momentum: number): void {
  const f = Math.fround(1 - momentum);
  for (const [moving, batch] of [[movingMean, mean], [movingVariance, variance]] as const) {
    const old = moving.read();
    const C = old.size;
    const next = tensor(backend, output(backend, old.shape));
    const [o, b, v] = [heapFloats(backend, offsetOf(backend, next), C), heapFloats(backend, batch, C), heapFloats(backend, offsetOf(backend, old), C)];
    for (let c = 0; c < C; c++) o[c] = Math.fround(v[c] - Math.fround(Math.fround(v[c] - b[c]) * f));
    moving.write(next);
    next.dispose();
  }
}
