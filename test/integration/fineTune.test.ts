// Fine-Tune on My Drawings and the samples file, through the real commands in a real extension
// host: a model trained here and a Keras model imported, the programmatic form
// `executeCommand('digitRecognizer.fineTuneModel', { samples, epochs })`, and bad samples files.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { DigitRecognizerApi } from '../../src/extension/extension';
import { TRAIN_HEADER, trainRow } from '../../src/engine/data/trainRow';
import { personalDigit } from '../e2e/personalStrokes';
import { rasterizeStrokes } from '../support/rasterize';
import { requireData, slice, tempDir } from '../support/data';
import { requireKerasFixtures } from '../support/keras';

interface Accuracies {
  samples?: number;
  heldOut: number;
}
type Result = { ok: boolean; error?: string; cancelled?: boolean; modelId?: string; before?: Accuracies; after?: Accuracies; heldOutRows?: number; heldOutSamples?: number; trainedSamples?: number; changeKept?: number; file?: string; rows?: number };

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Result>(`digitRecognizer.${command}`, ...args);

function modelIds(api: DigitRecognizerApi): string[] {
  return fs.existsSync(api.modelsFolder) ? fs.readdirSync(api.modelsFolder).filter((n) => !n.startsWith('.')).sort() : [];
}

/** A samples CSV of `perDigit` personal-style drawings of every digit. */
function writeSamples(file: string, perDigit: number): void {
  const rows: string[] = [];
  for (let k = 0; k < perDigit; k++) for (let d = 0; d < 10; d++) rows.push(trainRow(rasterizeStrokes(personalDigit(d, k)), d));
  fs.writeFileSync(file, `${TRAIN_HEADER}\n${rows.join('\n')}\n`);
}

