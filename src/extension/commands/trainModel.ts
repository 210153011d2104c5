import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { pickCsv, rememberCsv } from '../csvPicker';
import { describeSettings, trainSettingsFromConfig } from '../settings';
import { KEEP_FINISHED_NETWORKS, TRAIN_OPTIONS, settingName, type Architecture, type TrainOptionKey, type TrainSettings } from '../../shared/training';
import { firstInvalidOption, parseOptionText, validText, type OptionSpec } from '../../shared/options';
import { defaultModelName } from '../../engine/model/naming';
import { formatSeconds } from '../../shared/format';
import type { JobEvent } from '../../engine/jobs/context';
import { TrainingSession } from '../trainingSession';
import { offerNativeInstall } from './nativeTensorFlow';
import { estimateCsvRows, sniffCsvFormat } from '../../engine/data/csv';
import { RECIPES, REFERENCE_SECONDS_PER_IMAGE, estimateMinutes, formatMinutes, isRecipeName, recipeSettings, speedOfRun, type RecipeName, type TrainingSpeed } from '../../shared/recipes';

/** Options accepted when the command is run programmatically (tasks, keybindings, tests). */
export interface TrainCommandOptions extends Partial<TrainSettings> {
  name?: string;
  limit?: number;
  /** Learn from the test.csv beside the training CSV too (default: the learnFromTestCsv setting). */
  learnFromTestCsv?: boolean;
  /** A recipe's settings on top of the user's (the options given still win). */
  recipe?: RecipeName;
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
  const testCsv = await unlabelledBeside(file);
  const learn = (options?.learnFromTestCsv ?? vscode.workspace.getConfiguration('digitRecognizer').get('learnFromTestCsv')) === true;
  const configured = trainSettingsFromConfig();
  const base = options?.recipe && isRecipeName(options.recipe) ? recipeSettings(options.recipe, configured) : configured;
  let run: RunChoice | undefined = { settings: { ...base, ...stripUndefined(options ?? {}) }, learn: learn && testCsv !== undefined, recipe: options?.recipe && isRecipeName(options.recipe) ? options.recipe : undefined };
  // Programmatic callers pass options and get no prompts; people pick a recipe, or adjust the settings.
  if (!options) {
    const rows = (await estimateCsvRows(file.fsPath)) ?? 0;
    const estimate = (settings: TrainSettings, learns: boolean) => {
      const speed = speedHere(services, settings.arch);
      return `${formatMinutes(estimateMinutes(settings, rows, speed, learns))}${speed.measuredHere ? '' : ' (on a 2-core reference machine)'}`;
    };
    run = await confirmSettings(run, testCsv, estimate);
  }
  if (!run) return { ok: false, error: 'Cancelled', cancelled: true };
  const settings = run.settings;
  const unlabelled = run.learn ? testCsv : undefined;
  // Checked here, before a worker starts, to name the setting (or option) that is wrong.
  const invalid = firstInvalidOption(TRAIN_OPTIONS, settings);
  if (invalid) return refuse(services, invalid.problem, options && invalid.key in options ? undefined : settingName(invalid.key));
  await rememberCsv(services.context.globalState, file);

