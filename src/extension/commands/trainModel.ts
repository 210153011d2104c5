import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { pickCsv, rememberCsv } from '../csvPicker';
import { describeSettings, trainSettingsFromConfig } from '../settings';
import { type TrainSettings } from '../../shared/training';
import { ARCHITECTURES, isArchitecture } from '../../shared/training';
import { defaultModelName } from '../../engine/model/naming';
import { formatSeconds } from '../../shared/format';
import type { JobEvent } from '../../engine/jobs/context';
import { TrainingSession } from '../trainingSession';
import { offerNativeInstall } from './nativeTensorFlow';

/** Options accepted when the command is run programmatically (tasks, keybindings, tests). */
export interface TrainCommandOptions extends Partial<TrainSettings> {
  name?: string;
  limit?: number;
}

let running = false;

export async function trainModel(services: Services, uri?: vscode.Uri, options?: TrainCommandOptions): Promise<CommandResult<{ modelId: string }>> {
  if (running) {
    void vscode.window.showWarningMessage('A model is already training. Wait for it to finish or cancel it first.');
    return { ok: false, error: 'A model is already training.' };
  }
  running = true;
  try {
    return await train(services, uri, options);
  } finally {
    running = false;
  }
}

async function train(services: Services, uri: vscode.Uri | undefined, options: TrainCommandOptions | undefined): Promise<CommandResult<{ modelId: string }>> {
  const file = uri ?? (await pickCsv(services.context.globalState, 'train', 'Train Model: pick a training CSV'));
  if (!file) return { ok: false, error: 'No file chosen', cancelled: true };
  let settings: TrainSettings | undefined = { ...trainSettingsFromConfig(), ...stripUndefined(options ?? {}) };
  // Programmatic callers pass options and get no prompts; people confirm or adjust the settings.
  if (!options) settings = await confirmSettings(settings);
  if (!settings) return { ok: false, error: 'Cancelled', cancelled: true };
  await rememberCsv(services.context.globalState, file);

  const created = new Date();
  const location = services.active.store.newLocation(settings.arch, created);
  const name = options?.name ?? defaultModelName(file.fsPath, settings.arch, created);
  services.log(`Training "${name}" on ${file.fsPath}: ${describeSettings(settings)}`);
  const engine = services.newTrainingEngine();
  // The dashboard follows (and can stop) the run through this session.
  let session: TrainingSession | undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${settings.arch} model`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const reporter = new TrainingReporter(progress, services.log);
        session = TrainingSession.start({ name, file: file.fsPath, settings: settings!, controller });
        return engine.request(
          { type: 'train', job: { trainFile: file.fsPath, settings: settings!, outDir: location.dir, name, limit: options?.limit } },
          {
            signal: controller.signal,
            onEvent: (e) => {
              reporter.onEvent(e);
              session?.onEvent(e);
              if (e.kind === 'backend') offerNativeInstall(services, e.name);
            },
          },
        );
      },
    );
    await services.active.set(location.id);
    session?.complete(location.id, result.metadata);
    const accuracy = result.metadata.final?.valAccuracy;
    const summary = `Trained "${name}"${accuracy === undefined ? '' : `: validation accuracy ${(accuracy * 100).toFixed(2)}%`} in ${formatSeconds(result.metadata.trainingSeconds ?? 0)}.`;
    services.log(`${summary} Saved to ${result.dir}`);
    void vscode.window.showInformationMessage(summary, 'Open Digit Pad', 'Generate Submission', 'Rename').then((choice) => {
      if (choice === 'Open Digit Pad') void vscode.commands.executeCommand('digitRecognizer.openDigitPad');
      if (choice === 'Generate Submission') void vscode.commands.executeCommand('digitRecognizer.generateSubmission');
      if (choice === 'Rename') void vscode.commands.executeCommand('digitRecognizer.renameModel', location.id);
    });
    return { ok: true, modelId: location.id };
  } catch (err) {
    session?.fail(err);
    return fail(services, err, 'Training');
  } finally {
    await engine.dispose();
  }
}

/** Turns worker events into the notification's message and percentage, and log lines. */
class TrainingReporter {
  private reported = 0;
  private lastValidation = '';

  constructor(
    private readonly progress: vscode.Progress<{ message?: string; increment?: number }>,
    private readonly log: (line: string) => void,
  ) {}

  onEvent(event: JobEvent): void {
    switch (event.kind) {
      case 'reading':
        this.progress.report({ message: `Reading ${path.basename(event.file)}: ${event.rows.toLocaleString()} rows` });
        break;
      case 'read':
        this.log(`Read ${event.rows} rows in ${event.seconds.toFixed(1)} s`);
        break;
      case 'batch': {
        const p = event.progress;
        const done = (((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches)) * 100;
        this.progress.report({
          increment: done - this.reported,
          message: `Epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · loss ${p.loss.toFixed(3)} · acc ${(p.accuracy * 100).toFixed(1)}%${this.lastValidation} · ${formatSeconds(p.etaSeconds)} left`,
        });
        this.reported = done;
        break;
      }
      case 'epoch': {
        const s = event.stats;
        if (s.valAccuracy !== undefined) this.lastValidation = ` · val ${(s.valAccuracy * 100).toFixed(1)}%`;
        this.log(`Epoch ${s.epoch}: loss ${s.loss.toFixed(4)}, accuracy ${(s.accuracy * 100).toFixed(2)}%` + (s.valAccuracy === undefined ? '' : `, val loss ${s.valLoss!.toFixed(4)}, val accuracy ${(s.valAccuracy * 100).toFixed(2)}%`) + ` (${s.seconds.toFixed(1)} s)`);
        break;
      }
      case 'saving':
        this.progress.report({ message: 'Saving the model…' });
        break;
      default:
        break;
    }
  }
}

/** Shows the settings this run will use, with a way to change them for this run only. */
async function confirmSettings(settings: TrainSettings): Promise<TrainSettings | undefined> {
  const start = { label: '$(play) Start training', description: describeSettings(settings) };
  const change = { label: '$(edit) Change for this run…', description: 'architecture, epochs, batch size, validation, augmentation' };
  const open = { label: '$(gear) Open Settings', description: 'change the defaults' };
  const choice = await vscode.window.showQuickPick([start, change, open], { title: 'Train Model', ignoreFocusOut: true });
  if (choice === open) {
    void vscode.commands.executeCommand('workbench.action.openSettings', 'digitRecognizer');
    return undefined;
  }
  if (choice !== change) return choice === start ? settings : undefined;
  const arch = await vscode.window.showQuickPick(
    ARCHITECTURES.map((a) => ({ label: a, picked: a === settings.arch, description: a === 'default' ? 'stronger CNN with batch normalisation' : 'the reference conv32-conv64-dense128 CNN' })),
    { title: 'Architecture', ignoreFocusOut: true },
  );
  if (!arch || !isArchitecture(arch.label)) return undefined;
  const epochs = await askInteger('Epochs', settings.epochs, 1, 200);
  if (epochs === undefined) return undefined;
  const batchSize = await askInteger('Batch size', settings.batchSize, 1, 4096);
  if (batchSize === undefined) return undefined;
  const augment = await vscode.window.showQuickPick(['on', 'off'], { title: 'Augmentation (rotation, zoom, shift)', placeHolder: settings.augment ? 'on' : 'off', ignoreFocusOut: true });
  if (!augment) return undefined;
  return { ...settings, arch: arch.label, epochs, batchSize, augment: augment === 'on' };
}

async function askInteger(title: string, value: number, min: number, max: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    value: String(value),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && +v >= min && +v <= max ? undefined : `A whole number from ${min} to ${max}`),
    ignoreFocusOut: true,
  });
  return text === undefined ? undefined : Number(text.trim());
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => v !== undefined && k !== 'name' && k !== 'limit')) as Partial<T>;
}
