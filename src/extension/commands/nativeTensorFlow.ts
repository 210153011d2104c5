// Install Native TensorFlow / Remove Native TensorFlow, and the one-time offer when training runs
// on WebAssembly. The universal .vsix carries no native code; these put @tensorflow/tfjs-node (or
// -gpu) into the extension's global storage with the user's npm (src/native/install.ts), check it
// in an engine worker, and from then on `digitRecognizer.backend: auto` trains with it.
import * as vscode from 'vscode';
import { type Services, type CommandResult, fail } from '../services';
import { backendFromConfig } from '../settings';
import { installNative, removeNative } from '../../native/install';
import { NATIVE_PACKAGES, type NativeVariant, isNativeVariant, nativeSupport, readNativeInstall } from '../../native/location';
import { CancelledError, InputError } from '../../engine/core/errors';
import { shouldOfferNative } from '../../native/offer';
import { probeNativeInChildProcess } from '../nativeProbe';

export interface InstallNativeOptions {
  /** 'cpu' (@tensorflow/tfjs-node) or 'gpu' (@tensorflow/tfjs-node-gpu); asked when absent. */
  variant?: NativeVariant;
  /** The npm command (default: the digitRecognizer.npmPath setting, else npm on PATH). */
  npm?: string;
}

const OFFERED_KEY = 'digitRecognizer.nativeOffered';
let installing = false;

export async function installNativeTensorFlow(services: Services, options?: InstallNativeOptions): Promise<CommandResult<{ variant: NativeVariant; dir: string; stepSeconds?: number }>> {
  if (installing) {
    void vscode.window.showWarningMessage('Native TensorFlow is being installed already.');
    return { ok: false, error: 'Already installing' };
  }
  const support = nativeSupport();
  if (!support.cpu) {
    return fail(services, new InputError(`@tensorflow/tfjs-node has no build for ${process.platform}-${process.arch}; training keeps using ${keptBackend()}.`), 'Install Native TensorFlow');
  }
  const variant = options?.variant ?? (await pickVariant(services, support.gpu));
  if (!variant) return { ok: false, error: 'Cancelled', cancelled: true };
  if (!isNativeVariant(variant) || (variant === 'gpu' && !support.gpu)) {
    return fail(services, new InputError(`@tensorflow/tfjs-node-gpu needs Linux or Windows on x64 (this is ${process.platform}-${process.arch}).`), 'Install Native TensorFlow');
  }
  const pkg = NATIVE_PACKAGES[variant];
  const version = tfjsVersion();
  const npm = options?.npm ?? (vscode.workspace.getConfiguration('digitRecognizer').get<string>('npmPath', '').trim() || 'npm');
  installing = true;
  services.log(`Install Native TensorFlow: ${npm} install ${pkg}@${version} into ${services.nativeRoot}`);
  try {
    const install = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing ${pkg} ${version}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return installNative({
          root: services.nativeRoot,
          variant,
          version,
          npm,
          signal: controller.signal,
          onProgress: (message) => progress.report({ message }),
          onOutput: (line) => services.output.appendLine(`  npm: ${line}`),
          verify: async (source) => {
            // First in a process of its own (a library that crashes on load must not take the
            // extension host down), then in a fresh engine worker that must use exactly this
            // install ('tensorflow': no fallback) and trains one step.
            await probeNativeInChildProcess(services.distDir, source, controller.signal);
            const probe = services.newEngine({ backend: 'tensorflow', native: source });
            const onAbort = () => void probe.dispose();
            controller.signal.addEventListener('abort', onAbort);
            try {
              const step = await probe.request({ type: 'checkNative' });
              if (controller.signal.aborted) throw new CancelledError();
              services.log(`Native TensorFlow check: one training step of the default CNN on ${step.backend} in ${step.seconds.toFixed(2)} s (loss ${step.loss.toFixed(3)})`);
              return step;
            } catch (err) {
              if (controller.signal.aborted) throw new CancelledError();
              throw err;
            } finally {
              controller.signal.removeEventListener('abort', onAbort);
              await probe.dispose();
            }
          },
        });
      },
    );
    // The next request starts a worker that loads it (training engines are made per run).
    await services.engine.dispose();
    services.log(`Native TensorFlow installed: ${install.package} ${install.version} in ${install.dir}`);
    const preference = backendFromConfig();
    const uses = preference === 'auto' || preference === 'tensorflow';
    const summary = `Native TensorFlow (${pkg} ${version}) is installed and trained a test step in ${install.stepSeconds?.toFixed(2) ?? '?'} s.`;
    if (uses) {
      void vscode.window.showInformationMessage(`${summary} Training uses it from now on.`);
    } else {
      void vscode.window.showInformationMessage(`${summary} The backend setting is "${preference}": set it to "auto" to train with it.`, 'Use It').then((choice) => {
        if (choice) void vscode.workspace.getConfiguration('digitRecognizer').update('backend', 'auto', vscode.ConfigurationTarget.Global);
      });
    }
    return { ok: true, variant, dir: install.dir, stepSeconds: install.stepSeconds };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (e.name === 'InputError') return fail(services, new InputError(`${e.message}. Nothing was installed; training keeps using ${keptBackend(services)}.`), 'Install Native TensorFlow');
    return fail(services, e, 'Install Native TensorFlow');
  } finally {
    installing = false;
  }
}

