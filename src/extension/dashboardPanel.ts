// The Training Dashboard: live curves of the run in progress (TrainingSession) or the saved curves
// of any model (metadata.json: per-epoch history and the compact per-batch history). One panel;
// it follows the newest run. After hide/show or a window reload the webview asks again (`ready`)
// and gets the whole run; the serializer reopens it on the model it showed.
import * as vscode from 'vscode';
import type { StoredModel } from '../engine/model/modelStore';
import { emptyBatchHistory } from '../shared/series';
import {
  checkDashboardFromWebview,
  checkDashboardToWebview,
  checkEpoch,
  type DashboardFromWebview,
  type DashboardToWebview,
  type RunSnapshot,
} from '../shared/dashboardMessages';
import { validTrainSettingsIn } from '../shared/training';
import { type Handlers, Panel, PanelKind } from './panel';
import { TrainingSession } from './trainingSession';

export interface DashboardHost {
  extensionUri: vscode.Uri;
  model(id: string): StoredModel | undefined;
  log(line: string): void;
}

const KIND = new PanelKind<DashboardFromWebview, DashboardToWebview, DashboardPanel>({
  viewType: 'digitRecognizer.trainingDashboard',
  title: 'Training Dashboard',
  script: 'dashboard',
  style: 'insights',
  appClass: 'insights',
  checkIn: checkDashboardFromWebview,
  checkOut: checkDashboardToWebview,
});

/** What the dashboard shows: the live session, or a saved model. */
type Source = { kind: 'live'; session: TrainingSession } | { kind: 'model'; id: string } | { kind: 'none' };

export class DashboardPanel extends Panel<DashboardFromWebview, DashboardToWebview> {
  /** Shows the run in progress (or a saved model's curves when `modelId` is given). */
  static show(host: DashboardHost, modelId?: string, preserveFocus = false): DashboardPanel {
    const source: Source = modelId ? { kind: 'model', id: modelId } : TrainingSession.current ? { kind: 'live', session: TrainingSession.current } : { kind: 'none' };
    KIND.current?.setSource(source);
    return KIND.show(host.extensionUri, (panel) => new DashboardPanel(panel, host, source), { preserveFocus });
  }

  static registerSerializer(host: DashboardHost): vscode.Disposable {
    return KIND.registerSerializer((panel, state) => {
      const modelId = typeof state === 'object' && state && typeof (state as { modelId?: unknown }).modelId === 'string' ? (state as { modelId: string }).modelId : undefined;
      const session = TrainingSession.current;
      // A run cannot survive a reload (its worker belonged to the old extension host): show the
      // saved model if there is one, else what the webview kept (marked interrupted).
      const source: Source = modelId && host.model(modelId) ? { kind: 'model', id: modelId } : session?.running ? { kind: 'live', session } : { kind: 'none' };
      return new DashboardPanel(panel, host, source);
    });
  }

  private sessionListener: vscode.Disposable | undefined;
  protected readonly handlers: Handlers<DashboardFromWebview> = {
    ready: () => this.sendAll(),
    stop: () => (this.source.kind === 'live' ? this.source.session.stop() : undefined),
    command: (m) => {
      const modelId = this.source.kind === 'model' ? this.source.id : this.source.kind === 'live' ? this.source.session.snapshot().modelId : undefined;
      if (m.command === 'evaluate') void vscode.commands.executeCommand('digitRecognizer.evaluateModel', modelId);
      if (m.command === 'pickModel') void vscode.commands.executeCommand('digitRecognizer.showTrainingDashboard', undefined, { pick: true });
      if (m.command === 'openPad') void vscode.commands.executeCommand('digitRecognizer.openDigitPad');
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly host: DashboardHost,
    private source: Source,
  ) {
    super(panel, KIND, host.extensionUri, host.log);
    this.listen();
    this.track(TrainingSession.onDidStart((session) => this.setSource({ kind: 'live', session })));
  }

  private setSource(source: Source): void {
    this.source = source;
    this.listen();
    this.sendAll();
  }

  private listen(): void {
    this.sessionListener?.dispose();
    this.sessionListener = this.source.kind === 'live' ? this.source.session.onDidUpdate((m) => this.post(m)) : undefined;
    this.panel.title = this.source.kind === 'model' ? `Training: ${this.host.model(this.source.id)?.metadata.name ?? this.source.id}` : KIND.spec.title;
  }

  protected override onDispose(): void {
    this.sessionListener?.dispose();
  }

  /** The whole run (the webview may be new: first load, shown again, or reloaded). */
  private sendAll(): void {
    if (this.source.kind === 'live') return this.post({ type: 'run', run: this.source.session.snapshot() });
    if (this.source.kind === 'model') {
      const model = this.host.model(this.source.id);
      if (model) return this.post({ type: 'run', run: snapshotOfModel(model) });
    }
    // Nothing to show: the webview keeps what it had (its own state) or says how to start.
  }
}

/** A saved model's run, from its metadata.json. */
export function snapshotOfModel(model: StoredModel): RunSnapshot {
  const m = model.metadata;
  const epochs = (m.history ?? []).flatMap((e) => {
    try {
      return [checkEpoch(e)];
    } catch {
      return [];
    }
  });
  return {
    name: m.name,
    modelId: model.id,
    status: 'saved',
    message: epochs.length ? undefined : m.source ? `Imported from ${m.source}: no training history.` : 'This model has no training history.',
    file: m.trainingFile?.name ?? m.source ?? '',
    rows: m.trainingFile?.rows,
    backend: m.backend,
    // What it recorded and is still a valid setting (an imported model records none).
    settings: { ...validTrainSettingsIn(m), arch: m.architecture },
    started: m.created,
    trainingSeconds: m.trainingSeconds,
    history: m.batchHistory ?? emptyBatchHistory(),
    epochs,
  };
}
