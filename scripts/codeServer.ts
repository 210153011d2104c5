// code-server (a real VS Code: 4.100.3 = VS Code 1.100.3) for the integration and end-to-end suites.
//
//   ensureCodeServer()    installs it once into .vscode-test/code-server-4.100.3 (see
//                         /work/shared/notes/environment.md, "A real VS Code here")
//   startCodeServer(opts) starts one server on a free 127.0.0.1 port and returns its handle
//
// Command line:  npx tsx scripts/codeServer.ts install
//                npx tsx scripts/codeServer.ts start [folder]   (runs until Ctrl+C)
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { waitForLock } from '../src/engine/core/lock';

export const CODE_SERVER_VERSION = '4.100.3';
export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const CODE_SERVER_DIR = path.join(PROJECT_ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const MARKER = path.join(CODE_SERVER_DIR, '.installed');
const PACKAGE_DIR = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(PACKAGE_DIR, 'out', 'node', 'entry.js');

type Log = (line: string) => void;
const defaultLog: Log = (line) => console.log(`[code-server] ${line}`);

// ---------------------------------------------------------------------------------------------
// Install

/** True when a complete install is present (the marker is written last). */
export function isCodeServerInstalled(): boolean {
  try {
    return fs.readFileSync(MARKER, 'utf8').trim() === CODE_SERVER_VERSION && fs.existsSync(CODE_SERVER_ENTRY);
  } catch {
    return false;
  }
}

/**
 * Installs code-server into .vscode-test/code-server-<version> unless a complete install is there.
 * A half-done install (no marker) is wiped and redone. Returns the path of entry.js.
 */
export async function ensureCodeServer(log: Log = defaultLog): Promise<string> {
  if (isCodeServerInstalled()) return CODE_SERVER_ENTRY;
  const release = await waitForLock(`${CODE_SERVER_DIR}.lock`, (owner) => log(`waiting for another install (pid ${owner}) to finish`));
  try {
    if (isCodeServerInstalled()) return CODE_SERVER_ENTRY; // another process finished it meanwhile
    const started = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(PROJECT_ROOT, CODE_SERVER_DIR)} (a few minutes, once)`);
    fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
    fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
    // Its own package.json, so npm does not walk up and install into the project.
    fs.writeFileSync(
      path.join(CODE_SERVER_DIR, 'package.json'),
      JSON.stringify({ name: 'code-server-tools', private: true, description: 'test tooling, see scripts/codeServer.ts' }, null, 2),
    );
    const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => run('npm', [...args, '--no-audit', '--no-fund'], cwd, env, log);
    // 1. The package itself; its postinstall downloads ripgrep from the internet, hence no scripts.
    npm(['install', '--ignore-scripts', '--no-save', '--package-lock=false', `code-server@${CODE_SERVER_VERSION}`], CODE_SERVER_DIR);
    // 2. VS Code's own server dependencies.
    const vscodeDir = path.join(PACKAGE_DIR, 'lib', 'vscode');
    npm(['install', '--omit=dev', '--ignore-scripts'], vscodeDir);
    // 3. ripgrep from Debian instead of the download.
    const rgBin = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
    fs.mkdirSync(rgBin, { recursive: true });
    fs.rmSync(path.join(rgBin, 'rg'), { force: true });
    fs.symlinkSync(findRipgrep(), path.join(rgBin, 'rg'));
    // 4. Native modules (node-pty, spdlog, kerberos, watcher...) for this Node.
    npm(['rebuild'], vscodeDir, { npm_config_yes: 'true' });
    const asar = path.join(vscodeDir, 'node_modules.asar');
    if (!fs.existsSync(asar)) fs.symlinkSync('node_modules', asar);
    npm(['rebuild', 'argon2'], CODE_SERVER_DIR);
    if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server install incomplete: ${CODE_SERVER_ENTRY} missing`);
    fs.writeFileSync(MARKER, `${CODE_SERVER_VERSION}\n`); // last: marks the install complete
    log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return CODE_SERVER_ENTRY;
  } finally {
    release();
  }
}

