// What the three insight panels (Training Dashboard, Evaluation Report, Dataset Explorer) share:
// one panel per kind, revealed rather than duplicated; strict CSP HTML; narrow resource roots;
// every message validated both ways (src/shared/*Messages.ts), one handler per message type.
import * as vscode from 'vscode';
import type { Parsed } from '../shared/check';
import { makeNonce, webviewHtml } from '../webview/common/html';

export interface PanelKind<In extends { type: string }, Out extends { type: string }> {
  viewType: string;
  title: string;
  /** Bundle name: dist/webview/<script>.js */
  script: string;
  checkIn(x: unknown): Parsed<In>;
  checkOut(x: unknown): Parsed<Out>;
}

export type Handlers<In extends { type: string }> = { [K in In['type']]: (message: Extract<In, { type: K }>) => void | Promise<void> };

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function createPanel(kind: PanelKind<{ type: string }, { type: string }>, extensionUri: vscode.Uri, preserveFocus = false): vscode.WebviewPanel {
  const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  return vscode.window.createWebviewPanel(kind.viewType, kind.title, { viewColumn: column, preserveFocus }, webviewOptions(extensionUri));
}

export abstract class InsightPanel<In extends { type: string }, Out extends { type: string }> {
  private readonly disposables: vscode.Disposable[] = [];
  protected disposed = false;
  protected abstract readonly handlers: Handlers<In>;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly kind: PanelKind<In, Out>,
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: (line: string) => void,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.disposables);
  }

  protected track(d: vscode.Disposable): void {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  protected onDispose(): void {}

  private receive(raw: unknown): void {
    const checked = this.kind.checkIn(raw);
    if (!checked.ok) {
      this.log(`${this.kind.title}: dropped a bad message from the webview (${checked.reason})`);
      return;
    }
    const message = checked.value;
    const fail = (err: unknown) => this.log(`${this.kind.title}: ${message.type} failed: ${err instanceof Error ? err.message : String(err)}`);
    try {
      const result = (this.handlers[message.type as In['type']] as (m: In) => void | Promise<void>)(message);
      if (result) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  /** Posts a message, checked with the validator the webview uses so a bug shows in the log. */
  protected post(message: Out): void {
    if (this.disposed) return;
    const checked = this.kind.checkOut(message);
    if (!checked.ok) {
      this.log(`${this.kind.title}: not sending an invalid ${message.type} message (${checked.reason})`);
      return;
    }
    this.panel.webview.postMessage(message).then(undefined, (err: unknown) => this.log(`${this.kind.title}: could not post ${message.type}: ${String(err)}`));
  }

  private html(): string {
    const webview = this.panel.webview;
    return webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: this.kind.title,
      appClass: 'insights',
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', `${this.kind.script}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'insights.css')).toString(),
    });
  }
}
