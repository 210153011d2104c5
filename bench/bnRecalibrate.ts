// Batch-norm recalibration check for bench/ACCURACY.md: a model trained on augmented images keeps
// BatchNorm moving statistics of augmented shards; this recreates its held-out split, then sets
// each BatchNorm layer's statistics to those of N clean training rows (layer by layer, earlier
// layers already recalibrated) and compares the held-out accuracy before and after.
//   npx tsx bench/bnRecalibrate.ts <model folder> <validation split> <seed> [rows]
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { loadModelDir } from '../src/engine/model/persistence';
import { imagesTensor, range } from '../src/engine/data/dataset';
import { subset } from '../src/engine/data/dataset';
import { accuracyOf, loadHeldOut } from './heldOut';
(async () => {
  const [dir, splitArg, seedArg, rowsArg] = process.argv.slice(2);
  await initBackend('wasm');
  const { data, train: trainRows, validation: val, x: xVal } = await loadHeldOut(Number(splitArg), Number(seedArg));
  const train = subset(data, trainRows.slice(0, Number(rowsArg ?? 10000)));
  const { model } = await loadModelDir(dir);
  const accuracy = () => tf.tidy(() => accuracyOf(model.predict(xVal, { batchSize: 500 }) as tf.Tensor, val.labels!));
  console.log('plain', (accuracy() * 100).toFixed(2), '% on', val.count);
  const layers = model.layers;
  for (let k = 0; k < layers.length; k++) {
    if (layers[k].getClassName() !== 'BatchNormalization') continue;
    const channels = (layers[k].getWeights()[0].shape as number[])[0];
    const sum = new Float64Array(channels);
    const squares = new Float64Array(channels);
    let count = 0;
    for (let start = 0; start < train.count; start += 500) {
      const end = Math.min(train.count, start + 500);
      const [s, q, n] = tf.tidy(() => {
        let t: tf.Tensor = imagesTensor(train, range(train.count), start, end);
        for (let j = 0; j < k; j++) t = layers[j].apply(t, { training: false }) as tf.Tensor;
        const axes = t.shape.slice(0, -1).map((_, i) => i);
        return [tf.sum(t, axes).dataSync(), tf.sum(tf.square(t), axes).dataSync(), t.size / channels];
      });
      for (let c = 0; c < channels; c++) {
        sum[c] += s[c];
        squares[c] += q[c];
      }
      count += n;
    }
    const mean = Array.from(sum, (s) => s / count);
    const variance = Array.from(squares, (q, c) => q / count - mean[c] * mean[c]);
    const [gamma, beta] = layers[k].getWeights();
    layers[k].setWeights([gamma, beta, tf.tensor1d(mean), tf.tensor1d(variance)]);
  }
  console.log('recalibrated on', train.count, 'clean rows', (accuracy() * 100).toFixed(2));
})();
