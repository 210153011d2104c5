// A model of several networks: one TF.js layers model whose input feeds N networks (nested
// models named network1…networkN) and whose output is the average of their probabilities
// (Keras's Average layer), as Keras users build an ensemble. Saved, loaded, exported and
// predicted like any model — model.json holds the whole — so every command that takes a model
// takes it; what needs the networks one by one (See Why, the memory of kept drawings, the
// per-network evaluation) asks networksOf.
import * as tf from '../core/tf';
import { IMAGE_SIZE } from '../core/types';

/** The networks of `model`: its members when it is a model of several networks, else the model itself. */
export function networksOf(model: tf.LayersModel): tf.LayersModel[] {
  const [input, ...rest] = model.layers;
  const last = rest.pop();
  const isEnsemble =
    input?.getClassName() === 'InputLayer' &&
    last?.getClassName() === 'Average' &&
    rest.length >= 2 &&
    rest.every((layer) => layer instanceof tf.LayersModel && layer.inputs.length === 1 && layer.outputs.length === 1);
  return isEnsemble ? (rest as tf.LayersModel[]) : [model];
}

/**
 * One model averaging the probabilities of `networks` (at least two, each taking a 28×28×1
 * image and giving ten probabilities). The networks become its layers (renamed network1…N);
 * they must have been built in this process (their layer names, numbered by TF.js, are then
 * distinct, which the saved weights' names rely on).
 */
export function combineNetworks(networks: tf.LayersModel[], name = 'networks'): tf.LayersModel {
  if (networks.length < 2) throw new Error(`combineNetworks: ${networks.length} network(s); a model of several needs at least two`);
  const seen = new Set<string>();
  for (const network of networks) {
    for (const layer of network.layers) {
      if (seen.has(layer.name)) throw new Error(`combineNetworks: the layer name "${layer.name}" is in two networks`);
      seen.add(layer.name);
    }
  }
  // TF.js names models once, at construction; a nested model's name is its layer name in the whole.
  networks.forEach((network, i) => ((network as { name: string }).name = `network${i + 1}`));
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const outputs = networks.map((network) => network.apply(input) as tf.SymbolicTensor);
  const average = tf.layers.average({ name: 'average' }).apply(outputs) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: average, name });
}
