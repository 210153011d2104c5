// Builds every bundle the product needs.
//   node esbuild.js               development build (sourcemaps)
//   node esbuild.js --production  minified build, no sourcemaps
//   node esbuild.js --watch       development build, rebuilt on change
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

// Node bundles: the extension host, the training worker and the CLI. `vscode` is provided by
// the host. TensorFlow.js stays in node_modules (shipped in the .vsix): the optional native
// `@tensorflow/tfjs-node` registers its backend into the one `@tensorflow/tfjs-core` it finds
// there, so bundling a second copy of tfjs would leave that backend invisible to our code; the
// wasm backend also loads its .wasm binaries from its own package folder.
const nodeCommon = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // h5wasm (Keras import) is an ES module with its wasm inlined that reads the real file system;
  // src/engine/model/keras/h5.ts loads it with import() at run time from node_modules.
  external: ['vscode', '@tensorflow/*', 'h5wasm'],
  // jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow
  // (microsoft/node-jsonc-parser#57); its ES module build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { engineWorker: 'src/worker/engineWorker.ts' }, outdir: 'dist' },
  // Install Native TensorFlow loads the library here first, in a child process (a crash stays there).
  { ...nodeCommon, entryPoints: { nativeProbe: 'src/worker/nativeProbe.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist' },
  // Replica threads for data-parallel training and prediction, started beside engineWorker.js / cli.js.
  { ...nodeCommon, entryPoints: { replicaWorker: 'src/engine/parallel/replicaWorker.ts' }, outdir: 'dist' },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { pad: 'src/webview/pad/main.ts' },
    outdir: 'dist/webview',
  },
  // The insight panels (chart.js is bundled into each; no eval, so the strict CSP holds).
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { dashboard: 'src/webview/dashboard/main.ts', report: 'src/webview/report/main.ts', explorer: 'src/webview/explorer/main.ts' },
    outdir: 'dist/webview',
  },
  // The integration suite runs inside the extension host (code-server or VS Code desktop).
  {
    ...nodeCommon,
    sourcemap: true,
    entryPoints: { index: 'test/integration/index.ts' },
    outdir: 'out/test',
    external: [...nodeCommon.external, 'mocha'],
  },
];

// Our C kernels (scripts/buildKernels.js builds them) sit beside the Node bundles that load them.
function copyKernels() {
  const from = path.join(__dirname, 'src', 'engine', 'kernels', 'wasm');
  const to = path.join(__dirname, 'dist', 'wasm');
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from).filter((name) => name.endsWith('.wasm'))) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

async function main() {
  copyKernels();
  const contexts = await Promise.all(builds.filter((b) => entryExists(b)).map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[esbuild] watching for changes');
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

/** The integration entry is optional so a packaged checkout without tests still builds. */
function entryExists(build) {
  return Object.values(build.entryPoints).every((p) => fs.existsSync(path.join(__dirname, p)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
