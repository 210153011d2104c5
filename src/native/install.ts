// Install Native TensorFlow without `vscode`: npm installs @tensorflow/tfjs-node (or -gpu) into a
// temporary folder of the root (<globalStorage>/native); only when npm succeeded is that folder
// renamed to its final name, and only when the caller's check (load it in the engine worker, train
// one step) passed does installed.json, written to a temporary name and renamed, point at it.
// Any failure or a cancel removes what this run made and leaves the previous state as it was, so
// the engine never sees half an install. See location.ts for the layout.
import * as fs from 'fs';
import * as path from 'path';
import { CancelledError, InputError } from '../engine/core/errors';
import { runTool } from '../engine/core/childProcess';
import { tryLock } from '../engine/core/lock';
import { explainNpmFailure } from './npmFailure';
import { clearNativeInstall, INSTALLED_FILE, NATIVE_PACKAGES, type NativeInstall, type NativeSource, type NativeVariant, readNativeInstall, writeNativeInstall } from './location';

export interface InstallRequest {
  /** The root folder (created when missing). */
  root: string;
  variant: NativeVariant;
  /** The version to install: the same as the extension's TensorFlow.js (tfjs-core), whose engine it joins. */
  version: string;
  /** The npm command (a name on PATH or a path). */
  npm: string;
  signal?: AbortSignal;
  /** Short what-is-happening messages, for a progress notification. */
  onProgress?: (message: string) => void;
  /** Every line npm prints, for the log. */
  onOutput?: (line: string) => void;
  /**
   * Loads the package from `source` and trains one step with it; rejects with why not (an error
   * named InputError when it did not load, any other error when it loaded but did not train).
   */
  verify: (source: NativeSource) => Promise<{ seconds: number }>;
}

/** Installs, verifies and records native TensorFlow; throws an InputError naming the cause, or a CancelledError. */
export async function installNative(request: InstallRequest): Promise<NativeInstall> {
  const { root, variant, version, signal } = request;
  const pkg = NATIVE_PACKAGES[variant];
  const report = request.onProgress ?? (() => undefined);
  fs.mkdirSync(root, { recursive: true });
  const release = lock(root);
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const partial = path.join(root, `.partial-${id}`);
  let final: string | undefined;
  try {
    removeUnused(root);
    fs.mkdirSync(partial);
    fs.writeFileSync(
      path.join(partial, 'package.json'),
      JSON.stringify({ name: 'digit-recognizer-native-tensorflow', private: true, description: 'Native TensorFlow for the Digit Recognizer extension (Install Native TensorFlow)' }, null, 2) + '\n',
    );
    report(`npm install ${pkg}@${version}…`);
    const progress = new NpmProgress(pkg, report);
    const { code, output } = await runNpm(request.npm, npmInstallArgs(`${pkg}@${version}`), partial, signal, (line) => {
      request.onOutput?.(line);
      progress.onLine(line);
    });
    if (code !== 0) throw new InputError(explainNpmFailure(output, pkg));
    if (!fs.existsSync(path.join(partial, 'node_modules', ...pkg.split('/'), 'package.json'))) {
      throw new InputError(`npm reported success, but ${pkg} is not in ${partial}`);
    }
    final = path.join(root, `${variant}-${version}-${id}`);
    fs.renameSync(partial, final);

    report('Checking that it loads in the engine worker and trains one step…');
    let check: { seconds: number };
    try {
      check = await request.verify({ dir: final, package: pkg });
    } catch (err) {
      if (isCancel(err)) throw err;
      const e = err instanceof Error ? err : new Error(String(err));
      const detail = e.message.split('\n')[0];
      throw new InputError(e.name === 'InputError' ? `${pkg} was downloaded, but ${detail}` : `${pkg} loads, but one training step failed: ${detail}`);
    }
    if (signal?.aborted) throw new CancelledError();
    const previous = readNativeInstall(root);
    const install: NativeInstall = { dir: final, package: pkg, variant, version, installed: new Date().toISOString(), stepSeconds: round(check.seconds) };
    writeNativeInstall(root, install); // the commit: from here on the engine uses it
    if (previous && previous.dir !== final) removeQuietly(previous.dir);
    return install;
  } catch (err) {
    removeQuietly(partial);
    if (final) removeQuietly(final);
    throw err;
  } finally {
    release();
  }
}

