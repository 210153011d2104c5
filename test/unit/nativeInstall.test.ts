// Install Native TensorFlow's transaction (src/native/install.ts) and its failure messages.
// npm's real failure here (it cannot reach the libtensorflow host) is recorded output; the other
// runs use stand-ins for npm (test/support/standInNpm.js) and check the result in the real engine
// worker. The stand-in package is not TensorFlow: what this proves is that a failure names its
// cause and leaves nothing behind, a cancel ends npm, and a success is recorded only after the
// check — not that native TensorFlow installs (it cannot on these machines).
import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/data';
import { TestEngineWorker } from '../support/engineWorker';
import { installNative, removeNative, type InstallRequest } from '../../src/native/install';
import { explainNpmFailure } from '../../src/native/npmFailure';
import { readNativeInstall, type NativeSource } from '../../src/native/location';
import { shouldOfferNative } from '../../src/native/offer';
 
const standIn = require('../support/standInNpm.js') as { writeStandInNpm(folder: string, behaviour: string): string; NO_LIBTENSORFLOW_OUTPUT: string };

const PKG = '@tensorflow/tfjs-node';

describe('explainNpmFailure', () => {
  it('names the libtensorflow host the install script could not reach (npm output on this machine)', () => {
    assert.strictEqual(
      explainNpmFailure(standIn.NO_LIBTENSORFLOW_OUTPUT, PKG),
      "@tensorflow/tfjs-node's install script could not download libtensorflow (the TensorFlow C library) from storage.googleapis.com (ENOTFOUND: no network connection, or this machine cannot resolve that host name)",
    );
  });

  it('finds the host however npm interleaved the script’s stdout (the URL) and stderr (the banner, the error)', () => {
    const lines = standIn.NO_LIBTENSORFLOW_OUTPUT.split('\n');
    const url = lines.findIndex((l) => l.startsWith('https://storage.googleapis.com/'));
    const [urlLine] = lines.splice(url, 1);
    lines.push(urlLine); // stdout's line last, after stderr's error
    assert.match(explainNpmFailure(lines.join('\n'), PKG), /from storage\.googleapis\.com \(ENOTFOUND/);
    assert.match(explainNpmFailure(standIn.NO_LIBTENSORFLOW_OUTPUT.replace(/^https:.*$/m, ''), PKG), /from storage\.googleapis\.com \(ENOTFOUND/, 'no URL line: the host of the failed lookup');
  });

  // The npm outputs below were printed by npm 11.19 here on 2026-12-02 (registry made unreachable
  // with --registry, or a package/version that does not exist).
  it('names an unreachable registry', () => {
    const notFound = [
      'npm error code ENOTFOUND',
      'npm error syscall getaddrinfo',
      'npm error errno ENOTFOUND',
      'npm error network request to https://registry.nonexistent.invalid/left-pad failed, reason: getaddrinfo ENOTFOUND registry.nonexistent.invalid',
      'npm error network This is a problem related to network connectivity.',
    ].join('\n');
    assert.strictEqual(explainNpmFailure(notFound, PKG), 'npm could not reach the package registry registry.nonexistent.invalid (ENOTFOUND: no network connection, or this machine cannot resolve that host name)');
    const refused = [
      'npm error code ECONNREFUSED',
      'npm error syscall connect',
      'npm error errno ECONNREFUSED',
      'npm error FetchError: request to http://127.0.0.1:9/left-pad failed, reason: connect ECONNREFUSED 127.0.0.1:9',
    ].join('\n');
    assert.strictEqual(explainNpmFailure(refused, PKG), 'npm could not reach the package registry 127.0.0.1:9 (ECONNREFUSED: the connection was refused)');
  });

  it('names a refused or missing package, and a missing version', () => {
    const e404 = ['npm error code E404', 'npm error 404 Not Found - GET https://registry.npmjs.org/@tensorflow%2ftfjs-node-doesnotexist', 'npm error 404'].join('\n');
    assert.strictEqual(explainNpmFailure(e404, PKG), 'the package registry answered 404 (not found): Not Found - GET https://registry.npmjs.org/@tensorflow%2ftfjs-node-doesnotexist');
    const e403 = ['npm error code E403', 'npm error 403 403 Forbidden - GET https://registry.example/@tensorflow%2ftfjs-node'].join('\n');
    assert.match(explainNpmFailure(e403, PKG), /^the package registry answered 403 \(the download was refused\): 403 Forbidden - GET https:\/\/registry\.example/);
    const etarget = ['npm error code ETARGET', 'npm error notarget No matching version found for @tensorflow/tfjs-node@99.0.0.'].join('\n');
    assert.strictEqual(explainNpmFailure(etarget, PKG), 'the package registry has no matching version found for @tensorflow/tfjs-node@99.0.0');
  });

  it('says when the libtensorflow download was not the archive (refused, or replaced by a proxy)', () => {
    const output = standIn.NO_LIBTENSORFLOW_OUTPUT.replace(/Error: getaddrinfo[\s\S]*?\n\}\n/, 'TarError: TAR_BAD_ARCHIVE: Unrecognized archive format\n');
    assert.match(explainNpmFailure(output, PKG), /could not download libtensorflow .* from storage\.googleapis\.com: the server answered with something other than the archive/);
  });

  it('names an HTTPS certificate problem, a full disk and a missing permission', () => {
    assert.match(explainNpmFailure('npm error code SELF_SIGNED_CERT_IN_CHAIN\nnpm error errno SELF_SIGNED_CERT_IN_CHAIN', PKG), /certificate was not trusted \(SELF_SIGNED_CERT_IN_CHAIN/);
    assert.strictEqual(explainNpmFailure('npm error code ENOSPC\nnpm error syscall write', PKG), 'the disk is full (ENOSPC)');
    assert.strictEqual(explainNpmFailure("npm error code EACCES\nnpm error Error: EACCES: permission denied, mkdir '/root/.npm/_cacache'", PKG), 'permission denied (EACCES on /root/.npm/_cacache)');
  });

  it('falls back to the install script’s last words', () => {
    const output = `> ${PKG}@4.22.0 install\n> node scripts/install.js\n\nSomething odd happened\nnpm error code 1\nnpm error command failed`;
    assert.strictEqual(explainNpmFailure(output, PKG), `${PKG}'s install script failed: Something odd happened`);
  });
});

describe('installNative (stand-in npm, check in the engine worker)', function () {
  this.timeout(240_000);
  let root: string;
  let bin: string;
  const workers: TestEngineWorker[] = [];

  /** The check Install Native TensorFlow runs: load exactly this install in an engine worker, train one step. */
  const verify = async (source: NativeSource) => {
    const w = new TestEngineWorker({ backend: 'tensorflow', native: source });
    workers.push(w);
    try {
      return await w.request({ type: 'checkNative' });
    } finally {
      await w.terminate();
    }
  };
  const request = (npm: string, extra: Partial<InstallRequest> = {}): InstallRequest => ({ root, variant: 'cpu', version: '4.22.0', npm, verify, ...extra });
  const leftovers = () => (fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n !== 'installed.json' && n !== readNativeInstall(root)?.dir.split(path.sep).pop()) : []);

  before(() => {
    root = path.join(tempDir('digit-native-install-'), 'native');
    bin = tempDir('digit-stand-in-npm-');
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.terminate()));
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it('npm failing as it does here: one message naming the cause, and nothing left behind', async () => {
    await assert.rejects(installNative(request(standIn.writeStandInNpm(bin, 'no-libtensorflow'))), (e: Error) => {
      assert.strictEqual(e.name, 'InputError');
      assert.match(e.message, /could not download libtensorflow .* from storage\.googleapis\.com \(ENOTFOUND/);
      return true;
    });
    assert.strictEqual(readNativeInstall(root), undefined);
    assert.deepStrictEqual(fs.readdirSync(root), [], 'the root is empty');
  });

  it('no npm: says so and how to fix it', async () => {
    await assert.rejects(installNative(request(path.join(bin, 'no-such-npm'))), /npm was not found \(".*no-such-npm"\): install Node\.js, which includes npm, or set digitRecognizer\.npmPath/);
    assert.deepStrictEqual(fs.readdirSync(root), []);
  });

  it('installs: npm into a temporary folder, renamed, checked with one training step, then recorded', async () => {
    const messages: string[] = [];
    const install = await installNative(request(standIn.writeStandInNpm(bin, 'trains'), { onProgress: (m) => messages.push(m) }));
    assert.match(path.basename(install.dir), /^cpu-4\.22\.0-/);
    assert.deepStrictEqual(readNativeInstall(root), install);
    assert.ok(install.stepSeconds !== undefined && install.stepSeconds > 0);
    assert.deepStrictEqual(leftovers(), [], 'no temporary folder left');
    assert.ok(messages.some((m) => /Checking that it loads/.test(m)), messages.join(' | '));
  });

  it('a library that does not load: the cause, nothing half-installed, and the earlier install still in use', async () => {
    const earlier = readNativeInstall(root);
    assert.ok(earlier, 'the previous test installed one');
    await assert.rejects(installNative(request(standIn.writeStandInNpm(bin, 'fails-to-load'))), (e: Error) => {
      assert.match(e.message, /^@tensorflow\/tfjs-node was downloaded, but @tensorflow\/tfjs-node in .* could not load \(libtensorflow\.so\.2: cannot open shared object file/);
      return true;
    });
    assert.deepStrictEqual(readNativeInstall(root), earlier);
    assert.deepStrictEqual(leftovers(), []);
  });

  it('cancelling ends npm (and what it started) and removes its folder', async () => {
    const controller = new AbortController();
    const started = installNative(request(standIn.writeStandInNpm(bin, 'hangs'), { signal: controller.signal }));
    const pidFile = await waitFor(() => fs.readdirSync(root).filter((n) => n.startsWith('.partial-')).map((n) => path.join(root, n, 'stand-in-npm.pid')).find((f) => fs.existsSync(f)));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    controller.abort();
    await assert.rejects(started, (e: Error) => e.name === 'CancelledError');
    assert.strictEqual(isAlive(pid), false, 'the stand-in npm still runs');
    assert.deepStrictEqual(leftovers(), []);
    assert.ok(readNativeInstall(root), 'the earlier install is untouched');
  });

  it('another live installer holds the lock: refused, nothing touched', async () => {
    fs.mkdirSync(path.join(root, '.install-lock'));
    fs.writeFileSync(path.join(root, '.install-lock', 'pid'), String(process.ppid));
    try {
      await assert.rejects(installNative(request(standIn.writeStandInNpm(bin, 'trains'))), /another VS Code window is installing/);
    } finally {
      fs.rmSync(path.join(root, '.install-lock'), { recursive: true, force: true });
    }
  });

  it('removeNative forgets the install and deletes its folder', () => {
    const installed = readNativeInstall(root)!;
    removeNative(root);
    assert.strictEqual(readNativeInstall(root), undefined);
    assert.strictEqual(fs.existsSync(installed.dir), false);
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shouldOfferNative', () => {
  const base = { backend: 'wasm', preference: 'auto', installed: false, offeredBefore: false, supported: true };
  it('offers once, when a run falls back to WebAssembly with backend "auto"', () => {
    assert.strictEqual(shouldOfferNative(base), true);
    assert.strictEqual(shouldOfferNative({ ...base, offeredBefore: true }), false);
  });
  it('not when native TensorFlow is in use or installed, the user chose a backend, or there is no build', () => {
    assert.strictEqual(shouldOfferNative({ ...base, backend: 'tensorflow' }), false);
    assert.strictEqual(shouldOfferNative({ ...base, installed: true }), false);
    assert.strictEqual(shouldOfferNative({ ...base, preference: 'wasm' }), false);
    assert.strictEqual(shouldOfferNative({ ...base, backend: 'cpu', preference: 'cpu' }), false);
    assert.strictEqual(shouldOfferNative({ ...base, supported: false }), false);
  });
});
