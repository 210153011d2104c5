// The module the extension host loads as `extensionTestsPath` (bundled to out/test/index.js by
// esbuild.js, `mocha` left external). The host calls run() with the real `vscode` API, under
// code-server (test/runIntegration.ts) or VS Code desktop (test/runTestElectron.ts).
//
// run() writes its results as JSON (see IntegrationResults) to $DIGIT_RECOGNIZER_TEST_RESULTS, or,
// when that is unset, to <first workspace folder>/.vscode-test-results/integration.json; the
// launchers wait for that file. The returned promise rejects when a test failed (what
// @vscode/test-electron expects).
//
// Adding a test file: one `require` line in loadTestFiles() below.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import * as vscode from 'vscode';

function loadTestFiles(): void {
  // Loaded after mocha's BDD globals (describe/it/...) exist; esbuild bundles each one.
  require('./extension.test');
  require('./getStarted.test');
  require('./settings.test');
  require('./commands.test');
  require('./importModels.test');
  require('./native.test');
  require('./fineTune.test');
  require('./kaggle.test');
}

export const RESULTS_ENV = 'DIGIT_RECOGNIZER_TEST_RESULTS';
/** Filters the tests by title, like mocha's --grep. */
export const GREP_ENV = 'DIGIT_RECOGNIZER_TEST_GREP';

export interface IntegrationResults {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  vscodeVersion: string;
  nodeVersion: string;
  tests: Array<{ title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number }>;
  failed: Array<{ title: string; message: string; stack?: string }>;
  /** What mocha's spec reporter printed, without colours. */
  output: string;
  /** Set when the suite could not run at all (e.g. a test file threw while loading). */
  error?: string;
}

export function resultsFile(): string {
  const fromEnv = process.env[RESULTS_ENV];
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const base = folder?.scheme === 'file' ? folder.fsPath : path.join(os.tmpdir(), 'digit-recognizer-vscode');
  return path.join(base, '.vscode-test-results', 'integration.json');
}

export async function run(): Promise<void> {
  process.setSourceMapsEnabled?.(true); // stack traces name test/**/*.ts, not out/test/index.js
  const started = Date.now();
  const output: string[] = [];
  const results: IntegrationResults = {
    passes: 0,
    failures: 0,
    pending: 0,
    durationMs: 0,
    vscodeVersion: vscode.version,
    nodeVersion: process.version,
    tests: [],
    failed: [],
    output: '',
  };
  const Base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void; useColors: boolean };
  const consoleLog = Base.consoleLog;
  Base.useColors = false;
  // Capture the reporter's lines (and still show them in the extension host's console).
  Base.consoleLog = (...args: unknown[]) => {
    output.push(util.format(...args));
    consoleLog(...args);
  };
  try {
    const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 120_000, slow: 5_000 });
    const grep = process.env[GREP_ENV];
    if (grep) mocha.grep(grep);
    mocha.suite.emit('pre-require', globalThis, 'out/test/index.js', mocha);
    loadTestFiles();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => results.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('pending', (t) => results.tests.push({ title: t.fullTitle(), state: 'pending' }));
      runner.on('fail', (t, err: Error) => {
        results.tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration });
        results.failed.push({ title: t.fullTitle(), message: String(err?.message ?? err), stack: err?.stack });
      });
    });
  } catch (err) {
    results.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    output.push(`Could not run the integration suite: ${results.error}`);
  } finally {
    Base.consoleLog = consoleLog;
  }
  results.passes = results.tests.filter((t) => t.state === 'passed').length;
  results.pending = results.tests.filter((t) => t.state === 'pending').length;
  // Hook failures ("before all" hook...) count as failures too.
  results.failures = results.failed.length + (results.error ? 1 : 0);
  results.durationMs = Date.now() - started;
  results.output = output.join('\n');
  writeResults(resultsFile(), results);
  if (results.failures > 0) throw new Error(`${results.failures} integration test(s) failed`);
}

/** Written to a temporary name first, so a reader never sees half a file. */
function writeResults(file: string, results: IntegrationResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 2));
  fs.renameSync(tmp, file);
}
