import * as path from 'path';
import * as vscode from 'vscode';
import { ModelStore } from '../engine/model/modelStore';
import { ActiveModel, formatAccuracy, networkCount } from './activeModel';
import { EngineClient } from './engineClient';
import { type Services } from './services';
import { backendFromConfig } from './settings';
import { createStatusBar } from './statusBar';
import { DigitPadPanel, type PadHost } from './digitPadPanel';
import { trainModel } from './commands/trainModel';
import { generateSubmission } from './commands/generateSubmission';
import { loadModelFile } from './commands/loadModelFile';
import { predictImage, predictImageFolder } from './commands/predictImage';
import { exportDrawingRow, pickSamplesFile } from './commands/exportDrawingRow';
import { cancelFineTune, fineTuneModel, isFineTuning, onDidChangeFineTuneStatus } from './commands/fineTune';
import { SampleStore } from './sampleStore';
import { deleteModel, exportModel, renameModel, revealModel, selectModel } from './commands/manageModels';
import { evaluateModel, exploreDataset, registerInsights, showTrainingDashboard } from './commands/insights';
import { installNativeTensorFlow, removeNativeTensorFlow } from './commands/nativeTensorFlow';
import { downloadCompetitionData, submitToKaggle } from './commands/kaggle';
import { GetStarted } from './getStarted';
import { readNativeInstall } from '../native/location';

/** The public API returned by activate(), for other extensions and the integration tests. */
export interface DigitRecognizerApi {
  modelsFolder: string;
  activeModelId(): string | undefined;
  /** Where Install Native TensorFlow puts native TensorFlow. */
  nativeRoot: string;
}

