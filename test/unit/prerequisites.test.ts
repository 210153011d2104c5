// scripts/prerequisites.js, run as npm runs it, on this machine and on a stubbed one: a PATH of
// stand-in commands (or none), Chromium and Python pointed at files that are or are not there.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pkg from '../../package.json';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'prerequisites.js');
const TEST_PACKAGES = ['libkrb5-dev', 'g++', 'make', 'ripgrep', 'chromium', 'python3-h5py'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the checker with only `env` (no inherited PATH, CHROMIUM_PATH or KERAS_REFERENCE_PYTHON). */
function check(args: string[], env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { env: { HOME: os.tmpdir(), ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('system prerequisites (scripts/prerequisites.js)', () => {
  let dir: string;
  let bin: string;
  /** A stand-in executable that exits with `code`. */
  const stub = (file: string, code = 0) => {
    fs.writeFileSync(file, `#!/bin/sh\nexit ${code}\n`, { mode: 0o755 });
    return file;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-prereq-'));
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says nothing and exits 0 on this machine, where npm test runs', () => {
    const r = spawnSync(process.execPath, [SCRIPT, 'test'], { encoding: 'utf8' });
    assert.strictEqual(r.stderr, '');
    assert.strictEqual(r.stdout, '');
    assert.strictEqual(r.status, 0);
  });

  it('names every missing package in one line with the one apt-get command, and exits 1', () => {
    const noH5py = stub(path.join(dir, 'python3'), 1);
    const r = check(['test'], { PATH: bin, CHROMIUM_PATH: path.join(dir, 'no-chromium'), KERAS_REFERENCE_PYTHON: noH5py });
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.strictEqual(lines.length, 1, r.stderr);
    for (const name of TEST_PACKAGES) assert.ok(lines[0].includes(`${name} (`), `${name} is not named: ${lines[0]}`);
    assert.match(lines[0], new RegExp(`Install them with: (sudo )?apt-get install -y ${TEST_PACKAGES.join(' ').replace(/\+/g, '\\+')}$`));
    // The kernels' compiler is optional for npm test: the committed kernels.wasm is used without it.
    assert.doesNotMatch(lines[0], /clang|lld/);
  });

  it('names only what is missing: the rest found on the PATH, Chromium and Python where pointed', () => {
    for (const name of ['krb5-config', 'g++', 'make']) stub(path.join(bin, name));
    const chromium = stub(path.join(dir, 'chromium'));
    const python = stub(path.join(dir, 'python3'), 0);
    const r = check(['test'], { PATH: bin, CHROMIUM_PATH: chromium, KERAS_REFERENCE_PYTHON: python });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /^npm test needs system packages that are missing: ripgrep \(code-server's search\)\. Install them with: (sudo )?apt-get install -y ripgrep\n$/);

    stub(path.join(bin, 'rg'));
    assert.deepStrictEqual(check(['test'], { PATH: bin, CHROMIUM_PATH: chromium, KERAS_REFERENCE_PYTHON: python }), { status: 0, stdout: '', stderr: '' });
  });

  it('npm start needs nothing when VS Code desktop (code) is on the PATH, else what code-server needs', () => {
    const without = check(['start'], { PATH: bin });
    assert.strictEqual(without.status, 1);
    assert.match(without.stderr, /^npm start needs .*Install them with: (sudo )?apt-get install -y libkrb5-dev g\+\+ make ripgrep\n$/);
    stub(path.join(bin, 'code'));
    assert.deepStrictEqual(check(['start'], { PATH: bin }), { status: 0, stdout: '', stderr: '' });
  });

  it("lists CI's missing packages, clang and lld included, for .ci/run", () => {
    const noH5py = stub(path.join(dir, 'python3'), 1);
    const r = check(['ci', '--missing'], { PATH: bin, CHROMIUM_PATH: path.join(dir, 'none'), KERAS_REFERENCE_PYTHON: noH5py });
    assert.strictEqual(r.status, 0);
    assert.strictEqual(r.stdout, `${[...TEST_PACKAGES, 'clang', 'lld'].join(' ')}\n`);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /node scripts\/prerequisites\.js ci --missing/);
  });

  it('runs first in npm test and npm start, before anything that takes time', () => {
    assert.match(pkg.scripts.test, /^node scripts\/prerequisites\.js test && /);
    assert.match(pkg.scripts.start, /^node scripts\/prerequisites\.js start && /);
  });
});
