// Download Competition Data and Submit to Kaggle in a real extension host, with a stand-in
// `kaggle` tool (test/support/kaggleStandIn.ts: kaggle.com is the one part these machines cannot
// reach) set as digitRecognizer.kagglePath, as a user would set the real one.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { DigitRecognizerApi } from '../../src/extension/extension';
import { makeKaggleStandIn } from '../support/kaggleStandIn';
import { requireData, slice, tempDir } from '../support/data';

type Result = { ok: boolean; error?: string; modelId?: string; files?: string[]; publicScore?: number };
const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Result>(`digitRecognizer.${command}`, ...args);
const config = () => vscode.workspace.getConfiguration('digitRecognizer');

describe('the Kaggle round trip (stand-in kaggle)', function () {
  this.timeout(180_000);
  let api: DigitRecognizerApi;
  let dataDir: string;

  before(async function () {
    dataDir = requireData(this);
    api = (await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate()) as DigitRecognizerApi;
  });

  after(async () => {
    await config().update('kagglePath', undefined, vscode.ConfigurationTarget.Global);
  });

  it('downloads the data, trains on it, writes a submission, submits it and keeps its public score in the model', async function () {
    const files = { 'train.csv': await slice(dataDir, 'train.csv', 600), 'test.csv': await slice(dataDir, 'test.csv', 40), 'sample_submission.csv': await slice(dataDir, 'test.csv', 3) };
    const kaggle = makeKaggleStandIn(tempDir(), { files, publicScore: 0.98765, pendingPolls: 1 });
    await config().update('kagglePath', kaggle.command, vscode.ConfigurationTarget.Global);
    const folder = tempDir();

    const downloaded = await run('downloadCompetitionData', { folder: vscode.Uri.file(folder) });
    assert.ok(downloaded?.ok, `download failed: ${downloaded?.error}`);
    assert.deepStrictEqual(fs.readdirSync(folder).sort(), ['sample_submission.csv', 'test.csv', 'train.csv']);
    assert.deepStrictEqual(kaggle.calls()[0].slice(0, 4), ['competitions', 'download', '-c', 'digit-recognizer']);
    // Again: the files are there now, and nothing is replaced.
    const again = await run('downloadCompetitionData', { folder: vscode.Uri.file(folder) });
    assert.strictEqual(again?.ok, false);
    assert.match(again.error!, /train\.csv, test\.csv and sample_submission\.csv already are in/);

    const trained = await run('trainModel', vscode.Uri.file(path.join(folder, 'train.csv')), { arch: 'seed', epochs: 1, augment: false, name: 'kaggle round trip' });
    assert.ok(trained?.ok, `training failed: ${trained?.error}`);
    const written = await run('generateSubmission', vscode.Uri.file(path.join(folder, 'test.csv')), { overwrite: true });
    assert.ok(written?.ok, `submission failed: ${written?.error}`);

    const submitted = await run('submitToKaggle', undefined, { confirmed: true, scoreIntervalMs: 50 });
    assert.ok(submitted?.ok, `submit failed: ${submitted?.error}`);
    assert.strictEqual(submitted.publicScore, 0.98765);
    const submitCall = kaggle.calls().find((c) => c[1] === 'submit')!;
    assert.deepStrictEqual(submitCall.slice(0, 6), ['competitions', 'submit', '-c', 'digit-recognizer', '-f', path.join(folder, 'submission.csv')]);
    assert.match(submitCall[7], /^kaggle round trip · Digit Recognizer for VS Code · \d{4}-\d\d-\d\dT/);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, trained.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.kaggle.length, 1);
    assert.strictEqual(metadata.kaggle[0].publicScore, 0.98765);
    assert.strictEqual(metadata.kaggle[0].file, 'submission.csv');
  });

  it('without the kaggle tool it says how to install it and leaves the folder as it was', async function () {
    await config().update('kagglePath', path.join(tempDir(), 'kaggle-not-installed'), vscode.ConfigurationTarget.Global);
    const folder = tempDir();
    const result = await run('downloadCompetitionData', { folder: vscode.Uri.file(folder) });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /kaggle command-line tool was not found .*pip install kaggle/);
    assert.deepStrictEqual(fs.readdirSync(folder), []);
  });
});
