// The Kaggle round trip (kaggle/kaggle.ts) against a stand-in `kaggle` tool (test/support/
// kaggleStandIn.ts; kaggle.com cannot be reached from here): the arguments it is called with,
// the files it leaves, what it never replaces, and each failure in words.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { downloadCompetitionData, kaggleFailure, submissionRows, submit, submissions, waitForScore } from '../../src/kaggle/kaggle';
import { CancelledError } from '../../src/engine/core/errors';
import { makeKaggleStandIn } from '../support/kaggleStandIn';
import { requireData, slice, tempDir } from '../support/data';

const leftovers = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('digit-recognizer-kaggle-'));

describe('Kaggle round trip (stand-in kaggle tool)', function () {
  this.timeout(60_000);
  let files: Record<string, string>;

  before(async function () {
    const dir = requireData(this);
    files = { 'train.csv': await slice(dir, 'train.csv', 30), 'test.csv': await slice(dir, 'test.csv', 20), 'sample_submission.csv': await slice(dir, 'test.csv', 5) };
  });

  it('Download Competition Data puts the three files into the folder and removes its zip', async () => {
    const kaggle = makeKaggleStandIn(tempDir(), { files });
    const folder = tempDir();
    const before = leftovers();
    const { files: written } = await downloadCompetitionData({ kaggle: kaggle.command }, folder);
    assert.deepEqual(written.map((f) => path.basename(f)).sort(), ['sample_submission.csv', 'test.csv', 'train.csv']);
    for (const name of ['train.csv', 'test.csv']) assert.equal(fs.readFileSync(path.join(folder, name), 'utf8'), fs.readFileSync(files[name], 'utf8'));
    const [call] = kaggle.calls();
    assert.deepEqual(call.slice(0, 5), ['competitions', 'download', '-c', 'digit-recognizer', '-p']);
    assert.deepEqual(fs.readdirSync(folder).sort(), ['sample_submission.csv', 'test.csv', 'train.csv']);
    assert.deepEqual(leftovers(), before, 'the temporary zip folder is removed');
  });

  it('replaces nothing: with a train.csv in the folder it downloads nothing and says why', async () => {
    const kaggle = makeKaggleStandIn(tempDir(), { files });
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'train.csv'), 'my own file');
    await assert.rejects(downloadCompetitionData({ kaggle: kaggle.command }, folder), /train\.csv already is in .*: nothing was downloaded \(no file is replaced\)/);
    assert.equal(fs.readFileSync(path.join(folder, 'train.csv'), 'utf8'), 'my own file');
    assert.deepEqual(fs.readdirSync(folder), ['train.csv']);
    assert.equal(kaggle.calls().length, 0);
  });

  it('cancelled while kaggle downloads, it ends the tool and leaves nothing', async () => {
    const kaggle = makeKaggleStandIn(tempDir(), { files, downloadSeconds: 30 });
    const folder = tempDir();
    const before = leftovers();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = Date.now();
    await assert.rejects(downloadCompetitionData({ kaggle: kaggle.command, signal: controller.signal }, folder), CancelledError);
    assert.ok(Date.now() - started < 10_000, 'it did not wait for the download');
    assert.deepEqual(fs.readdirSync(folder), []);
    assert.deepEqual(leftovers(), before);
  });

  it('submits with the competition, file and message, then reads the public score of that submission', async () => {
    const kaggle = makeKaggleStandIn(tempDir(), { publicScore: 0.98765, pendingPolls: 2 });
    const file = path.join(tempDir(), 'submission.csv');
    fs.writeFileSync(file, 'ImageId,Label\n1,2\n');
    const run = { kaggle: kaggle.command };
    await submit(run, file, 'an older one, "quoted"');
    await submit(run, file, 'model A · 2026-12-04');
    assert.deepEqual(kaggle.calls()[1], ['competitions', 'submit', '-c', 'digit-recognizer', '-f', file, '-m', 'model A · 2026-12-04']);
    const listed = await submissions(run);
    assert.deepEqual(listed.map((s) => [s.description, s.status, s.publicScore]), [
      ['model A · 2026-12-04', 'SubmissionStatus.PENDING', undefined],
      ['an older one, "quoted"', 'SubmissionStatus.PENDING', undefined],
    ]);
    const scored = await waitForScore(run, 'model A · 2026-12-04', { intervalMs: 50 });
    assert.equal(scored?.publicScore, 0.98765);
    assert.deepEqual(kaggle.calls().at(-1), ['competitions', 'submissions', '-c', 'digit-recognizer', '--csv']);
    const unscored = makeKaggleStandIn(tempDir(), { publicScore: 0.9, pendingPolls: 1000 });
    await submit({ kaggle: unscored.command }, file, 'slow');
    assert.equal((await waitForScore({ kaggle: unscored.command }, 'slow', { timeoutMs: 200, intervalMs: 50 }))?.publicScore, undefined);
  });

  it('a submission file is checked before it costs one of the day\'s submissions', async () => {
    const folder = tempDir();
    const good = path.join(folder, 'submission.csv');
    fs.writeFileSync(good, 'ImageId,Label\r\n1,7\r\n2,0\r\n');
    assert.equal(await submissionRows(good), 2);
    const notOne = path.join(folder, 'train.csv');
    fs.writeFileSync(notOne, 'label,pixel0\n1,0\n');
    await assert.rejects(submissionRows(notOne), /train\.csv is not a submission: its first line is "label,pixel0", Kaggle expects "ImageId,Label"/);
    await assert.rejects(submissionRows(path.join(folder, 'missing.csv')), /missing\.csv/);
  });

  it('says what to do when kaggle is missing, has no token, the rules are not accepted, or kaggle.com is out of reach', async () => {
    const folder = tempDir();
    await assert.rejects(downloadCompetitionData({ kaggle: path.join(folder, 'no-such-kaggle') }, folder), /kaggle command-line tool was not found .*pip install kaggle.*kaggle\.json.*digitRecognizer\.kagglePath/);
    const failing = (failure: 'no-token' | 'forbidden' | 'offline') => ({ kaggle: makeKaggleStandIn(tempDir(), { failure }).command });
    await assert.rejects(downloadCompetitionData(failing('no-token'), folder), /kaggle has no API token\. Create one on kaggle\.com .*~\/\.kaggle/);
    await assert.rejects(submit(failing('forbidden'), path.join(folder, 'x.csv'), 'm'), /accept the competition's rules first, at https:\/\/www\.kaggle\.com\/competitions\/digit-recognizer\/rules/);
    await assert.rejects(submissions(failing('offline')), /could not reach kaggle\.com/);
    assert.deepEqual(fs.readdirSync(folder), []);
    await assert.rejects(submissions({ kaggle: makeKaggleStandIn(tempDir(), { garbledListing: true }).command }), /kaggle listed the submissions in a form this extension does not read: <html><body>503 Service Unavailable/);
    assert.match(kaggleFailure('Traceback ...\nValueError: something odd', 1).message, /^kaggle failed \(exit code 1\): ValueError: something odd$/);
  });
});
