import * as path from 'path';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { pickCsv, rememberCsv } from '../csvPicker';
import { rememberSubmission } from './kaggle';

export interface SubmissionCommandOptions {
  /** Where to write (default: submission.csv beside the test CSV). */
  out?: vscode.Uri;
  /** Replace an existing file without asking. */
  overwrite?: boolean;
}

/** Predicts every row of a test CSV with the active model and writes submission.csv beside it. */
export async function generateSubmission(services: Services, uri?: vscode.Uri, options: SubmissionCommandOptions = {}): Promise<CommandResult<{ rows: number; file: string }>> {
  const model = services.active.get();
  if (!model) {
    const choice = await vscode.window.showWarningMessage('No digit model yet: train or load one first.', 'Train Model', 'Load Model File');
    if (choice === 'Train Model') void vscode.commands.executeCommand('digitRecognizer.trainModel');
    if (choice === 'Load Model File') void vscode.commands.executeCommand('digitRecognizer.loadModelFile');
    return { ok: false, error: 'No active model' };
  }
  const testFile = uri ?? (await pickCsv(services.context.globalState, 'test', 'Generate Submission: pick the test CSV'));
  if (!testFile) return { ok: false, error: 'No file chosen', cancelled: true };
  await rememberCsv(services.context.globalState, testFile);
  const out = options.out ?? vscode.Uri.file(path.join(path.dirname(testFile.fsPath), 'submission.csv'));
  const replace = options.overwrite || fs.existsSync(out.fsPath);
  if (!options.overwrite && fs.existsSync(out.fsPath)) {
    const answer = await vscode.window.showWarningMessage(`${path.basename(out.fsPath)} already exists in ${path.dirname(out.fsPath)}. Replace it?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return { ok: false, error: 'Not replaced', cancelled: true };
  }
  services.log(`Predicting ${testFile.fsPath} with "${model.metadata.name}"`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Generating submission', cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return services.engine.request(
          { type: 'submit', job: { testFile: testFile.fsPath, model: model.dir, outFile: out.fsPath, replace } },
          {
            signal: controller.signal,
            onEvent: (e) => {
              if (e.kind === 'reading') progress.report({ message: `Reading ${e.rows.toLocaleString()} rows` });
              if (e.kind === 'predicting') {
                const done = (e.done / e.total) * 100;
                progress.report({ increment: done - reported, message: `Predicting ${e.done.toLocaleString()} / ${e.total.toLocaleString()}` });
                reported = done;
              }
            },
          },
        );
      },
    );
    services.log(`Wrote ${result.rows} rows to ${result.file}`);
    await rememberSubmission(services, { file: result.file, modelId: model.id, modelName: model.metadata.name });
    await vscode.window.showTextDocument(vscode.Uri.file(result.file), { preview: true });
    void vscode.window.showInformationMessage(`Wrote ${result.rows.toLocaleString()} predictions to ${path.basename(result.file)}.`, 'Submit to Kaggle').then((choice) => {
      if (choice) void vscode.commands.executeCommand('digitRecognizer.submitToKaggle', vscode.Uri.file(result.file));
    });
    return { ok: true, rows: result.rows, file: result.file };
  } catch (err) {
    return fail(services, err, 'Generate Submission');
  }
}
