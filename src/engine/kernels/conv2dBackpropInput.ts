// Why this kernel exists: the stock wasm Conv2DBackpropInput is a plain nested loop in C++, the
// slowest step of conv training on wasm. The input gradient is a "full" convolution of dy with
// the filter rotated 180° and its channel axes swapped, so we run it on the XNNPACK-backed wasm
// Conv2D. Strides (and pads that would be negative) go through byPhase below.
import * as tf from '../core/tf';
import { type Backend, type Info, callKernel, free, reshape, runWasm, transpose } from './wasmOps';
import { ownConv2dBackpropInput } from './convolution';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap };

export function makeConv2dBackpropInputConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  function conv2dBackpropInput(args: Args): Info {
    const { backend } = args;
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Attrs;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false,
      dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast');
    const { filterHeight: kh, filterWidth: kw, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw } = info;
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = H + kh - 1 - oh * sh - top;
    const right = W + kw - 1 - ow * sw - left;
    if (dataFormat === 'NCHW') {
      if (!stock) throw new Error('Conv2DBackpropInput: NCHW is not supported on wasm');
      return callKernel(stock.kernelFunc, backend, args.inputs, args.attrs);
    }
    if (coversInput(info)) {
      // One output pixel seeing the whole input (a dense layer written as a conv): dx = dy·Wᵀ.
      const d = reshape(backend, dy, [1, info.batchSize, info.outChannels]);
      const f = reshape(backend, filter, [1, kh * kw * info.inChannels, info.outChannels]);
      const product = runWasm('BatchMatMul', backend, { a: d, b: f }, { transposeA: false, transposeB: true });
      const dx = reshape(backend, product, [info.batchSize, H, W, info.inChannels]);
      free(backend, d, f, product);
      return dx;
    }
    const own = ownConv2dBackpropInput(backend, dy, filter, info);
    if (own) return own;
    if (sh > 1 || sw > 1 || top < 0 || left < 0 || bottom < 0 || right < 0) return byPhase(backend, dy, filter, info);
    const rotated = runWasm('Reverse', backend, { x: filter }, { dims: [0, 1] });
    const f = transpose(backend, rotated, [0, 1, 3, 2]); // [kh, kw, co, ci]
    const dx = runWasm('Conv2D', backend, { x: dy, filter: f }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    });
    free(backend, rotated, f);
    return dx;
  }
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc: stock?.setupFunc,
    kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
  };
}

/** A valid convolution whose filter is as large as its input: one output pixel, a matrix product. */
export function coversInput(info: tf.backend_util.Conv2DInfo): boolean {
  return info.outHeight === 1 && info.outWidth === 1 && info.filterHeight === info.inHeight && info.filterWidth === info.inWidth &&
    info.padInfo.top === 0 && info.padInfo.left === 0 && info.dilationHeight === 1 && info.dilationWidth === 1;
}

/**
 * One axis of a strided input gradient, split by phase: the rows y ≡ r (mod s) of dx receive only
 * the filter taps k ≡ (r + padBefore) (mod s), so they are a stride-1 correlation of dy with that
 * sub-filter, reversed. Spreading dy with zeros instead would make s² times the multiply-adds.
 */
interface AxisPhase {
  stride: number;
  /** Rows of dx in this phase (y = r, r+s, ...). */
  rows: number;
  /** First filter tap of the phase and the number of taps (every s-th). */
  tap: number;
  taps: number;
  /** dy rows to drop at the start/end (negative padding) and zero rows to add. */
  cropBefore: number;
  cropAfter: number;
  padBefore: number;
  padAfter: number;
}

function axisPhase(r: number, size: number, outSize: number, kernel: number, stride: number, padBefore: number): AxisPhase {
  const rows = Math.ceil((size - r) / stride);
  const tap = (r + padBefore) % stride;
  const base = Math.floor((r + padBefore) / stride);
  const taps = Math.max(0, Math.ceil((kernel - tap) / stride));
  const before = taps - 1 - base;
  const after = rows + base - outSize;
  return { stride, rows, tap, taps, cropBefore: Math.max(0, -before), cropAfter: Math.max(0, -after), padBefore: Math.max(0, before), padAfter: Math.max(0, after) };
}

