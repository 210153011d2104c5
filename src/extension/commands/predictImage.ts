import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { escapeHtml } from '../../webview/common/html';
import { type Services, type CommandResult, fail } from '../services';
import type { StoredModel } from '../../engine/model/modelStore';
import { digitPng, IMAGE_EXTENSIONS } from '../../engine/data/imageDecode';

export interface PredictImageOptions {
  /** Don't open the panel showing the 28×28 (tests, keybindings that only want the answer). */
  quiet?: boolean;
}

const IMAGE_FILTER = { 'Pictures': IMAGE_EXTENSIONS.map((e) => e.slice(1)) };

async function activeModelOrAsk(services: Services): Promise<StoredModel | undefined> {
  const model = services.active.get();
  if (model) return model;
  const choice = await vscode.window.showWarningMessage('No digit model yet: train or load one first.', 'Train Model', 'Load Model File');
  if (choice === 'Train Model') void vscode.commands.executeCommand('digitRecognizer.trainModel');
  if (choice === 'Load Model File') void vscode.commands.executeCommand('digitRecognizer.loadModelFile');
  return undefined;
}

/**
 * Predicts the digit in a picture (PNG, JPEG, BMP) with the active model, in the engine worker:
 * grayscale, inverted when dark-on-light, cropped, scaled and centred like MNIST. Shows the answer
 * and the 28×28 the model saw.
 */
export async function predictImage(
  services: Services,
  uri?: vscode.Uri,
  options: PredictImageOptions = {},
): Promise<CommandResult<{ label: number; confidence: number; probabilities: number[]; inverted: boolean; pixels: number[] }>> {
  const model = await activeModelOrAsk(services);
  if (!model) return { ok: false, error: 'No active model' };
  const file = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Predict Digit in Image', openLabel: 'Predict', filters: IMAGE_FILTER }))?.[0];
  if (!file) return { ok: false, error: 'No file chosen', cancelled: true };
  try {
    const result = await services.engine.request({ type: 'predictImage', modelDir: model.dir, file: file.fsPath });
    const confidence = result.probabilities[result.label];
    const pixels = Array.from(result.pixels);
    services.log(`${file.fsPath}: ${result.label} (${(confidence * 100).toFixed(1)}%) with "${model.metadata.name}"${result.inverted ? '; dark-on-light, inverted' : ''}`);
    if (!options.quiet) {
      showDigitPanel(path.basename(file.fsPath), result.label, result.probabilities, pixels, result.inverted, model.metadata.name);
      void vscode.window.showInformationMessage(`${path.basename(file.fsPath)}: the digit is ${result.label} (${(confidence * 100).toFixed(1)}%).`);
    }
    return { ok: true, label: result.label, confidence, probabilities: result.probabilities, inverted: result.inverted, pixels };
  } catch (err) {
    return fail(services, err, 'Predict Digit in Image');
  }
}

export interface PredictFolderOptions {
  /** Where to write the CSV (default: predictions.csv in the folder). */
  out?: vscode.Uri;
  /** Replace an existing CSV without asking. */
  overwrite?: boolean;
}

/** Predicts every picture in a folder and writes a CSV (file,label,confidence,error), with progress. */
export async function predictImageFolder(services: Services, uri?: vscode.Uri, options: PredictFolderOptions = {}): Promise<CommandResult<{ rows: number; failed: number; file: string }>> {
  const model = await activeModelOrAsk(services);
  if (!model) return { ok: false, error: 'No active model' };
  const folder = uri ?? (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, title: 'Predict the digits in a folder of pictures', openLabel: 'Predict Folder' }))?.[0];
  if (!folder) return { ok: false, error: 'No folder chosen', cancelled: true };
  const out = options.out ?? vscode.Uri.file(path.join(folder.fsPath, 'predictions.csv'));
  const replace = options.overwrite || fs.existsSync(out.fsPath);
  if (!options.overwrite && fs.existsSync(out.fsPath)) {
    const answer = await vscode.window.showWarningMessage(`${path.basename(out.fsPath)} already exists in ${path.dirname(out.fsPath)}. Replace it?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return { ok: false, error: 'Not replaced', cancelled: true };
  }
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Predicting pictures in ${path.basename(folder.fsPath)}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return services.engine.request(
          { type: 'predictImageFolder', modelDir: model.dir, folder: folder.fsPath, outFile: out.fsPath, replace },
          {
            signal: controller.signal,
            onEvent: (e) => {
              if (e.kind !== 'predicting') return;
              const done = (e.done / e.total) * 100;
              progress.report({ increment: done - reported, message: `${e.done} / ${e.total}` });
              reported = done;
            },
          },
        );
      },
    );
    services.log(`Predicted ${result.rows} pictures in ${folder.fsPath} into ${result.file}${result.failed.length ? `; ${result.failed.length} could not be read: ${result.failed.map((f) => `${path.basename(f.file)} (${f.error})`).join(', ')}` : ''}`);
    await vscode.window.showTextDocument(out, { preview: true });
    void vscode.window.showInformationMessage(
      `Wrote ${result.rows} predictions to ${path.basename(result.file)}${result.failed.length ? ` (${result.failed.length} pictures could not be read; see the CSV's error column)` : ''}.`,
    );
    return { ok: true, rows: result.rows, failed: result.failed.length, file: result.file };
  } catch (err) {
    return fail(services, err, 'Predict Digits in Folder');
  }
}

let panel: vscode.WebviewPanel | undefined;

/** A small panel: the 28×28 the model saw (enlarged) and the ten probabilities. No scripts. */
function showDigitPanel(name: string, label: number, probabilities: number[], pixels: number[], inverted: boolean, modelName: string): void {
  if (!panel) {
    panel = vscode.window.createWebviewPanel('digitRecognizer.imagePrediction', 'Digit in Image', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
    panel.onDidDispose(() => (panel = undefined));
  }
  const png = digitPng(pixels, 8).toString('base64');
  const bars = probabilities
    .map((p, d) => `<tr${d === label ? ' class="top"' : ''}><td>${d}</td><td><div class="bar" style="width:${(p * 100).toFixed(1)}%"></div></td><td>${(p * 100).toFixed(1)}%</td></tr>`)
    .join('');
  panel.title = `Digit in ${name}`;
  panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 1em; }
img { image-rendering: pixelated; width: 224px; height: 224px; border: 1px solid var(--vscode-panel-border); }
table { border-collapse: collapse; margin-top: 1em; } td { padding: 1px 6px; }
.bar { height: 10px; background: var(--vscode-progressBar-background); min-width: 1px; }
td:nth-child(2) { width: 200px; } tr.top { font-weight: bold; }
</style></head><body>
<h2>${escapeHtml(name)}: <span id="label">${label}</span></h2>
<p>Model: ${escapeHtml(modelName)}${inverted ? ' · dark ink on a light background, inverted' : ''}</p>
<img alt="The 28×28 image the model saw" src="data:image/png;base64,${png}">
<table>${bars}</table>
</body></html>`;
  panel.reveal(vscode.ViewColumn.Beside, true);
}

