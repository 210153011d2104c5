import * as path from 'path';
import * as vscode from 'vscode';
import { Services, CommandResult, fail } from '../services';

export interface LoadModelOptions {
  name?: string;
}

/** Validates a TF.js model.json (weights beside it), copies it into global storage and activates it. */
export async function loadModelFile(services: Services, uri?: vscode.Uri, options: LoadModelOptions = {}): Promise<CommandResult<{ modelId: string }>> {
  const source =
    uri ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Load Model File', openLabel: 'Load Model', filters: { 'TensorFlow.js model': ['json'] } }))?.[0];
  if (!source) return { ok: false, error: 'No file chosen', cancelled: true };
  const suggested = path.basename(path.basename(source.fsPath) === 'model.json' ? path.dirname(source.fsPath) : source.fsPath, '.json');
  const name = options.name ?? (uri ? suggested : await vscode.window.showInputBox({ title: 'Name for the loaded model', value: suggested, validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') }));
  if (name === undefined) return { ok: false, error: 'Cancelled', cancelled: true };
  const location = services.active.store.newLocation('imported');
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Loading ${path.basename(source.fsPath)}` }, () =>
      services.engine.request({ type: 'import', source: source.fsPath, destDir: location.dir, name: name.trim() }),
    );
    await services.active.set(location.id);
    services.log(`Loaded "${name}" from ${source.fsPath} into ${location.dir}`);
    void vscode.window.showInformationMessage(`Loaded model "${name.trim()}"; it is now active.`, 'Open Digit Pad').then((c) => c && vscode.commands.executeCommand('digitRecognizer.openDigitPad'));
    return { ok: true, modelId: location.id };
  } catch (err) {
    return fail(services, err, 'Load Model File');
  }
}
