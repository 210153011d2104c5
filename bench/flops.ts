// Multiply-adds ×2 of one training image through a model (the direct product's count, whatever
// algorithm runs): shared by bench/run.ts and bench/stepRates.ts for their GFLOP/s.
import type * as tf from '../src/engine/core/tf';
import { createModel, disposeModel } from '../src/engine/model/architectures';
import { type Architecture } from '../src/shared/training';

/** Every convolution and dense layer's forward pass, weight gradient and (but for the first layer) input gradient. */
export function trainingFlops(arch: Architecture): number {
  return passFlops(arch).reduce((sum, p) => sum + p.flops * (p.first ? 2 : 3), 0);
}

/** Per convolution or dense layer: the multiply-adds ×2 of one pass for one image. */
export function passFlops(arch: Architecture): Array<{ name: string; flops: number; first: boolean }> {
  const model = createModel(arch, { seed: 1 });
  const out: Array<{ name: string; flops: number; first: boolean }> = [];
  for (const layer of model.layers) {
    const name = layer.getClassName();
    if (name !== 'Conv2D' && name !== 'Dense') continue;
    const kernel = layer.getWeights()[0].shape;
    const outputs = (layer.output as tf.SymbolicTensor).shape.slice(1, -1).reduce((a: number, b) => a * (b as number), 1);
    out.push({ name: layer.name, flops: 2 * outputs * kernel.reduce((a, b) => a * b, 1), first: out.length === 0 });
  }
  disposeModel(model);
  return out;
}
