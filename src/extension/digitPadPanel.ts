// The Digit Pad: a webview panel where the user draws a digit and sees what the active model
// reads. A Panel (src/extension/panel.ts): one at most, revealed (beside the active editor), not
// duplicated; its strokes live in the webview state and come back after a window reload through
// the serializer. Messages: src/shared/padMessages.ts, validated both ways.
//
// Teaching: the user confirms or corrects what the model read (a digit button or key) and the
// drawing is kept as a labelled sample in the workspace's samples CSV (SampleStore); the pad
// lists them as thumbnails, deletes them, and starts Fine-Tune on My Drawings, whose progress it
// shows. A sample is only cleared from the pad once it is saved, so nothing is lost on an error.
// The kept drawings also count at once: the engine reads a drawing with their memory
// (engine/inference/handMemory.ts), and the pad says what it contributed.

import * as path from 'path';
import * as vscode from 'vscode';
import type { ExplainedPrediction } from '../engine/jobs/modelJobs';
import type { SampleSet } from '../engine/data/samples';
import {
  MAX_LISTED_SAMPLES,
  PAD_PIXELS,
  checkExtensionMessage,
  checkWebviewMessage,
  type CommandMessage,
  type ExtensionMessage,
  type FineTuneStatusMessage,
  type PadCommand,
  type PadModelInfo,
  type PredictMessage,
  type SamplesMessage,
  type WebviewMessage,
} from '../shared/padMessages';
import { type Handlers, Panel, PanelKind } from './panel';

/** The pad's view of the samples file (src/extension/sampleStore.ts). */
export interface PadSamples {
  readonly file: string;
  read(): Promise<SampleSet>;
  add(pixels: ArrayLike<number>, label: number): Promise<number>;
  delete(row: number, key: string): Promise<number>;
  onDidChange: vscode.Event<void>;
}

/** What the pad needs from the rest of the extension. */
export interface PadHost {
  /** Classifies one 28×28 image (784 bytes, white ink on black) with the active model and the memory of the kept drawings; `explain` adds its "see why" map. */
  predict(pixels: Uint8Array, explain: boolean): Promise<ExplainedPrediction>;
  /** The active model, or undefined when there is none yet. */
  activeModel(): PadModelInfo | undefined;
  /** Fires when the active model changes (trained, loaded, selected, deleted). */
  onDidChangeActiveModel: vscode.Event<void>;
  /** Writes a line to the extension's log (output channel). */
  log(message: string): void;
  samples: PadSamples;
  /** Fine-Tune on My Drawings: its progress and outcome, and a way to stop it. */
  onDidChangeFineTuneStatus: vscode.Event<Omit<FineTuneStatusMessage, 'type'>>;
  cancelFineTune(): void;
}

/** The pad's buttons that run one of the extension's commands. */
const COMMANDS: Record<Exclude<PadCommand, 'cancelFineTune' | 'openSamplesFile'>, string> = {
  train: 'digitRecognizer.trainModel',
  loadModel: 'digitRecognizer.loadModelFile',
  fineTune: 'digitRecognizer.fineTuneModel',
  pickSamplesFile: 'digitRecognizer.pickSamplesFile',
};

const KIND = new PanelKind<WebviewMessage, ExtensionMessage, DigitPadPanel>({
  viewType: 'digitRecognizer.digitPad',
  title: 'Digit Pad',
  script: 'pad',
  style: 'pad',
  appClass: 'pad-app',
  checkIn: checkWebviewMessage,
  checkOut: checkExtensionMessage,
});

export class DigitPadPanel extends Panel<WebviewMessage, ExtensionMessage> {
  /** Reveals the pad (moving it beside the active editor) if it is open, otherwise opens it there. */
  static show(context: vscode.ExtensionContext, host: PadHost): DigitPadPanel {
    return KIND.show(context.extensionUri, (panel) => new DigitPadPanel(panel, context.extensionUri, host), { moveBeside: true });
  }

  /** Brings the pad back after a window reload. Call once from activate(). */
  static registerSerializer(context: vscode.ExtensionContext, host: PadHost): vscode.Disposable {
    // The strokes are in the webview's own state (getState); nothing to read here.
    const disposable = KIND.registerSerializer((panel) => new DigitPadPanel(panel, context.extensionUri, host));
    context.subscriptions.push(disposable);
    return disposable;
  }

  /** Latest-wins queue: while a prediction runs, only the newest waiting request is kept. */
  private predicting = false;
  private pendingPredict: PredictMessage | undefined;
  /** The last fine-tune status, replayed to a webview that (re)loads. */
  private fineTuneStatus: Omit<FineTuneStatusMessage, 'type'> | undefined;

