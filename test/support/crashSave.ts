// A child process for the fault-injection tests: performs one save of the product's own code and
// exits. With DIGIT_RECOGNIZER_FAILPOINT set it is killed (SIGKILL) at that point of the save.
//
//   node -r tsx/cjs test/support/crashSave.ts model <dir> <name>      save a small model named <name> at <dir>
//   node -r tsx/cjs test/support/crashSave.ts sample <file> <label>   append a drawing labelled <label> to a samples CSV
import * as tf from '../../src/engine/core/tf';
import { saveModelDir } from '../../src/engine/model/persistence';
import { addSample } from '../../src/engine/data/samples';

/** A small dense model whose every weight is `value` (so old and new saves tell apart by their bytes). */
export function smallModel(value: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax', kernelInitializer: tf.initializers.constant({ value }), biasInitializer: tf.initializers.constant({ value }) })] });
  return model;
}

async function main(): Promise<void> {
  const [mode, target, arg] = process.argv.slice(2);
  await tf.setBackend('cpu');
  if (mode === 'model') {
    const model = smallModel(Number(arg.replace(/\D/g, '')) / 1000);
    await saveModelDir(model, { formatVersion: 1, name: arg, created: new Date().toISOString(), architecture: 'test' }, target);
  } else if (mode === 'sample') {
    await addSample(target, new Array(784).fill(Number(arg) * 10), Number(arg));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