export function activate(context: vscode.ExtensionContext): DigitRecognizerApi {
  const output = vscode.window.createOutputChannel('Digit Recognizer');
  const log = (line: string) => output.appendLine(`[${new Date().toLocaleTimeString()}] ${line}`);
  const store = new ModelStore(path.join(context.globalStorageUri.fsPath, 'models'));
  const active = new ActiveModel(store, context.globalState);
  const distDir = path.join(context.extensionPath, 'dist');
  const nativeRoot = path.join(context.globalStorageUri.fsPath, 'native');
  // Read whenever a worker starts, so an install (or removal) applies to the next one.
  const installedNative = () => readNativeInstall(nativeRoot);
  const engine = new EngineClient(distDir, backendFromConfig, log, installedNative);
  const samples = new SampleStore(context);
  const services: Services = {
    context,
    active,
    engine,
    newTrainingEngine: () => new EngineClient(distDir, backendFromConfig, log, installedNative),
    newEngine: ({ backend, native }) => new EngineClient(distDir, () => backend, log, () => native),
    nativeRoot,
    distDir,
    samples,
    log,
    output,
  };
  const getStarted = new GetStarted(context, active, log);
  const padHost: PadHost = {
    predict: async (pixels, explain) => {
      const model = active.get();
      if (!model) throw new Error('No model yet: train or load one first.');
      // The memory of the kept drawings (engine/inference/handMemory.ts), unless turned off.
      const remember = vscode.workspace.getConfiguration('digitRecognizer').get<boolean>('rememberKeptDrawings', true);
      const prediction = await engine.request({ type: 'predict', modelDir: model.dir, pixels, explain, ...(remember ? { samplesFile: samples.file } : {}) });
      getStarted.markPadRead();
      return prediction;
    },
    activeModel: () => {
      const model = active.get();
      return model && { name: model.metadata.name, valAccuracy: model.metadata.final?.valAccuracy ?? model.metadata.final?.accuracy, networks: networkCount(model) };
    },
    onDidChangeActiveModel: active.onDidChange,
    log,
    samples,
    onDidChangeFineTuneStatus,
    cancelFineTune,
  };

  const commands: Record<string, (...args: never[]) => unknown> = {
    trainModel: (uri?: vscode.Uri, options?: Parameters<typeof trainModel>[2]) => trainModel(services, asUri(uri), asOptions(options)),
    openDigitPad: () => {
      DigitPadPanel.show(context, padHost);
      return { ok: true };
    },
    generateSubmission: async (uri?: vscode.Uri, options?: Parameters<typeof generateSubmission>[2]) => {
      const result = await generateSubmission(services, asUri(uri), asOptions(options));
      if (result.ok) getStarted.markSubmissionWritten();
      return result;
    },
    loadModelFile: (uri?: vscode.Uri, options?: Parameters<typeof loadModelFile>[2]) => loadModelFile(services, asUri(uri), asOptions(options)),
    selectModel: (id?: string) => selectModel(services, id),
    renameModel: (id?: string, name?: string) => renameModel(services, id, name),
    deleteModel: (id?: string, confirmed?: boolean) => deleteModel(services, id, confirmed),
    revealModel: (id?: string) => revealModel(services, id),
    exportModel: (id?: string, target?: vscode.Uri) => exportModel(services, id, target),
    predictImage: (uri?: vscode.Uri, options?: Parameters<typeof predictImage>[2]) => predictImage(services, asUri(uri), asOptions(options)),
    predictImageFolder: (uri?: vscode.Uri, options?: Parameters<typeof predictImageFolder>[2]) => predictImageFolder(services, asUri(uri), asOptions(options)),
    // Programmatic (not in the palette: it needs the drawing's pixels); the pad's labels do the same.
    exportDrawingRow: (pixels?: unknown, options?: Parameters<typeof exportDrawingRow>[2]) => exportDrawingRow(services, pixels, asOptions(options)),
    fineTuneModel: (options?: Parameters<typeof fineTuneModel>[1]) => fineTuneModel(services, asOptions(options)),
    // The pad's Cancel (and the notification's): stops the run in progress, if any.
    cancelFineTune: () => {
      const running = isFineTuning();
      cancelFineTune();
      return { ok: running };
    },
    pickSamplesFile: (uri?: vscode.Uri) => pickSamplesFile(services, asUri(uri)),
    showTrainingDashboard: (id?: string, options?: { pick?: boolean }) => showTrainingDashboard(services, typeof id === 'string' ? id : undefined, asOptions(options)),
    // From the explorer's context menu the first argument is the file.
    evaluateModel: (id?: string | vscode.Uri, uri?: vscode.Uri, options?: Parameters<typeof evaluateModel>[3]) =>
      id instanceof vscode.Uri ? evaluateModel(services, undefined, id) : evaluateModel(services, typeof id === 'string' ? id : undefined, asUri(uri), asOptions(options)),
    exploreDataset: (uri?: vscode.Uri) => exploreDataset(services, asUri(uri)),
    getStarted: () => getStarted.open(),
    installNativeTensorFlow: (options?: Parameters<typeof installNativeTensorFlow>[1]) => installNativeTensorFlow(services, asOptions(options)),
    removeNativeTensorFlow: (confirmed?: boolean) => removeNativeTensorFlow(services, confirmed === true),
    downloadCompetitionData: (options?: Parameters<typeof downloadCompetitionData>[1]) => downloadCompetitionData(services, asOptions(options)),
    submitToKaggle: (uri?: vscode.Uri, options?: Parameters<typeof submitToKaggle>[2]) => submitToKaggle(services, asUri(uri), asOptions(options)),
  };
  for (const [name, run] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(`digitRecognizer.${name}`, run));
  }
  context.subscriptions.push(
    output,
    active,
    getStarted,
    samples,
    createStatusBar(active, getStarted),
    { dispose: () => void engine.dispose() },
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The worker picks its backend when it starts; restart it for a new preference.
      if (e.affectsConfiguration('digitRecognizer.backend')) void engine.dispose();
    }),
  );
  DigitPadPanel.registerSerializer(context, padHost); // adds itself to context.subscriptions
  context.subscriptions.push(...registerInsights(services));
  const current = active.get();
  log(`Digit Recognizer ready. Models are stored in ${store.root}${current ? `; active: "${current.metadata.name}" (${formatAccuracy(current) ?? 'no accuracy'})` : ''}.`);
  log(describeHost(context));
  return { modelsFolder: store.root, activeModelId: () => active.get()?.id, nativeRoot };
}

export function deactivate(): void {}

/**
 * Where this extension host runs, for the log. With extensionKind "workspace" it is the machine
 * that holds the workspace (Remote-SSH, WSL, a container, Codespaces, code-server's server), so
 * files are read and models trained there, while the workbench and the webviews run where the UI is.
 */
function describeHost(context: vscode.ExtensionContext): string {
  const machine = `${process.platform}-${process.arch}, Node ${process.versions.node}`;
  const ui = vscode.env.uiKind === vscode.UIKind.Web ? 'a browser' : 'the desktop app';
  if (!vscode.env.remoteName) return `Extension host: local (${machine}); the UI runs in ${ui}.`;
  const side = context.extension.extensionKind === vscode.ExtensionKind.Workspace ? "the workspace's machine" : 'the UI side';
  return `Extension host: ${side} (remote "${vscode.env.remoteName}", ${machine}): data is read and models are trained there; the UI runs in ${ui}.`;
}

function asUri(value: unknown): vscode.Uri | undefined {
  return value instanceof vscode.Uri ? value : undefined;
}

/**
 * An options object from a programmatic caller; menus pass other things in that position (the
 * explorer passes the selected URIs), which mean "no options".
 */
function asOptions<T extends object>(value: T | undefined): T | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof vscode.Uri) ? value : undefined;
}
