// Why this file exists: it sets up our C convolution kernels for the three convolutions of conv
// training — forward, input gradient and filter gradient — and says which convolutions they take
// (NHWC, no dilation, output channels a multiple of 8; the callers keep their previous path for
// anything else): 3×3 stride 1 by Winograd (wasm/winograd4.c's F(4×4, 3×3), wasm/winograd.c's F(2×2, 3×3)
// where partial tiles waste F(4×4)'s gain), 5×5 stride 2 as a 3×3 one of the input in 2×2 blocks
// (wasm/spaceToDepth.c) where that pays, the rest as a direct product over a pixel grid
// with the right strides (wasm/conv.c). bench/KERNELS.md has what each measured.
import * as tf from '../core/tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelExports, Scratch, filterCache, ownKernels, offsetOf } from './ownKernels';
import type { Backend, Info } from './wasmOps';

type ConvInfo = tf.backend_util.Conv2DInfo;

function output(backend: Backend, shape: number[]): Info {
  return (backend as unknown as BackendWasm).makeOutput(shape, 'float32');
}

/** Whether our kernels compute a convolution with this geometry, producing `channels` per pixel. */
function supported(info: ConvInfo, channels: number): boolean {
  return info.dataFormat === 'channelsLast' && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    channels % 8 === 0 && info.batchSize > 0 && info.outHeight > 0 && info.outWidth > 0;
}

/** Rows (or columns) of zeros to add to the input so that every window lies inside it. */
function inputPadding(info: ConvInfo): Padding {
  const { top, left } = info.padInfo;
  const bottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top);
  const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left);
  return { top, bottom, left, right, height: info.inHeight + top + bottom, width: info.inWidth + left + right };
}

type Padding = { top: number; bottom: number; left: number; right: number; height: number; width: number };

/** x ([n, h, w, channels]) zero-padded into scratch memory when `p` pads it (its offset otherwise). */
function paddedInput(k: KernelExports, scratch: Scratch, x: number, n: number, h: number, w: number, channels: number, p: Padding): number {
  if (p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0) return x;
  const out = scratch.floats(n * p.height * p.width * channels);
  k.pad_nhwc(x, n, h, w, channels, p.top, p.bottom, p.left, p.right, out);
  return out;
}

/** Whether a convolution is a 3×3, stride-1 one with channels for winograd.c (in and out multiples of 8). */
function winogradFits(info: ConvInfo, reduced: number, produced: number): boolean {
  return info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
    reduced % 8 === 0 && produced % 8 === 0 && info.padInfo.top <= 2 && info.padInfo.left <= 2;
}

/** Zero padding of a 3×3 convolution's input for winograd.c: every 4×4 block under a 2×2 output block inside it. */
function winogradPadding(h: number, w: number, top: number, left: number, OH: number, OW: number): Padding {
  const height = 2 * Math.ceil(OH / 2) + 2;
  const width = 2 * Math.ceil(OW / 2) + 2;
  return { top, left, bottom: Math.max(0, height - h - top), right: Math.max(0, width - w - left), height: Math.max(height, h + top), width: Math.max(width, w + left) };
}

/**
 * The valid 3×3 convolution by Winograd F(2×2, 3×3) of `input` ([N, h, w, C]) padded by `top` and
 * `left` zeros (and at the bottom and right as far as the 4×4 input blocks reach) into out
 * ([N, OH, OW, K]), with the filter transformed by winogradFilter.
 */
function winograd(k: KernelExports, scratch: Scratch, input: number, N: number, h: number, w: number, C: number, top: number, left: number,
  U: number, K: number, out: number, OH: number, OW: number): void {
  const pad = winogradPadding(h, w, top, left, OH, OW);
  const xp = paddedInput(k, scratch, input, N, h, w, C, pad);
  k.winograd_conv(xp, N, pad.height, pad.width, C, U, K, out, OH, OW, scratch.floats(16 * (16 * (C + K) + 32) + 32));
}

/**
 * A 3×3 filter transformed for winograd (reducing C channels to K), from the cache; transposed:
 * the input gradient's filter (reversed, axes swapped); blocks: a stride-2 filter in 2×2 blocks
 * (spaceToDepth.c), so C is 4× its input channels. tile: 2 for F(2×2, 3×3), 4 for F(4×4, 3×3).
 */
