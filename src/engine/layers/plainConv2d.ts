// Why this file exists: TF.js's Conv2D layer always runs tf.fused.conv2d, whose gradient computes
// the input gradient and the filter gradient together, even when nothing needs the input's (for
// a model's first layer the input is the data). Without bias or activation, tf.conv2d is the
// same function, and its gradient computes only what the tape asks for. The default CNN's
// training step on wasm went from 839 to 714 ms with it (bench/KERNELS.md).
import * as tf from '../core/tf';

/** The stock layer's fields this subclass reads (set by its constructor and build()). */
interface StockFields {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number | [number, number];
}

type LayerArgs = Parameters<typeof tf.layers.conv2d>[0];

// tfjs-layers exports a factory, not the class; its constructor is what models are built from.
const StockConv2D = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as typeof tf.layers.Layer & (new (args: LayerArgs) => tf.layers.Layer);

/**
 * Conv2D that, without bias or activation, runs the plain tf.conv2d. Registered under the class
 * name "Conv2D", so saved models stay ordinary Keras/TF.js models and models loaded in this
 * process (the data-parallel replicas) train with it too. Anything else runs the stock code.
 */
export class PlainConv2D extends StockConv2D {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as StockFields;
    const plain = self.bias === null && self.activation.getClassName() === 'linear' && self.dataFormat === 'channelsLast' && self.padding !== 'causal';
    if (!plain) return super.call(inputs, kwargs);
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.conv2d(x as tf.Tensor4D, self.kernel.read() as tf.Tensor4D, self.strides, self.padding as 'valid' | 'same', 'NHWC', self.dilationRate);
  }
}

tf.serialization.registerClass(PlainConv2D);
