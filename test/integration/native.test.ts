// Install Native TensorFlow in a real extension host (code-server's, on the server side), run as
// a command with arguments. Real @tensorflow/tfjs-node cannot install on these machines (its
// install script cannot reach storage.googleapis.com), so: the real npm shows that failure path;
// stand-ins for npm (test/support/standInNpm.js) show the others, and a stand-in package that
// is not TensorFlow (TensorFlow.js's cpu kernels registered as 'tensorflow') shows the whole way
// from install to "backend auto trains with it" — the extension's part, not native TensorFlow's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { DigitRecognizerApi } from '../../src/extension/extension';
import { readNativeInstall } from '../../src/native/location';
import { requireData, slice, tempDir } from '../support/data';
 
const standIn = require('../support/standInNpm.js') as { writeStandInNpm(folder: string, behaviour: string): string };

type Result = { ok: boolean; error?: string; cancelled?: boolean; modelId?: string; dir?: string; stepSeconds?: number; removed?: boolean };
const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Result>(`digitRecognizer.${command}`, ...args);

describe('Install Native TensorFlow', function () {
  this.timeout(300_000);
  let api: DigitRecognizerApi;
  let bin: string;
  let trainFile: string;

  /** Folders in the native root other than the install in use: must stay empty. */
  const leftovers = () => {
    if (!fs.existsSync(api.nativeRoot)) return [];
    const inUse = readNativeInstall(api.nativeRoot)?.dir;
    return fs.readdirSync(api.nativeRoot).filter((n) => n !== 'installed.json' && path.join(api.nativeRoot, n) !== inUse);
  };

  /** Trains a tiny model with the current setup and returns the backend it recorded (the model is deleted again). */
  const backendOfATrainingRun = async (): Promise<string> => {
    const result = await run('trainModel', vscode.Uri.file(trainFile), { arch: 'seed', epochs: 1, batchSize: 4, validationSplit: 0, augment: false, limit: 4, name: 'backend check' });
    assert.ok(result?.ok, `training failed: ${result?.error}`);
    const metadata = JSON.parse(fs.readFileSync(path.join(api.modelsFolder, result.modelId!, 'metadata.json'), 'utf8'));
    assert.ok((await run('deleteModel', result.modelId, true))?.ok);
    return metadata.backend;
  };

  before(async function () {
    const data = requireData(this);
    api = (await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate()) as DigitRecognizerApi;
    bin = tempDir('digit-stand-in-npm-');
    trainFile = await slice(data, 'train.csv', 200);
    assert.strictEqual(readNativeInstall(api.nativeRoot), undefined, 'a fresh profile has no native TensorFlow');
  });

  after(async () => {
    if (!bin) return; // the suite was skipped (no data): nothing was set up
    await run('removeNativeTensorFlow', true);
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it('without npm: one message naming the cause, nothing installed, training stays on WebAssembly', async () => {
    const result = await run('installNativeTensorFlow', { variant: 'cpu', npm: path.join(bin, 'no-such-npm') });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /^npm was not found \(.*\): install Node\.js, which includes npm, or set digitRecognizer\.npmPath .*\. Nothing was installed; training keeps using WebAssembly\.$/);
    assert.deepStrictEqual(leftovers(), []);
    assert.strictEqual(await backendOfATrainingRun(), 'wasm');
  });

  it('with the real npm: verified and used where it can install; here (libtensorflow host unreachable) one message naming the cause, nothing left, WebAssembly', async () => {
    const result = await run('installNativeTensorFlow', { variant: 'cpu' });
    if (result?.ok) {
      // A machine that reaches storage.googleapis.com: the real thing was installed and checked.
      console.log(`      (installed for real: one training step in ${result.stepSeconds} s)`);
      assert.ok(readNativeInstall(api.nativeRoot));
      assert.strictEqual(await backendOfATrainingRun(), 'tensorflow');
      assert.ok((await run('removeNativeTensorFlow', true))?.ok);
    } else {
      console.log(`      (${result?.error})`);
      assert.match(result?.error ?? '', /^@tensorflow\/tfjs-node's install script could not download libtensorflow \(the TensorFlow C library\) from [\w.-]+ \(E[A-Z_]+: .*\)\. Nothing was installed; training keeps using WebAssembly\.$|^npm could not reach the package registry/);
      assert.strictEqual(readNativeInstall(api.nativeRoot), undefined);
      assert.strictEqual(await backendOfATrainingRun(), 'wasm');
    }
    assert.deepStrictEqual(leftovers(), [], 'nothing half-installed');
  });

  it('a library that does not load: the cause, nothing installed, WebAssembly stays', async () => {
    const result = await run('installNativeTensorFlow', { variant: 'cpu', npm: standIn.writeStandInNpm(bin, 'fails-to-load') });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /^@tensorflow\/tfjs-node was downloaded, but @tensorflow\/tfjs-node in .* could not load \(libtensorflow\.so\.2: cannot open shared object file: No such file or directory\)\. Nothing was installed; training keeps using WebAssembly\.$/);
    assert.strictEqual(readNativeInstall(api.nativeRoot), undefined);
    assert.deepStrictEqual(leftovers(), []);
    assert.strictEqual(await backendOfATrainingRun(), 'wasm');
  });

  it('a library that crashes the process loading it: checked in a process of its own, so this extension host lives on; one message, nothing installed', async () => {
    const result = await run('installNativeTensorFlow', { variant: 'cpu', npm: standIn.writeStandInNpm(bin, 'crashes') });
    assert.strictEqual(result?.ok, false);
    assert.match(result.error!, /^@tensorflow\/tfjs-node was downloaded, but @tensorflow\/tfjs-node crashed the process that loaded it \(SIGILL, an illegal instruction: the prebuilt TensorFlow needs a CPU with AVX\)\. Nothing was installed; training keeps using WebAssembly\.$/);
    assert.strictEqual(readNativeInstall(api.nativeRoot), undefined);
    assert.deepStrictEqual(leftovers(), []);
    assert.strictEqual(await backendOfATrainingRun(), 'wasm');
  });

  it('installed (stand-in npm and package) into global storage and checked in the engine worker, then "auto" trains with it; Remove goes back to WebAssembly', async () => {
    const result = await run('installNativeTensorFlow', { variant: 'cpu', npm: standIn.writeStandInNpm(bin, 'trains') });
    assert.ok(result?.ok, `install failed: ${result?.error}`);
    assert.strictEqual(path.dirname(result.dir!), api.nativeRoot);
    assert.ok(result.dir!.startsWith(path.dirname(api.modelsFolder)), `not in global storage: ${result.dir}`);
    assert.deepStrictEqual(readNativeInstall(api.nativeRoot)?.dir, result.dir);
    assert.deepStrictEqual(leftovers(), []);
    assert.strictEqual(vscode.workspace.getConfiguration('digitRecognizer').get('backend'), 'auto');
    assert.strictEqual(await backendOfATrainingRun(), 'tensorflow');

    const removed = await run('removeNativeTensorFlow', true);
    assert.deepStrictEqual(removed, { ok: true, removed: true });
    assert.strictEqual(fs.existsSync(result.dir!), false);
    assert.strictEqual(await backendOfATrainingRun(), 'wasm');
  });
});