function byPhase(backend: Backend, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { filterHeight: kh, filterWidth: kw, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, batchSize: b, inChannels: ci } = info;
  const qh = Math.ceil(H / sh);
  const qw = Math.ceil(W / sw);
  const temps: Info[] = [];
  const rowsOfPhases: Info[] = [];
  for (let r = 0; r < sh; r++) {
    const py = axisPhase(r, H, oh, kh, sh, info.padInfo.top);
    const columns: Info[] = [];
    for (let c = 0; c < sw; c++) {
      const px = axisPhase(c, W, ow, kw, sw, info.padInfo.left);
      const part = phaseGradient(backend, dy, filter, py, px, b, ci);
      temps.push(part);
      // Every phase padded to qh × qw so they interleave by a reshape; the excess is sliced off below.
      const padded = runWasm('PadV2', backend, { x: part }, {
        paddings: [[0, 0], [0, qh - Math.max(py.rows, 0)], [0, qw - Math.max(px.rows, 0)], [0, 0]],
        constantValue: 0,
      });
      const column = reshape(backend, padded, [b, qh, 1, qw, 1, ci]);
      temps.push(padded, column);
      columns.push(column);
    }
    const row = runWasm('Concat', backend, columns as unknown as Record<string, Info>, { axis: 4 });
    temps.push(row);
    rowsOfPhases.push(row);
  }
  const all = runWasm('Concat', backend, rowsOfPhases as unknown as Record<string, Info>, { axis: 2 }); // [b, qh, sh, qw, sw, ci]
  const flat = reshape(backend, all, [b, qh * sh, qw * sw, ci]);
  temps.push(all, flat);
  const dx = runWasm('Slice', backend, { x: flat }, { begin: [0, 0, 0, 0], size: [b, H, W, ci] });
  free(backend, ...temps);
  return dx;
}

/** dx rows/columns of one (row, column) phase: [b, py.rows, px.rows, ci], zeros where no tap reaches. */
function phaseGradient(backend: Backend, dy: Info, filter: Info, py: AxisPhase, px: AxisPhase, b: number, ci: number): Info {
  const [oh, ow, co] = [dy.shape[1], dy.shape[2], dy.shape[3]];
  const rows = Math.max(py.rows, 0);
  const cols = Math.max(px.rows, 0);
  const dyRows = oh - py.cropBefore - py.cropAfter;
  const dyCols = ow - px.cropBefore - px.cropAfter;
  if (py.taps === 0 || px.taps === 0 || rows === 0 || cols === 0 || dyRows <= 0 || dyCols <= 0) {
    return runWasm('Fill', backend, {}, { shape: [b, rows, cols, ci], value: 0, dtype: 'float32' });
  }
  const [kh, kw] = [filter.shape[0], filter.shape[1]];
  const sub = runWasm('StridedSlice', backend, { x: filter }, {
    begin: [py.tap, px.tap, 0, 0], end: [kh, kw, ci, co], strides: [py.stride, px.stride, 1, 1],
    beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
  });
  const rotated = runWasm('Reverse', backend, { x: sub }, { dims: [0, 1] });
  const f = transpose(backend, rotated, [0, 1, 3, 2]); // [taps, taps, co, ci]
  const temps = [sub, rotated, f];
  let d = dy;
  if (dyRows !== oh || dyCols !== ow) {
    d = runWasm('Slice', backend, { x: dy }, { begin: [0, py.cropBefore, px.cropBefore, 0], size: [b, dyRows, dyCols, co] });
    temps.push(d);
  }
  const dx = runWasm('Conv2D', backend, { x: d, filter: f }, {
    strides: [1, 1],
    pad: [[0, 0], [py.padBefore, py.padAfter], [px.padBefore, px.padAfter], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
  });
  free(backend, ...temps);
  return dx;
}
