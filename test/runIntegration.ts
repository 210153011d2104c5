// Runs the integration suite (out/test/index.js, built by `npm run build`) inside a real
// extension host: code-server 4.100.3 (VS Code 1.100.3), its workbench opened in headless
// Chromium with this project in development mode plus extensionTestsPath.
//
//   npm run test:integration                  build, then run
//   npx tsx test/runIntegration.ts [--grep <regexp>] [--timeout <seconds>]
//
// Environment: INTEGRATION_TIMEOUT (seconds, default 600), CHROMIUM_PATH, VERBOSE=1 (server and
// browser console output as it happens).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { type CodeServer, ensureCodeServer, PROJECT_ROOT, sleep, startCodeServer } from '../scripts/codeServer';
import { launchChromium } from '../scripts/chromium';
import type { IntegrationResults } from './integration/index';

const TESTS_PATH = path.join(PROJECT_ROOT, 'out', 'test', 'index.js');
const RESULTS_ENV = 'DIGIT_RECOGNIZER_TEST_RESULTS';
const GREP_ENV = 'DIGIT_RECOGNIZER_TEST_GREP';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const verbose = !!process.env.VERBOSE;
  const timeoutMs = Number(option('timeout') ?? process.env.INTEGRATION_TIMEOUT ?? 600) * 1000;
  if (!fs.existsSync(TESTS_PATH)) {
    console.error(`${path.relative(PROJECT_ROOT, TESTS_PATH)} is missing: run \`npm run build\` first (npm run test:integration does).`);
    return 1;
  }
  if (!fs.existsSync(path.join(PROJECT_ROOT, 'dist', 'extension.js'))) {
    console.error('dist/extension.js is missing: run `npm run build` first.');
    return 1;
  }

  let t = Date.now();
  await ensureCodeServer();
  const installMs = Date.now() - t;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-integration-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  const resultsFile = path.join(tmp, 'results.json');
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on('exit', removeTmp); // also after Ctrl+C (startCodeServer's handler exits)
  // index.ts writes here when the extension host does not inherit the environment.
  const fallbackResults = path.join(workspace, '.vscode-test-results', 'integration.json');
  const log: string[] = [];
  const note = (line: string) => {
    log.push(line);
    if (log.length > 500) log.shift();
    if (verbose) console.log(line);
  };

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let results: IntegrationResults | undefined;
  let failure: string | undefined;
  const timings: string[] = [];
  try {
    t = Date.now();
    const env: NodeJS.ProcessEnv = { [RESULTS_ENV]: resultsFile };
    const grep = option('grep');
    if (grep) env[GREP_ENV] = grep;
    server = await startCodeServer({
      folder: workspace,
      extensionDevelopmentPath: PROJECT_ROOT,
      userDataDir: path.join(tmp, 'user-data'),
      extensionsDir: path.join(tmp, 'extensions'),
      env,
      onOutput: (l) => note(`[server] ${l}`),
    });
    timings.push(`server ${secs(Date.now() - t)}`);

    t = Date.now();
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => note(`[browser ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => note(`[browser pageerror] ${e}`));
    const url = server.workbenchUrl(server.developmentPayload(TESTS_PATH));
    note(`[launcher] ${url}`);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    timings.push(`workbench ${secs(Date.now() - t)}`);

    t = Date.now();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const file = [resultsFile, fallbackResults].find((f) => fs.existsSync(f));
      if (file) {
        note(`[launcher] results from ${file}`);
        results = JSON.parse(fs.readFileSync(file, 'utf8')) as IntegrationResults;
        break;
      }
      if (Date.now() > deadline) {
        failure = `timed out after ${secs(timeoutMs)} waiting for the integration results`;
        break;
      }
      await sleep(250);
    }
    timings.push(`suite ${secs(Date.now() - t)}`);
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    removeTmp();
  }

  if (results) {
    console.log(results.output);
    console.log(`(VS Code ${results.vscodeVersion}, Node ${results.nodeVersion}, code-server install check ${secs(installMs)}; ${timings.join(', ')})`);
    if (results.error) console.error(`\nThe suite could not run: ${results.error}`);
  }
  if (failure || !results) {
    console.error(`\nIntegration run failed: ${failure ?? 'no results'}`);
    console.error('Last server / browser output:\n' + log.slice(-80).join('\n'));
  }
  const passed = results?.passes ?? 0;
  const failed = (results?.failures ?? 0) + (failure ? 1 : 0);
  const pending = results?.pending ?? 0;
  if (results && passed + failed + pending === 0) console.error('No integration tests ran.');
  console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
  return failed > 0 || !results || passed + pending === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