describe('fine-tuning on my drawings', function () {
  this.timeout(240_000);
  let api: DigitRecognizerApi;
  let dataDir: string;
  let train: string;
  let baseId: string;
  let folder: string;

  before(async function () {
    dataDir = requireData(this);
    api = (await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate()) as DigitRecognizerApi;
    train = await slice(dataDir, 'train.csv', 1200);
    const trained = await run('trainModel', vscode.Uri.file(train), { arch: 'seed', epochs: 1, augment: false, validationSplit: 0.25, name: 'base for fine-tuning' });
    assert.ok(trained?.ok, `training failed: ${trained?.error}`);
    baseId = trained.modelId!;
    folder = tempDir('digit-ft-int-');
  });

  it('fineTuneModel({ samples, epochs }) saves "<base> + my digits", makes it active and returns before → after', async function () {
    const samples = path.join(folder, 'mine.csv');
    writeSamples(samples, 4);
    const before = modelIds(api);
    const result = await run('fineTuneModel', { samples: vscode.Uri.file(samples), epochs: 3 });
    assert.ok(result?.ok, `fine-tuning failed: ${result?.error}`);
    assert.deepStrictEqual(modelIds(api), [...before, result.modelId!].sort());
    assert.strictEqual(api.activeModelId(), result.modelId);
    for (const a of [result.before!, result.after!]) {
      assert.ok(a.heldOut > 0.5 && a.heldOut <= 1, `held-out accuracy ${a.heldOut}`);
      assert.ok(a.samples! >= 0 && a.samples! <= 1);
    }
    // The base model's training file was found (recently used) and its validation rows held out.
    const base = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, baseId, 'metadata.json'), 'utf8'));
    assert.strictEqual(result.heldOutRows, base.validationRows);
    assert.strictEqual(result.heldOutSamples, 10);
    assert.strictEqual(result.trainedSamples, 30);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.name, 'base for fine-tuning + my digits');
    assert.strictEqual(metadata.fineTuned.base, 'base for fine-tuning');
    assert.strictEqual(metadata.fineTuned.heldOutFrom, 'validation');
    assert.strictEqual(metadata.fineTuned.settings.epochs, 3);
    assert.ok([0.25, 0.5, 0.75, 1].includes(result.changeKept!), `change kept: ${result.changeKept}`);
    assert.strictEqual(metadata.fineTuned.changeKept, result.changeKept);
    // The base model is untouched and still listed.
    assert.ok(modelIds(api).includes(baseId));
  });

  it('an empty or malformed samples file gets a clear message, and no model is made or switched', async function () {
    await run('selectModel', baseId);
    const before = modelIds(api);
    const empty = path.join(folder, 'empty.csv');
    fs.writeFileSync(empty, '');
    const none = await run('fineTuneModel', { samples: vscode.Uri.file(empty), replay: vscode.Uri.file(train) });
    assert.strictEqual(none?.ok, false);
    assert.match(none.error!, /empty\.csv holds 0 labelled drawings; fine-tuning needs at least 10/);

    const broken = path.join(folder, 'broken.csv');
    writeSamples(broken, 2);
    const text = fs.readFileSync(broken, 'utf8').split('\n');
    text[4] = text[4].replace(/^(\d),/, '$1,oops'); // line 5, the first pixel
    fs.writeFileSync(broken, text.join('\n'));
    const bad = await run('fineTuneModel', { samples: vscode.Uri.file(broken), replay: vscode.Uri.file(train) });
    assert.strictEqual(bad?.ok, false);
    assert.match(bad.error!, /broken\.csv line 5, column 'pixel0'/);
    assert.strictEqual(fs.readFileSync(broken, 'utf8'), text.join('\n'), 'the samples file was changed');
    assert.deepStrictEqual(modelIds(api), before);
    assert.strictEqual(api.activeModelId(), baseId);
  });

  it('a cancelled run saves nothing and keeps the active model; a drawing is not appended to a malformed file', async function () {
    const before = modelIds(api);
    const active = api.activeModelId();
    const samples = path.join(folder, 'mine.csv');
    const pending = run('fineTuneModel', { samples: vscode.Uri.file(samples), epochs: 200, replay: vscode.Uri.file(train) });
    let cancelled: Result | undefined;
    for (let i = 0; i < 100 && !cancelled?.ok; i++) {
      await new Promise((r) => setTimeout(r, 200));
      cancelled = await run('cancelFineTune');
    }
    assert.ok(cancelled?.ok, 'the run was not cancellable');
    const result = await pending;
    assert.strictEqual(result?.ok, false);
    assert.strictEqual(result.cancelled, true);
    assert.deepStrictEqual(modelIds(api), before);
    assert.strictEqual(api.activeModelId(), active);
    assert.ok(fs.readdirSync(api.modelsFolder).every((n) => !n.startsWith('.')), 'a temporary model folder was left behind');

    const broken = path.join(folder, 'broken.csv');
    const text = fs.readFileSync(broken, 'utf8');
    const pixels = Array.from(rasterizeStrokes(personalDigit(3, 0)));
    const saved = await run('exportDrawingRow', pixels, { label: 3, file: vscode.Uri.file(broken) });
    assert.strictEqual(saved?.ok, false);
    assert.match(saved.error!, /broken\.csv line 5/);
    assert.strictEqual(fs.readFileSync(broken, 'utf8'), text);
  });

  it('fine-tunes an imported Keras model, replaying the CSV it is given', async function () {
    const kerasDir = requireKerasFixtures(this);
    const loaded = await run('loadModelFile', vscode.Uri.file(path.join(kerasDir, 'kzarama-mnist.h5')), { name: 'keras base' });
    assert.ok(loaded?.ok, `load failed: ${loaded?.error}`);
    const samples = path.join(folder, 'mine.csv');
    const result = await run('fineTuneModel', { samples: vscode.Uri.file(samples), epochs: 2, replay: vscode.Uri.file(train) });
    assert.ok(result?.ok, `fine-tuning failed: ${result?.error}`);
    assert.strictEqual(api.activeModelId(), result.modelId);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.name, 'keras base + my digits');
    assert.strictEqual(metadata.fineTuned.heldOutFrom, 'tail'); // its training rows are unknown
    assert.ok(result.after!.heldOut > 0.9, `held-out ${result.after!.heldOut}`);
  });

  it('the workspace keeps labelled drawings in .digit-recognizer/my-digits.csv, or in the file chosen for it', async function () {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const pixels = Array.from(rasterizeStrokes(personalDigit(7, 0)));
    const saved = await run('exportDrawingRow', pixels, { label: 7 });
    assert.ok(saved?.ok, `export failed: ${saved?.error}`);
    assert.strictEqual(saved.file, path.join(workspace, '.digit-recognizer', 'my-digits.csv'));
    const chosen = path.join(folder, 'elsewhere.csv');
    assert.ok((await run('pickSamplesFile', vscode.Uri.file(chosen)))?.ok);
    const again = await run('exportDrawingRow', pixels, { label: 1 });
    assert.strictEqual(again.file, chosen);
    assert.strictEqual(again.rows, 1);
    await run('pickSamplesFile', vscode.Uri.file(path.join(workspace, '.digit-recognizer', 'my-digits.csv')));
  });
});
