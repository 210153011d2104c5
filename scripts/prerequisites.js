// The system prerequisites (Debian packages) of `npm test`, `npm start` and CI, all checked at once
// before anything runs, so a machine without them is told in one line what to install rather than
// failing minutes later on the first one missing. Plain Node, no dependencies: .ci/run calls it
// before `npm ci`.
//
//   node scripts/prerequisites.js test|start|ci    nothing and exit 0 when all are there; else ONE
//                                                  line naming every one missing with the apt-get
//                                                  command that installs them, and exit 1
//   node scripts/prerequisites.js ci --missing     the missing packages' names, space-separated (.ci/run)
//
// Each package is found by what it provides (a command on the PATH, Chromium's file, a Python
// module), not by dpkg, so an equivalent install elsewhere counts too, and where the tests look.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

/** An executable file named `name` in a folder of the PATH. */
function onPath(name) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The Python that computes the Keras import tests' reference outputs: KERAS_REFERENCE_PYTHON when
 * set, else Debian's /usr/bin/python3, else python3 on the PATH; the first that imports h5py and
 * numpy, or undefined.
 */
function referencePython() {
  const pythons = process.env.KERAS_REFERENCE_PYTHON ? [process.env.KERAS_REFERENCE_PYTHON] : ['/usr/bin/python3', 'python3'];
  return pythons.find((python) => spawnSync(python, ['-c', 'import h5py, numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0);
}

/** Every prerequisite: its Debian package, what needs it, and how to tell it is there. */
const PACKAGES = [
  // code-server (the real VS Code of the integration and browser tests, and of `npm start` without
  // VS Code desktop) is installed from npm on first use; VS Code's native modules are compiled then.
  { name: 'libkrb5-dev', why: "code-server's kerberos module", present: () => onPath('krb5-config') },
  { name: 'g++', why: "compiling code-server's native modules", present: () => onPath('g++') || onPath('c++') },
  { name: 'make', why: "compiling code-server's native modules", present: () => onPath('make') },
  { name: 'ripgrep', why: "code-server's search", present: () => onPath('rg') },
  { name: 'chromium', why: 'the browser tests', present: () => fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { name: 'python3-h5py', why: 'reference outputs of the Keras import tests', present: () => referencePython() !== undefined },
  // The committed kernels.wasm builds without them; CI checks it is what the C sources build to.
  { name: 'clang', why: 'compiling the WebAssembly kernels', present: () => onPath('clang') },
  { name: 'lld', why: 'linking the WebAssembly kernels', present: () => onPath('wasm-ld') },
];

const CODE_SERVER = ['libkrb5-dev', 'g++', 'make', 'ripgrep'];
const NEEDS = {
  test: [...CODE_SERVER, 'chromium', 'python3-h5py'],
  // `npm start` opens VS Code desktop when `code` is on the PATH, else code-server.
  start: onPath('code') ? [] : CODE_SERVER,
  ci: [...CODE_SERVER, 'chromium', 'python3-h5py', 'clang', 'lld'],
};

/** The packages `what` needs that are missing. */
function missingFor(what) {
  return PACKAGES.filter((p) => NEEDS[what].includes(p.name) && !p.present());
}

function installCommand(names) {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get install -y ${names.join(' ')}`;
}

function main() {
  const what = process.argv[2];
  if (!(what in NEEDS)) {
    console.error('usage: node scripts/prerequisites.js test|start|ci [--missing]');
    return 2;
  }
  const missing = missingFor(what);
  if (process.argv.includes('--missing')) {
    console.log(missing.map((p) => p.name).join(' '));
    return 0;
  }
  if (missing.length === 0) return 0;
  const command = { test: 'npm test', start: 'npm start', ci: 'CI' }[what];
  const list = missing.map((p) => `${p.name} (${p.why})`).join(', ');
  console.error(`${command} needs system packages that are missing: ${list}. Install them with: ${installCommand(missing.map((p) => p.name))}`);
  return 1;
}

module.exports = { PACKAGES, NEEDS, missingFor, referencePython };

if (require.main === module) process.exitCode = main();
