import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { appendTrainRow, TRAIN_HEADER, trainRow } from '../../src/engine/data/trainRow';
import { readDigitCsv } from '../../src/engine/data/csv';
import { InputError } from '../../src/engine/core/errors';
import { tempDir } from '../support/data';

const pixels = Array.from({ length: 784 }, (_, i) => (i * 13) % 256);

describe('exporting the pad drawing as a CSV row', function () {
  it('creates a train-format CSV, appends to it, and Train Model can read it', async function () {
    const file = path.join(tempDir(), 'mine.csv');
    assert.equal(await appendTrainRow(file, pixels, 3), 1);
    assert.equal(await appendTrainRow(file, pixels.map((v) => 255 - v), 8), 2);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith(`${TRAIN_HEADER}\n3,0,13,26,`));
    const data = await readDigitCsv(file, { expect: 'train' });
    assert.equal(data.count, 2);
    assert.deepEqual(Array.from(data.labels!), [3, 8]);
    assert.deepEqual(Array.from(data.pixels.subarray(0, 784)), pixels);
  });

  it('appends after a last line without a newline, and refuses a CSV that is not train-format', async function () {
    const file = path.join(tempDir(), 'no-newline.csv');
    fs.writeFileSync(file, `${TRAIN_HEADER}\n${trainRow(pixels, 1)}`);
    assert.equal(await appendTrainRow(file, pixels, 2), 2);
    assert.equal((await readDigitCsv(file, { expect: 'train' })).count, 2);
    const other = path.join(tempDir(), 'other.csv');
    fs.writeFileSync(other, 'ImageId,Label\n1,2\n');
    await assert.rejects(appendTrainRow(other, pixels, 2), (e: Error) => e instanceof InputError && /not a train-format CSV/.test(e.message));
    assert.throws(() => trainRow(pixels, 11), /label must be 0–9/);
  });
});
