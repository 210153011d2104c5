import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/engine/kernels/backend';
import { createModel } from '../../src/engine/model/architectures';
import { saveModelDir } from '../../src/engine/model/persistence';
import { runSubmissionJob } from '../../src/engine/jobs/submissionJob';
import { writeSubmission } from '../../src/engine/data/submission';
import { requireData, slice, tempDir } from '../support/data';

describe('submission', function () {
  it('writes ImageId,Label with one row per test row, ImageId from 1', async function () {
    const dir = requireData(this);
    await initBackend('auto');
    const modelDir = path.join(tempDir(), 'model');
    const model = createModel('seed', { seed: 1 });
    await saveModelDir(model, { formatVersion: 1, name: 'm', created: '', architecture: 'seed' }, modelDir);
    model.dispose();
    const out = path.join(tempDir(), 'submission.csv');
    const result = await runSubmissionJob({ testFile: await slice(dir, 'test.csv', 100), model: modelDir, outFile: out });
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(result.rows, 100);
    assert.equal(lines.length, 101);
    assert.equal(lines[0], 'ImageId,Label');
    lines.slice(1).forEach((line, i) => assert.match(line, new RegExp(`^${i + 1},[0-9]$`)));
  });

  it('refuses a row count that differs from the input and leaves the old file intact', async function () {
    const out = path.join(tempDir(), 'submission.csv');
    fs.writeFileSync(out, 'previous');
    await assert.rejects(writeSubmission(out, [1, 2, 3], 4), /3 predictions for 4 test rows/);
    assert.equal(fs.readFileSync(out, 'utf8'), 'previous');
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ['submission.csv']);
  });
});
