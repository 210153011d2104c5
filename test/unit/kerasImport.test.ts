// The Keras importer against real Keras files: every fixture must reproduce an independent numpy
// forward pass (scripts/keras_reference.py) to 1e-4, score what its README says on train.csv, and
// every kind of bad file must get a clear InputError.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { unzipSync, zipSync } from 'fflate';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv } from '../../src/engine/data/csv';
import { InputError } from '../../src/engine/core/errors';
import { importModel } from '../../src/engine/model/importModel';
import { loadKerasModel } from '../../src/engine/model/keras/kerasModel';
import { normalizeKerasConfig } from '../../src/engine/model/keras/kerasConfig';
import { checkHdf5Header, H5Reader } from '../../src/engine/model/keras/h5';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { loadModelDir } from '../../src/engine/model/persistence';
import { predictImages } from '../../src/engine/inference/predict';
import { type DigitImages } from '../../src/engine/core/types';
import { requireData, slice, tempDir } from '../support/data';
import { KERAS_FIXTURES, kerasReference, referencePython, requireKerasFixtures } from '../support/keras';

const ROWS = 1000;
const TOLERANCE = 1e-4;

function maxAbsDiff(actual: ArrayLike<number>, expected: number[][]): number {
  let max = 0;
  expected.forEach((row, i) => row.forEach((v, k) => (max = Math.max(max, Math.abs(actual[i * row.length + k] - v)))));
  return max;
}

describe('Keras import', function () {
  this.timeout(300_000);
  let fixturesDir: string;
  let trainSlice: string;
  let images: DigitImages;
  let python: string;

  before(async function () {
    fixturesDir = requireKerasFixtures(this);
    const data = requireData(this);
    const found = referencePython();
    if (!found) {
      console.log('      (pending) python3 with numpy and h5py (Debian: apt-get install python3-h5py) is needed for reference outputs');
      this.skip();
    }
    python = found!;
    await initBackend('auto');
    trainSlice = await slice(data, 'train.csv', ROWS);
    images = await readDigitCsv(trainSlice, { expect: 'train' });
  });

  for (const fixture of KERAS_FIXTURES) {
    it(`${fixture.file} (${fixture.name}) matches the numpy reference`, async function () {
      const file = path.join(fixturesDir, fixture.file);
      const reference = kerasReference(python, file, trainSlice, ROWS);
      assert.deepEqual(reference.input_shape, fixture.inputShape);
      if (fixture.digitModel) {
        // The whole product path: loader, shape checks, predictImages's pixel scaling.
        const loaded = await loadAnyModel(file);
        try {
          const predictions = await predictImages(loaded.model, images, { pixelScale: loaded.metadata?.pixelScale });
          const diff = maxAbsDiff(predictions.probabilities, reference.outputs);
          let correct = 0;
          for (let i = 0; i < images.count; i++) if (predictions.labels[i] === images.labels![i]) correct++;
          const accuracy = correct / images.count;
          console.log(`      ${fixture.file}: max |Δ| ${diff.toExponential(2)}, accuracy ${(accuracy * 100).toFixed(1)}% (reference ${(reference.accuracy * 100).toFixed(1)}%) on ${ROWS} train.csv rows`);
          assert.ok(diff < TOLERANCE, `max abs difference ${diff}`);
          assert.equal(accuracy, reference.accuracy);
          if (fixture.expectedAccuracy !== undefined) assert.ok(Math.abs(accuracy - fixture.expectedAccuracy) < 0.01, `accuracy ${accuracy}`);
          assert.equal(loaded.metadata?.pixelScale, 'unit');
          assert.match(loaded.metadata!.architecture, /^Keras \d+\.\d+\.\d+ \.(h5|keras)$/);
        } finally {
          loaded.model.dispose();
        }
      } else {
        // Not a digit model: the importer itself must still be exact on the model's own input…
        const { model } = await loadKerasModel(file);
        try {
          const x = tf.tensor(reference.inputs!.flat(), [reference.rows, ...fixture.inputShape]);
          const y = model.predict(x) as tf.Tensor;
          const diff = maxAbsDiff(await y.data(), reference.outputs);
          tf.dispose([x, y]);
          console.log(`      ${fixture.file}: max |Δ| ${diff.toExponential(2)} on ${ROWS} rows resized to ${fixture.inputShape.join('×')}`);
          assert.ok(diff < TOLERANCE, `max abs difference ${diff}`);
        } finally {
          model.dispose();
        }
        // …and the product must refuse it by shape.
        await assert.rejects(loadAnyModel(file), (e: Error) => e instanceof InputError && /input is 8×8×1; expected a 28×28 digit/.test(e.message));
      }
    });
  }

  it('imports a .h5 and a .keras into the store as TF.js folders that predict the same', async function () {
    for (const name of ['kzarama-mnist.h5', 'ronit2421-mnist-keras3.keras']) {
      const file = path.join(fixturesDir, name);
      const dest = path.join(tempDir(), 'imported');
      const metadata = await importModel(file, dest, 'imported');
      assert.equal(metadata.source, file);
      assert.ok(fs.existsSync(path.join(dest, 'model.json')) && fs.existsSync(path.join(dest, 'weights.bin')));
      const stored = await loadModelDir(dest);
      const direct = await loadAnyModel(file);
      const few: DigitImages = { count: 20, pixels: images.pixels.subarray(0, 20 * 784), labels: null };
      const a = await predictImages(stored.model, few, { pixelScale: stored.metadata?.pixelScale });
      const b = await predictImages(direct.model, few, { pixelScale: direct.metadata?.pixelScale });
      assert.deepEqual(a.probabilities, b.probabilities);
      stored.model.dispose();
      direct.model.dispose();
    }
  });
});