function winogradFilter(backend: Backend, k: KernelExports, filter: Info, C: number, K: number, transposed: boolean, blocks?: ConvInfo, tile: Tile = 2): number {
  const transform = tile === 4 ? k.winograd4_filter : k.winograd_filter;
  return filterCache(backend).get(filter, `winograd${tile} ${transposed} ${!!blocks}`, (tile + 2) ** 2 * C * K, (U) => {
    if (!blocks) return transform(offsetOf(backend, filter), C, K, transposed ? 1 : 0, U);
    const scratch = new Scratch(backend);
    try {
      const rearranged = scratch.floats(9 * C * K);
      k.filter_blocks(offsetOf(backend, filter), blocks.filterHeight, blocks.filterWidth, blocks.inChannels, blocks.outChannels, 3, 3, rearranged, 1);
      transform(rearranged, C, K, transposed ? 1 : 0, U);
    } finally {
      scratch.free();
    }
  });
}

type Tile = 2 | 4;

/** F(4×4, 3×3) (winograd4.c) where it pays; 2 runs everything as before it existed (benchmarks). */
let largestTile: Tile = 4;

/** Benchmarks: 2 runs every 3×3 convolution by F(2×2, 3×3) as before F(4×4, 3×3) existed. */
export function setWinogradTile(tile: Tile): void {
  largestTile = tile;
}

/**
 * Winograd's tile for a 3×3 convolution producing OH × OW pixels: F(4×4, 3×3) unless its
 * partial tiles waste what it saves (multiplies per channel pair, F(2×2) 16 per 2×2 tile, F(4×4)
 * 36 per 4×4 tile; measured, bench/KERNELS.md: at 10×10 outputs, 324 against 400, F(4×4) is
 * 1.1× faster, so it is taken below 0.9 of F(2×2)'s count).
 */
function tileFor(OH: number, OW: number): Tile {
  if (largestTile === 2) return 2;
  const f4 = Math.ceil(OH / 4) * Math.ceil(OW / 4) * 36;
  const f2 = Math.ceil(OH / 2) * Math.ceil(OW / 2) * 16;
  return f4 < 0.9 * f2 ? 4 : 2;
}

/**
 * winograd by F(4×4, 3×3): the input read in place, its padding gathered per border tile. Outputs
 * whose window is all zeros are exact zeros (winograd4.c: a ReLU may follow); gradients need not.
 */
function winograd4(k: KernelExports, scratch: Scratch, input: number, N: number, h: number, w: number, C: number, top: number, left: number,
  U: number, K: number, out: number, OH: number, OW: number, exactZeros = true): void {
  k.winograd4_conv(input, N, h, w, C, top, left, U, K, out, OH, OW, exactZeros ? 1 : 0, scratch.floats(36 * (16 * (C + K) + 32) + 36 * C + 32));
}

/** dW ([3, 3, C, K]) of a valid 3×3 convolution of `input` ([N, h, w, C]) by Winograd F(3×3, 2×2) or F(3×3, 4×4), from dy ([N, OH, OW, K]). */
function winogradFilterGrad(k: KernelExports, scratch: Scratch, input: number, N: number, h: number, w: number, C: number, top: number, left: number,
  dy: number, K: number, OH: number, OW: number, dw: number): void {
  if (tileFor(OH, OW) === 4 && !process.env.F4_NO_FGRAD) {
    k.winograd4_filter_grad(input, N, h, w, C, top, left, dy, K, OH, OW, dw, scratch.floats(36 * (32 * (C + K) + C * K + 48) + 36 * C));
    return;
  }
  const pad = winogradPadding(h, w, top, left, OH, OW);
  const xp = paddedInput(k, scratch, input, N, h, w, C, pad);
  k.winograd_filter_grad(xp, N, pad.height, pad.width, C, dy, K, OH, OW, dw, scratch.floats(16 * (64 * (C + K) + C * K + 48)));
}

/**
 * Whether a stride-2 convolution becomes a 3×3 stride-1 one on its input in 2×2 blocks
 * (spaceToDepth.c): filters of 5 or 6 taps a side, channels for winograd.c. Measured on the
 * default CNN's two 5×5 layers (bench/KERNELS.md), this pays for the filter gradient (1.2–1.6×)
 * and for the forward pass of the larger one (1.2×), not for the input gradient, whose 3×3
 * convolution computes the blocks' padding too (the direct product by phase is 1.3–2× faster).
 */
