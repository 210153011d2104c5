// Commands for the insight panels: Show Training Dashboard, Evaluate Model, Explore Dataset.
// The work (prediction, statistics) runs in the engine worker; these only pick inputs, show the
// panels and convert results to the panels' compact message form.
import * as path from 'path';
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { findCsvByName, pickCsv, rememberCsv } from '../csvPicker';
import { pickModel } from './manageModels';
import { type DashboardHost, DashboardPanel } from '../dashboardPanel';
import { ReportPanel } from '../reportPanel';
import { ExplorerPanel } from '../explorerPanel';
import { TrainingSession } from '../trainingSession';
import type { StoredModel } from '../../engine/model/modelStore';
import { splitOf } from '../../engine/model/metadata';
import type { ReportPayload } from '../../shared/reportMessages';
import type { ExplorerPayload } from '../../shared/explorerMessages';

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function dashboardHost(services: Services): DashboardHost {
  return { extensionUri: services.context.extensionUri, model: (id) => services.active.store.get(id), log: services.log };
}

/** Serializers (panels come back after a reload) and the dashboard opening when training starts. */
export function registerInsights(services: Services): vscode.Disposable[] {
  const host = { extensionUri: services.context.extensionUri, log: services.log };
  return [
    DashboardPanel.registerSerializer(dashboardHost(services)),
    ReportPanel.registerSerializer(host),
    ExplorerPanel.registerSerializer(host),
    TrainingSession.onDidStart(() => {
      if (vscode.workspace.getConfiguration('digitRecognizer').get<boolean>('showDashboardOnTrain', true)) DashboardPanel.show(dashboardHost(services), undefined, true);
    }),
  ];
}

// --- Training Dashboard ------------------------------------------------------------------------

export async function showTrainingDashboard(services: Services, modelId?: string, options: { pick?: boolean } = {}): Promise<CommandResult<{ modelId?: string; live: boolean }>> {
  if (!modelId && !options.pick && TrainingSession.current?.running) {
    DashboardPanel.show(dashboardHost(services));
    return { ok: true, live: true };
  }
  const model = await pickModel(services, 'Show the training curves of a model', modelId);
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  DashboardPanel.show(dashboardHost(services), model.id);
  return { ok: true, modelId: model.id, live: false };
}

// --- Evaluation Report ---------------------------------------------------------------------------

export interface EvaluateCommandOptions {
  /** Ask for a CSV rather than offering the validation split. */
  pickFile?: boolean;
  /** With a file: evaluate only the model's validation split of it (default: when it is the training file). */
  split?: boolean;
}

