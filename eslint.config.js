// Lint rules: typescript-eslint's recommended set, plus the house rule that the pure core
// and the commands never import a platform SDK or an I/O library at runtime.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioLibraries = ['@slack/*', 'discord.js', 'bullmq', 'ioredis', 'pino', 'node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http'];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The dashboard's browser scripts (served as they are, no bundler).
    files: ['src/web/static/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly', EventSource: 'readonly', CustomEvent: 'readonly', fetch: 'readonly', FormData: 'readonly', URLSearchParams: 'readonly', location: 'readonly', history: 'readonly', HTMLElement: 'readonly' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'commands/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ioLibraries, message: 'src/core and commands/ stay free of SDKs and I/O: go through a port.', allowTypeImports: true }],
      }],
    },
  },
);