function spaceToDepthFits(info: ConvInfo): boolean {
  const blocks = (taps: number) => Math.ceil(taps / 2) === 3;
  return info.strideHeight === 2 && info.strideWidth === 2 && blocks(info.filterHeight) && blocks(info.filterWidth) &&
    info.inChannels % 2 === 0 && info.outChannels % 8 === 0;
}

/**
 * Where a caller keeps a convolution's input in 2×2 blocks between its forward pass and its filter
 * gradient (the fused step: the same input, rearranged once): `at` holds blockedInputFloats(info)
 * floats, `filled` says whether it holds the blocks yet.
 */
export interface BlockedInput {
  at: number;
  filled: boolean;
}

/** Floats of a convolution's input in 2×2 blocks, if its forward pass or filter gradient uses them; else 0. */
export function blockedInputFloats(info: ConvInfo): number {
  return spaceToDepthFits(info) ? info.batchSize * (info.outHeight + 2) * (info.outWidth + 2) * 4 * info.inChannels : 0;
}

/** The input in 2×2 blocks (4·C channels, [N, OH + 2, OW + 2]): the 3×3 convolution's input. */
function blocksOf(k: KernelExports, scratch: Scratch, x: number, info: ConvInfo, kept?: BlockedInput): { blocks: number; height: number; width: number } {
  const height = info.outHeight + 2;
  const width = info.outWidth + 2;
  const blocks = kept?.at ?? scratch.floats(blockedInputFloats(info));
  if (!kept?.filled) k.space_to_depth(x, info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.padInfo.top, info.padInfo.left, height, width, blocks);
  if (kept) kept.filled = true;
  return { blocks, height, width };
}

/** Whether our kernels take a convolution with this geometry (channels last, no dilation, CO a multiple of 8). */
export function convSupported(info: ConvInfo): boolean {
  return supported(info, info.outChannels);
}

/** Whether our kernels take its input gradient (CI a multiple of 8 too). */
export function inputGradSupported(info: ConvInfo): boolean {
  return supported(info, info.inChannels);
}

/**
 * y = conv(x, filter) into y ([N, OH, OW, CO]), pointers into the backend's memory: the forward
 * pass of ownConv2d and of the fused training step (kernels/fused). exactZeros: see winograd4.
 * The caller checks convSupported.
 */