  const created = new Date();
  const location = services.active.store.newLocation(settings.arch, created);
  const name = options?.name ?? defaultModelName(file.fsPath, settings.arch, created);
  services.log(`Training "${name}" on ${file.fsPath}${unlabelled ? ` and the confident rows of ${unlabelled.fsPath}` : ''}: ${describeSettings(settings, unlabelled ? [] : ['pseudoLabelConfidence'])}`);
  const engine = services.newTrainingEngine();
  // The dashboard follows (and can stop) the run through this session.
  let session: TrainingSession | undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${settings.arch} model${settings.networks > 1 ? ` (${settings.networks} networks)` : ''}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        const reporter = new TrainingReporter(progress, services.log);
        const stop = () => void stopRun(controller, reporter.networks);
        token.onCancellationRequested(stop);
        session = TrainingSession.start({ name, file: file.fsPath, settings, stop });
        return engine.request(
          { type: 'train', job: { trainFile: file.fsPath, unlabelledFile: unlabelled?.fsPath, settings, outDir: location.dir, name, limit: options?.limit, recipe: run.recipe } },
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
    const pseudo = result.metadata.pseudoLabels;
    const learned = pseudo ? ` It learned from ${pseudo.rows.toLocaleString('en-US')} of ${pseudo.file.rows.toLocaleString('en-US')} ${pseudo.file.name} rows too${pseudo.first.valAccuracy === undefined ? '' : ` (without them: ${(pseudo.first.valAccuracy * 100).toFixed(2)}%)`}.` : '';
    const alone = result.metadata.networkResults?.map((n) => (n.valAccuracy === undefined ? '?' : `${(n.valAccuracy * 100).toFixed(2)}%`));
    const networks = alone ? ` (${alone.length} networks averaged; alone ${alone.join(', ')})` : '';
    const summary = `Trained "${name}"${accuracy === undefined ? '' : `: validation accuracy ${(accuracy * 100).toFixed(2)}%${networks}`} in ${formatSeconds(result.metadata.trainingSeconds ?? 0)}.${learned}`;
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

/**
 * Stops a run (the notification's Cancel, the dashboard's Stop). One of several networks with
 * some already finished asks first — training goes on meanwhile — whether to keep those as a
 * smaller model or discard the run; Cancel in that dialog goes on training.
 */
let asking = false;
async function stopRun(controller: AbortController, networks: { finished: number; of: number } | undefined): Promise<void> {
  if (!networks || networks.finished === 0) return controller.abort();
  if (asking || controller.signal.aborted) return;
  const keep = `Keep ${networks.finished} Network${networks.finished === 1 ? '' : 's'}`;
  asking = true;
  try {
    const answer = await vscode.window.showWarningMessage(
      `Stop training? ${networks.finished} of ${networks.of} networks are finished.`,
      {
        modal: true,
        detail: `${networks.finished === 1 ? 'Keep it as a model of one network' : 'Keep them as a smaller model, their average'}, or discard the run: nothing is saved and your models stay as they are. Cancel goes on training (the Training Dashboard's Stop asks again).`,
      },
      keep,
      'Discard',
    );
    if (answer !== undefined && !controller.signal.aborted) controller.abort(answer === keep ? KEEP_FINISHED_NETWORKS : undefined);
  } finally {
    asking = false;
  }
}

/** A setting no run can use: said before anything starts, with a way to the setting when it came from the settings. */
function refuse(services: Services, problem: string, setting: string | undefined): CommandResult<never> {
  const message = `Invalid training setting: ${problem}${setting ? ` (setting digitRecognizer.${setting})` : ''}`;
  services.log(`Training not started. ${message}`);
  void vscode.window.showErrorMessage(`Training not started. ${message}`, ...(setting ? ['Open Setting'] : [])).then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `digitRecognizer.${setting}`);
  });
  return { ok: false, error: message };
}

