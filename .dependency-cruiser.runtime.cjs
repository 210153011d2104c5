// What the code loads at run time (type-only imports erased, as esbuild erases them): the
// extension host never loads TensorFlow.js, which runs in the engine worker, so activation stays
// light and training never holds the host's thread. Run by `npm run lint:deps`.
const base = require('./.dependency-cruiser.cjs');

module.exports = {
  forbidden: [
    {
      name: 'extension-host-never-loads-tensorflow',
      severity: 'error',
      from: { path: '^src/extension/' },
      // (its package.json, read for the version native TensorFlow must match, is data, not code)
      to: { path: '^node_modules/@tensorflow/', pathNot: 'package\\.json$', reachable: true },
    },
  ],
  options: { ...base.options, tsPreCompilationDeps: false },
};