export function convForward(backend: Backend, k: KernelExports, scratch: Scratch, x: number, filter: Info, info: ConvInfo, y: number, exactZeros = true, blocked?: BlockedInput): void {
  const { batchSize: N, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  if (winogradFits(info, CI, CO)) {
    const tile = tileFor(OH, OW);
    const U = winogradFilter(backend, k, filter, CI, CO, false, undefined, tile);
    if (tile === 4) winograd4(k, scratch, x, N, info.inHeight, info.inWidth, CI, info.padInfo.top, info.padInfo.left, U, CO, y, OH, OW, exactZeros);
    else winograd(k, scratch, x, N, info.inHeight, info.inWidth, CI, info.padInfo.top, info.padInfo.left, U, CO, y, OH, OW);
    return;
  }
  // In 2×2 blocks by F(4×4, 3×3): 2.1× the direct product even at 4×4 outputs (one tile); by F(2×2, 3×3) from 8×8 outputs.
  const tile = largestTile === 4 ? 4 : 2;
  if (spaceToDepthFits(info) && (OH * OW >= 64 || tile === 4)) {
    const input = blocksOf(k, scratch, x, info, blocked);
    const U = winogradFilter(backend, k, filter, 4 * CI, CO, false, info, tile);
    if (tile === 4) winograd4(k, scratch, input.blocks, N, input.height, input.width, 4 * CI, 0, 0, U, CO, y, OH, OW, exactZeros);
    else winograd(k, scratch, input.blocks, N, input.height, input.width, 4 * CI, 0, 0, U, CO, y, OH, OW);
    return;
  }
  const pad = inputPadding(info);
  const xp = paddedInput(k, scratch, x, N, info.inHeight, info.inWidth, CI, pad);
  const packed = filterCache(backend).get(filter, 'pack', KH * KW * CI * CO, (p) => k.pack_filter(offsetOf(backend, filter), KH, KW, CI, CO, 0, 0, 1, 1, KH, KW, 0, p));
  const row = pad.width * CI;
  k.conv_grid(xp, N, OH, OW, pad.height * row, info.strideHeight * row, info.strideWidth * CI,
    KH, KW, row, CI, CI, packed, CO / 8,
    y, OH * OW * CO, OW * CO, CO, scratch.floats(32));
}

/** y = conv(x, filter) ([N, OH, OW, CO]), or undefined when our kernels do not take this one. */
export function ownConv2d(backend: Backend, x: Info, filter: Info, info: ConvInfo): Info | undefined {
  const k = ownKernels(backend);
  if (!k || !supported(info, info.outChannels) || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const y = output(backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
  const scratch = new Scratch(backend);
  try {
    convForward(backend, k, scratch, offsetOf(backend, x), filter, info, offsetOf(backend, y));
  } finally {
    scratch.free();
  }
  return y;
}

/** y += bias, then relu (or nothing): the rest of a fused convolution, in place. */
export function biasActivation(backend: Backend, y: Info, bias: Info | undefined, relu: boolean): void {
  const k = ownKernels(backend)!;
  const channels = y.shape[y.shape.length - 1];
  k.bias_activation(offsetOf(backend, y), tf.util.sizeFromShape(y.shape) / channels, channels, bias ? offsetOf(backend, bias) : 0, relu ? 1 : 0);
}

/**
 * One axis of a strided input gradient, split by phase: the rows y = s·i + r of dx receive only
 * the filter taps kh = tap + s·a (tap ≡ r + padBefore mod s), from dy row i + shift − a. With
 * stride 1 there is one phase with every tap: the "full" convolution with the filter reversed.
 */
type Phase = { r: number; rows: number; tap: number; taps: number; shift: number };

function axisPhases(size: number, outSize: number, kernel: number, stride: number, padBefore: number) {
  const phases: Phase[] = [];
  for (let r = 0; r < stride && r < size; r++) {
    const tap = (r + padBefore) % stride;
    phases.push({
      r,
      rows: Math.ceil((size - r) / stride),
      tap,
      taps: Math.max(0, Math.ceil((kernel - tap) / stride)),
      shift: Math.floor((r + padBefore) / stride),
    });
  }
  // dy rows the phases reach beyond [0, outSize): the margins of zeros dy gets.
  const before = Math.max(0, ...phases.map((p) => p.taps - 1 - p.shift));
  const after = Math.max(0, ...phases.map((p) => p.rows - 1 + p.shift - (outSize - 1)));
  return { phases, before, after };
}

/** dx ([N, H, W, CI]) of a convolution from dy and the filter into `out` (pointers); the caller checks inputGradSupported. */
export function convInputGrad(backend: Backend, k: KernelExports, scratch: Scratch, dy: number, filter: Info, info: ConvInfo, out: number): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  if (winogradFits(info, CO, CI)) {
    // dx is the valid 3×3 convolution of dy, padded by 2 − pad, with the filter reversed.
    const tile = tileFor(H, W);
    const U = winogradFilter(backend, k, filter, CO, CI, true, undefined, tile);
    if (tile === 4) winograd4(k, scratch, dy, N, OH, OW, CO, 2 - info.padInfo.top, 2 - info.padInfo.left, U, CI, out, H, W, false);
    else winograd(k, scratch, dy, N, OH, OW, CO, 2 - info.padInfo.top, 2 - info.padInfo.left, U, CI, out, H, W);
    return;
  }
  // A strided convolution's input gradient by phase (axisPhases): each phase of dx (rows ≡ r mod s,
  // columns likewise) is a stride-1 correlation of dy with the phase's taps of the filter, at most
  // 3 a side for a 5×5 stride-2 filter. Those run by F(4×4, 3×3) (the filter zero-padded to 3×3:
  // 2.25 multiplies per output against the direct product's 4–9) where that is under 3/4 of the
  // direct product's count, writing every s-th row and column of dx in place; the rest directly.
  const rows = axisPhases(H, OH, KH, sh, info.padInfo.top);
  const cols = axisPhases(W, OW, KW, sw, info.padInfo.left);
  const byWinograd = (py: Phase, px: Phase) => largestTile === 4 && py.taps > 0 && px.taps > 0 && py.taps <= 3 && px.taps <= 3 && CO % 4 === 0 &&
    Math.ceil(py.rows / 4) * Math.ceil(px.rows / 4) * 36 < 0.75 * py.rows * px.rows * py.taps * px.taps;
  if (rows.phases.some((p) => p.taps === 0) || cols.phases.some((p) => p.taps === 0)) k.fill_zero(out, N * H * W * CI);
  let dyp = 0;
  const margins = { top: rows.before, bottom: rows.after, left: cols.before, right: cols.after, height: OH + rows.before + rows.after, width: OW + cols.before + cols.after };
  const row = margins.width * CO;
  const spare = scratch.floats(32);
  for (const py of rows.phases) {
    for (const px of cols.phases) {
      if (py.taps === 0 || px.taps === 0) continue;
      const first = out + 4 * (py.r * W + px.r) * CI;
      if (byWinograd(py, px)) {
        const U = filterCache(backend).get(filter, `phase4 ${py.tap} ${px.tap} ${sh} ${sw}`, 36 * CO * CI, (u) => {
          const taps = scratch.floats(9 * CO * CI);
          k.phase_filter(offsetOf(backend, filter), KW, CI, CO, py.tap, px.tap, sh, sw, py.taps, px.taps, taps);
          k.winograd4_filter(taps, CO, CI, 0, u);
        });
        k.winograd4_conv_into(dy, N, OH, OW, CO, py.taps - 1 - py.shift, px.taps - 1 - px.shift, U, CI, first, py.rows, px.rows,
          H * W * CI, sh * W * CI, sw * CI, 0, scratch.floats(36 * (16 * (CO + CI) + 32) + 36 * CO + 32));
        continue;
      }
      dyp ||= paddedInput(k, scratch, dy, N, OH, OW, CO, margins);
      const packed = filterCache(backend).get(filter, `phase ${py.tap} ${px.tap} ${sh} ${sw}`, py.taps * px.taps * CO * CI,
        (p) => k.pack_filter(offsetOf(backend, filter), KH, KW, CI, CO, py.tap, px.tap, sh, sw, py.taps, px.taps, 1, p));
      k.conv_grid(dyp + 4 * ((py.shift + rows.before) * row + (px.shift + cols.before) * CO), N, py.rows, px.rows, margins.height * row, row, CO,
        py.taps, px.taps, -row, -CO, CO, packed, CI / 8,
        first, H * W * CI, sh * W * CI, sw * CI, spare);
    }
  }
}

/** dx of a convolution ([N, H, W, CI]) from dy and the filter, or undefined when not ours. */
export function ownConv2dBackpropInput(backend: Backend, dy: Info, filter: Info, info: ConvInfo): Info | undefined {
  const k = ownKernels(backend);
  if (!k || !supported(info, info.inChannels) || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const dx = output(backend, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  const scratch = new Scratch(backend);
  try {
    convInputGrad(backend, k, scratch, offsetOf(backend, dy), filter, info, offsetOf(backend, dx));
  } finally {
    scratch.free();
  }
  return dx;
}

/** dW ([KH, KW, CI, CO]) of a convolution from its input and dy into `dw` (pointers); the caller checks convSupported. */
export function convFilterGrad(k: KernelExports, scratch: Scratch, x: number, dy: number, info: ConvInfo, dw: number, blocked?: BlockedInput): void {
  const { batchSize: N, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  if (winogradFits(info, CI, CO)) {
    winogradFilterGrad(k, scratch, x, N, info.inHeight, info.inWidth, CI, info.padInfo.top, info.padInfo.left, dy, CO, OH, OW, dw);
    return;
  }
  if (spaceToDepthFits(info)) {
    const input = blocksOf(k, scratch, x, info, blocked);
    const gradBlocks = scratch.floats(9 * 4 * CI * CO);
    winogradFilterGrad(k, scratch, input.blocks, N, input.height, input.width, 4 * CI, 0, 0, dy, CO, OH, OW, gradBlocks);
    k.filter_blocks(dw, KH, KW, CI, CO, 3, 3, gradBlocks, 0);
    return;
  }
  const pad = inputPadding(info);
  const xp = paddedInput(k, scratch, x, N, info.inHeight, info.inWidth, CI, pad);
  const M = KH * KW * CI;
  const rounded = Math.ceil(M / 4) * 4;
  // The kernel takes rows of dW 4 at a time; with M not a multiple of 4 it writes to scratch first.
  const target = rounded === M ? dw : scratch.floats(rounded * CO);
  k.fill_zero(target, rounded * CO);
  const row = pad.width * CI;
  // dy rows per chunk: about 16 KB of dy, so a chunk of dy and x stays in the L1/L2 caches.
  const chunkRows = Math.max(1, Math.floor(16384 / (OW * CO * 4)));
  k.conv_filter_grad(xp, N, OH, OW, pad.height * row, info.strideHeight * row, info.strideWidth * CI,
    KH, KW, row, CI, CI, dy, CO, target, chunkRows);
  if (target !== dw) k.copy_floats(dw, target, M * CO);
}

/** dW of a convolution ([KH, KW, CI, CO]) from its input and dy, or undefined when not ours. */
export function ownConv2dBackpropFilter(backend: Backend, x: Info, dy: Info, info: ConvInfo): Info | undefined {
  const k = ownKernels(backend);
  if (!k || !supported(info, info.outChannels) || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const dw = output(backend, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  const scratch = new Scratch(backend);
  try {
    convFilterGrad(k, scratch, offsetOf(backend, x), offsetOf(backend, dy), info, offsetOf(backend, dw));
  } finally {
    scratch.free();
  }
  return dw;
}

/**
 * What a pass of this convolution runs (convForward, convInputGrad, convFilterGrad) and the
 * multiply-adds it executes: with Winograd, those of its element-wise products (36 per 4×4 tile
 * and channel pair), not the direct product's. For the benchmarks' fraction of the ceiling.
 */
export function passCost(info: ConvInfo, pass: 'forward' | 'input' | 'filter'): { algorithm: string; multiplyAdds: number } {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const tiles = (h: number, w: number, t: Tile) => Math.ceil(h / t) * Math.ceil(w / t) * (t + 2) ** 2;
  const direct = { algorithm: 'direct', multiplyAdds: N * OH * OW * KH * KW * CI * CO };
  const covers = info.outHeight === 1 && info.outWidth === 1 && KH === H && KW === W && info.padInfo.top === 0 && info.padInfo.left === 0;
  if (pass === 'input') {
    if (covers) return { algorithm: 'matrix product', multiplyAdds: direct.multiplyAdds };
    if (winogradFits(info, CO, CI)) {
      const t = tileFor(H, W);
      return { algorithm: `F(${t}×${t}, 3×3)`, multiplyAdds: N * tiles(H, W, t) * CI * CO };
    }
    const rows = axisPhases(H, OH, KH, info.strideHeight, info.padInfo.top);
    const cols = axisPhases(W, OW, KW, info.strideWidth, info.padInfo.left);
    let madds = 0;
    let winograd = 0;
    for (const py of rows.phases) {
      for (const px of cols.phases) {
        if (py.taps === 0 || px.taps === 0) continue;
        const byWinograd = largestTile === 4 && py.taps <= 3 && px.taps <= 3 && CO % 4 === 0 &&
          Math.ceil(py.rows / 4) * Math.ceil(px.rows / 4) * 36 < 0.75 * py.rows * px.rows * py.taps * px.taps;
        madds += N * CI * CO * (byWinograd ? tiles(py.rows, px.rows, 4) : py.rows * px.rows * py.taps * px.taps);
        if (byWinograd) winograd++;
      }
    }
    const phases = rows.phases.length * cols.phases.length;
    return { algorithm: phases === 1 ? 'direct' : winograd === phases ? `${phases} phases by F(4×4, 3×3)` : `${phases} phases, ${winograd} by F(4×4, 3×3)`, multiplyAdds: madds };
  }
  if (covers && pass === 'filter') return { algorithm: 'matrix product', multiplyAdds: direct.multiplyAdds };
  if (winogradFits(info, CI, CO)) {
    const t = tileFor(OH, OW);
    return { algorithm: `F(${t}×${t}, 3×3)`, multiplyAdds: N * tiles(OH, OW, t) * CI * CO };
  }
  const t = largestTile === 4 ? 4 : 2;
  if (spaceToDepthFits(info) && (pass === 'filter' || OH * OW >= 64 || t === 4)) {
    const tf = pass === 'filter' ? tileFor(OH, OW) : t;
    return { algorithm: `2×2 blocks, F(${tf}×${tf}, 3×3)`, multiplyAdds: N * tiles(OH, OW, tf) * 4 * CI * CO };
  }
  return direct;
}
