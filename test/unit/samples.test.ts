// The user's labelled drawings: a train-format CSV the pad appends to, lists and deletes from.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { TRAIN_HEADER } from '../../src/engine/data/trainRow';
import { InputError } from '../../src/engine/core/errors';
import { addSample, deleteSample, readSamples, rowKey } from '../../src/engine/data/samples';
import { tempDir } from '../support/data';

const drawing = (seed: number) => Array.from({ length: 784 }, (_, i) => (i * seed) % 256);

describe('sample storage (the pad\'s labelled drawings)', function () {
  it('a missing, empty or header-only file holds no samples', async function () {
    const dir = tempDir();
    assert.equal((await readSamples(path.join(dir, 'missing.csv'))).count, 0);
    fs.writeFileSync(path.join(dir, 'empty.csv'), '');
    assert.equal((await readSamples(path.join(dir, 'empty.csv'))).count, 0);
    fs.writeFileSync(path.join(dir, 'header.csv'), `${TRAIN_HEADER}\n`);
    assert.equal((await readSamples(path.join(dir, 'header.csv'))).count, 0);
  });

  it('appends samples (creating the folder and header), reads them back with their labels, and deletes one by row and key', async function () {
    const file = path.join(tempDir(), '.digit-recognizer', 'my-digits.csv');
    assert.equal(await addSample(file, drawing(3), 7), 1);
    assert.equal(await addSample(file, drawing(5), 1), 2);
    assert.equal(await addSample(file, drawing(7), 9), 3);
    const set = await readSamples(file);
    assert.equal(set.count, 3);
    assert.deepEqual(Array.from(set.labels), [7, 1, 9]);
    assert.deepEqual(Array.from(set.pixels.subarray(784, 2 * 784)), drawing(5));
    assert.equal(new Set(set.keys).size, 3);
    assert.ok(fs.readFileSync(file, 'utf8').startsWith(`${TRAIN_HEADER}\n7,`));

    assert.equal(await deleteSample(file, 1, set.keys[1]), 2);
    const after = await readSamples(file);
    assert.deepEqual(Array.from(after.labels), [7, 9]);
    assert.deepEqual(Array.from(after.pixels.subarray(784, 2 * 784)), drawing(7));
    assert.deepEqual(after.keys, [set.keys[0], set.keys[2]]);
    // No temporary files are left behind.
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['my-digits.csv']);
  });

  it('refuses to delete when the row no longer holds the sample that was listed, and deletes nothing', async function () {
    const file = path.join(tempDir(), 'mine.csv');
    await addSample(file, drawing(3), 2);
    await addSample(file, drawing(5), 4);
    const listed = await readSamples(file);
    const before = fs.readFileSync(file, 'utf8');
    await assert.rejects(deleteSample(file, 0, listed.keys[1]), (err: unknown) => err instanceof InputError && /changed since it was listed: sample 1/.test(err.message));
    await assert.rejects(deleteSample(file, 5, listed.keys[0]), InputError);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('a malformed file is reported with its name and line, and is neither appended to nor rewritten', async function () {
    const file = path.join(tempDir(), 'my-digits.csv');
    const row = (label: number | string) => `${label},${drawing(3).join(',')}`;
    const text = `${TRAIN_HEADER}\n${row(1)}\n${row(12)}\n${row(4)}\n`;
    fs.writeFileSync(file, text);
    const named = (err: unknown) => err instanceof InputError && /my-digits\.csv line 3/.test(err.message) && /label/.test(err.message) && err.line === 3;
    await assert.rejects(readSamples(file), named);
    await assert.rejects(addSample(file, drawing(5), 6), named);
    await assert.rejects(deleteSample(file, 0, rowKey(row(1))), named);
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'the file is untouched');
  });

  it('a truncated last row and a file in another format are named too', async function () {
    const dir = tempDir();
    const truncated = path.join(dir, 'truncated.csv');
    fs.writeFileSync(truncated, `${TRAIN_HEADER}\n3,${drawing(3).slice(0, 100).join(',')}`);
    await assert.rejects(readSamples(truncated), (err: unknown) => err instanceof InputError && /truncated\.csv line 2/.test(err.message));
    const other = path.join(dir, 'notes.csv');
    fs.writeFileSync(other, 'name,score\nada,3\n');
    await assert.rejects(addSample(other, drawing(3), 3), (err: unknown) => err instanceof InputError && /notes\.csv/.test(err.message));
    assert.equal(fs.readFileSync(other, 'utf8'), 'name,score\nada,3\n');
  });
});
