// Picture files → MNIST-style digits → predictions, on pictures made at test time from held-out
// train.csv digits (PNG gray/RGB/RGBA, JPEG, BMP; light-on-dark and dark-on-light; large, small,
// off-centre).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../../src/engine/core/tf';
import { PNG } from 'pngjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { readDigitCsv } from '../../src/engine/data/csv';
import { InputError } from '../../src/engine/core/errors';
import { decodeImage, digitFromImage, digitPng, listImageFiles, readDigitImage } from '../../src/engine/data/imageDecode';
import { predictImageFile, predictImageFolder } from '../../src/engine/inference/images';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { type LoadedModel } from '../../src/engine/model/persistence';
import { predictImages } from '../../src/engine/inference/predict';
import { preprocess } from '../../src/shared/preprocess';
import { requireData, slice, tempDir } from '../support/data';
import { IMAGE_FIXTURE_KINDS, type ImageFixture, writeImageFixtures } from '../support/images';
import { requireKerasFixtures } from '../support/keras';
import { correlation } from '../support/stats';

/** Held out: rows the Keras fixtures' README accuracy was not measured on. */
const HELD_OUT_SKIP = 5000;
const DIGITS = 20;


describe('images', function () {
  this.timeout(300_000);
  let fixtures: ImageFixture[];
  let folder: string;

  before(async function () {
    const data = requireData(this);
    const csv = await readDigitCsv(await slice(data, 'train.csv', DIGITS, HELD_OUT_SKIP), { expect: 'train' });
    const digits = Array.from({ length: csv.count }, (_, i) => ({ label: csv.labels![i], pixels: csv.pixels.slice(i * 784, (i + 1) * 784) }));
    folder = path.join(tempDir('digit-images-'), 'pictures');
    fixtures = writeImageFixtures(folder, digits);
  });

  for (const kind of IMAGE_FIXTURE_KINDS) {
    it(`${kind.name}: decodes and recovers the MNIST digit`, async function () {
      const mine = fixtures.filter((f) => f.kind === kind);
      const scores: number[] = [];
      for (const fixture of mine) {
        const decoded = decodeImage(fs.readFileSync(fixture.file), fixture.file);
        assert.equal(decoded.width, kind.width);
        assert.equal(decoded.height, kind.height);
        assert.equal(decoded.format, { '.png': 'png', '.jpg': 'jpeg', '.bmp': 'bmp' }[kind.ext]);
        const digit = digitFromImage(decoded);
        const darkOnLight = kind.paper[3] === 0 ? true : kind.paper[0] > 127;
        assert.equal(digit.inverted, darkOnLight, `${path.basename(fixture.file)} inverted`);
        assert.equal(digit.empty, false);
        // What the pad's preprocessing makes of the original digit.
        const expected = preprocess({ width: 28, height: 28, data: fixture.pixels }).pixels;
        scores.push(correlation(digit.pixels, expected));
      }
      const worst = Math.min(...scores);
      console.log(`      worst correlation with the original digit's preprocessing: ${worst.toFixed(3)}`);
      assert.ok(worst > 0.75, `worst correlation with the original ${worst.toFixed(3)}`);
    });
  }

  it('digitPng writes the 28×28 (optionally enlarged) as a grayscale PNG', function () {
    const pixels = Uint8Array.from({ length: 784 }, (_, i) => i % 256);
    const png = PNG.sync.read(digitPng(pixels, 4));
    assert.equal(png.width, 112);
    assert.equal(png.data[0], pixels[0]);
    assert.equal(png.data[(4 * 112 * 4 + 4 * 4) * 1], pixels[28 + 1]);
  });

  it('lists pictures in a folder by name, not other files or subfolders', function () {
    const dir = tempDir();
    for (const name of ['b.PNG', 'a10.jpg', 'a2.jpeg', 'c.bmp', 'notes.txt']) fs.writeFileSync(path.join(dir, name), '');
    fs.mkdirSync(path.join(dir, 'sub.png'));
    assert.deepEqual(listImageFiles(dir).map((f) => path.basename(f)), ['a2.jpeg', 'a10.jpg', 'b.PNG', 'c.bmp']);
  });

  describe('bad pictures get a clear message', function () {
    const reject = (file: string, pattern: RegExp) =>
      assert.rejects(readDigitImage(file), (e: Error) => e instanceof InputError && pattern.test(e.message) && e.message.includes(file));
    it('not an image', async () => {
      const file = path.join(tempDir(), 'x.png');
      fs.writeFileSync(file, 'hello');
      await reject(file, /not a PNG, JPEG or BMP image/);
    });
    it('truncated PNG', async () => {
      const file = path.join(tempDir(), 'cut.png');
      const good = fixtures.find((f) => f.kind.ext === '.png')!.file;
      fs.writeFileSync(file, fs.readFileSync(good).subarray(0, 200));
      await reject(file, /cannot decode this PNG image/);
    });
    it('truncated BMP', async () => {
      const file = path.join(tempDir(), 'cut.bmp');
      const good = fixtures.find((f) => f.kind.ext === '.bmp')!.file;
      fs.writeFileSync(file, fs.readFileSync(good).subarray(0, 100));
      await reject(file, /BMP/);
    });
    it('missing file', async () => {
      await reject(path.join(tempDir(), 'none.png'), /file not found/);
    });
  });

  describe('predictions (with a real Keras model)', function () {
    let loaded: LoadedModel;
    before(async function () {
      const kerasDir = requireKerasFixtures(this);
      await initBackend('auto');
      loaded = await loadAnyModel(path.join(kerasDir, 'kzarama-mnist.h5'));
    });
    after(() => loaded?.model.dispose());

    it('predicts the digit in each kind of picture', async function () {
      let correct = 0;
      const misses: string[] = [];
      for (const fixture of fixtures) {
        const result = await predictImageFile(loaded.model, fixture.file);
        assert.equal(result.probabilities.length, 10);
        assert.equal(result.pixels.length, 784);
        if (result.label === fixture.label) correct++;
        else misses.push(`${path.basename(fixture.file)}: ${result.label} (true ${fixture.label})`);
      }
      const accuracy = correct / fixtures.length;
      console.log(`      ${correct}/${fixtures.length} pictures right (${(accuracy * 100).toFixed(1)}%)${misses.length ? `; missed ${misses.join(', ')}` : ''}`);
      assert.ok(accuracy >= 0.95, `accuracy ${accuracy}`);
    });

    it('a blank picture is an InputError, not a guess', async function () {
      const file = path.join(tempDir(), 'blank.png');
      const png = new PNG({ width: 50, height: 50 });
      png.data.fill(255);
      fs.writeFileSync(file, PNG.sync.write(png));
      await assert.rejects(predictImageFile(loaded.model, file), /no digit found/);
    });

    it('a folder of pictures becomes a CSV of predictions, with progress; bad files are listed, not fatal', async function () {
      const dir = tempDir('digit-folder-');
      const chosen = fixtures.filter((_, i) => i % 3 === 0);
      for (const f of chosen) fs.copyFileSync(f.file, path.join(dir, path.basename(f.file)));
      fs.writeFileSync(path.join(dir, 'broken.png'), 'not a png');
      fs.writeFileSync(path.join(dir, 'readme.txt'), 'ignored');
      const out = path.join(dir, 'predictions.csv');
      const progress: number[] = [];
      const result = await predictImageFolder(loaded.model, dir, out, { onProgress: (done) => progress.push(done) });
      assert.equal(result.rows, chosen.length);
      assert.equal(result.failed.length, 1);
      assert.match(result.failed[0].error, /not a PNG, JPEG or BMP image/);
      assert.equal(progress[progress.length - 1], chosen.length + 1);
      const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
      assert.equal(lines[0], 'file,label,confidence,error');
      assert.equal(lines.length, chosen.length + 2);
      const byFile = new Map(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')]));
      assert.deepEqual(byFile.get('broken.png')!.slice(1, 3), ['', '']);
      let right = 0;
      for (const f of chosen) {
        const row = byFile.get(path.basename(f.file))!;
        assert.ok(Number(row[2]) > 0 && Number(row[2]) <= 1);
        if (Number(row[1]) === f.label) right++;
      }
      assert.ok(right / chosen.length >= 0.9, `${right}/${chosen.length}`);
      assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.tmp-')), 'no temporary file left');
    });
  });
});

describe("predict's pixelScale", function () {
  before(() => initBackend('auto'));
  it("'byte' feeds raw 0–255 values: a model with Rescaling(1/255) then matches the same model without it fed 0–1", async function () {
    const dense = () => tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) });
    const withRescaling = tf.sequential({ layers: [tf.layers.rescaling({ scale: 1 / 255, inputShape: [784] }), dense()] });
    const plain = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [784] }), dense()] });
    plain.layers[plain.layers.length - 1].setWeights(withRescaling.layers[1].getWeights());
    const images = { count: 3, pixels: Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 31) % 256), labels: null };
    const a = await predictImages(withRescaling, images, { pixelScale: 'byte' });
    const b = await predictImages(plain, images);
    const c = await predictImages(withRescaling, images);
    for (let i = 0; i < a.probabilities.length; i++) assert.ok(Math.abs(a.probabilities[i] - b.probabilities[i]) < 1e-6);
    assert.ok(c.probabilities.some((v, i) => Math.abs(v - b.probabilities[i]) > 1e-3), "'unit' on a byte model gives other outputs");
    withRescaling.dispose();
    plain.dispose();
  });
});