export async function removeNativeTensorFlow(services: Services, confirmed?: boolean): Promise<CommandResult<{ removed: boolean }>> {
  const installed = readNativeInstall(services.nativeRoot);
  if (!installed) {
    void vscode.window.showInformationMessage('Native TensorFlow is not installed: training uses WebAssembly.');
    return { ok: true, removed: false };
  }
  if (confirmed !== true) {
    const choice = await vscode.window.showWarningMessage(`Remove ${installed.package} ${installed.version} from the extension's storage? Training then uses WebAssembly.`, { modal: true }, 'Remove');
    if (choice !== 'Remove') return { ok: false, error: 'Cancelled', cancelled: true };
  }
  await services.engine.dispose(); // let go of the library before its files go
  removeNative(services.nativeRoot);
  services.log(`Removed native TensorFlow (${installed.dir})`);
  if (confirmed !== true) void vscode.window.showInformationMessage('Native TensorFlow removed: training uses WebAssembly.');
  return { ok: true, removed: true };
}

/**
 * When a training run reports the WebAssembly backend and native TensorFlow could be used, offers
 * it — once per user (a notification beside the training's own). Not when the user chose wasm.
 */
export function offerNativeInstall(services: Services, backend: string): void {
  const state = services.context.globalState;
  const offer = shouldOfferNative({
    backend,
    preference: backendFromConfig(),
    installed: readNativeInstall(services.nativeRoot) !== undefined,
    offeredBefore: state.get<boolean>(OFFERED_KEY, false),
    supported: nativeSupport().cpu,
  });
  if (!offer) return;
  void state.update(OFFERED_KEY, true);
  const install = 'Install Native TensorFlow';
  void vscode.window
    .showInformationMessage('This model trains on WebAssembly. Native TensorFlow (@tensorflow/tfjs-node, installed with npm into the extension\'s storage) can train faster, and on a GPU with CUDA.', install)
    .then((choice) => choice === install && vscode.commands.executeCommand('digitRecognizer.installNativeTensorFlow'));
}

async function pickVariant(services: Services, gpu: boolean): Promise<NativeVariant | undefined> {
  const installed = readNativeInstall(services.nativeRoot);
  const mark = (v: NativeVariant) => (installed?.variant === v ? ' (installed)' : '');
  const items: Array<vscode.QuickPickItem & { variant: NativeVariant }> = [
    { variant: 'cpu', label: `$(chip) CPU${mark('cpu')}`, description: NATIVE_PACKAGES.cpu, detail: 'TensorFlow on every core of this machine' },
  ];
  if (gpu) {
    items.push({ variant: 'gpu', label: `$(circuit-board) NVIDIA GPU${mark('gpu')}`, description: NATIVE_PACKAGES.gpu, detail: 'Needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 installed' });
  }
  if (items.length === 1) return 'cpu';
  const picked = await vscode.window.showQuickPick(items, { title: 'Install Native TensorFlow', placeHolder: 'Which TensorFlow build? (npm downloads it, with libtensorflow)', ignoreFocusOut: true });
  return picked?.variant;
}

/** The version of the extension's TensorFlow.js (tfjs-core): the native package must be the same release. */
function tfjsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
}

/** What trains after a failed install: an earlier install stays in use. */
function keptBackend(services?: Services): string {
  const preference = backendFromConfig();
  const earlier = services && readNativeInstall(services.nativeRoot);
  if (earlier && (preference === 'auto' || preference === 'tensorflow')) return `the installed ${earlier.package} ${earlier.version}`;
  return preference === 'cpu' ? 'the cpu backend' : 'WebAssembly';
}
