// Bounded inputs: pictures refused from their header before decoding, validators linear in their
// input, models with NaN or infinite weights refused, and errors that never print raw bytes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { grayPng } from '../support/png';
import * as tf from '../../src/engine/core/tf';
import { decodeImage, declaredSize } from '../../src/engine/data/imageDecode';
import { InputError } from '../../src/engine/core/errors';
import { checkExtensionMessage } from '../../src/shared/padMessages';
import { base64 } from '../../src/shared/check';
import { initBackend } from '../../src/engine/kernels/backend';
import { loadAnyModel } from '../../src/engine/model/loadModel';
import { saveModelDir, writeModelDir } from '../../src/engine/model/persistence';
import { captureArtifacts } from '../../src/engine/model/artifacts';
import { smallModel } from '../support/crashSave';
import { requireData, slice, tempDir } from '../support/data';

const ROOT = path.resolve(__dirname, '../..');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bounded inputs', function () {
  this.timeout(300_000);

  describe('pictures', function () {
    it('a PNG declaring 10000×10000 is refused from its header, before any decoding', function () {
      // Its image data is not even valid zlib: a decoder that ran first would fail on that
      // ("cannot decode"), so "too large" proves the header was read first.
      const bomb = grayPng(10_000, 10_000, Buffer.from('not zlib data at all'));
      assert.deepEqual(declaredSize(bomb, 'png'), { width: 10_000, height: 10_000 });
      assert.throws(() => decodeImage(bomb, 'bomb.png'), (err: unknown) => err instanceof InputError && /bomb\.png: the image is too large \(10000×10000\)/.test(err.message));
    });

    it('BMP and JPEG headers are read the same way', function () {
      const bmp = Buffer.alloc(54);
      bmp.write('BM', 0, 'latin1');
      bmp.writeUInt32LE(40, 14);
      bmp.writeInt32LE(20_000, 18);
      bmp.writeInt32LE(-20_000, 22);
      assert.deepEqual(declaredSize(bmp, 'bmp'), { width: 20_000, height: 20_000 });
      assert.throws(() => decodeImage(bmp, 'big.bmp'), /big\.bmp: the image is too large \(20000×20000\)/);
      // SOI, an APP0 segment, then SOF0 declaring 30000 × 20000.
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x4e, 0x20, 0x75, 0x30, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
      assert.deepEqual(declaredSize(jpeg, 'jpeg'), { width: 30_000, height: 20_000 });
      assert.throws(() => decodeImage(jpeg, 'big.jpg'), /big\.jpg: the image is too large \(30000×20000\)/);
    });

    it('a real small PNG still decodes', function () {
      const rows = Buffer.alloc(3 * (1 + 4));
      const image = decodeImage(grayPng(4, 3, zlib.deflateSync(rows)), 'small.png');
      assert.equal(image.width, 4);
      assert.equal(image.height, 3);
    });
  });

  describe('validators', function () {
    it('the pad\'s samples message: 8 MB, 16 MB and 50 MB of base64 are rejected, not a stack overflow', function () {
      for (const mb of [8, 16, 50]) {
        const pixels = 'A'.repeat(mb * 1024 * 1024);
        const r = checkExtensionMessage({ type: 'samples', name: 'my-digits.csv', path: 'x', count: 1, items: [{ row: 0, key: '0123abcd', label: 1 }], pixels });
        assert.equal(r.ok, false, `${mb} MB`);
        assert.throws(() => base64(pixels, 'pixels', 784, 1000), /at most 1000/);
      }
    });
  });

  describe('models', function () {
    before(() => initBackend('auto'));

    async function nanModel(dir: string, value: number): Promise<void> {
      const model = smallModel(0.01);
      const [kernel, bias] = model.getWeights();
      const broken = kernel.bufferSync();
      broken.set(value, 3, 4);
      model.setWeights([broken.toTensor(), bias]);
      // Written raw, as a model damaged elsewhere would be (saveModelDir itself refuses it, below).
      await writeModelDir(dir, await captureArtifacts(model), { formatVersion: 1, name: 'broken', created: new Date().toISOString(), architecture: 'test' });
      model.dispose();
    }

    for (const [what, value] of [['NaN', NaN], ['infinite', Infinity]] as const) {
      it(`a model with ${what} weights is refused when loaded, with a clear message`, async function () {
        const dir = path.join(tempDir(), 'model');
        await nanModel(dir, value);
        await assert.rejects(loadAnyModel(dir), (err: unknown) => err instanceof InputError && /weights hold NaN or infinite values \(dense_Dense\d+\/kernel\)/.test(err.message));
      });
    }

    it('submit with a NaN model exits 1 and writes no submission of zeros', async function () {
      const data = requireData(this);
      const test = await slice(data, 'test.csv', 20);
      const dir = path.join(tempDir(), 'model');
      await nanModel(dir, NaN);
      const out = path.join(tempDir(), 'submission.csv');
      const r = cli('submit', test, '--model', dir, '--out', out);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /NaN or infinite/);
      assert.equal(fs.existsSync(out), false);
    });

    it('a diverged model is never saved over a working one', async function () {
      const dir = path.join(tempDir(), 'model');
      const good = smallModel(0.01);
      await saveModelDir(good, { formatVersion: 1, name: 'good', created: new Date().toISOString(), architecture: 'test' }, dir);
      const before = fs.readFileSync(path.join(dir, 'weights.bin'));
      good.setWeights(good.getWeights().map((w) => tf.fill(w.shape, NaN)));
      await assert.rejects(saveModelDir(good, { formatVersion: 1, name: 'diverged', created: new Date().toISOString(), architecture: 'test' }, dir), /training diverged.*Nothing was saved; .* is unchanged/);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'weights.bin')), before);
      good.dispose();
    });
  });

  describe('messages never print raw bytes', function () {
    it('--model picture.png says it is a picture, not its bytes', async function () {
      const data = requireData(this);
      const test = await slice(data, 'test.csv', 5);
      const r = cli('submit', test, '--model', path.join(ROOT, 'media/walkthrough/pad-dark.png'));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pad-dark\.png: not a model \(a PNG image\)/);
      // eslint-disable-next-line no-control-regex -- the raw bytes of a PNG are what must not appear
      assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u001a\ufffd]|IHDR/);
    });

    it('a JSON value 1e400 is called too large, not "null"', function () {
      const file = path.join(tempDir(), 'digit.json');
      const values = new Array(784).fill('0');
      values[5] = '1e400';
      fs.writeFileSync(file, `[${values.join(',')}]`);
      const r = cli('predict', file, '--model', 'unused');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pixel 5: a number too large to represent \(Infinity\) is not an integer 0–255/);
      assert.doesNotMatch(r.stderr, /null/);
    });

    it('invalid JSON is located by line and column', function () {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'model.json'), '{\n  "modelTopology": {\n    "a": \n  }\n}');
      const r = cli('predict', path.join(dir, 'model.json'), '--model', dir);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /model\.json: not valid JSON \(line 4, column 3: value expected\)/);
    });
  });
});