describe('Keras import: bad files', function () {
  this.timeout(120_000);
  let fixturesDir: string;
  let dir: string;
  before(async function () {
    fixturesDir = requireKerasFixtures(this);
    await initBackend('auto');
    dir = tempDir('keras-bad-');
  });

  const rejects = (file: string, pattern: RegExp) =>
    assert.rejects(loadAnyModel(file), (e: Error) => {
      assert.ok(e instanceof InputError, `expected an InputError, got ${e.name}: ${e.message}`);
      assert.match(e.message, pattern);
      assert.ok(e.message.includes(file), `the message names the file: ${e.message}`);
      return true;
    });

  /** The Keras 3 fixture with its zip entries changed. */
  function editedKeras(name: string, edit: (entries: Record<string, Uint8Array>) => void): string {
    const entries = unzipSync(fs.readFileSync(path.join(fixturesDir, 'ronit2421-mnist-keras3.keras')));
    edit(entries);
    const file = path.join(dir, name);
    fs.writeFileSync(file, zipSync(entries));
    return file;
  }
  function editConfig(entries: Record<string, Uint8Array>, edit: (config: any) => void): void {
    const config = JSON.parse(Buffer.from(entries['config.json']).toString('utf8'));
    edit(config);
    entries['config.json'] = Buffer.from(JSON.stringify(config));
  }

  it('not HDF5', async () => {
    const file = path.join(dir, 'text.h5');
    fs.writeFileSync(file, 'this is not a model\n');
    await rejects(file, /not an HDF5 file/);
  });
  it('not a zip', async () => {
    const file = path.join(dir, 'text.keras');
    fs.writeFileSync(file, 'hello');
    await rejects(file, /not a zip file/);
  });
  it('truncated .h5', async () => {
    const file = path.join(dir, 'truncated.h5');
    fs.writeFileSync(file, fs.readFileSync(path.join(fixturesDir, 'kzarama-mnist.h5')).subarray(0, 600_000));
    await rejects(file, /truncated HDF5 file \(600,000 bytes of the 1,240,056/);
  });
  it('truncated .keras', async () => {
    const file = path.join(dir, 'truncated.keras');
    fs.writeFileSync(file, fs.readFileSync(path.join(fixturesDir, 'ronit2421-mnist-keras3.keras')).subarray(0, 700_000));
    await rejects(file, /damaged or truncated zip/);
  });
  it('missing weights (.keras without model.weights.h5)', async () => {
    await rejects(editedKeras('noweights.keras', (e) => delete e['model.weights.h5']), /missing weights: no model\.weights\.h5/);
  });
  it('missing weights (.h5 with a config but no weights)', async () => {
    const h5wasm = (await import('h5wasm/node' as string)) as typeof import('h5wasm');
    await h5wasm.ready;
    const file = path.join(dir, 'config-only.h5');
    const f = new h5wasm.File(file, 'w');
    const real = await H5Reader.open(path.join(fixturesDir, 'kzarama-mnist.h5'));
    const config = real.attr('', 'model_config') as string;
    real.close();
    f.create_attribute('model_config', config);
    f.close();
    await rejects(file, /missing weights/);
  });
  it('weights-only .h5 (model.save_weights)', async () => {
    const h5wasm = (await import('h5wasm/node' as string)) as typeof import('h5wasm');
    await h5wasm.ready;
    const file = path.join(dir, 'weights-only.h5');
    const f = new h5wasm.File(file, 'w');
    f.create_attribute('layer_names', ['dense']);
    f.close();
    await rejects(file, /holds only weights/);
  });
  it('unsupported layer, named', async () => {
    const file = editedKeras('gru.keras', (e) => editConfig(e, (c) => (c.config.layers[4].class_name = 'GaussianNoise')));
    await rejects(file, /unsupported layer "dropout" \(GaussianNoise\)\. Supported layers: InputLayer, Conv2D, Dense/);
  });
  it('Lambda layers are refused', async () => {
    const file = editedKeras('lambda.keras', (e) =>
      editConfig(e, (c) => (c.config.layers[4] = { module: 'keras.layers', class_name: 'Lambda', config: { name: 'lambda', function: { class_name: '__lambda__', config: { code: '4wEAAA…' } } } })),
    );
    await rejects(file, /"lambda" is a Lambda layer, which is refused: it carries Python code/);
  });
  it('weights whose shapes do not fit the config', async () => {
    const file = editedKeras('shapes.keras', (e) => editConfig(e, (c) => (c.config.layers[2].config.units = 64)));
    await rejects(file, /wrong shapes: layer "dense" weight 1 \(dense\/kernel\) is 784×128 in the file, but the config needs 784×64/);
  });
  it('a model that does not output ten classes', async () => {
    const file = editedKeras('outputs.keras', (e) => {
      editConfig(e, (c) => c.config.layers.pop());
    });
    await rejects(file, /outputs 128 values; expected 10/);
  });
  it('a missing file', async () => {
    await rejects(path.join(dir, 'nope.h5'), /Model not found/);
  });
  it('HDF5 header check finds the signature at 512 and reads the recorded end of file', () => {
    const real = fs.readFileSync(path.join(fixturesDir!, 'kzarama-mnist.h5'));
    assert.doesNotThrow(() => checkHdf5Header(real, 'x'));
    const shifted = Buffer.concat([Buffer.alloc(512), real]);
    assert.throws(() => checkHdf5Header(shifted.subarray(0, 4096), 'x', shifted.length - 1000), /truncated HDF5 file/);
  });
});

describe('Keras config normalisation', function () {
  it('patches Keras 3 spellings: batch_shape, dtype policies, wrapped functions, function-call inbound nodes', () => {
    const raw = {
      module: 'keras',
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 28, 28, 1], dtype: 'float32', name: 'in', optional: false }, name: 'in', inbound_nodes: [] },
          { module: 'keras.layers', class_name: 'Rescaling', config: { name: 'r', scale: 1 / 255, offset: 0, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } }, name: 'r',
            inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 28, 28, 1], dtype: 'float32', keras_history: ['in', 0, 0] } }], kwargs: {} }] },
          { module: 'keras.layers', class_name: 'Activation', config: { name: 'a', activation: { module: 'keras.activations', class_name: 'function', config: 'relu', registered_name: 'function' } }, name: 'a',
            inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['r', 0, 0] } }], kwargs: {} }] },
        ],
        input_layers: ['in', 0, 0],
        output_layers: ['a', 0, 0],
      },
    };
    const n = normalizeKerasConfig(raw, 'm.keras');
    const layers = (n.topology.config as any).layers;
    assert.deepEqual(layers[0].config.batch_input_shape, [null, 28, 28, 1]);
    assert.equal(layers[0].config.optional, undefined);
    assert.equal(layers[1].config.dtype, 'float32');
    assert.deepEqual(layers[1].inbound_nodes, [[['in', 0, 0, {}]]]);
    assert.equal(layers[2].config.activation, 'relu');
    assert.deepEqual((n.topology.config as any).input_layers, [['in', 0, 0]]);
    assert.equal(n.pixelScale, 'byte', 'a leading Rescaling(1/255) means the model wants raw 0–255 pixels');
    // TF.js builds it.
    return tf.models.modelFromJSON({ modelTopology: n.topology } as any).then((m) => {
      assert.deepEqual(m.inputs[0].shape, [null, 28, 28, 1]);
      m.dispose();
    });
  });
  it('refuses float16 models and grouped convolutions by layer name', () => {
    const layer = (config: object) => ({ class_name: 'Sequential', config: { layers: [{ class_name: 'Conv2D', config: { name: 'c', filters: 4, kernel_size: [3, 3], ...config } }] } });
    assert.throws(() => normalizeKerasConfig(layer({ dtype: { class_name: 'DTypePolicy', config: { name: 'mixed_float16' } } }), 'm.h5'), /"c" computes in mixed_float16/);
    assert.throws(() => normalizeKerasConfig(layer({ groups: 2 }), 'm.h5'), /"c" uses grouped convolution/);
  });
});
