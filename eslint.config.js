// Lint rules that keep synth fast and the move to the cdktn fork a rename.
const tseslint = require('typescript-eslint');

const providerRoot = {
  name: '@cdktf/provider-aws',
  message: 'Import the resource by deep path (@cdktf/provider-aws/lib/<resource>): the package root costs seconds and half a gigabyte.',
};

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.dist-*/**', 'cdktf.out/**', 'modules/**', 'examples/**', 'bench/baseline/**', 'coverage/**', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [providerRoot] }],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // cdktf stays inside lib/ and main.ts, so switching to cdktn touches nothing else.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['bench/baseline/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-imports': ['error', {
        paths: [providerRoot],
        patterns: [{ group: ['cdktf', 'cdktf/*', '@cdktf/*'], message: 'cdktf imports belong in lib/ and main.ts; test through lib/ helpers.' }],
      }],
    },
  },
);
