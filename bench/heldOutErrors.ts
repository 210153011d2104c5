// Which held-out rows models get wrong, for bench/ACCURACY.md: recreates the held-out split the
// models were trained with, lists each model's mistakes (train.csv data row, 0-based: line − 2,
// label, prediction), how many every model shares, and the mistakes of their mean prediction.
//   npx tsx bench/heldOutErrors.ts <validation split> <seed> <model folder>...
import * as tf from '../src/engine/core/tf';
import { initBackend } from '../src/engine/kernels/backend';
import { loadModelDir } from '../src/engine/model/persistence';
import { loadHeldOut, predictedDigits } from './heldOut';
(async () => {
  const [splitArg, seedArg, ...dirs] = process.argv.slice(2);
  await initBackend('wasm');
  const { validation: val, rows: heldOutRows, x } = await loadHeldOut(Number(splitArg), Number(seedArg));
  const mistakes = (probabilities: tf.Tensor) => {
    const predicted = predictedDigits(probabilities);
    const rows = new Map<number, string>();
    for (let i = 0; i < val.count; i++) if (predicted[i] !== val.labels![i]) rows.set(heldOutRows[i], `${heldOutRows[i]}:${val.labels![i]}→${predicted[i]}`);
    return rows;
  };
  const each: Map<number, string>[] = [];
  let sum: tf.Tensor | undefined;
  for (const dir of dirs) {
    const { model } = await loadModelDir(dir);
    const probabilities = model.predict(x, { batchSize: 500 }) as tf.Tensor;
    const wrong = mistakes(probabilities);
    each.push(wrong);
    console.log(`${dir}: ${wrong.size} mistakes of ${val.count} (${(100 - (wrong.size / val.count) * 100).toFixed(2)}%): ${[...wrong.values()].join(' ')}`);
    const next = sum ? tf.add(sum, probabilities) : probabilities.clone();
    tf.dispose([sum!, probabilities]);
    sum = next;
    model.dispose();
  }
  const shared = [...each[0].keys()].filter((row) => each.every((wrong) => wrong.has(row)));
  console.log(`made by every model: ${shared.length}`);
  if (dirs.length > 1) console.log(`mean prediction: ${mistakes(sum!).size} mistakes`);
})();
