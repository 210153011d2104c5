// The Digit Pad: a webview panel where the user draws a digit and sees what the active model
// reads. One panel at most (revealed, not duplicated); its strokes live in the webview state, so
// it needs no retainContextWhenHidden and comes back after a window reload through the serializer.
//
// Every message from the webview is validated (src/shared/padMessages.ts); a bad one is dropped
// and logged, never acted upon. One handler per message type.

import * as vscode from 'vscode';
import type { Prediction } from '../engine/types';
import {
  checkExtensionMessage,
  checkWebviewMessage,
  type CommandMessage,
  type ExtensionMessage,
  type PadCommand,
  type PadModelInfo,
  type PredictMessage,
  type WebviewMessage,
} from '../shared/padMessages';
import { makeNonce, webviewHtml } from '../webview/common/html';

/** What the pad needs from the rest of the extension. */
export interface PadHost {
  /** Classifies one 28×28 image (784 bytes, white ink on black) with the active model. */
  predict(pixels: Uint8Array): Promise<Prediction>;
  /** The active model, or undefined when there is none yet. */
  activeModel(): PadModelInfo | undefined;
  /** Fires when the active model changes (trained, loaded, selected, deleted). */
  onDidChangeActiveModel: vscode.Event<void>;
  /** Writes a line to the extension's log (output channel). */
  log(message: string): void;
}

const COMMANDS: Record<PadCommand, string> = {
  train: 'digitRecognizer.trainModel',
  loadModel: 'digitRecognizer.loadModelFile',
};

type Handlers = { [K in WebviewMessage['type']]: (message: Extract<WebviewMessage, { type: K }>) => void | Promise<void> };

export class DigitPadPanel {
  static readonly viewType = 'digitRecognizer.digitPad';
  static readonly title = 'Digit Pad';

  private static current: DigitPadPanel | undefined;

  /** The open pad, if any. */
  static get currentPanel(): DigitPadPanel | undefined {
    return DigitPadPanel.current;
  }

  /** Reveals the pad if it is open, otherwise opens it beside the active editor. */
  static show(context: vscode.ExtensionContext, host: PadHost): DigitPadPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (DigitPadPanel.current) {
      DigitPadPanel.current.panel.reveal(column);
      return DigitPadPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DigitPadPanel.viewType, DigitPadPanel.title, column, DigitPadPanel.webviewOptions(context.extensionUri));
    DigitPadPanel.current = new DigitPadPanel(panel, context.extensionUri, host);
    return DigitPadPanel.current;
  }

  /** Brings the pad back after a window reload. Call once from activate(). */
  static registerSerializer(context: vscode.ExtensionContext, host: PadHost): vscode.Disposable {
    const disposable = vscode.window.registerWebviewPanelSerializer(DigitPadPanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown) {
        // The strokes are in the webview's own state (getState); nothing to read here.
        if (DigitPadPanel.current) {
          // Should not happen (one pad), but never leave two pads fighting over `current`.
          panel.dispose();
          return;
        }
        panel.webview.options = DigitPadPanel.webviewOptions(context.extensionUri);
        DigitPadPanel.current = new DigitPadPanel(panel, context.extensionUri, host);
      },
    });
    context.subscriptions.push(disposable);
    return disposable;
  }

  /** Scripts on; only the built webview bundle and the media folder are loadable. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Latest-wins queue: while a prediction runs, only the newest waiting request is kept. */
  private predicting = false;
  private pendingPredict: PredictMessage | undefined;

  private readonly handlers: Handlers = {
    ready: () => this.postModel(),
    predict: (m) => this.onPredict(m),
    command: (m) => this.onCommand(m),
    exportRow: async (m) => {
      await vscode.commands.executeCommand('digitRecognizer.exportDrawingRow', m.pixels, m.label === undefined ? {} : { label: m.label });
    },
  };

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly host: PadHost,
  ) {
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), null, this.disposables);
    host.onDidChangeActiveModel(() => this.postModel(), null, this.disposables);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DigitPadPanel.current === this) DigitPadPanel.current = undefined;
    this.pendingPredict = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private receive(raw: unknown): void {
    const checked = checkWebviewMessage(raw);
    if (!checked.ok) {
      this.host.log(`Digit Pad: dropped a bad message from the webview (${checked.reason})`);
      return;
    }
    const message = checked.value;
    try {
      const result = (this.handlers[message.type] as (m: WebviewMessage) => void | Promise<void>)(message);
      if (result) result.catch((err: unknown) => this.host.log(`Digit Pad: ${message.type} failed: ${errorText(err)}`));
    } catch (err) {
      this.host.log(`Digit Pad: ${message.type} failed: ${errorText(err)}`);
    }
  }

  private async onPredict(message: PredictMessage): Promise<void> {
    this.pendingPredict = message;
    if (this.predicting) return;
    this.predicting = true;
    try {
      while (this.pendingPredict && !this.disposed) {
        const { requestId, pixels } = this.pendingPredict;
        this.pendingPredict = undefined;
        if (!this.host.activeModel()) {
          this.post({ type: 'error', requestId, message: 'No model is active. Train a model or load a model file first.' });
          this.postModel();
          continue;
        }
        try {
          const { label, probabilities } = await this.host.predict(Uint8Array.from(pixels));
          const answer = checkExtensionMessage({ type: 'prediction', requestId, label, probabilities: Array.from(probabilities) });
          if (answer.ok) {
            this.post(answer.value);
          } else {
            this.host.log(`Digit Pad: the model returned an invalid prediction (${answer.reason})`);
            this.post({ type: 'error', requestId, message: 'The model returned an invalid prediction (see the log).' });
          }
        } catch (err) {
          this.host.log(`Digit Pad: prediction failed: ${errorText(err)}`);
          this.post({ type: 'error', requestId, message: `Prediction failed: ${errorText(err)}` });
        }
      }
    } finally {
      this.predicting = false;
    }
  }

  private async onCommand(message: CommandMessage): Promise<void> {
    await vscode.commands.executeCommand(COMMANDS[message.command]);
  }

  private postModel(): void {
    const model = this.host.activeModel();
    if (!model) {
      this.post({ type: 'model', model: null });
      return;
    }
    const name = model.name.slice(0, 200) || 'Unnamed model';
    const full = checkExtensionMessage({ type: 'model', model: { name, valAccuracy: model.valAccuracy } });
    // An accuracy the webview would reject (NaN, a percentage) is left out rather than losing the model.
    this.post(full.ok ? full.value : { type: 'model', model: { name } });
  }

  /**
   * Posts to the webview. Everything sent is checked against the same validators the webview
   * uses, so a bug here shows up in the log instead of as a silently dropped message. A hidden
   * (unloaded) webview drops messages and resyncs with `ready` when it comes back.
   */
  private post(message: ExtensionMessage): void {
    if (this.disposed) return;
    const checked = checkExtensionMessage(message);
    if (!checked.ok) {
      this.host.log(`Digit Pad: not sending an invalid ${message.type} message (${checked.reason})`);
      return;
    }
    this.panel.webview.postMessage(message).then(undefined, (err: unknown) => this.host.log(`Digit Pad: could not post ${message.type}: ${errorText(err)}`));
  }

  private html(): string {
    const webview = this.panel.webview;
    return webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: DigitPadPanel.title,
      appClass: 'pad-app',
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'pad.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'pad.css')).toString(),
    });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
