import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { METADATA_FILE } from '../../engine/model/modelDir';
import { readMetadata } from '../../engine/model/metadata';
import { writeJsonAtomic } from '../../engine/core/files';
import type { PixelScale } from '../../engine/core/types';

export interface LoadModelOptions {
  name?: string;
  /** The pixel values the model expects, overriding what import detects (Keras models only detect it). */
  pixelScale?: PixelScale;
}

/**
 * Validates a TF.js model.json (weights beside it) or a Keras .h5/.keras file, saves it into
 * global storage as a TF.js folder and activates it.
 */
export async function loadModelFile(services: Services, uri?: vscode.Uri, options: LoadModelOptions = {}): Promise<CommandResult<{ modelId: string; pixelScale: PixelScale }>> {
  const source =
    uri ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Load Model File', openLabel: 'Load Model', filters: { 'Models (TensorFlow.js model.json, Keras .h5 / .keras)': ['json', 'h5', 'hdf5', 'keras'] } }))?.[0];
  if (!source) return { ok: false, error: 'No file chosen', cancelled: true };
  const base = path.basename(path.basename(source.fsPath) === 'model.json' ? path.dirname(source.fsPath) : source.fsPath);
  const suggested = base.replace(/\.(json|h5|hdf5|keras)$/i, '');
  const name = options.name ?? (uri ? suggested : await vscode.window.showInputBox({ title: 'Name for the loaded model', value: suggested, validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') }));
  if (name === undefined) return { ok: false, error: 'Cancelled', cancelled: true };
  const location = services.active.store.newLocation('imported');
  try {
    const metadata = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Loading ${path.basename(source.fsPath)}` }, () =>
      services.engine.request({ type: 'import', source: source.fsPath, destDir: location.dir, name: name.trim(), pixelScale: options.pixelScale }),
    );
    await services.active.set(location.id);
    services.log(`Loaded "${name}" from ${source.fsPath} into ${location.dir}`);
    void vscode.window.showInformationMessage(`Loaded model "${name.trim()}"; it is now active.`, 'Open Digit Pad').then((c) => c && vscode.commands.executeCommand('digitRecognizer.openDigitPad'));
    const pixelScale = metadata.pixelScale ?? 'unit';
    if (pixelScale === 'byte' && !options.pixelScale) void confirmByteScale(services, location.dir, name.trim());
    return { ok: true, modelId: location.id, pixelScale };
  } catch (err) {
    return fail(services, err, 'Load Model File');
  }
}

/**
 * The model starts with a Rescaling layer, so import chose to feed it raw 0–255 pixels; the user
 * can confirm or switch to 0–1 (stored in its metadata.json, read at each prediction).
 */
async function confirmByteScale(services: Services, dir: string, name: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(
    `"${name}" rescales its input itself (it starts with a Rescaling layer), so it will be fed pixels 0–255 rather than 0–1.`,
    'Keep 0–255',
    'Use 0–1 Instead',
  );
  if (choice !== 'Use 0–1 Instead') return;
  const metadata = readMetadata(dir);
  if (!metadata) return;
  await writeJsonAtomic(path.join(dir, METADATA_FILE), { ...metadata, pixelScale: 'unit' });
  services.active.refresh();
  services.log(`"${name}": pixel scale set to 0–1`);
}
