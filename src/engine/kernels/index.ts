// Why this file exists: it installs our wasm training kernels (see each file's header) into the
// TF.js kernel registry, replacing the stock wasm kernels of the same name where we are faster.
import * as tf from '../core/tf';
import { adamUpdateConfig } from './adam';
import { movingAverageConfig } from './average';
import { makeBatchMatMulConfig } from './batchMatMul';
import { batchNormTrainingConfig, batchNormTrainingGradConfig } from './batchNorm';
import { makeConv2DConfig, makeFusedConv2DConfig } from './conv2d';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter';
import { makeConv2dBackpropInputConfig } from './conv2dBackpropInput';
import { makeCastConfig, makeIdentityConfig } from './identity';
import { maxPoolGradConfig } from './maxPoolGrad';
import { dropoutMultiplierConfig } from './dropout';
import { makeMeanConfig, makeSumConfig } from './reduceLeading';
import { makeTileConfig } from './tile';

let installed = false;

/** Names of the kernels registered (or replaced) for the wasm backend. */
export const WASM_TRAINING_KERNELS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad', 'Tile', 'Sum', 'Mean', 'Identity', 'Cast', batchNormTrainingConfig.kernelName, batchNormTrainingGradConfig.kernelName, adamUpdateConfig.kernelName, dropoutMultiplierConfig.kernelName, movingAverageConfig.kernelName] as const;

/**
 * Registers our kernels for the 'wasm' backend. Idempotent. Call after the wasm backend package
 * has been loaded (its stock kernels must already be registered so we can wrap them).
 */
export function registerWasmTrainingKernels(): void {
  if (installed) return;
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!stockMatMul) throw new Error('the wasm backend is not loaded (no BatchMatMul kernel)');
  const stockBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  replace(makeConv2DConfig(stock('Conv2D')));
  replace(makeFusedConv2DConfig(stock('FusedConv2D')));
  replace(makeBatchMatMulConfig(stockMatMul));
  replace(makeConv2dBackpropInputConfig(stockBackpropInput));
  replace(conv2dBackpropFilterConfig);
  replace(maxPoolGradConfig);
  replace(makeTileConfig(stock('Tile')));
  replace(makeSumConfig(stock('Sum')));
  replace(makeMeanConfig(stock('Mean')));
  replace(makeIdentityConfig(stock('Identity')));
  replace(makeCastConfig(stock('Cast')));
  replace(batchNormTrainingConfig);
  replace(batchNormTrainingGradConfig);
  replace(adamUpdateConfig);
  replace(dropoutMultiplierConfig);
  replace(movingAverageConfig);
  installed = true;
}

function stock(name: string): tf.KernelConfig {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel;
}

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}
