import * as vscode from 'vscode';

// Placeholder activation: the commands are wired up in follow-up commits.
export function activate(context: vscode.ExtensionContext): void {
  const ids = ['trainModel', 'openDigitPad', 'generateSubmission', 'loadModelFile', 'selectModel', 'renameModel', 'deleteModel', 'revealModel'];
  for (const id of ids) {
    context.subscriptions.push(
      vscode.commands.registerCommand(`digitRecognizer.${id}`, () => vscode.window.showInformationMessage(`${id}: not yet available`)),
    );
  }
}

export function deactivate(): void {}
