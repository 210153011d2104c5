// Native TensorFlow from a folder of its own (where Install Native TensorFlow puts it): the
// engine worker resolves the package from the folder it is given, 'auto' selects it, the check
// trains one step with it, and a package that does not load leaves WebAssembly in use with the
// cause in the note. Real tfjs-node cannot install on these machines, so the package here is a
// stand-in written at test time (test/support/standInNpm.js: TensorFlow.js's cpu kernels
// registered under the name 'tensorflow', from its own copy of tfjs-core, as the real package
// brings its own). What this proves is the resolution, the cross-copy registration and the
// fallback, not native TensorFlow itself. Each case runs the real engine worker in its own thread.
import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/data';
import { TestEngineWorker } from '../support/engineWorker';
import { nativeSupport, readNativeInstall, writeNativeInstall, type NativeInstall } from '../../src/native/location';
 
const { writeStandInPackage } = require('../support/standInNpm.js') as { writeStandInPackage(dir: string, behaviour: string, name?: string): { dir: string; package: string } };

describe('native TensorFlow from a configured folder (a stand-in package)', function () {
  this.timeout(240_000);
  const folders: string[] = [];
  const workers: TestEngineWorker[] = [];
  const folder = () => {
    const dir = tempDir('digit-native-');
    folders.push(dir);
    return dir;
  };
  const worker = (data: ConstructorParameters<typeof TestEngineWorker>[0]) => {
    const w = new TestEngineWorker(data);
    workers.push(w);
    return w;
  };

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
  });
  after(() => folders.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("'auto' selects the package in the folder, and one training step runs on it", async () => {
    const source = writeStandInPackage(folder(), 'trains');
    const w = worker({ backend: 'auto', native: source });
    const backend = await w.selectedBackend();
    assert.strictEqual(backend.name, 'tensorflow');
    assert.ok(backend.note?.includes(source.dir), `the note names the folder: ${backend.note}`);
    const step = await w.request({ type: 'checkNative' });
    assert.strictEqual(step.backend, 'tensorflow');
    assert.ok(Number.isFinite(step.loss) && step.loss > 0, `loss ${step.loss}`);
  });

  it('the package is resolved from that folder only: the same folder without it is "not installed", and auto uses WebAssembly', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }');
    const w = worker({ backend: 'auto', native: { dir, package: '@tensorflow/tfjs-node' } });
    const backend = await w.selectedBackend();
    assert.strictEqual(backend.name, 'wasm');
    assert.match(backend.note ?? '', new RegExp(`@tensorflow/tfjs-node in ${escape(dir)} is not installed`));
  });

  it('a package that does not load: auto falls back to WebAssembly and names the cause; the check rejects with it', async () => {
    const source = writeStandInPackage(folder(), 'fails-to-load');
    const auto = worker({ backend: 'auto', native: source });
    const backend = await auto.selectedBackend();
    assert.strictEqual(backend.name, 'wasm');
    assert.match(backend.note ?? '', /could not load \(libtensorflow\.so\.2: cannot open shared object file/);
    const strict = worker({ backend: 'tensorflow', native: source });
    await assert.rejects(strict.request({ type: 'checkNative' }), (e: Error) => e.name === 'InputError' && /could not load \(libtensorflow\.so\.2/.test(e.message));
    await assert.rejects(strict.selectedBackend(), (e: Error) => e.name === 'InputError' && /"tensorflow" backend is not available: .*could not load/.test(e.message));
  });

  it('a package that registers no backend is reported as such', async () => {
    const source = writeStandInPackage(folder(), 'registers-nothing');
    const backend = await worker({ backend: 'auto', native: source }).selectedBackend();
    assert.strictEqual(backend.name, 'wasm');
    assert.match(backend.note ?? '', /registered no backend/);
  });
});

describe('installed.json', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('digit-native-root-');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const record = (dir: string): NativeInstall => ({ dir, package: '@tensorflow/tfjs-node', variant: 'cpu', version: '4.22.0', installed: '2026-12-02T00:00:00.000Z' });

  it('round-trips, storing the folder relative to the root', () => {
    const dir = path.join(root, 'cpu-4.22.0-x');
    writeStandInPackage(dir, 'registers-nothing');
    writeNativeInstall(root, record(dir));
    assert.deepStrictEqual(readNativeInstall(root), record(dir));
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(root, 'installed.json'), 'utf8')).dir, 'cpu-4.22.0-x');
    assert.deepStrictEqual(fs.readdirSync(root).sort(), ['cpu-4.22.0-x', 'installed.json'], 'no temporary file left');
  });

  it('is ignored when its folder lacks the package, or it is not a record', () => {
    writeNativeInstall(root, record(path.join(root, 'gone')));
    assert.strictEqual(readNativeInstall(root), undefined);
    fs.writeFileSync(path.join(root, 'installed.json'), '{ half');
    assert.strictEqual(readNativeInstall(root), undefined);
    fs.writeFileSync(path.join(root, 'installed.json'), JSON.stringify({ dir: '.', variant: 'tpu', version: '1' }));
    assert.strictEqual(readNativeInstall(root), undefined);
  });
});

describe('nativeSupport', () => {
  it("follows tfjs-node's install script: CPU builds for Linux, macOS and Windows x64; GPU for Linux and Windows x64", () => {
    assert.deepStrictEqual(nativeSupport('linux', 'x64'), { cpu: true, gpu: true });
    assert.deepStrictEqual(nativeSupport('linux', 'arm64'), { cpu: true, gpu: false });
    assert.deepStrictEqual(nativeSupport('darwin', 'arm64'), { cpu: true, gpu: false });
    assert.deepStrictEqual(nativeSupport('win32', 'x64'), { cpu: true, gpu: true });
    assert.deepStrictEqual(nativeSupport('win32', 'arm64'), { cpu: false, gpu: false });
    assert.deepStrictEqual(nativeSupport('freebsd', 'x64'), { cpu: false, gpu: false });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