/** Stops using native TensorFlow and removes its files (best effort: a loaded library may hold them on Windows). */
export function removeNative(root: string): NativeInstall | undefined {
  const installed = readNativeInstall(root);
  clearNativeInstall(root);
  if (installed) removeQuietly(installed.dir);
  return installed;
}

export function npmInstallArgs(spec: string): string[] {
  return [
    'install',
    spec,
    '--save-exact',
    '--omit=dev',
    '--no-audit',
    '--no-fund',
    // The install script is what downloads libtensorflow: run it even if the user's npmrc says
    // otherwise, and print its output (the cause, when it fails).
    '--ignore-scripts=false',
    '--foreground-scripts',
    // Lines for each registry fetch: what the progress message counts.
    '--loglevel=http',
    '--color=false',
  ];
}

/** Folders this run does not need: interrupted runs (.partial-*) and installs installed.json does not name. */
function removeUnused(root: string): void {
  const inUse = readNativeInstall(root)?.dir;
  for (const name of fs.readdirSync(root)) {
    const dir = path.join(root, name);
    if (dir === inUse || name === INSTALLED_FILE || name === LOCK) continue;
    if (name.startsWith('.partial-') || /^(cpu|gpu)-/.test(name)) removeQuietly(dir);
  }
}

function removeQuietly(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Windows keeps a loaded DLL's folder; the next install removes it (removeUnused).
  }
}

const LOCK = '.install-lock';

/** One install at a time per root, also across VS Code windows; a dead owner's lock is taken over. */
function lock(root: string): () => void {
  const got = tryLock(path.join(root, LOCK));
  if ('owner' in got) throw new InputError('another VS Code window is installing native TensorFlow; wait until it has finished');
  return got.release;
}



/** Runs npm; resolves with its exit code and everything it printed. Cancelling ends npm and its install script. */
export function runNpm(npm: string, args: string[], cwd: string, signal: AbortSignal | undefined, onLine: (line: string) => void): Promise<{ code: number; output: string }> {
  return runTool(npm, args, { cwd, signal, onLine, env: { npm_config_update_notifier: 'false' }, notFound: (err: unknown) => npmNotFound(npm, err) });
}

function npmNotFound(npm: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && code !== 'ENOENT') return new InputError(`npm ("${npm}") could not be started (${code}: ${(err as Error).message})`);
  return new InputError(`npm was not found ("${npm}"): install Node.js, which includes npm, or set digitRecognizer.npmPath to npm's full path`);
}

/** npm's lines → a short progress message. */
class NpmProgress {
  private fetched = 0;
  private inScript = false;

  constructor(
    private readonly pkg: string,
    private readonly report: (message: string) => void,
  ) {}

  onLine(line: string): void {
    if (/^npm http fetch GET 200 /.test(line) && !this.inScript) {
      this.fetched++;
      if (this.fetched % 5 === 1) this.report(`Downloading packages from the registry (${this.fetched})…`);
    } else if (line.startsWith(`> ${this.pkg}@`) && /\binstall$/.test(line)) {
      this.inScript = true;
      this.report(`Running ${this.pkg}'s install script…`);
    } else if (line.startsWith('* Downloading libtensorflow')) {
      this.report('Downloading libtensorflow, the TensorFlow C library…');
    } else if (line.startsWith('* Building TensorFlow Node.js bindings')) {
      this.report('Getting the native addon…');
    }
  }
}

function isCancel(err: unknown): boolean {
  return err instanceof Error && err.name === 'CancelledError';
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
