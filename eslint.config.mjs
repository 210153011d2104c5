// ESLint with typescript-eslint's recommended rules, as the VS Code extension samples set it up,
// plus a few rules those samples add (eqeqeq, curly, no-throw-literal). `npm run lint` in `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', '.cache/**', '**/*.wasm'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'multi-line'],
      'no-throw-literal': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    // TensorFlow.js comes from one module, src/engine/core/tf.ts (core, layers, the cpu backend):
    // the umbrella package and the parts of it nothing uses are not shipped in the .vsix.
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['@tensorflow/tfjs', '@tensorflow/tfjs/*', '@tensorflow/tfjs-converter', '@tensorflow/tfjs-data', '@tensorflow/tfjs-backend-webgl'],
          message: 'Import TensorFlow.js from src/engine/core/tf.ts (core, layers and the cpu backend); the umbrella package, the converter, tfjs-data and webgl are not shipped.',
        }],
      }],
    },
  },
  {
    // Tests and benchmarks poke at internals (Keras configs, TF.js layer arguments) and load
    // modules conditionally: `any` and require() are allowed there, not in the product.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Node scripts in CommonJS (the build, the kernel builder, test support shims).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearTimeout: 'readonly', clearInterval: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
