import * as vscode from 'vscode';
import { type ActiveModel, formatAccuracy, kaggleScore, networkCount } from './activeModel';
import type { GetStarted } from './getStarted';

/**
 * Shows the active model's name and validation accuracy; a click switches models. With no model
 * it shows (as "No digit model", a click to train) only where Kaggle's CSVs are. The extension
 * starts by itself only in a workspace that holds them (workspaceContains), elsewhere on its first
 * command, walkthrough or restored panel, so a window where nothing digit-related happens shows none.
 */
export function createStatusBar(active: ActiveModel, data: Pick<GetStarted, 'hasAnyData' | 'onDidChangeData'>): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('digitRecognizer.activeModel', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Digit Recognizer Model';
  const update = () => {
    const model = active.get();
    if (model) {
      const accuracy = formatAccuracy(model);
      item.text = `$(symbol-numeric) ${model.metadata.name}${accuracy ? ` · ${accuracy}` : ''}`;
      const score = kaggleScore(model);
      const networks = networkCount(model);
      item.tooltip = `Active digit model: ${model.metadata.name}${networks ? ` (${networks} networks)` : ''}${accuracy ? ` (validation accuracy ${accuracy})` : ''}${score ? `; Kaggle public score ${score}` : ''}. Click to switch.`;
      item.command = 'digitRecognizer.selectModel';
    } else {
      item.text = '$(symbol-numeric) No digit model';
      item.tooltip = 'No digit model yet: click to train one.';
      item.command = 'digitRecognizer.trainModel';
    }
    if (model || data.hasAnyData) item.show();
    else item.hide();
  };
  update();
  return vscode.Disposable.from(item, active.onDidChange(update), data.onDidChangeData(update));
}
