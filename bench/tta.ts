// Test-time augmentation check for bench/ACCURACY.md: recreates a saved model's held-out split of
// train.csv and compares its plain accuracy with the mean prediction over augmented copies.
//   npx tsx bench/tta.ts <model folder> <validation split> <seed>     (as the model was trained)
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { loadModelDir } from '../src/engine/model/persistence';
import { createRandom } from '../src/engine/core/random';
import { randomTransforms } from '../src/engine/data/augment';
import { accuracyOf, loadHeldOut } from './heldOut';
(async () => {
  const [dir, splitArg, seedArg] = process.argv.slice(2);
  await initBackend('wasm');
  const { validation: val, x } = await loadHeldOut(Number(splitArg), Number(seedArg));
  const { model } = await loadModelDir(dir);
  const acc = (p: tf.Tensor) => accuracyOf(p, val.labels!);
  const base = model.predict(x, { batchSize: 500 }) as tf.Tensor;
  console.log('plain', (acc(base) * 100).toFixed(2));
  const rnd = createRandom(7);
  for (const [name, opts] of [['mild', { rotation: 5, zoom: 0.05, shift: 0.05 }], ['full', { rotation: 10, zoom: 0.1, shift: 0.1 }]] as const) {
    let sum = base.clone();
    for (let k = 1; k <= 8; k++) {
      const t = tf.tensor2d(randomTransforms(val.count, opts, rnd), [val.count, 8]);
      const xa = tf.image.transform(x, t, 'bilinear', 'constant', 0);
      const p = model.predict(xa, { batchSize: 500 }) as tf.Tensor;
      const s2 = tf.add(sum, p); sum.dispose(); sum = s2;
      if ([2, 4, 8].includes(k)) console.log(name, 'k', k, (acc(sum) * 100).toFixed(2));
    }
  }
  // shift-only TTA: ±1 px
  let sum = base.clone();
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
    const row = new Float32Array(val.count * 8); for (let i = 0; i < val.count; i++) { row.set([1, 0, -dx, 0, 1, -dy, 0, 0], i * 8); }
    const xa = tf.image.transform(x, tf.tensor2d(row, [val.count, 8]), 'bilinear', 'constant', 0);
    const s2 = tf.add(sum, model.predict(xa, { batchSize: 500 }) as tf.Tensor); sum.dispose(); sum = s2;
  }
  console.log('shift1px x5', (acc(sum) * 100).toFixed(2));
})();
