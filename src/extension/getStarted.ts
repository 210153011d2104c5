// The Get Started walkthrough (contributes.walkthroughs in package.json). VS Code opens it once,
// when the extension is installed (unless workbench.welcomePage.walkthroughs.openOnInstall is off),
// and opening it activates the extension (the implicit onWalkthrough event); the palette's Digit
// Recognizer: Get Started opens it again. Its steps complete on context keys kept here: Kaggle's
// CSVs are in the workspace, a model exists, the pad has read a drawing, a submission was written.
import * as vscode from 'vscode';
import type { ActiveModel } from './activeModel';

export const WALKTHROUGH = 'getStarted';

/** The context keys of the walkthrough's completion events (onContext:…). */
export const STEP_KEYS = {
  dataFound: 'digitRecognizer.dataFound',
  hasModel: 'digitRecognizer.hasModel',
  padRead: 'digitRecognizer.padRead',
  submissionWritten: 'digitRecognizer.submissionWritten',
} as const;

/** Kaggle's file names: the data step completes when both are in the workspace. */
export const KAGGLE_FILES = ['train.csv', 'test.csv'] as const;

export class GetStarted implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private scan: Promise<void> = Promise.resolve();
  private rescanTimer: NodeJS.Timeout | undefined;
  private padRead = false;
  private found = { train: false, test: false };
  private readonly dataChanged = new vscode.EventEmitter<void>();
  /** Fires when train.csv or test.csv appears in the workspace or leaves it. */
  readonly onDidChangeData = this.dataChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly active: ActiveModel,
    private readonly log: (line: string) => void,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/{${KAGGLE_FILES.join(',')}}`, false, true, false);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.rescanSoon()),
      watcher.onDidDelete(() => this.rescanSoon()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescanSoon()),
      active.onDidChange(() => this.updateHasModel()),
    );
    this.updateHasModel();
    this.rescanSoon(0);
  }

  /** Opens the walkthrough (the palette command). */
  async open(): Promise<{ ok: true }> {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${this.context.extension.id}#${WALKTHROUGH}`, false);
    return { ok: true };
  }

  /** The Digit Pad read a drawing. */
  markPadRead(): void {
    if (this.padRead) return;
    this.padRead = true;
    void setContext(STEP_KEYS.padRead, true);
  }

  /** A submission file was written. */
  markSubmissionWritten(): void {
    void setContext(STEP_KEYS.submissionWritten, true);
  }

  /** Whether the workspace holds Kaggle's train.csv or test.csv (the status bar shows from then on). */
  get hasAnyData(): boolean {
    return this.found.train || this.found.test;
  }

  /** Waits for the scan in progress (tests). */
  settled(): Promise<void> {
    return this.scan;
  }

  private updateHasModel(): void {
    void setContext(STEP_KEYS.hasModel, this.active.get() !== undefined);
  }

  private rescanSoon(delayMs = 300): void {
    clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => (this.scan = this.scan.then(() => this.rescan())), delayMs);
  }

  private async rescan(): Promise<void> {
    const found = await findKaggleData().catch(() => new Map<string, vscode.Uri>());
    const complete = KAGGLE_FILES.every((name) => found.has(name));
    const now = { train: found.has('train.csv'), test: found.has('test.csv') };
    if (now.train !== this.found.train || now.test !== this.found.test) {
      this.found = now;
      this.dataChanged.fire();
    }
    await setContext(STEP_KEYS.dataFound, complete);
    if (complete) this.log(`Kaggle's data found in the workspace: ${KAGGLE_FILES.map((n) => vscode.workspace.asRelativePath(found.get(n)!)).join(', ')}`);
  }

  dispose(): void {
    clearTimeout(this.rescanTimer);
    this.dataChanged.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

/** train.csv and test.csv in the workspace (the first of each, by path). */
export async function findKaggleData(): Promise<Map<string, vscode.Uri>> {
  const found = await vscode.workspace.findFiles(`**/{${KAGGLE_FILES.join(',')}}`, '**/node_modules/**', 100);
  found.sort((a, b) => a.fsPath.length - b.fsPath.length || a.fsPath.localeCompare(b.fsPath));
  const byName = new Map<string, vscode.Uri>();
  for (const uri of found) {
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1).toLowerCase();
    if (!byName.has(name)) byName.set(name, uri);
  }
  return byName;
}

function setContext(key: string, value: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
