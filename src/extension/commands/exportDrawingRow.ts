import * as path from 'path';
import * as vscode from 'vscode';
import { Services, CommandResult, fail } from '../services';
import { appendTrainRow } from '../../engine/exportRow';

export interface ExportRowOptions {
  /** The digit drawn; asked for when absent. */
  label?: number;
  /** The CSV to append to; the last one used (or a save dialog) when absent. */
  file?: vscode.Uri;
}

const LAST_FILE_KEY = 'digitRecognizer.exportRowFile';

/**
 * Appends a drawing (784 pixels 0–255, the pad's MNIST-style image) to a Kaggle train-format CSV
 * (label,pixel0..pixel783), created with its header when new: a personal dataset Train Model can
 * use. Run by the Digit Pad's "Save as CSV Row" button, or programmatically.
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
  let file = options.file;
  if (!file) {
    const last = services.context.globalState.get<string>(LAST_FILE_KEY);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    file = await vscode.window.showSaveDialog({
      title: 'Append the drawing to a train-format CSV',
      saveLabel: 'Append Row',
      defaultUri: last ? vscode.Uri.file(last) : folder ? vscode.Uri.joinPath(folder, 'my-digits.csv') : undefined,
      filters: { CSV: ['csv'] },
    });
    if (!file) return { ok: false, error: 'No file chosen', cancelled: true };
  }
  try {
    const rows = await appendTrainRow(file.fsPath, pixels as number[], label);
    await services.context.globalState.update(LAST_FILE_KEY, file.fsPath);
    services.log(`Appended a drawn ${label} to ${file.fsPath} (${rows} rows)`);
    void vscode.window.showInformationMessage(`Saved the drawing as a ${label} in ${path.basename(file.fsPath)} (${rows} row${rows === 1 ? '' : 's'}).`);
    return { ok: true, file: file.fsPath, rows, label };
  } catch (err) {
    return fail(services, err, 'Export Drawing');
  }
}
