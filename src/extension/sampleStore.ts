// Where the user's labelled drawings live, per workspace: the file the user picked for this
// workspace, else `.digit-recognizer/my-digits.csv` in its first folder (a plain train-format CSV
// they can see, open and commit), else `my-digits.csv` in the extension's storage when no folder
// is open. Changes (ours, or the user editing or deleting the file) fire onDidChange.
import * as path from 'path';
import * as vscode from 'vscode';
import { type SampleSet, addSample, deleteSample, readSamples } from '../engine/data/samples';

const FILE_KEY = 'digitRecognizer.samplesFile';
export const DEFAULT_SAMPLES_FILE = path.join('.digit-recognizer', 'my-digits.csv');

export class SampleStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watcher: vscode.Disposable | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.watch();
  }

  /** The samples CSV of this workspace (it need not exist yet). */
  get file(): string {
    const picked = this.context.workspaceState.get<string>(FILE_KEY);
    if (picked) return picked;
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return folder ? path.join(folder.uri.fsPath, DEFAULT_SAMPLES_FILE) : path.join(this.context.globalStorageUri.fsPath, 'my-digits.csv');
  }

  /** Uses `file` for this workspace from now on (undefined: back to the default). */
  async setFile(file: string | undefined): Promise<void> {
    await this.context.workspaceState.update(FILE_KEY, file);
    this.watch();
    this.changed.fire();
  }

  read(): Promise<SampleSet> {
    return readSamples(this.file);
  }

  /** Appends a labelled drawing; returns the number of samples. Refuses (InputError) a malformed file. */
  async add(pixels: ArrayLike<number>, label: number): Promise<number> {
    const count = await addSample(this.file, pixels, label);
    this.changed.fire();
    return count;
  }

  async delete(row: number, key: string): Promise<number> {
    const count = await deleteSample(this.file, row, key);
    this.changed.fire();
    return count;
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changed.dispose();
  }

  /** Follows edits made outside the pad (the user editing, replacing or deleting the CSV). */
  private watch(): void {
    this.watcher?.dispose();
    const file = this.file;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    const fire = () => this.changed.fire();
    this.watcher = vscode.Disposable.from(watcher, watcher.onDidChange(fire), watcher.onDidCreate(fire), watcher.onDidDelete(fire));
  }
}
