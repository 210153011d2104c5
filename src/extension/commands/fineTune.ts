// Fine-Tune on My Drawings: trains a copy of the active model for a short run on the workspace's
// labelled drawings mixed with replayed rows of the training CSV (src/engine/training/fineTune.ts), in a
// fresh engine worker with a cancellable progress notification, saves it as "<base> + my digits",
// makes it active and reports before → after on the held-out drawings and training rows. The
// pad follows the run through `fineTuneStatus` and can cancel it.
import { splitOf } from '../../engine/model/metadata';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { findCsvByName, pickCsv, rememberCsv } from '../csvPicker';
import { DEFAULT_FINE_TUNE_SETTINGS, MIN_FINE_TUNE_SAMPLES as MIN_SAMPLES, type Accuracies } from '../../shared/training';
import type { FineTuneJob } from '../../engine/jobs/fineTuneJob';
import { readSamples } from '../../engine/data/samples';
import type { FineTuneStatusMessage } from '../../shared/padMessages';

/** Options for programmatic callers (tests, tasks): then nothing is asked. */
export interface FineTuneCommandOptions {
  /** The labelled drawings (train-format CSV); default: the workspace's samples file. */
  samples?: vscode.Uri;
  /** Passes over the drawings (default 10). */
  epochs?: number;
  /** The training CSV to replay and hold rows out of; default: the base model's training file, when found. */
  replay?: vscode.Uri;
  /** The base model; default: the active one. */
  modelId?: string;
  name?: string;
}

export type FineTuneCommandResult = CommandResult<{
  modelId: string;
  before: Accuracies;
  after: Accuracies;
  /** Drawings trained on and held out; training-CSV rows held out. */
  trainedSamples: number;
  heldOutSamples: number;
  heldOutRows: number;
  /** Share of the run's change to the weights the new model keeps (0.25–1). */
  changeKept: number;
  seconds: number;
}>;

type Status = Omit<FineTuneStatusMessage, 'type'>;
const statusEmitter = new vscode.EventEmitter<Status>();
/** The run's progress and outcome, for the pad. */
export const onDidChangeFineTuneStatus = statusEmitter.event;

let running: AbortController | undefined;

/** Cancels the run in progress, if any (the pad's Cancel button). */
export function cancelFineTune(): void {
  running?.abort();
}

export function isFineTuning(): boolean {
  return !!running;
}

export async function fineTuneModel(services: Services, options: FineTuneCommandOptions | undefined): Promise<FineTuneCommandResult> {
  if (running) {
    void vscode.window.showWarningMessage('Fine-tuning is already running. Wait for it to finish or cancel it first.');
    return { ok: false, error: 'Fine-tuning is already running.' };
  }
  const controller = new AbortController();
  running = controller;
  try {
    return await run(services, options, controller);
  } finally {
    running = undefined;
  }
}

