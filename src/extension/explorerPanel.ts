// The Dataset Explorer: a Kaggle CSV's rows, label distribution, sample and mean images per digit,
// pixel-intensity histogram and the first row the parser rejected. Statistics are computed in the
// engine worker and arrive compact (base64 bytes for images). One panel; the webview keeps the
// stats in its state for hide/show and window reloads.
import * as vscode from 'vscode';
import { checkExplorerFromWebview, checkExplorerToWebview, type ExplorerFromWebview, type ExplorerPayload, type ExplorerToWebview } from '../shared/explorerMessages';
import { type Handlers, Panel, PanelKind } from './panel';

export interface ExplorerHost {
  extensionUri: vscode.Uri;
  log(line: string): void;
}

const KIND = new PanelKind<ExplorerFromWebview, ExplorerToWebview, ExplorerPanel>({
  viewType: 'digitRecognizer.datasetExplorer',
  title: 'Dataset Explorer',
  script: 'explorer',
  style: 'insights',
  appClass: 'insights',
  checkIn: checkExplorerFromWebview,
  checkOut: checkExplorerToWebview,
});

export class ExplorerPanel extends Panel<ExplorerFromWebview, ExplorerToWebview> {
  static show(host: ExplorerHost): ExplorerPanel {
    return KIND.show(host.extensionUri, (panel) => new ExplorerPanel(panel, host));
  }

  static registerSerializer(host: ExplorerHost): vscode.Disposable {
    // The stats are in the webview's own state.
    return KIND.registerSerializer((panel) => new ExplorerPanel(panel, host));
  }

  private stats: ExplorerPayload | undefined;
  private lastProgress: ExplorerToWebview | undefined;

  protected readonly handlers: Handlers<ExplorerFromWebview> = {
    ready: () => {
      if (this.stats) this.post({ type: 'stats', stats: this.stats });
      else if (this.lastProgress) this.post(this.lastProgress);
    },
    openLine: async (m) => {
      const file = this.stats?.file;
      if (!file) return;
      const position = new vscode.Position(m.line - 1, 0);
      await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.Active });
    },
    command: (m) => {
      const file = this.stats?.file;
      if (m.command === 'train' && file) void vscode.commands.executeCommand('digitRecognizer.trainModel', vscode.Uri.file(file));
      if (m.command === 'pickFile') void vscode.commands.executeCommand('digitRecognizer.exploreDataset');
    },
  };

  private constructor(panel: vscode.WebviewPanel, host: ExplorerHost) {
    super(panel, KIND, host.extensionUri, host.log);
  }

  progress(file: string, rows: number, bytes: number, totalBytes: number): void {
    this.stats = undefined;
    this.lastProgress = { type: 'progress', file, rows, bytes, totalBytes };
    this.post(this.lastProgress);
  }

  showStats(stats: ExplorerPayload): void {
    this.stats = stats;
    this.lastProgress = undefined;
    this.panel.title = `Dataset: ${stats.name}`;
    this.post({ type: 'stats', stats });
  }

  showError(message: string): void {
    this.lastProgress = undefined;
    this.post({ type: 'error', message });
  }
}
