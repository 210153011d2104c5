// The command-line tool on Keras files and pictures (run as a child process, like a user would).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readDigitCsv } from '../../src/engine/data/csv';
import { requireData, slice, tempDir } from '../support/data';
import { runCli } from '../support/cli';
import { IMAGE_FIXTURE_KINDS, writeImageFixtures } from '../support/images';
import { requireKerasFixtures } from '../support/keras';


const cli = (...args: string[]) => runCli(...args, '--backend', 'wasm');

describe('CLI with Keras models', function () {
  this.timeout(300_000);
  let keras: string;
  let train: string;
  before(async function () {
    keras = requireKerasFixtures(this);
    train = await slice(requireData(this), 'train.csv', 1000);
  });

  it('evaluate --model file.h5', function () {
    const r = cli('evaluate', train, '--model', path.join(keras, 'kzarama-mnist.h5'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Accuracy: 99\.70% on 1,000 rows/);
  });

  it('predict and submit --model file.keras', async function () {
    const r = cli('predict', train, '--model', path.join(keras, 'ronit2421-mnist-keras3.keras'));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1001);
    const labels = (await readDigitCsv(train, { expect: 'train' })).labels!;
    assert.equal(Number(lines[1].split(',')[0]), labels[0]);
    const out = path.join(tempDir(), 'submission.csv');
    const test = await slice(requireData(this), 'test.csv', 50);
    const s = cli('submit', test, '--model', path.join(keras, 'mzisbrod-mnist.h5'), '--out', out);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 51);
  });

  it('a bad Keras file exits 1 with the message', function () {
    const bad = path.join(tempDir(), 'bad.h5');
    fs.writeFileSync(bad, fs.readFileSync(path.join(keras, 'kzarama-mnist.h5')).subarray(0, 5000));
    const r = cli('evaluate', train, '--model', bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /truncated HDF5 file/);
    const shape = cli('evaluate', train, '--model', path.join(keras, 'kzarama-mnist.keras'));
    assert.equal(shape.code, 1);
    assert.match(shape.stderr, /input is 8×8×1; expected a 28×28 digit/);
  });

  it('predict-image on a picture and on a folder', async function () {
    const csv = await readDigitCsv(await slice(requireData(this), 'train.csv', 3, 7000), { expect: 'train' });
    const digits = Array.from({ length: 3 }, (_, i) => ({ label: csv.labels![i], pixels: csv.pixels.slice(i * 784, (i + 1) * 784) }));
    const folder = path.join(tempDir(), 'pictures');
    const pictures = writeImageFixtures(folder, digits, IMAGE_FIXTURE_KINDS.filter((k) => k.name === 'jpeg-dark-on-light'));
    const one = cli('predict-image', pictures[0].file, '--model', path.join(keras, 'kzarama-mnist.h5'));
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout.trim().split('\n')[1].split(',')[1], String(pictures[0].label));
    const all = cli('predict-image', folder, '--model', path.join(keras, 'kzarama-mnist.h5'));
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /Wrote 3 predictions/);
    assert.equal(fs.readFileSync(path.join(folder, 'predictions.csv'), 'utf8').trim().split('\n').length, 4);
  });
});
