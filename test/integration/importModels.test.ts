// Keras import and picture predictions through the real commands, inside a real extension host.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { DigitRecognizerApi } from '../../src/extension/extension';
import { requireData, slice, tempDir } from '../support/data';
import { IMAGE_FIXTURE_KINDS, writeImageFixtures } from '../support/images';
import { requireKerasFixtures } from '../support/keras';

type Result = { ok: boolean; error?: string; modelId?: string; pixelScale?: string; label?: number; confidence?: number; inverted?: boolean; pixels?: number[]; rows?: number; failed?: number; file?: string };

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Result>(`digitRecognizer.${command}`, ...args);

describe('Keras import and pictures', function () {
  this.timeout(180_000);
  let api: DigitRecognizerApi;
  let kerasDir: string;
  let dataDir: string;

  before(async function () {
    kerasDir = requireKerasFixtures(this);
    dataDir = requireData(this);
    api = (await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate()) as DigitRecognizerApi;
  });

  it('Load Model File imports a Keras 3 .keras file as a TF.js model and makes it active', async function () {
    const result = await run('loadModelFile', vscode.Uri.file(path.join(kerasDir, 'ronit2421-mnist-keras3.keras')), { name: 'keras 3 model' });
    assert.ok(result?.ok, `load failed: ${result?.error}`);
    assert.strictEqual(api.activeModelId(), result.modelId);
    assert.strictEqual(result.pixelScale, 'unit');
    const dir = path.join(api.modelsFolder, result.modelId!);
    assert.ok(fs.existsSync(path.join(dir, 'model.json')) && fs.existsSync(path.join(dir, 'weights.bin')));
    const metadata = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.name, 'keras 3 model');
    assert.strictEqual(metadata.architecture, 'Keras 3.15.0 .keras');
  });

  it('Load Model File imports a Keras 2 .h5 file and makes it active', async function () {
    const result = await run('loadModelFile', vscode.Uri.file(path.join(kerasDir, 'kzarama-mnist.h5')), { name: 'keras h5 model' });
    assert.ok(result?.ok, `load failed: ${result?.error}`);
    assert.strictEqual(api.activeModelId(), result.modelId);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.strictEqual(metadata.architecture, 'Keras 2.14.0 .h5');
  });

  it('Load Model File refuses a Keras model that is not for 28×28 digits, and keeps the active model', async function () {
    const activeBefore = api.activeModelId();
    const result = await run('loadModelFile', vscode.Uri.file(path.join(kerasDir, 'kzarama-mnist.keras')), { name: 'wrong shape' });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /input is 8×8×1; expected a 28×28 digit/);
    assert.strictEqual(api.activeModelId(), activeBefore);
  });

  describe('pictures', function () {
    let pictures: ReturnType<typeof writeImageFixtures>;
    before(async function () {
      // Held-out digits, one per picture kind.
      const lines = fs.readFileSync(await slice(dataDir, 'train.csv', 8, 6000), 'utf8').trim().split('\n').slice(1);
      const digits = lines.map((line) => {
        const values = line.split(',').map(Number);
        return { label: values[0], pixels: Uint8Array.from(values.slice(1)) };
      });
      const folder = path.join(tempDir('digit-pictures-'), 'pictures');
      pictures = writeImageFixtures(folder, digits, IMAGE_FIXTURE_KINDS.filter((k) => k.name === 'png-rgb-blue-ink-on-white' || k.name === 'jpeg-light-on-dark-small'));
    });

    it('Predict Digit in Image predicts a PNG with the active (Keras) model and shows the 28×28', async function () {
      const png = pictures.find((p) => p.kind.ext === '.png')!;
      const result = await run('predictImage', vscode.Uri.file(png.file));
      assert.ok(result?.ok, `prediction failed: ${result?.error}`);
      assert.strictEqual(result.label, png.label);
      assert.strictEqual(result.inverted, true, 'blue ink on white is dark-on-light');
      assert.strictEqual(result.pixels!.length, 784);
      assert.ok(result.confidence! > 0.5);
    });

    it('Predict Digit in Image reports a file that is not a picture', async function () {
      const bad = path.join(tempDir(), 'fake.png');
      fs.writeFileSync(bad, 'not a picture');
      const result = await run('predictImage', vscode.Uri.file(bad), { quiet: true });
      assert.strictEqual(result?.ok, false);
      assert.match(result.error!, /not a PNG, JPEG or BMP image/);
    });

    it('Predict Digits in Folder of Images writes a CSV of predictions', async function () {
      const folder = path.dirname(pictures[0].file);
      const result = await run('predictImageFolder', vscode.Uri.file(folder), { overwrite: true });
      assert.ok(result?.ok, `folder prediction failed: ${result?.error}`);
      assert.strictEqual(result.rows, pictures.length);
      const lines = fs.readFileSync(path.join(folder, 'predictions.csv'), 'utf8').trim().split('\n');
      assert.strictEqual(lines[0], 'file,label,confidence,error');
      assert.strictEqual(lines.length, pictures.length + 1);
      const right = pictures.filter((p) => lines.some((l) => l.startsWith(`${path.basename(p.file)},${p.label},`))).length;
      assert.ok(right >= pictures.length - 1, `${right}/${pictures.length} right`);
    });
  });

  it('the pad\'s drawing is saved as a Kaggle train-format row (exportDrawingRow)', async function () {
    const file = path.join(tempDir(), 'my-digits.csv');
    const pixels = Array.from({ length: 784 }, (_, i) => (i % 28 > 10 && i % 28 < 16 ? 255 : 0));
    const first = await run('exportDrawingRow', pixels, { label: 1, file: vscode.Uri.file(file) });
    assert.ok(first?.ok, `export failed: ${first?.error}`);
    const second = await run('exportDrawingRow', pixels, { label: 7, file: vscode.Uri.file(file) });
    assert.strictEqual(second.rows, 2);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.strictEqual(lines[0].split(',').length, 785);
    assert.ok(lines[0].startsWith('label,pixel0,'));
    assert.strictEqual(lines[2], `7,${pixels.join(',')}`);
  });
});