/** Turns worker events into the notification's message and percentage, and log lines. */
class TrainingReporter {
  private reported = 0;
  private lastValidation = '';
  /** The percentages of the whole run the current training covers: all of it, or its stage's share. */
  private span: [number, number] = [0, 100];
  private stage = '';
  /** A run of several networks: how many are finished, of how many. */
  networks: { finished: number; of: number } | undefined;

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
        this.log(`Read ${event.rows} rows of ${path.basename(event.file)} in ${event.seconds.toFixed(1)} s`);
        break;
      case 'stage':
        this.log(`Stage ${event.stage}/${event.stages}: ${event.text}`);
        this.stage = `Stage ${event.stage}/${event.stages} · `;
        this.lastValidation = '';
        this.span = [event.span[0] * 100, event.span[1] * 100];
        if (event.network) this.networks = { finished: event.network.index - 1, of: event.network.of };
        this.progress.report({ message: `${this.stage}${event.text}` });
        break;
      case 'batch': {
        const p = event.progress;
        const done = this.span[0] + (((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches)) * (this.span[1] - this.span[0]);
        this.progress.report({
          increment: done - this.reported,
          message: `${this.stage}Epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · loss ${p.loss.toFixed(3)} · acc ${(p.accuracy * 100).toFixed(1)}%${this.lastValidation} · ${formatSeconds(p.etaSeconds)} left`,
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

/** The options "Change for this run…" asks for, in order (the rest come from the settings). */
const ASKED: readonly TrainOptionKey[] = ['arch', 'networks', 'epochs', 'batchSize', 'augment'];

/** A run's settings, and whether it learns from the test.csv beside the training CSV too. */
interface RunChoice {
  settings: TrainSettings;
  learn: boolean;
  /** The recipe picked, when one was (the settings are its own). */
  recipe?: RecipeName;
}

/**
 * Kaggle's test.csv beside the training file, when it is there and in the test format: the
 * unlabelled rows Train Model can learn from too (setting learnFromTestCsv).
 */
async function unlabelledBeside(file: vscode.Uri): Promise<vscode.Uri | undefined> {
  const candidate = path.join(path.dirname(file.fsPath), 'test.csv');
  if (candidate === file.fsPath) return undefined;
  return (await sniffCsvFormat(candidate).catch(() => undefined)) === 'test' ? vscode.Uri.file(candidate) : undefined;
}

/**
 * The speed of training `arch` here: the newest model of ours trained on this machine with it (its
 * seconds over the images it trained), else the reference machine's (shared/recipes.ts).
 */
function speedHere(services: Services, arch: Architecture): TrainingSpeed {
  for (const model of services.active.store.list()) {
    const m = model.metadata;
    if (m.architecture !== arch || m.fineTuned || m.pseudoLabels) continue;
    const secondsPerImage = speedOfRun(m);
    if (secondsPerImage) return { secondsPerImage, measuredHere: true };
  }
  return { secondsPerImage: REFERENCE_SECONDS_PER_IMAGE[arch], measuredHere: false };
}

/** Shows the recipes (this run's settings first), each with its minutes here and measured accuracy, and a way to change the settings for this run only. */
async function confirmSettings(run: RunChoice, testCsv: vscode.Uri | undefined, estimate: (settings: TrainSettings, learns: boolean) => string): Promise<RunChoice | undefined> {
  const learns = run.learn && testCsv ? ` · learns from ${path.basename(testCsv.fsPath)}'s rows read with ≥ ${run.settings.pseudoLabelConfidence} confidence too (about 2.5× the time)` : '';
  const start = { label: '$(play) Start training', description: `${estimate(run.settings, run.learn)} · standard: your settings`, detail: describeSettings(run.settings, ['pseudoLabelConfidence']) + learns };
  const recipe = (name: RecipeName, icon: string) => {
    const settings = recipeSettings(name, run.settings);
    return { name, settings, item: { label: `${icon} ${RECIPES[name].label}`, description: estimate(settings, run.learn), detail: `${RECIPES[name].summary}${learns} · measured: ${RECIPES[name].measured}` } };
  };
  const recipes = [recipe('quick', '$(zap)'), recipe('leaderboard', '$(rocket)')];
  const change = { label: '$(edit) Change for this run…', description: [...ASKED.map((key) => TRAIN_OPTIONS[key].label.toLowerCase()), ...(testCsv ? ['learning from test.csv'] : [])].join(', ') };
  const open = { label: '$(gear) Open Settings', description: 'change the defaults' };
  const choice = await vscode.window.showQuickPick([start, ...recipes.map((r) => r.item), change, open], { title: 'Train Model: pick a recipe (minutes on this machine)', ignoreFocusOut: true });
  const picked = recipes.find((r) => r.item === choice);
  if (picked) return { settings: picked.settings, learn: run.learn, recipe: picked.name };
  if (choice === open) {
    void vscode.commands.executeCommand('workbench.action.openSettings', 'digitRecognizer');
    return undefined;
  }
  if (choice !== change) return choice === start ? run : undefined;
  const changed: Record<string, unknown> = { ...run.settings };
  for (const key of ASKED) {
    const value = await askOption(TRAIN_OPTIONS[key], changed[key]);
    if (value === undefined) return undefined;
    changed[key] = value;
  }
  let learn = false;
  if (testCsv) {
    const answer = await vscode.window.showQuickPick(['on', 'off'], { title: 'Learn from test.csv too', placeHolder: `A first model reads ${path.basename(testCsv.fsPath)}; the rows it is sure of train the final model with the labelled ones (about 2.5× the time). Now ${run.learn ? 'on' : 'off'}.`, ignoreFocusOut: true });
    if (answer === undefined) return undefined;
    learn = answer === 'on';
  }
  return { settings: changed as TrainSettings, learn };
}

/** One option's value for this run, asked the way its type suggests: its values to pick from, on/off, or a number checked against its range. */
async function askOption(spec: OptionSpec, current: unknown): Promise<unknown> {
  const title = spec.label;
  if (spec.type === 'string') {
    const items = spec.enum.map((value, i) => ({ label: value, description: spec.enumDescriptions?.[i], picked: value === current }));
    return (await vscode.window.showQuickPick(items, { title, placeHolder: spec.description, ignoreFocusOut: true }))?.label;
  }
  if (spec.type === 'boolean') {
    const choice = await vscode.window.showQuickPick(['on', 'off'], { title, placeHolder: `${spec.description} Now ${current ? 'on' : 'off'}.`, ignoreFocusOut: true });
    return choice === undefined ? undefined : choice === 'on';
  }
  const text = await vscode.window.showInputBox({
    title,
    prompt: spec.description,
    value: String(current),
    validateInput: (v) => (parseOptionText(spec, v) === undefined ? `${capitalise(validText(spec))}` : undefined),
    ignoreFocusOut: true,
  });
  return text === undefined ? undefined : parseOptionText(spec, text);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function stripUndefined(value: TrainCommandOptions): Partial<TrainSettings> {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => v !== undefined && k !== 'name' && k !== 'limit' && k !== 'learnFromTestCsv' && k !== 'recipe')) as Partial<TrainSettings>;
}