async function run(services: Services, options: FineTuneCommandOptions | undefined, controller: AbortController): Promise<FineTuneCommandResult> {
  const interactive = !options;
  const status = (s: Status) => statusEmitter.fire(s);
  const failed = (error: unknown): FineTuneCommandResult => {
    const r = fail(services, error, 'Fine-Tune');
    if (!r.ok) status({ state: r.cancelled ? 'cancelled' : 'failed', message: r.cancelled ? 'Fine-tuning cancelled: nothing was saved.' : r.error });
    return r;
  };
  const base = options?.modelId ? services.active.store.get(options.modelId) : services.active.get();
  if (!base) {
    const error = options?.modelId ? `No saved model "${options.modelId}".` : 'No model to fine-tune: train a model or load a model file first.';
    if (interactive) void vscode.window.showErrorMessage(error, 'Train Model').then((c) => c && vscode.commands.executeCommand('digitRecognizer.trainModel'));
    status({ state: 'failed', message: error });
    return { ok: false, error };
  }
  const samplesFile = options?.samples?.fsPath ?? services.samples.file;
  // Checked here too, so a person hears about an empty or broken file before picking a CSV.
  try {
    const samples = await readSamples(samplesFile);
    if (samples.count < MIN_SAMPLES) {
      const error = `${path.basename(samplesFile)} holds ${samples.count} labelled drawing${samples.count === 1 ? '' : 's'}; fine-tuning needs at least ${MIN_SAMPLES}. Draw digits on the Digit Pad and click their labels to add some.`;
      if (interactive) void vscode.window.showWarningMessage(error, 'Open Digit Pad').then((c) => c && vscode.commands.executeCommand('digitRecognizer.openDigitPad'));
      status({ state: 'failed', message: error });
      return { ok: false, error };
    }
  } catch (err) {
    return failed(err);
  }

  const m = base.metadata;
  const trainingName = m.trainingFile?.name;
  let replay = options?.replay;
  if (!replay) {
    replay = await findCsvByName(services.context.globalState, trainingName ?? 'train.csv');
    if (!replay && interactive) replay = await pickCsv(services.context.globalState, 'train', 'Fine-Tune: pick the training CSV to replay (Kaggle\'s train.csv), so the model does not forget it');
  }
  if (!replay) {
    const error = `Fine-tuning needs the training CSV to replay (${trainingName ?? 'train.csv'}): ${interactive ? 'none was chosen' : 'pass { replay: uri }'}.`;
    status({ state: interactive ? 'cancelled' : 'failed', message: error });
    return { ok: false, error, cancelled: interactive };
  }
  await rememberCsv(services.context.globalState, replay);
  const split = trainingName && path.basename(replay.fsPath) === trainingName ? splitOf(m) : undefined;
  const created = new Date();
  const location = services.active.store.newLocation(`${m.architecture.replace(/[^\w.-]+/g, '-').toLowerCase() || 'model'}-tuned`, created);
  const name = options?.name ?? `${m.name} + my digits`;
  const job: FineTuneJob = {
    modelDir: base.dir,
    samplesFile,
    replayFile: replay.fsPath,
    split,
    outDir: location.dir,
    name,
    settings: { ...DEFAULT_FINE_TUNE_SETTINGS, ...(options?.epochs !== undefined ? { epochs: options.epochs } : {}) },
  };
  services.log(`Fine-tuning "${m.name}" on ${samplesFile}, replaying ${replay.fsPath}${split ? ' (its validation split held out)' : ''}`);
  status({ state: 'running', message: `Fine-tuning "${m.name}"…`, fraction: 0 });
  const engine = services.newTrainingEngine();
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Fine-tuning ${m.name}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return engine.request(
          { type: 'fineTune', job },
          {
            signal: controller.signal,
            onEvent: (e) => {
              if (e.kind === 'reading') {
                const message = `Reading ${path.basename(e.file)}: ${e.rows.toLocaleString()} rows`;
                progress.report({ message });
                status({ state: 'running', message, fraction: 0 });
              } else if (e.kind === 'fineTune') {
                const p = e.progress;
                const done = (p.step / p.steps) * 100;
                const message = `Pass ${p.epoch}/${p.epochs} · step ${p.step}/${p.steps} · loss ${p.loss.toFixed(3)}`;
                progress.report({ increment: done - reported, message });
                reported = done;
                status({ state: 'running', message, fraction: p.step / p.steps });
              } else if (e.kind === 'saving') {
                progress.report({ message: 'Saving the model…' });
              }
            },
          },
        );
      },
    );
    await services.active.set(location.id);
    const r = outcome.result;
    const summary = describeOutcome(r.before, r.after, r.heldOutSamples, r.heldOutRows, path.basename(replay.fsPath));
    services.log(`Fine-tuned "${name}" in ${r.seconds.toFixed(1)} s, keeping ${r.changeKept * 100}% of the run's change: ${summary}${outcome.note ? ` (${outcome.note})` : ''}. Saved to ${outcome.dir}`);
    status({ state: 'done', message: `"${name}" is active. ${summary}` });
    void vscode.window.showInformationMessage(`Fine-tuned "${name}": ${summary}`, 'Switch Back', 'Evaluate').then((choice) => {
      if (choice === 'Switch Back') void services.active.set(base.id);
      if (choice === 'Evaluate') void vscode.commands.executeCommand('digitRecognizer.evaluateModel', location.id);
    });
    return { ok: true, modelId: location.id, before: r.before, after: r.after, trainedSamples: r.trainedSamples, heldOutSamples: r.heldOutSamples, heldOutRows: r.heldOutRows, changeKept: r.changeKept, seconds: r.seconds };
  } catch (err) {
    return failed(err);
  } finally {
    await engine.dispose();
  }
}

/** "held-out drawings 6/10 → 10/10 · held-out train.csv rows 96.57% → 96.71% (700)". */
export function describeOutcome(before: Accuracies, after: Accuracies, heldOutSamples: number, heldOutRows: number, replayName: string): string {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const count = (v: number) => `${Math.round(v * heldOutSamples)}/${heldOutSamples}`;
  const mine = before.samples !== undefined && after.samples !== undefined ? `held-out drawings ${count(before.samples)} → ${count(after.samples)} · ` : '';
  return `${mine}held-out ${replayName} rows ${pct(before.heldOut)} → ${pct(after.heldOut)} (${heldOutRows.toLocaleString('en-US')})`;
}
