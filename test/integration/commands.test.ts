// The product's commands, run with arguments (no prompts) inside a real extension host.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { DigitRecognizerApi } from '../../src/extension/extension';
import { requireData, slice, tempDir } from '../support/data';

type Result = { ok: boolean; error?: string; modelId?: string; rows?: number; file?: string };

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Result>(`digitRecognizer.${command}`, ...args);

function modelIds(api: DigitRecognizerApi): string[] {
  return fs.existsSync(api.modelsFolder) ? fs.readdirSync(api.modelsFolder).filter((n) => !n.startsWith('.')).sort() : [];
}

describe('commands', function () {
  this.timeout(180_000);
  let api: DigitRecognizerApi;
  let dataDir: string;
  let trainedId: string;

  before(async function () {
    dataDir = requireData(this);
    api = (await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate()) as DigitRecognizerApi;
  });

  it('Train Model with arguments saves a model in global storage and makes it active', async function () {
    const before = modelIds(api);
    const train = await slice(dataDir, 'train.csv', 1000);
    const result = await run('trainModel', vscode.Uri.file(train), { arch: 'seed', epochs: 1, augment: false, labelSmoothing: 0.1, name: 'integration model' });
    assert.ok(result?.ok, `training failed: ${result?.error}`);
    trainedId = result.modelId!;
    assert.deepStrictEqual(modelIds(api), [...before, trainedId].sort());
    assert.strictEqual(api.activeModelId(), trainedId);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, trainedId, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.name, 'integration model');
    assert.strictEqual(metadata.trainingFile.rows, 1000);
    assert.strictEqual(metadata.labelSmoothing, 0.1);
    assert.ok(metadata.final.valAccuracy > 0.5, `validation accuracy ${metadata.final.valAccuracy}`);
  });

  it('Train Model learns from the test.csv beside the training CSV when asked (pseudo-labels), and says how much in the model; by default it does not', async function () {
    const folder = tempDir();
    fs.copyFileSync(await slice(dataDir, 'train.csv', 1000), path.join(folder, 'train.csv'));
    fs.copyFileSync(await slice(dataDir, 'test.csv', 300), path.join(folder, 'test.csv'));
    const result = await run('trainModel', vscode.Uri.file(path.join(folder, 'train.csv')), { arch: 'seed', epochs: 2, augment: false, learnFromTestCsv: true, pseudoLabelConfidence: 0.9, name: 'learns from test.csv' });
    assert.ok(result?.ok, `training failed: ${result?.error}`);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.pseudoLabels.file.name, 'test.csv');
    assert.strictEqual(metadata.pseudoLabels.file.rows, 300);
    assert.ok(metadata.pseudoLabels.rows > 0 && metadata.pseudoLabels.rows <= 300, `rows learned from: ${metadata.pseudoLabels.rows}`);
    assert.strictEqual(metadata.trainRows, 1000 - metadata.validationRows + metadata.pseudoLabels.rows);
    // The same folder by default (setting learnFromTestCsv off): the labelled rows alone.
    const plain = await run('trainModel', vscode.Uri.file(path.join(folder, 'train.csv')), { arch: 'seed', epochs: 1, augment: false, name: 'labelled only' });
    assert.ok(plain?.ok, `training failed: ${plain?.error}`);
    const plainMetadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, plain.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(plainMetadata.pseudoLabels, undefined);
    assert.strictEqual(plainMetadata.pseudoLabelConfidence, undefined);
    assert.strictEqual(plainMetadata.trainRows, 1000 - plainMetadata.validationRows);
  });

  it('Train Model with a recipe: leaderboard trains a model of 3 networks (the options given still win), which Generate Submission uses', async function () {
    const folder = tempDir();
    fs.copyFileSync(await slice(dataDir, 'train.csv', 600), path.join(folder, 'train.csv'));
    const result = await run('trainModel', vscode.Uri.file(path.join(folder, 'train.csv')), { recipe: 'leaderboard', arch: 'seed', epochs: 1, augment: false, name: 'three networks' });
    assert.ok(result?.ok, `training failed: ${result?.error}`);
    assert.strictEqual(api.activeModelId(), result.modelId);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.architecture, 'seed');
    assert.strictEqual(metadata.epochs, 1);
    assert.strictEqual(metadata.networks, 3);
    assert.strictEqual(metadata.recipe, 'leaderboard');
    assert.strictEqual(metadata.networkResults.length, 3);
    const test = path.join(folder, 'test.csv');
    fs.copyFileSync(await slice(dataDir, 'test.csv', 40), test);
    const submitted = await run('generateSubmission', vscode.Uri.file(test), { overwrite: true });
    assert.ok(submitted?.ok, `submission failed: ${submitted?.error}`);
    assert.strictEqual(fs.readFileSync(path.join(folder, 'submission.csv'), 'utf8').trimEnd().split('\n').length, 41);
  });

  it('Generate Submission writes ImageId,Label for every test row', async function () {
    const folder = tempDir();
    const test = path.join(folder, 'test.csv');
    fs.copyFileSync(await slice(dataDir, 'test.csv', 50), test);
    const result = await run('generateSubmission', vscode.Uri.file(test), { overwrite: true });
    assert.ok(result?.ok, `submission failed: ${result?.error}`);
    const lines = fs.readFileSync(path.join(folder, 'submission.csv'), 'utf8').trimEnd().split('\n');
    assert.strictEqual(result.rows, 50);
    assert.strictEqual(lines.length, 51);
    assert.strictEqual(lines[0], 'ImageId,Label');
    lines.slice(1).forEach((line, i) => assert.match(line, new RegExp(`^${i + 1},[0-9]$`)));
  });

  it('Load Model File accepts a TF.js model and makes it active', async function () {
    const source = path.join(api.modelsFolder, trainedId, 'model.json');
    const result = await run('loadModelFile', vscode.Uri.file(source), { name: 'loaded copy' });
    assert.ok(result?.ok, `load failed: ${result?.error}`);
    assert.notStrictEqual(result.modelId, trainedId);
    assert.strictEqual(api.activeModelId(), result.modelId);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.name, 'loaded copy');
  });

  it('Load Model File rejects a file that is not a model, with its message, and keeps the active model', async function () {
    const activeBefore = api.activeModelId();
    const before = modelIds(api);
    const bad = path.join(tempDir(), 'model.json');
    fs.writeFileSync(bad, JSON.stringify({ hello: 'world' }));
    const result = await run('loadModelFile', vscode.Uri.file(bad), { name: 'bad' });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /not a TensorFlow\.js model\.json/);
    assert.deepStrictEqual(modelIds(api), before);
    assert.strictEqual(api.activeModelId(), activeBefore);
  });

  it('a malformed CSV yields an error naming the line, and no model', async function () {
    const before = modelIds(api);
    const good = fs.readFileSync(await slice(dataDir, 'train.csv', 20), 'utf8').split('\n');
    good[5] = good[5].replace(/,\d+$/, ''); // line 6 loses a field
    const bad = path.join(tempDir(), 'bad-train.csv');
    fs.writeFileSync(bad, good.join('\n'));
    const result = await run('trainModel', vscode.Uri.file(bad), { arch: 'seed', epochs: 1 });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /line 6/);
    assert.deepStrictEqual(modelIds(api), before);
  });

  it('opens one panel of each kind: the command run again reveals it, and after closing it opens anew', async function () {
    const tabs = (viewType: string) =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(`digitRecognizer.${viewType}`));
    /** The tab count once it stops changing (the workbench reports tabs asynchronously). */
    const settledCount = async (viewType: string) => {
      let last = -1;
      for (let stable = 0, i = 0; stable < 4 && i < 100; i++) {
        const count = tabs(viewType).length;
        stable = count === last && count > 0 ? stable + 1 : 0;
        last = count;
        await new Promise((r) => setTimeout(r, 100));
      }
      return last;
    };
    const csv = vscode.Uri.file(await slice(dataDir, 'train.csv', 50));
    const open: Record<string, () => Thenable<unknown>> = {
      digitPad: () => run('openDigitPad'),
      trainingDashboard: () => run('showTrainingDashboard', trainedId),
      datasetExplorer: () => run('exploreDataset', csv),
      evaluationReport: () => run('evaluateModel', trainedId, csv, { split: false }),
    };
    for (const [viewType, show] of Object.entries(open)) {
      await show();
      await show();
      assert.strictEqual(await settledCount(viewType), 1, `${viewType}: one panel after two commands`);
      await vscode.window.tabGroups.close(tabs(viewType));
      await show();
      assert.strictEqual(await settledCount(viewType), 1, `${viewType}: the panel opens again after it was closed`);
      await vscode.window.tabGroups.close(tabs(viewType));
    }
  });

  it('renames and deletes models', async function () {
    const loaded = api.activeModelId()!;
    assert.ok((await run('renameModel', loaded, 'renamed'))?.ok);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, loaded, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.name, 'renamed');
    assert.ok((await run('deleteModel', loaded, true))?.ok);
    assert.ok(!modelIds(api).includes(loaded));
    assert.notStrictEqual(api.activeModelId(), loaded);
  });
});
