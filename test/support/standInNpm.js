// Stand-ins for tests of Install Native TensorFlow, in plain JavaScript because one of them runs
// as a command in npm's place.
//
// writeStandInPackage(dir, behaviour, name) writes into dir/node_modules a package named like
// @tensorflow/tfjs-node. It is NOT TensorFlow. 'trains': with its own copy of tfjs-core and
// tfjs-backend-cpu (the way the real package brings its own copy of TensorFlow.js), it registers
// the cpu backend's kernels under the backend name 'tensorflow', as the real one registers native
// kernels under that name. 'fails-to-load': requiring it throws the error a missing libtensorflow
// gives. 'registers-nothing': it loads and registers no backend. 'crashes': loading it kills the
// process with SIGILL (what a libtensorflow built for AVX does on a CPU without it). So tests with it prove how the
// extension resolves, loads, checks, installs and falls back — not that native TensorFlow works.
//
// As a command (see writeStandInNpm): `<launcher> install <spec> …` in a folder does what the
// behaviour says: 'trains' / 'fails-to-load' / 'registers-nothing' / 'crashes' write that package,
// 'no-libtensorflow' prints what npm printed on a machine that cannot reach the libtensorflow
// host and exits 1, 'hangs' waits until it is killed (its pid goes to ./stand-in-npm.pid).
'use strict';
const fs = require('fs');
const path = require('path');

// test/support/ under tsx, out/test/ when esbuild bundles the integration suite: both two below the root.
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const THIS_FILE = path.join(PROJECT_ROOT, 'test', 'support', 'standInNpm.js');
const MODULES = path.join(PROJECT_ROOT, 'node_modules');

const SOURCES = {
  trains: [
    "const tf = require('@tensorflow/tfjs-core');",
    "const { MathBackendCPU } = require('@tensorflow/tfjs-backend-cpu');",
    "tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);",
    "for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });",
    "tf.setBackend('tensorflow');",
  ].join('\n'),
  'fails-to-load': "throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');",
  'registers-nothing': "// loads, registers nothing\n",
  // What a libtensorflow built with AVX does on a CPU without it: the process that loads it dies.
  crashes: "process.kill(process.pid, 'SIGILL');",
};

/** Output of `npm install @tensorflow/tfjs-node@4.22.0` on the project's machines (npm 11.19, Node 20.20, 2026-12-02), which cannot reach storage.googleapis.com. */
const NO_LIBTENSORFLOW_OUTPUT = `
> @tensorflow/tfjs-node@4.22.0 install
> node scripts/install.js

CPU-linux-4.22.0.tar.gz
* Downloading libtensorflow
https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz
node:events:502
      throw er; // Unhandled 'error' event
      ^

Error: getaddrinfo ENOTFOUND storage.googleapis.com
    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)
Emitted 'error' event on ClientRequest instance at:
    at emitErrorEvent (node:_http_client:101:11)
    at TLSSocket.socketErrorListener (node:_http_client:504:5)
    at TLSSocket.emit (node:events:524:28)
    at emitErrorNT (node:internal/streams/destroy:169:8)
    at emitErrorCloseNT (node:internal/streams/destroy:128:3)
    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {
  errno: -3008,
  code: 'ENOTFOUND',
  syscall: 'getaddrinfo',
  hostname: 'storage.googleapis.com'
}

Node.js v20.20.2
npm error code 1
npm error path /tmp/tfn-probe/node_modules/@tensorflow/tfjs-node
npm error command failed
npm error command sh -c node scripts/install.js
npm error A complete log of this run can be found in: /root/.npm/_logs/2026-12-02T15_40_40_719Z-debug-0.log
`;

/** Writes the stand-in package `name` (default @tensorflow/tfjs-node) into dir/node_modules; returns its source. */
function writeStandInPackage(dir, behaviour, name = '@tensorflow/tfjs-node') {
  if (!(behaviour in SOURCES)) throw new Error(`unknown stand-in behaviour ${behaviour}`);
  const modules = path.join(dir, 'node_modules');
  const pkgDir = path.join(modules, ...name.split('/'));
  fs.mkdirSync(pkgDir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'package.json'))) fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js', description: 'test stand-in, not TensorFlow' }, null, 2));
  fs.writeFileSync(path.join(pkgDir, 'index.js'), `// Test stand-in for ${name}: not TensorFlow (see test/support/standInNpm.js).\n${SOURCES[behaviour]}\n`);
  if (behaviour === 'trains') {
    // Copies, not links: a second instance of TensorFlow.js, as the real package's own copy is.
    for (const pkg of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu']) {
      const from = path.join(MODULES, ...pkg.split('/'));
      const to = path.join(modules, ...pkg.split('/'));
      const manifest = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
      fs.mkdirSync(path.dirname(path.join(to, manifest.main)), { recursive: true });
      fs.copyFileSync(path.join(from, 'package.json'), path.join(to, 'package.json'));
      fs.copyFileSync(path.join(from, manifest.main), path.join(to, manifest.main));
    }
    // Their small dependencies, linked from the project.
    for (const dep of ['seedrandom', 'long', 'node-fetch']) {
      const link = path.join(modules, dep);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(MODULES, dep), link, 'junction');
    }
  }
  return { dir, package: name };
}

/** Writes an executable that behaves as npm with `behaviour`; returns its path. */
function writeStandInNpm(folder, behaviour) {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `npm-${behaviour}`);
  fs.writeFileSync(file, `#!/usr/bin/env node\nrequire(${JSON.stringify(THIS_FILE)}).runAsNpm(${JSON.stringify(behaviour)}, process.argv.slice(2));\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

function runAsNpm(behaviour, args) {
  const spec = args.find((a) => a.startsWith('@tensorflow/'));
  if (args[0] !== 'install' || !spec) {
    console.error(`stand-in npm: expected "install @tensorflow/…", got ${args.join(' ')}`);
    process.exit(2);
  }
  const name = spec.replace(/@[^@/]+$/, '');
  console.error(`npm http fetch GET 200 https://registry.npmjs.org/${name.replace('/', '%2f')} 3ms (stand-in)`);
  if (behaviour === 'hangs') {
    fs.writeFileSync('stand-in-npm.pid', String(process.pid));
    setInterval(() => undefined, 60_000);
    return;
  }
  if (behaviour === 'no-libtensorflow') {
    process.stdout.write(NO_LIBTENSORFLOW_OUTPUT);
    process.exit(1);
  }
  console.log(`\n> ${spec} install\n> node scripts/install.js (stand-in: writes a test package)\n`);
  writeStandInPackage(process.cwd(), behaviour, name);
  console.log('added 1 package in 0s');
}

module.exports = { writeStandInPackage, writeStandInNpm, runAsNpm, NO_LIBTENSORFLOW_OUTPUT };
