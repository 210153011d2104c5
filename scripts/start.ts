// `npm start`: builds the extension and opens it in a real VS Code on a workspace.
//   npm start [-- <folder>]
// VS Code desktop's `code` is used when it is on the PATH; otherwise code-server on 127.0.0.1
// (its URL is printed; Ctrl+C stops it). The workspace is <folder> when given, else one prepared
// in .vscode-test/workspace with links to Kaggle's train.csv/test.csv when they can be found
// (DIGIT_DATA_DIR, or ../shared/data/digit-recognizer), else an empty one whose README says
// where to get them.
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT, startCodeServer } from './codeServer';

const WORKSPACE = path.join(PROJECT_ROOT, '.vscode-test', 'workspace');
const DATA_FILES = ['train.csv', 'test.csv'];

function findData(): string | undefined {
  const candidates = [process.env.DIGIT_DATA_DIR, path.resolve(PROJECT_ROOT, '../shared/data/digit-recognizer')];
  return candidates.find((dir) => dir && DATA_FILES.every((f) => fs.existsSync(path.join(dir, f))));
}

/** A workspace with links to the data (never copies: the files are large and third-party). */
function prepareWorkspace(): string {
  fs.mkdirSync(WORKSPACE, { recursive: true });
  const data = findData();
  for (const file of DATA_FILES) {
    const link = path.join(WORKSPACE, file);
    if (fs.lstatSync(link, { throwIfNoEntry: false })) fs.rmSync(link);
    if (data) fs.symlinkSync(path.join(data, file), link);
  }
  const readme = data
    ? `# Digit Recognizer workspace\n\ntrain.csv and test.csv link to ${data}.\n\nTry, from the command palette (Ctrl+Shift+P):\n- **Digit Recognizer: Train Model** (pick train.csv)\n- **Digit Recognizer: Open Digit Pad** and draw a digit\n- **Digit Recognizer: Generate Submission** (pick test.csv)\n`
    : `# Digit Recognizer workspace\n\nKaggle's CSVs were not found. Download train.csv and test.csv from\nhttps://www.kaggle.com/c/digit-recognizer/data into this folder (or set DIGIT_DATA_DIR to the\nfolder that holds them and run \`npm start\` again).\n`;
  fs.writeFileSync(path.join(WORKSPACE, 'README.md'), readme);
  console.log(data ? `Workspace ${WORKSPACE} (data from ${data})` : `Workspace ${WORKSPACE} (no data found: see its README.md)`);
  return WORKSPACE;
}

function hasCodeDesktop(): boolean {
  return spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'esbuild.js')], { stdio: 'inherit' });
  const folder = process.argv[2] ? path.resolve(process.argv[2]) : prepareWorkspace();
  if (hasCodeDesktop()) {
    spawn('code', [`--extensionDevelopmentPath=${PROJECT_ROOT}`, folder], { stdio: 'inherit', detached: true }).unref();
    return;
  }
  const userDataDir = path.join(PROJECT_ROOT, '.vscode-test', 'start-user-data');
  const extensionsDir = path.join(PROJECT_ROOT, '.vscode-test', 'start-extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const server = await startCodeServer({ folder, userDataDir, extensionsDir, extensionDevelopmentPath: PROJECT_ROOT, onOutput: () => undefined });
  console.log(`\nVS Code (code-server) is running with the extension in development mode:\n\n  ${server.workbenchUrl(server.developmentPayload())}\n\nOpen that URL in a browser on this machine. Ctrl+C stops the server.`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await server.stop();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
