// Runs the same integration suite (out/test/index.js) in VS Code desktop through
// @vscode/test-electron, for machines that can download VS Code (not these: use
// test/runIntegration.ts, code-server, there).
//
//   npm run test:electron          build, then run
//   VSCODE_VERSION=stable npm run test:electron     (default: 1.100.3, the code-server one)
//   VSCODE_EXECUTABLE=/path/to/code npm run test:electron   (an installed VS Code, no download)
//
// On Linux without a display, run it under xvfb-run.
import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IntegrationResults } from './integration/index';

const ROOT = path.resolve(__dirname, '..');
const TESTS_PATH = path.join(ROOT, 'out', 'test', 'index.js');

async function main(): Promise<number> {
  if (!fs.existsSync(TESTS_PATH)) {
    console.error('out/test/index.js is missing: run `npm run build` first (npm run test:electron does).');
    return 1;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  const resultsFile = path.join(tmp, 'results.json');
  let exitCode: number;
  try {
    exitCode = await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: TESTS_PATH,
      extensionTestsEnv: { DIGIT_RECOGNIZER_TEST_RESULTS: resultsFile, DIGIT_RECOGNIZER_TEST_GREP: process.env.GREP },
      launchArgs: [
        workspace,
        '--disable-extensions', // other installed extensions stay off; the development one loads
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', path.join(tmp, 'user-data'),
        '--extensions-dir', path.join(tmp, 'extensions'),
      ],
    });
  } catch (err) {
    // runTests rejects when VS Code exits non-zero (a failed test) or cannot be downloaded/started.
    console.error(err instanceof Error ? err.message : err);
    exitCode = 1;
  }
  let results: IntegrationResults | undefined;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as IntegrationResults;
  } catch {
    /* VS Code never ran the suite */
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!results) {
    console.error('No integration results were written.');
    console.log('0 passed, 1 failed');
    return 1;
  }
  // VS Code desktop already printed the reporter output on its stdout.
  console.log(`(VS Code ${results.vscodeVersion}, Node ${results.nodeVersion})`);
  console.log(`${results.passes} passed, ${results.failures} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  return exitCode !== 0 || results.failures > 0 ? 1 : 0;
}

main().then((code) => process.exit(code));
