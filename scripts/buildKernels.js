// Builds our WebAssembly kernels (src/engine/kernels/wasm/*.c → kernels.wasm) with Debian's clang and
// lld (apt-get install clang lld): no emscripten, no libc, the memory imported from
// tfjs-backend-wasm at run time. The built .wasm files are committed, so a checkout without clang
// still builds and runs; with clang it is rebuilt, and the build is reproducible byte for byte.
//   node scripts/buildKernels.js           rebuild when clang is installed (else keep the committed files)
//   node scripts/buildKernels.js --check   rebuild into a temporary folder and fail unless the
//                                          committed files are identical (CI runs this)
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SOURCE_DIR = path.join(__dirname, '..', 'src', 'engine', 'kernels', 'wasm');
const CLANG = process.env.CLANG || 'clang';

/** Flags for every kernel module; -mbulk-memory turns memset/memcpy into memory.fill/copy. */
const FLAGS = [
  '--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-mmutable-globals', '-nostdlib', '-fno-ident',
  '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--strip-all',
  // The loader points the module's stack into memory it allocates from the backend (any stack use
  // would otherwise land on the backend's static data at the bottom of the memory).
  '-Wl,--export=__stack_pointer',
];

function clangAvailable() {
  const r = spawnSync(CLANG, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /clang version/.test(r.stdout);
}

const OUTPUT = 'kernels.wasm';

/** Every C file of the folder, in a fixed order, linked into one module. */
function sources() {
  return fs.readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.c')).sort();
}

function build(output) {
  // Relative paths and a fixed working directory keep the output independent of the checkout's location.
  const r = spawnSync(CLANG, [...FLAGS, ...sources(), '-o', output], { cwd: SOURCE_DIR, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`clang failed on ${sources().join(', ')}:\n${r.stderr || r.error}`);
  const sections = sectionIds(fs.readFileSync(output));
  // A data segment would be written into the backend's memory (imported) when the module is
  // instantiated, over whatever the backend keeps there: constant tables must stay in the code.
  if (sections.includes(11)) throw new Error(`${OUTPUT} has a data section (static data or a constant table in ${sources().join(', ')}): the module may own no memory`);
}

/** The ids of a wasm module's sections, in order. */
function sectionIds(bytes) {
  const ids = [];
  let p = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[p++];
      value |= (byte & 127) << shift;
      shift += 7;
    } while (byte & 128);
    return value;
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    ids.push(id);
    p += size;
  }
  return ids;
}

function main() {
  const check = process.argv.includes('--check');
  if (!clangAvailable()) {
    if (check) {
      console.error('buildKernels --check: clang is not installed (apt-get install clang lld)');
      process.exitCode = 1;
      return;
    }
    console.log(`[kernels] clang not found: using the committed ${OUTPUT} (apt-get install clang lld to rebuild it)`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-kernels-'));
  try {
    const committed = path.join(SOURCE_DIR, OUTPUT);
    const built = path.join(tmp, OUTPUT);
    build(built);
    const same = fs.existsSync(committed) && fs.readFileSync(committed).equals(fs.readFileSync(built));
    if (check) {
      if (!same) {
        console.error(`[kernels] ${OUTPUT} differs from what ${sources().join(', ')} build to: run \`npm run build:kernels\` and commit it`);
        process.exitCode = 1;
        return;
      }
      console.log(`[kernels] the committed ${OUTPUT} is what its sources build to`);
    } else if (!same) {
      fs.copyFileSync(built, committed);
      console.log(`[kernels] built ${path.relative(process.cwd(), committed)}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
