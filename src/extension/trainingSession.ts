// The training run in progress, as the dashboard sees it: Train Model creates one per run, feeds
// it the worker's events and ends it; the dashboard subscribes to its updates and can stop it
// (the same AbortController as the notification's Cancel button).
import * as vscode from 'vscode';
import type { JobEvent } from '../engine/jobs/context';
import type { TrainSettings } from '../shared/training';
import type { ModelMetadata } from '../engine/model/metadata';
import { BatchHistoryRecorder, emptyBatchHistory } from '../shared/series';
import type { BatchPoint, DashboardToWebview, RunSnapshot, RunStatus } from '../shared/dashboardMessages';

export interface SessionStart {
  name: string;
  file: string;
  settings: TrainSettings;
  /** Stops the run as the notification's Cancel does. */
  stop: () => void;
}

export class TrainingSession implements vscode.Disposable {
  private static active: TrainingSession | undefined;
  private static readonly started = new vscode.EventEmitter<TrainingSession>();
  /** Fires when a training run starts. */
  static readonly onDidStart = TrainingSession.started.event;

  /** The run in progress (or the last one, until the next starts). */
  static get current(): TrainingSession | undefined {
    return TrainingSession.active;
  }

  static start(options: SessionStart): TrainingSession {
    TrainingSession.active?.dispose();
    const session = new TrainingSession(options);
    TrainingSession.active = session;
    TrainingSession.started.fire(session);
    return session;
  }

  private readonly updates = new vscode.EventEmitter<DashboardToWebview>();
  /** Incremental updates, already in the dashboard's message form. */
  readonly onDidUpdate = this.updates.event;
  private recorder: BatchHistoryRecorder | undefined;
  private readonly run: RunSnapshot;

  private constructor(private readonly options: SessionStart) {
    this.run = {
      name: options.name,
      status: 'starting',
      file: options.file,
      settings: { ...options.settings },
      started: new Date().toISOString(),
      history: emptyBatchHistory(),
      epochs: [],
    };
  }

  get running(): boolean {
    return !['done', 'saved', 'cancelled', 'failed', 'interrupted'].includes(this.run.status);
  }

  /** Everything so far, for a dashboard that opens (or reloads) mid-run. */
  snapshot(): RunSnapshot {
    return { ...this.run, history: this.recorder?.toJSON() ?? this.run.history, epochs: this.run.epochs.slice() };
  }

  /** Same as the notification's Cancel. */
  stop(): void {
    this.options.stop();
  }

  onEvent(event: JobEvent): void {
    switch (event.kind) {
      case 'backend':
        this.run.backend = event.name;
        this.status('starting');
        break;
      case 'reading':
        if (this.run.status !== 'reading') this.status('reading', `Reading ${event.rows.toLocaleString()} rows`);
        break;
      case 'read':
        this.run.rows = event.rows;
        this.status('running');
        break;
      case 'stage':
        // A run that learns from unlabelled rows trains twice: the curves show the model being trained.
        if (event.stage > 1 && this.run.epochs.length > 0) {
          this.recorder = undefined;
          this.run.history = emptyBatchHistory();
          this.run.epochs = [];
          this.run.last = undefined;
          this.run.status = 'starting';
          this.run.message = `Stage ${event.stage}/${event.stages}: ${event.text}`;
          this.updates.fire({ type: 'run', run: this.snapshot() });
        } else {
          this.status(this.run.status, `Stage ${event.stage}/${event.stages}: ${event.text}`);
        }
        break;
      case 'batch': {
        const p = event.progress;
        if (this.run.status === 'starting') this.run.status = 'running';
        this.recorder ??= new BatchHistoryRecorder(p.batches);
        this.recorder.add(p.batchLoss, p.batchAccuracy);
        const point: BatchPoint = {
          epoch: p.epoch,
          epochs: p.epochs,
          batch: p.batch,
          batches: p.batches,
          batchLoss: p.batchLoss,
          batchAccuracy: p.batchAccuracy,
          imagesPerSecond: p.imagesPerSecond,
          etaSeconds: Number.isFinite(p.etaSeconds) ? Math.max(0, p.etaSeconds) : -1,
          learningRate: p.learningRate,
        };
        this.run.last = point;
        this.updates.fire({ type: 'batch', point });
        break;
      }
      case 'epoch': {
        const { epoch, loss, accuracy, valLoss, valAccuracy, learningRate, seconds } = event.stats;
        const stats = { epoch, loss, accuracy, valLoss, valAccuracy, learningRate, seconds };
        this.run.epochs.push(stats);
        this.updates.fire({ type: 'epoch', stats });
        break;
      }
      case 'saving':
        this.status('saving', 'Saving the model…');
        break;
      default:
        break;
    }
  }

  complete(modelId: string, metadata: ModelMetadata): void {
    this.run.modelId = modelId;
    this.run.trainingSeconds = metadata.trainingSeconds;
    this.status('done', undefined, { modelId, trainingSeconds: metadata.trainingSeconds });
  }

  fail(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    if (e.name === 'CancelledError') this.status('cancelled', 'Stopped: nothing was saved.');
    else this.status('failed', e.message.split('\n')[0]);
  }

  private status(status: RunStatus, message?: string, extra: { modelId?: string; trainingSeconds?: number } = {}): void {
    this.run.status = status;
    this.run.message = message;
    this.updates.fire({ type: 'status', status, message, backend: this.run.backend, rows: this.run.rows, ...extra });
  }

  dispose(): void {
    this.updates.dispose();
  }
}