  protected readonly handlers: Handlers<WebviewMessage> = {
    ready: async () => {
      this.postModel();
      if (this.fineTuneStatus) this.post({ type: 'fineTune', ...this.fineTuneStatus });
      await this.postSamples();
    },
    predict: (m) => this.onPredict(m),
    command: (m) => this.onCommand(m),
    addSample: async (m) => {
      try {
        const count = await this.host.samples.add(m.pixels, m.label);
        this.post({ type: 'sampleSaved', label: m.label, count });
      } catch (err) {
        // The drawing stays on the pad; the message names the file and line at fault.
        this.log(`Digit Pad: could not save the sample: ${errorText(err)}`);
        this.post({ type: 'error', message: `Not saved: ${errorText(err)}` });
      }
    },
    deleteSample: async (m) => {
      try {
        await this.host.samples.delete(m.row, m.key);
      } catch (err) {
        this.log(`Digit Pad: could not delete the sample: ${errorText(err)}`);
        this.post({ type: 'error', message: `Not deleted: ${errorText(err)}` });
        await this.postSamples();
      }
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly host: PadHost,
  ) {
    super(panel, KIND, extensionUri, (line) => host.log(line));
    this.track(host.onDidChangeActiveModel(() => this.postModel()));
    this.track(host.samples.onDidChange(() => void this.postSamples()));
    this.track(
      host.onDidChangeFineTuneStatus((status) => {
        this.fineTuneStatus = status;
        this.post({ type: 'fineTune', ...status });
      }),
    );
  }

  protected override onDispose(): void {
    this.pendingPredict = undefined;
  }

  private async onPredict(message: PredictMessage): Promise<void> {
    this.pendingPredict = message;
    if (this.predicting) return;
    this.predicting = true;
    try {
      while (this.pendingPredict && !this.disposed) {
        const { requestId, pixels, explain } = this.pendingPredict;
        this.pendingPredict = undefined;
        if (!this.host.activeModel()) {
          this.post({ type: 'error', requestId, message: 'No model is active. Train a model or load a model file first.' });
          this.postModel();
          continue;
        }
        try {
          const { label, probabilities, why, memory } = await this.host.predict(Uint8Array.from(pixels), !!explain);
          const answer = checkExtensionMessage({
            type: 'prediction',
            requestId,
            label,
            probabilities: Array.from(probabilities),
            ...(why ? { why: { contrast: why.contrast, map: Array.from(why.map) } } : {}),
            ...(memory ? { memory } : {}),
          });
          if (answer.ok) {
            this.post(answer.value);
          } else {
            this.log(`Digit Pad: the model returned an invalid prediction (${answer.reason})`);
            this.post({ type: 'error', requestId, message: 'The model returned an invalid prediction (see the log).' });
          }
        } catch (err) {
          this.log(`Digit Pad: prediction failed: ${errorText(err)}`);
          this.post({ type: 'error', requestId, message: `Prediction failed: ${errorText(err)}` });
        }
      }
    } finally {
      this.predicting = false;
    }
  }

  private async onCommand(message: CommandMessage): Promise<void> {
    const command = message.command;
    if (command === 'cancelFineTune') return this.host.cancelFineTune();
    if (command === 'openSamplesFile') {
      const file = vscode.Uri.file(this.host.samples.file);
      try {
        await vscode.workspace.fs.stat(file);
      } catch {
        void vscode.window.showInformationMessage(`${path.basename(file.fsPath)} does not exist yet: it is created with the first drawing you label.`);
        return;
      }
      await vscode.window.showTextDocument(file, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      return;
    }
    await vscode.commands.executeCommand(COMMANDS[command]);
  }

  /** Sends the samples file's newest samples (thumbnails) or why it cannot be read. */
  private async postSamples(): Promise<void> {
    const file = this.host.samples.file;
    const name = path.basename(file);
    const shown = vscode.workspace.asRelativePath(file);
    let message: SamplesMessage;
    try {
      const set = await this.host.samples.read();
      const listed = Math.min(set.count, MAX_LISTED_SAMPLES);
      const items: SamplesMessage['items'] = [];
      const pixels = new Uint8Array(listed * PAD_PIXELS);
      for (let i = 0; i < listed; i++) {
        const row = set.count - 1 - i; // newest first
        items.push({ row, key: set.keys[row], label: set.labels[row] });
        pixels.set(set.pixels.subarray(row * PAD_PIXELS, (row + 1) * PAD_PIXELS), i * PAD_PIXELS);
      }
      message = { type: 'samples', name, path: shown, count: set.count, items, pixels: Buffer.from(pixels).toString('base64') };
    } catch (err) {
      message = { type: 'samples', name, path: shown, count: 0, items: [], pixels: '', error: errorText(err) };
    }
    this.post(message);
  }

  private postModel(): void {
    const model = this.host.activeModel();
    if (!model) {
      this.post({ type: 'model', model: null });
      return;
    }
    const name = model.name.slice(0, 200) || 'Unnamed model';
    const full = checkExtensionMessage({ type: 'model', model: { name, valAccuracy: model.valAccuracy, networks: model.networks } });
    // An accuracy the webview would reject (NaN, a percentage) is left out rather than losing the model.
    this.post(full.ok ? full.value : { type: 'model', model: { name } });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
