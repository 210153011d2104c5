// Why this file exists: the fused training step (trainStep.ts) runs a model's leading convolution
// blocks — conv, then any of bias, batch norm, ReLU and dropout — with our C kernels directly,
// and the rest of the model on TF.js's gradient tape. This reads a model's layer list and says
// which layers those blocks are, or that the model has none (it then trains as before). Layers
// are recognised by their Keras class name and the fields tfjs-layers gives them, so models
// loaded from files (the data-parallel replicas) are recognised as the ones built in this process.
import type * as tf from '../../core/tf';

/** A conv block: the convolution and the element-wise layers after it, as fused.c's chain computes them. */
export interface ConvBlock {
  /** The layers it stands for, in order (their calls are replaced). */
  layers: tf.layers.Layer[];
  kernel: tf.LayerVariable;
  bias?: tf.LayerVariable;
  strides: [number, number];
  padding: 'same' | 'valid';
  /** [KH, KW, CI, CO]. */
  kernelShape: [number, number, number, number];
  batchNorm?: BatchNormLayer;
  relu: boolean;
  dropout?: DropoutLayer;
  /** A Flatten among its layers: its output goes on as [N, OH·OW·CO] (the same memory), and no block follows. */
  flatten: boolean;
}

/** The stock BatchNormalization layer's fields (tfjs-layers sets them in its constructor and build()); layers/fusedBatchNorm.ts reads them too. */
export interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** Our Dropout layer (engine/layers/seededDropout.ts): its rate, and the seed of each call's mask. */
export interface DropoutLayer {
  rate: number;
  noiseShape?: number[];
  nextSeed(): number | undefined;
}

interface ConvFields {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
}

export interface Plan {
  blocks: ConvBlock[];
  /** The layers after the blocks, run on TF.js's tape (at least one: the model's output). */
  tail: tf.layers.Layer[];
}

const activationOf = (layer: tf.layers.Layer) => (layer as unknown as { activation: { getClassName(): string } }).activation.getClassName();

/**
 * The blocks a sequential model starts with, or undefined when it starts with none we fuse (or is
 * not a plain stack of layers). A block's convolution must be channels-last, undilated, 'same' or
 * 'valid', linear or ReLU, with output channels a multiple of 8 (our kernels); what follows it in
 * the block is, in this order and each optional, batch norm (last axis, centred and scaled), ReLU,
 * seeded dropout, with a Flatten (channels last) anywhere after the convolution, ending the blocks. Every layer must be trainable (a frozen batch norm changes what training does).
 */
export function planOf(model: tf.LayersModel): Plan | undefined {
  if (model.getClassName() !== 'Sequential' || model.inputs.length !== 1 || model.inputs[0].shape.length !== 4) return undefined;
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const blocks: ConvBlock[] = [];
  let i = 0;
  while (i < layers.length && layers[i].getClassName() === 'Conv2D') {
    const conv = layers[i] as unknown as ConvFields;
    const shape = conv.kernel.shape as [number, number, number, number];
    const dilation = Array.isArray(conv.dilationRate) ? conv.dilationRate : [conv.dilationRate, conv.dilationRate];
    const activation = conv.activation.getClassName();
    if (conv.dataFormat !== 'channelsLast' || dilation.some((d) => d !== 1) || (conv.padding !== 'same' && conv.padding !== 'valid') ||
      (activation !== 'linear' && activation !== 'relu') || shape[3] % 8 !== 0 || !layers[i].trainable) break;
    const block: ConvBlock = {
      layers: [layers[i]],
      kernel: conv.kernel,
      bias: conv.bias ?? undefined,
      strides: conv.strides,
      padding: conv.padding,
      kernelShape: shape,
      relu: activation === 'relu',
      flatten: false,
    };
    i++;
    for (; i < layers.length && layers[i].trainable; i++) {
      const layer = layers[i];
      const name = layer.getClassName();
      if (name === 'BatchNormalization' && !block.batchNorm && !block.relu && !block.dropout) {
        const bn = layer as unknown as BatchNormLayer;
        if ((bn.axis !== -1 && bn.axis !== 3) || !bn.center || !bn.scale) break;
        block.batchNorm = bn;
      } else if (name === 'Activation' && (activationOf(layer) === 'relu' || activationOf(layer) === 'linear') && !block.dropout) {
        if (activationOf(layer) === 'relu') {
          if (block.relu) break;
          block.relu = true;
        }
      } else if (name === 'Dropout' && !block.dropout) {
        const dropout = layer as unknown as DropoutLayer;
        if (typeof dropout.nextSeed !== 'function' || dropout.noiseShape) break;
        if (dropout.rate > 0) block.dropout = dropout;
      } else if (name === 'Flatten' && !block.flatten && (layer as unknown as { dataFormat?: string }).dataFormat !== 'channelsFirst') {
        block.flatten = true; // channels last: flattening keeps the order in memory
      } else {
        break;
      }
      block.layers.push(layer);
    }
    blocks.push(block);
    if (block.flatten) break;
  }
  const tail = layers.slice(i);
  return blocks.length > 0 && tail.length > 0 ? { blocks, tail } : undefined;
}