function findRipgrep(): string {
  for (const p of ['/usr/bin/rg', '/usr/local/bin/rg']) if (fs.existsSync(p)) return p;
  const which = spawnSync('which', ['rg'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('ripgrep (rg) not found: apt-get install -y ripgrep');
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: Log): void {
  log(`$ (cd ${path.relative(PROJECT_ROOT, cwd) || '.'} && ${cmd} ${args.join(' ')})`);
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (${r.error?.message ?? `exit ${r.status}`}):\n${out}`);
  }
}

/** A directory lock (mkdir is atomic); a lock left by a dead process is taken over. */

// ---------------------------------------------------------------------------------------------
// Start

export interface StartOptions {
  /** The folder the workbench opens. */
  folder: string;
  /**
   * Development-mode extension: only recorded here (the server itself needs no flag); use
   * `workbenchUrl()` / `developmentPayload()` to open the workbench with it.
   */
  extensionDevelopmentPath?: string;
  /** Extensions folder (default: a fresh temporary folder, removed by stop()). */
  extensionsDir?: string;
  /** User data folder (default: a fresh temporary folder, removed by stop()). */
  userDataDir?: string;
  /** Extra user settings, e.g. `{ 'workbench.colorTheme': 'Default Light Modern' }`. */
  settings?: Record<string, unknown>;
  /** .vsix files installed into the extensions folder before the server starts. */
  installExtensions?: string[];
  /**
   * Extension folders (with a package.json) symlinked into the extensions folder as
   * `<publisher>.<name>-<version>`: installed for real, without packaging, and loaded from their
   * own files (e.g. PROJECT_ROOT after `npm run build`).
   */
  linkExtensions?: string[];
  /** Extra environment for the server and its extension host. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the server to answer HTTP (default 60 s). */
  startTimeoutMs?: number;
  /** Server output lines (default: kept in memory only, see `output()`). */
  onOutput?: (line: string) => void;
}

/** [name, value] pairs of the workbench URL's `payload` parameter. */
export type Payload = Array<[string, string]>;

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  pid: number;
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  /** `vscode-remote://127.0.0.1:PORT/abs/path`: how the browser workbench names a server path. */
  remoteUri(absPath: string): string;
  /** The development payload for `extensionDevelopmentPath` (+ `extensionTestsPath` when given). */
  developmentPayload(extensionTestsPath?: string): Payload;
  /** Workbench URL opening `folder`, with an optional payload (see developmentPayload()). */
  workbenchUrl(payload?: Payload): string;
  /** The last lines the server printed. */
  output(): string;
  /** Kills the server (its process group), waits for it and removes the temporary folders it made. */
  stop(): Promise<void>;
}

const live = new Map<number, ChildProcess>();

/** Settings of startCodeServer's `settings` that VS Code reads with machine scope. */
const MACHINE_SCOPED = ['workbench.welcomePage.walkthroughs.openOnInstall'];

/** Starts code-server; every server is also killed when this process exits or gets SIGINT/SIGTERM. */
export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const entry = await ensureCodeServer();
  installExitHandlers();
  const tempDirs: string[] = [];
  const tempDir = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(d);
    return d;
  };
  const folder = path.resolve(opts.folder);
  const userDataDir = opts.userDataDir ? path.resolve(opts.userDataDir) : tempDir('cs-user-');
  const extensionsDir = opts.extensionsDir ? path.resolve(opts.extensionsDir) : tempDir('cs-ext-');
  const removeTemps = () => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  try {
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(extensionsDir, { recursive: true });
    const settings = {
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      // No walkthrough opening by itself on an extension's first start (ours does, as VS Code's
      // do on install): it would take the focus from what a test does. The walkthrough's own
      // test turns it back on.
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      ...opts.settings,
    };
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    // Machine-scoped settings take effect from the remote's settings (<user-data-dir>/Machine) in
    // code-server's window, for the workbench and the extension host alike.
    const machine = Object.fromEntries(Object.entries(settings).filter(([key]) => MACHINE_SCOPED.includes(key)));
    fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(machine, null, 2));
    for (const dir of opts.linkExtensions ?? []) {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const link = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase());
      fs.rmSync(link, { force: true, recursive: true }); // a link is removed, never followed
      fs.symlinkSync(path.resolve(dir), link, 'dir');
    }
    const env = serverEnv(opts.env);
    for (const vsix of opts.installExtensions ?? []) {
      run(process.execPath, [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsix), '--force'], PROJECT_ROOT, env, () => {});
    }

    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        return await launch({ entry, port, folder, userDataDir, extensionsDir, env, opts, removeTemps });
      } catch (err) {
        lastError = err;
        if (!/EADDRINUSE/.test(String(err))) break; // only a lost port race is worth a retry
      }
    }
    throw lastError;
  } catch (err) {
    removeTemps();
    throw err;
  }
}

