// The import rules of src/ (docs/ARCHITECTURE.md draws them), checked by `npm run lint:deps` in
// `npm test`: no cycles; the engine's layers import only the layers below them; shared/ (pure
// logic and message types, used on both sides of every boundary) imports nothing of ours; the
// webviews import only shared/; the CLI and the worker threads reach the engine only through
// its jobs. What runs where at run time (the extension host never loads TensorFlow.js) is
// checked on the code as it runs, without type imports: .dependency-cruiser.runtime.cjs.
const LAYERS = ['core', 'data', 'kernels', 'layers', 'model', 'parallel', 'inference', 'training', 'jobs'];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `engine-${layer}-imports-down`,
  comment: `engine/${layer} may import only the layers below it (${LAYERS.slice(0, i).join(', ') || 'none'})`,
  severity: 'error',
  from: { path: `^src/engine/${layer}/` },
  to: { path: `^src/engine/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'an import cycle is a load-order bug waiting to happen', severity: 'error', from: {}, to: { circular: true } },
    ...layerRules,
    {
      name: 'engine-files-in-layers',
      comment: 'every engine file lives in a layer folder',
      severity: 'error',
      from: { path: '^src/engine/[^/]+$' },
      to: {},
    },
    {
      name: 'shared-imports-nothing-of-ours',
      comment: 'shared/ is pure logic and message types that both sides use',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(engine|extension|worker|cli|webview|native|kaggle)/' },
    },
    {
      name: 'engine-is-not-a-client',
      comment: 'the engine knows nothing of its clients, nor of their message protocols',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: ['^src/(extension|worker|cli|webview|kaggle)/', '^src/shared/[^/]*Messages\\.ts$'] },
    },
    {
      name: 'webview-imports-only-shared',
      severity: 'error',
      from: { path: '^src/webview/' },
      to: { path: '^src/(engine|extension|worker|cli|native|kaggle)/' },
    },
    {
      name: 'cli-and-worker-are-thin',
      comment: 'the CLI and the engine worker call the engine through its jobs (and its core: errors, types)',
      severity: 'error',
      from: { path: '^src/(cli|worker)/' },
      to: { path: '^src/engine/(?!jobs/|core/)' },
    },
    {
      name: 'native-and-kaggle-use-only-core',
      comment: 'they run in the extension host, with no TensorFlow, and know nothing of vscode or each other',
      severity: 'error',
      from: { path: '^src/(native|kaggle)/' },
      to: { path: ['^src/engine/(?!core/)', '^src/(extension|worker|cli|webview)/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/engine/kernels/wasm/' },
  },
};
