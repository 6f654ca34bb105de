// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules; formatting is
// Prettier's alone (eslint-config-prettier turns off the rules it owns).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const prettier = require('eslint-config-prettier');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.ut-media/', 'demo-output/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, a callback's arity).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Lower layers depend on contract/, never on the workflow layer.
    files: ['config/**/*.ts', 'usertesting/**/*.ts', 'storage/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/workflows', '**/workflows/*'], message: 'import shared shapes from contract/, not workflows/' }] },
      ],
    },
  },
  {
    // contract/ is bundled into workflow code: deterministic, no Node I/O, no other layer.
    files: ['contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'contract/ is bundled into workflow code: no Node modules' },
            {
              group: ['../*', '!../contract', '!../contract/*'],
              message: 'contract/ imports only itself, zod and Temporal definitions',
            },
          ],
          paths: ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'events', 'util'].map((name) => ({
            name,
            message: 'contract/ is bundled into workflow code: no Node modules',
          })),
        },
      ],
    },
  },
  {
    // Plain CommonJS scripts (bin/, scripts/, jest and ESLint configs).
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