interface LaunchArgs {
  entry: string;
  port: number;
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
  opts: StartOptions;
  removeTemps: () => void;
}

async function launch(a: LaunchArgs): Promise<CodeServer> {
  const { port, folder, userDataDir, extensionsDir, opts } = a;
  const host = `127.0.0.1:${port}`;
  // Its own config file, so ~/.config/code-server is neither read nor created.
  const config = path.join(userDataDir, 'code-server.yaml');
  fs.writeFileSync(config, `bind-addr: ${host}\nauth: none\ncert: false\n`);
  const args = [
    a.entry,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', host,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    folder,
  ];
  const child = spawn(process.execPath, args, { cwd: folder, env: a.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  live.set(pid, child);
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 400) lines.shift();
    opts.onOutput?.(line);
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      parts.forEach(onLine);
    });
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(pid);
      resolve();
    }),
  );

  let killed: Promise<void> | undefined;
  const kill = () =>
    (killed ??= (async () => {
      if (!exited) {
        killGroup(pid, 'SIGTERM');
        await Promise.race([exitPromise, sleep(5000)]);
        // The wrapper may be gone while the group (extension host, pty host) lingers: always finish it.
        killGroup(pid, 'SIGKILL');
        await Promise.race([exitPromise, sleep(2000)]);
      } else {
        killGroup(pid, 'SIGKILL');
      }
      live.delete(pid);
    })());
  const stop = async () => {
    await kill();
    a.removeTemps();
  };

  const url = `http://${host}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await kill();
      throw new Error(`code-server exited (${exited.code ?? exited.signal}) before answering:\n${lines.slice(-30).join('\n')}`);
    }
    if (await answers(`${url}/healthz`)) break;
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`code-server did not answer on ${url} within ${opts.startTimeoutMs ?? 60_000} ms:\n${lines.slice(-30).join('\n')}`);
    }
    await sleep(200);
  }

  const remoteUri = (absPath: string) => `vscode-remote://${host}${path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/')}`;
  return {
    url,
    port,
    pid,
    folder,
    userDataDir,
    extensionsDir,
    remoteUri,
    developmentPayload(extensionTestsPath?: string): Payload {
      if (!opts.extensionDevelopmentPath) throw new Error('startCodeServer() was given no extensionDevelopmentPath');
      const payload: Payload = [['extensionDevelopmentPath', remoteUri(opts.extensionDevelopmentPath)]];
      if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(extensionTestsPath)]);
      return payload;
    },
    workbenchUrl(payload?: Payload): string {
      const q = [`folder=${encodeURIComponent(folder)}`];
      if (payload?.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `${url}/?${q.join('&')}`;
    },
    output: () => lines.join('\n'),
    stop,
  };
}

/** The server's environment: without the variables that would make it hand off to an outer VS Code. */
function serverEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|CODE_SERVER_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // detached: the server leads its own process group
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL whatever is still running.
  process.on('exit', () => {
    for (const pid of live.keys()) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      for (const pid of live.keys()) killGroup(pid, 'SIGKILL');
      live.clear();
      // If nobody else (e.g. mocha) handles the signal, end the way the signal would have.
      if (process.listenerCount(signal) === 1) process.exit(128 + (os.constants.signals[signal] ?? 1));
    };
    process.on(signal, handler);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------
// CLI

if (require.main === module) {
  const [cmd, arg] = process.argv.slice(2);
  (async () => {
    if (cmd === 'install') {
      await ensureCodeServer();
      console.log(CODE_SERVER_ENTRY);
    } else if (cmd === 'start') {
      const server = await startCodeServer({ folder: arg ?? PROJECT_ROOT, extensionDevelopmentPath: PROJECT_ROOT, onOutput: (l) => console.log(l) });
      console.log(`workbench (extension in development mode): ${server.workbenchUrl(server.developmentPayload())}`);
      console.log('Ctrl+C stops it');
    } else {
      console.error('usage: tsx scripts/codeServer.ts install | start [folder]');
      process.exit(2);
    }
  })().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
