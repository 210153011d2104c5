import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { formatAccuracy, kaggleScore, networkCount } from '../activeModel';
import type { StoredModel } from '../../engine/model/modelStore';
import { copyModelFolder } from '../../engine/model/modelDir';

interface ModelItem extends vscode.QuickPickItem {
  model: StoredModel;
}

/** A quick pick of saved models (active first marked), or the one named by `id`. */
export async function pickModel(services: Services, title: string, id?: string): Promise<StoredModel | undefined> {
  if (id) {
    const model = services.active.store.get(id);
    if (!model) void vscode.window.showErrorMessage(`No saved model "${id}".`);
    return model;
  }
  const models = services.active.store.list();
  if (!models.length) {
    const choice = await vscode.window.showInformationMessage('No saved digit models yet.', 'Train Model', 'Load Model File');
    if (choice === 'Train Model') void vscode.commands.executeCommand('digitRecognizer.trainModel');
    if (choice === 'Load Model File') void vscode.commands.executeCommand('digitRecognizer.loadModelFile');
    return undefined;
  }
  const activeId = services.active.get()?.id;
  const items: ModelItem[] = models.map((model) => ({
    label: `${model.id === activeId ? '$(check) ' : ''}${model.metadata.name}`,
    description: [formatAccuracy(model) && `val ${formatAccuracy(model)}`, kaggleScore(model) && `Kaggle ${kaggleScore(model)}`, networkCount(model) && `${networkCount(model)} networks`, model.metadata.pseudoLabels && `+ ${model.metadata.pseudoLabels.rows.toLocaleString()} ${model.metadata.pseudoLabels.file.name} rows`, model.metadata.architecture].filter(Boolean).join(' · '),
    detail: `${new Date(model.metadata.created).toLocaleString()}${model.metadata.epochs ? ` · ${model.metadata.epochs} epochs` : ''}${model.metadata.trainingFile ? ` · ${model.metadata.trainingFile.name}` : ''}${model.metadata.backend ? ` · ${model.metadata.backend}` : ''}`,
    model,
  }));
  return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true, ignoreFocusOut: true }))?.model;
}

export async function selectModel(services: Services, id?: string): Promise<CommandResult> {
  const model = await pickModel(services, 'Select the active digit model', id);
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  await services.active.set(model.id);
  return { ok: true };
}

export async function renameModel(services: Services, id?: string, newName?: string): Promise<CommandResult> {
  const model = await pickModel(services, 'Rename a digit model', id);
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  const name = newName ?? (await vscode.window.showInputBox({ title: 'New name', value: model.metadata.name, validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') }));
  if (name === undefined) return { ok: false, error: 'Cancelled', cancelled: true };
  try {
    await services.active.store.rename(model.id, name);
    services.active.refresh();
    return { ok: true };
  } catch (err) {
    return fail(services, err, 'Rename Model');
  }
}

export async function deleteModel(services: Services, id?: string, confirmed = false): Promise<CommandResult> {
  const model = await pickModel(services, 'Delete a digit model', id);
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  if (!confirmed) {
    const answer = await vscode.window.showWarningMessage(`Delete the model "${model.metadata.name}"? This cannot be undone.`, { modal: true }, 'Delete');
    if (answer !== 'Delete') return { ok: false, error: 'Cancelled', cancelled: true };
  }
  try {
    const wasActive = services.active.get()?.id === model.id;
    await services.active.store.delete(model.id);
    if (wasActive) await services.active.set(undefined);
    else services.active.refresh();
    return { ok: true };
  } catch (err) {
    return fail(services, err, 'Delete Model');
  }
}

export async function revealModel(services: Services, id?: string): Promise<CommandResult> {
  const model = await pickModel(services, 'Reveal a model folder', id);
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(model.dir, 'model.json')));
  return { ok: true };
}

/** Copies a model folder (model.json, weights.bin, metadata.json) into a folder the user picks. */
export async function exportModel(services: Services, id?: string, target?: vscode.Uri): Promise<CommandResult<{ dir: string }>> {
  const model = await pickModel(services, 'Export a model folder', id);
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  const parent = target ?? (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, title: 'Export the model into this folder', openLabel: 'Export Here' }))?.[0];
  if (!parent) return { ok: false, error: 'No folder chosen', cancelled: true };
  try {
    const dir = path.join(parent.fsPath, model.id);
    await copyModelFolder(model.dir, dir);
    void vscode.window.showInformationMessage(`Exported "${model.metadata.name}" to ${dir}.`);
    return { ok: true, dir };
  } catch (err) {
    return fail(services, err, 'Export Model');
  }
}
