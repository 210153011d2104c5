import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { addSample } from '../../engine/data/samples';
import { DEFAULT_SAMPLES_FILE } from '../sampleStore';

export interface ExportRowOptions {
  /** The digit drawn; asked for when absent. */
  label?: number;
  /** The CSV to append to; default: the workspace's samples file (what the Digit Pad's labels add to). */
  file?: vscode.Uri;
}

/**
 * Appends a drawing (784 pixels 0–255, the pad's MNIST-style image) to a Kaggle train-format CSV
 * (label,pixel0..pixel783), created with its header when new: by default the workspace's samples
 * file, the one the Digit Pad's label buttons add to and Fine-Tune trains on, so there is one
 * personal dataset. Run programmatically (the pad uses the sample store directly).
 */
export async function exportDrawingRow(services: Services, pixels: unknown, options: ExportRowOptions = {}): Promise<CommandResult<{ file: string; rows: number; label: number }>> {
  if (!Array.isArray(pixels) || pixels.length !== 784) return { ok: false, error: 'No drawing to export (expected 784 pixels)' };
  let label = options.label;
  if (label === undefined) {
    const picked = await vscode.window.showQuickPick(
      Array.from({ length: 10 }, (_, d) => ({ label: String(d), digit: d })),
      { title: 'Which digit did you draw?', placeHolder: 'The label saved with the drawing' },
    );
    if (!picked) return { ok: false, error: 'Cancelled', cancelled: true };
    label = picked.digit;
  }
  try {
    const file = options.file?.fsPath ?? services.samples.file;
    const rows = options.file ? await addSample(file, pixels as number[], label) : await services.samples.add(pixels as number[], label);
    services.log(`Appended a drawn ${label} to ${file} (${rows} rows)`);
    return { ok: true, file, rows, label };
  } catch (err) {
    return fail(services, err, 'Export Drawing');
  }
}

/**
 * Digit Recognizer: Choose Samples File…: which train-format CSV the pad's labelled drawings go
 * to in this workspace (an existing one, a new one, or back to the default). `uri` sets it
 * without asking.
 */
export async function pickSamplesFile(services: Services, uri?: vscode.Uri): Promise<CommandResult<{ file: string }>> {
  let file = uri?.fsPath;
  if (!file) {
    const current = services.samples.file;
    const items = [
      { label: '$(folder-opened) Use an existing CSV…', id: 'open' },
      { label: '$(new-file) Start a new CSV…', id: 'new' },
      { label: `$(discard) Use the default`, description: DEFAULT_SAMPLES_FILE, id: 'default' },
    ];
    const choice = await vscode.window.showQuickPick(items, { title: 'Where should the Digit Pad keep your labelled drawings?', placeHolder: `Now: ${vscode.workspace.asRelativePath(current)}`, ignoreFocusOut: true });
    if (!choice) return { ok: false, error: 'Cancelled', cancelled: true };
    if (choice.id === 'default') {
      await services.samples.setFile(undefined);
      return { ok: true, file: services.samples.file };
    }
    const folder = vscode.Uri.file(path.dirname(current));
    const picked =
      choice.id === 'open'
        ? (await vscode.window.showOpenDialog({ canSelectMany: false, defaultUri: folder, filters: { CSV: ['csv'] }, title: 'A train-format CSV (label,pixel0..783)' }))?.[0]
        : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, 'my-digits.csv'), filters: { CSV: ['csv'] }, title: 'A new CSV for your labelled drawings', saveLabel: 'Use' });
    if (!picked) return { ok: false, error: 'Cancelled', cancelled: true };
    file = picked.fsPath;
  }
  await services.samples.setFile(file);
  services.log(`Labelled drawings now go to ${file}`);
  return { ok: true, file };
}
