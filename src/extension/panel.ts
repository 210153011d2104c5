// The one base of the four webview panels (Digit Pad, Training Dashboard, Evaluation Report,
// Dataset Explorer), after vscode-extension-samples' webview-sample: one panel per kind, revealed
// rather than duplicated, brought back after a window reload by its serializer (each webview
// keeps what it shows in its own state, so none needs retainContextWhenHidden); a strict CSP with
// a fresh nonce per page; our script and stylesheet through asWebviewUri from the only two
// folders a webview may load from; every message validated both ways (src/shared/*Messages.ts),
// one handler per message type.
import * as vscode from 'vscode';
import type { Parsed } from '../shared/check';
import { makeNonce, webviewHtml } from '../webview/common/html';

export interface PanelSpec<In extends { type: string }, Out extends { type: string }> {
  viewType: string;
  title: string;
  /** The webview's bundle: dist/webview/<script>.js */
  script: string;
  /** Its stylesheet, media/<style>.css, and the class of the #app element its script fills. */
  style: string;
  appClass: string;
  checkIn(x: unknown): Parsed<In>;
  checkOut(x: unknown): Parsed<Out>;
}

export type Handlers<In extends { type: string }> = { [K in In['type']]: (message: Extract<In, { type: K }>) => void | Promise<void> };

/** Scripts on; only the built webview bundles and the media folder are loadable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** A kind of panel and the one panel of it that is open, if any. */
export class PanelKind<In extends { type: string }, Out extends { type: string }, P extends Panel<In, Out>> {
  private open: P | undefined;

  constructor(readonly spec: PanelSpec<In, Out>) {}

  /** The open panel, if any. */
  get current(): P | undefined {
    return this.open;
  }

  /**
   * Reveals the open panel (where it is, or beside the active editor with `moveBeside`) or
   * opens one beside the active editor, built by `create`.
   */
  show(extensionUri: vscode.Uri, create: (panel: vscode.WebviewPanel) => P, options: { preserveFocus?: boolean; moveBeside?: boolean } = {}): P {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (this.open) {
      this.open.panel.reveal(options.moveBeside ? column : undefined, options.preserveFocus);
      return this.open;
    }
    const panel = vscode.window.createWebviewPanel(this.spec.viewType, this.spec.title, { viewColumn: column, preserveFocus: options.preserveFocus ?? false }, webviewOptions(extensionUri));
    return (this.open = create(panel));
  }

  /**
   * Brings the panel back after a window reload: `restore` builds it around the restored webview,
   * given the state that webview saved. Register once, on activation.
   */
  registerSerializer(restore: (panel: vscode.WebviewPanel, state: unknown) => P): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(this.spec.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        // Should not happen (one per kind), but never leave two panels fighting over `current`.
        if (this.open) return panel.dispose();
        this.open = restore(panel, state);
      },
    });
  }

  /** Called by Panel.dispose. */
  closed(panel: Panel<In, Out>): void {
    if (this.open === panel) this.open = undefined;
  }
}

export abstract class Panel<In extends { type: string }, Out extends { type: string }> {
  private readonly disposables: vscode.Disposable[] = [];
  protected disposed = false;
  protected abstract readonly handlers: Handlers<In>;
  private readonly spec: PanelSpec<In, Out>;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly kind: PanelKind<In, Out, Panel<In, Out>>,
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: (line: string) => void,
  ) {
    this.spec = kind.spec;
    // A restored panel comes back with the options it was saved with: set ours again.
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.disposables);
  }

  /** Disposes `d` with the panel (at once if the panel is gone). */
  protected track(d: vscode.Disposable): void {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.kind.closed(this);
    this.onDispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  protected onDispose(): void {}

  private receive(raw: unknown): void {
    const checked = this.spec.checkIn(raw);
    if (!checked.ok) {
      this.log(`${this.spec.title}: dropped a bad message from the webview (${checked.reason})`);
      return;
    }
    const message = checked.value;
    const fail = (err: unknown) => this.log(`${this.spec.title}: ${message.type} failed: ${err instanceof Error ? err.message : String(err)}`);
    try {
      const result = (this.handlers[message.type as In['type']] as (m: In) => void | Promise<void>)(message);
      if (result) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  /**
   * Posts a message, checked with the validator the webview uses so a bug shows in the log
   * rather than as a silently dropped message. A hidden (unloaded) webview drops messages and
   * resyncs with `ready` when it comes back.
   */
  protected post(message: Out): void {
    if (this.disposed) return;
    const checked = this.spec.checkOut(message);
    if (!checked.ok) {
      this.log(`${this.spec.title}: not sending an invalid ${message.type} message (${checked.reason})`);
      return;
    }
    this.panel.webview.postMessage(message).then(undefined, (err: unknown) => this.log(`${this.spec.title}: could not post ${message.type}: ${err instanceof Error ? err.message : String(err)}`));
  }

  private html(): string {
    const webview = this.panel.webview;
    return webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: this.spec.title,
      appClass: this.spec.appClass,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', `${this.spec.script}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', `${this.spec.style}.css`)).toString(),
    });
  }
}
