import * as vscode from 'vscode';
import { ActiveModel, formatAccuracy } from './activeModel';

/** Shows the active model's name and validation accuracy; a click switches models. */
export function createStatusBar(active: ActiveModel): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('digitRecognizer.activeModel', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Digit Recognizer Model';
  const update = () => {
    const model = active.get();
    if (model) {
      const accuracy = formatAccuracy(model);
      item.text = `$(symbol-numeric) ${model.metadata.name}${accuracy ? ` · ${accuracy}` : ''}`;
      item.tooltip = `Active digit model: ${model.metadata.name}${accuracy ? ` (validation accuracy ${accuracy})` : ''}. Click to switch.`;
      item.command = 'digitRecognizer.selectModel';
    } else {
      item.text = '$(symbol-numeric) No digit model';
      item.tooltip = 'No digit model yet: click to train one.';
      item.command = 'digitRecognizer.trainModel';
    }
    item.show();
  };
  update();
  const listener = active.onDidChange(update);
  return vscode.Disposable.from(item, listener);
}