export async function evaluateModel(services: Services, modelId?: string, uri?: vscode.Uri, options: EvaluateCommandOptions = {}): Promise<CommandResult<{ rows: number; accuracy: number; matrixTotal: number; source: string }>> {
  const models = services.active.store.list();
  const model = modelId || models.length !== 1 ? await pickModel(services, 'Evaluate which model?', modelId) : models[0];
  if (!model) return { ok: false, error: 'No model chosen', cancelled: true };
  const m = model.metadata;
  const trainingName = m.trainingFile?.name;
  let file = uri;
  let useSplit = false;
  if (file) {
    useSplit = options.split ?? (!!trainingName && path.basename(file.fsPath) === trainingName && (m.validationSplit ?? 0) > 0);
  } else {
    const trainingFile = !options.pickFile ? await locateTrainingFile(services, model) : undefined;
    if (trainingFile && !options.pickFile) {
      const splitItem = {
        label: `$(beaker) Validation split of ${trainingName}`,
        description: `${m.validationRows?.toLocaleString() ?? '?'} rows held out when training`,
        detail: vscode.workspace.asRelativePath(trainingFile.fsPath),
      };
      const other = { label: '$(file) Another labelled CSV…', description: 'every row of a train-format file' };
      const choice = await vscode.window.showQuickPick([splitItem, other], { title: `Evaluate "${m.name}" on…`, ignoreFocusOut: true });
      if (!choice) return { ok: false, error: 'Cancelled', cancelled: true };
      if (choice === splitItem) {
        file = trainingFile;
        useSplit = true;
      }
    }
    file ??= await pickCsv(services.context.globalState, 'train', `Evaluate "${m.name}": pick a labelled CSV`);
    if (!file) return { ok: false, error: 'No file chosen', cancelled: true };
  }
  await rememberCsv(services.context.globalState, file);
  const csv = file.fsPath;
  const split = useSplit ? splitOf(m) : undefined;
  const panel = ReportPanel.show({ extensionUri: services.context.extensionUri, log: services.log });
  panel.progress(`Evaluating "${m.name}" on ${split ? `the validation split of ${path.basename(csv)}` : path.basename(csv)}…`);
  services.log(`Evaluating "${m.name}" on ${csv}${split ? ' (validation split)' : ''}`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Evaluating ${m.name}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return services.engine.request(
          { type: 'evaluate', job: { modelDir: model.dir, file: csv, split } },
          {
            signal: controller.signal,
            onEvent: (e) => {
              if (e.kind === 'reading') panel.progress(`Reading ${path.basename(csv)}: ${e.rows.toLocaleString()} rows`, e.totalBytes ? (e.bytes / e.totalBytes) * 0.5 : undefined);
              if (e.kind === 'predicting') {
                panel.progress(`Predicting ${e.done.toLocaleString()} / ${e.total.toLocaleString()}`, 0.5 + (e.done / e.total) * 0.5);
                progress.report({ message: `${e.done.toLocaleString()} / ${e.total.toLocaleString()}` });
              }
            },
          },
        );
      },
    );
    const name = path.basename(csv);
    const data = result.source === 'validation' ? `validation split of ${name} (seed ${split!.seed}, ${Math.round(split!.validationSplit * 100)}% of ${split!.rows.toLocaleString('en-US')} rows)` : `${name} (all rows)${result.note ? ` — ${result.note}` : ''}`;
    const report: ReportPayload = {
      modelName: m.name,
      modelId: model.id,
      data,
      file: csv,
      rows: result.rows,
      accuracy: result.accuracy,
      matrix: result.matrix,
      classes: result.classes,
      examples: result.examples,
      pixels: base64(result.pixels),
      cells: result.cells,
      mistakes: result.mistakes,
      mistakeMaps: base64(new Uint8Array(result.mistakeMaps.buffer, result.mistakeMaps.byteOffset, result.mistakeMaps.byteLength)),
      date: new Date().toISOString(),
      seconds: Math.round(result.seconds * 10) / 10,
      backend: result.backend,
      networkAccuracies: result.networkAccuracies,
    };
    panel.showReport(report);
    if (result.note) void vscode.window.showWarningMessage(result.note);
    services.log(`Evaluation of "${m.name}": accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.rows} rows (${report.data})`);
    return { ok: true, rows: result.rows, accuracy: result.accuracy, matrixTotal: result.matrix.flat().reduce((a, b) => a + b, 0), source: result.source };
  } catch (err) {
    const r = fail(services, err, 'Evaluate Model');
    if (!r.ok) panel.showError(r.cancelled ? 'Evaluation cancelled.' : r.error);
    return r;
  }
}

/** The model's training CSV, if it had a validation split and we can find the file. */
async function locateTrainingFile(services: Services, model: StoredModel): Promise<vscode.Uri | undefined> {
  const name = model.metadata.trainingFile?.name;
  if (!name || !(model.metadata.validationSplit! > 0)) return undefined;
  return findCsvByName(services.context.globalState, name);
}

// --- Dataset Explorer ----------------------------------------------------------------------------

export async function exploreDataset(services: Services, uri?: vscode.Uri): Promise<CommandResult<{ rows: number; labelCounts: number[] | null; rejected?: string }>> {
  const file = uri ?? (await pickCsv(services.context.globalState, 'train', 'Explore Dataset: pick a Digit Recognizer CSV'));
  if (!file) return { ok: false, error: 'No file chosen', cancelled: true };
  const csv = file.fsPath;
  const panel = ExplorerPanel.show({ extensionUri: services.context.extensionUri, log: services.log });
  panel.progress(csv, 0, 0, 0);
  const started = Date.now();
  try {
    const result = await services.engine.request(
      { type: 'explore', job: { file: csv } },
      { onEvent: (e) => e.kind === 'reading' && panel.progress(csv, e.rows, e.bytes, e.totalBytes) },
    );
    const s = result.stats;
    const stats: ExplorerPayload = {
      file: csv,
      name: path.basename(csv),
      bytes: result.bytes,
      rows: s.rows,
      format: result.format,
      labelCounts: s.labelCounts,
      histogram: s.histogram,
      meanImages: base64(s.meanImages),
      samples: s.samples,
      samplePixels: base64(s.samplePixels),
      seconds: Math.round(result.seconds * 100) / 100,
      rejected: result.rejected && (Object.fromEntries(Object.entries(result.rejected).filter(([, v]) => v !== undefined)) as unknown as ExplorerPayload['rejected']),
    };
    panel.showStats(stats);
    services.log(`Explored ${csv}: ${s.rows} rows in ${((Date.now() - started) / 1000).toFixed(2)} s${result.rejected ? `; rejected: ${result.rejected.message}` : ''}`);
    return { ok: true, rows: s.rows, labelCounts: s.labelCounts, rejected: result.rejected?.message };
  } catch (err) {
    const r = fail(services, err, 'Explore Dataset');
    if (!r.ok) panel.showError(r.error);
    return r;
  }
}
