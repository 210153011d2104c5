// Download Competition Data and Submit to Kaggle: the Kaggle round trip through the user's own
// `kaggle` tool (kaggle/kaggle.ts), with progress, cancel, and the public score kept in the
// model's history (its metadata, shown in the model list and the status bar's tooltip).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { COMPETITION, downloadCompetitionData as download, submissionRows, submit, TEST_ROWS, waitForScore } from '../../kaggle/kaggle';

const LAST_SUBMISSION_KEY = 'digitRecognizer.lastSubmission';
const SUBMISSIONS_PAGE = `https://www.kaggle.com/competitions/${COMPETITION}/submissions`;

/** The submission file Generate Submission wrote last in this workspace, and the model that made it. */
export interface WrittenSubmission {
  file: string;
  modelId: string;
  modelName: string;
}

export function rememberSubmission(services: Services, written: WrittenSubmission): Thenable<void> {
  return services.context.workspaceState.update(LAST_SUBMISSION_KEY, written);
}

function kaggleCommand(): string {
  return vscode.workspace.getConfiguration('digitRecognizer').get<string>('kagglePath', '').trim() || 'kaggle';
}

export interface DownloadOptions {
  /** The folder to download into (default: the workspace folder, asked when there are several). */
  folder?: vscode.Uri;
}

/** Downloads Kaggle's train.csv, test.csv and sample_submission.csv into a workspace folder; replaces nothing. */
export async function downloadCompetitionData(services: Services, options: DownloadOptions = {}): Promise<CommandResult<{ files: string[] }>> {
  const folder = options.folder ?? (await workspaceFolder());
  if (!folder) return { ok: false, error: 'No folder', cancelled: true };
  try {
    const { files } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Downloading Kaggle's Digit Recognizer data", cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: `kaggle competitions download -c ${COMPETITION}` });
        return download({ kaggle: kaggleCommand(), signal: controller.signal, onLine: (line) => line.trim() && services.log(`kaggle: ${line}`) }, folder.fsPath);
      },
    );
    const names = files.map((f) => path.basename(f));
    services.log(`Downloaded ${names.join(', ')} into ${folder.fsPath}`);
    void vscode.window.showInformationMessage(`Downloaded ${names.join(', ')} into ${path.basename(folder.fsPath)}.`, 'Train Model').then((choice) => {
      if (choice) void vscode.commands.executeCommand('digitRecognizer.trainModel', vscode.Uri.file(path.join(folder.fsPath, 'train.csv')));
    });
    return { ok: true, files };
  } catch (err) {
    return fail(services, err, 'Download Competition Data');
  }
}

async function workspaceFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0].uri;
  if (folders.length > 1) return (await vscode.window.showWorkspaceFolderPick({ placeHolder: "Where to put Kaggle's files" }))?.uri;
  const choice = await vscode.window.showWarningMessage("Open a folder first: Kaggle's files are downloaded into it.", 'Open Folder…');
  if (choice) void vscode.commands.executeCommand('vscode.openFolder');
  return undefined;
}

export interface SubmitOptions {
  /** Submit without asking first (programmatic callers). */
  confirmed?: boolean;
  /** How long to wait for the public score (default 2 minutes). */
  scoreTimeoutMs?: number;
  scoreIntervalMs?: number;
}

/** Submits a submission file (default: the last one Generate Submission wrote) and shows its public score. */
export async function submitToKaggle(services: Services, uri?: vscode.Uri, options: SubmitOptions = {}): Promise<CommandResult<{ publicScore?: number }>> {
  const last = services.context.workspaceState.get<WrittenSubmission>(LAST_SUBMISSION_KEY);
  const file = uri?.fsPath ?? (last && fs.existsSync(last.file) ? last.file : undefined);
  if (!file) {
    const choice = await vscode.window.showWarningMessage('No submission yet: Generate Submission writes submission.csv from test.csv first.', 'Generate Submission');
    if (choice) void vscode.commands.executeCommand('digitRecognizer.generateSubmission');
    return { ok: false, error: 'No submission file' };
  }
  // The model is known when the file is the one Generate Submission wrote.
  const made = last?.file === file ? last : undefined;
  const what = `${path.basename(file)}${made ? ` (predictions of "${made.modelName}")` : ''}`;
  let rows: number;
  try {
    rows = await submissionRows(file);
  } catch (err) {
    return fail(services, err, 'Submit to Kaggle');
  }
  if (!options.confirmed) {
    const short = rows === TEST_ROWS ? '' : ` It has ${rows.toLocaleString('en-US')} rows where Kaggle's test.csv has ${TEST_ROWS.toLocaleString('en-US')}: Kaggle will refuse it.`;
    const answer = await vscode.window.showInformationMessage(`Submit ${what} to Kaggle's Digit Recognizer? Kaggle limits submissions per day.${short}`, { modal: true }, 'Submit');
    if (answer !== 'Submit') return { ok: false, error: 'Cancelled', cancelled: true };
  }
  const submitted = new Date().toISOString();
  // Unique, so the score is read for this submission and no other.
  const message = `${made ? made.modelName : path.basename(file)} · Digit Recognizer for VS Code · ${submitted}`;
  try {
    const scored = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Submitting to Kaggle', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const run = { kaggle: kaggleCommand(), signal: controller.signal, onLine: (line: string) => line.trim() && services.log(`kaggle: ${line}`) };
        progress.report({ message: `Uploading ${path.basename(file)}` });
        await submit(run, file, message);
        progress.report({ message: 'Waiting for the public score…' });
        return waitForScore(run, message, { timeoutMs: options.scoreTimeoutMs, intervalMs: options.scoreIntervalMs });
      },
    );
    const publicScore = scored?.publicScore;
    if (made && services.active.store.get(made.modelId)) {
      await services.active.store.recordKaggleSubmission(made.modelId, { submitted, file: path.basename(file), publicScore });
      services.active.refresh();
    }
    const said = publicScore === undefined ? `Submitted ${what} to Kaggle; it is not scored yet.` : `Kaggle public score: ${publicScore} for ${what}.`;
    services.log(said);
    void vscode.window.showInformationMessage(said, 'Open My Submissions').then((choice) => {
      if (choice) void vscode.env.openExternal(vscode.Uri.parse(SUBMISSIONS_PAGE));
    });
    return { ok: true, publicScore };
  } catch (err) {
    return fail(services, err, 'Submit to Kaggle');
  }
}
