// Lints ../src. The layering rules say which part of the app may import which:
// app → features → components/lib; a feature never reaches into another feature's internals except
// through auth (the signed-in user, which every feature needs); test helpers stay in tests.
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { basePath: '..' },
  { ignores: ['dist/**', 'node_modules/**', 'lint/**', '*.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      // The classic hook rules; the React Compiler's stricter ones would flag the data-loading effects.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
      'import-x/no-useless-path-segments': 'error',
      'import-x/first': 'error',
      'import-x/newline-after-import': 'error',
      'import-x/no-restricted-paths': ['error', {
        basePath: import.meta.dirname + '/..',
        zones: [
          { target: ['src/lib', 'src/components'], from: ['src/features', 'src/app'],
            message: 'lib and components are the bottom layer: they know no feature and no route.' },
          { target: 'src/features', from: 'src/app', message: 'Features do not import the app shell.' },
          { target: 'src/features/sessions', from: 'src/features/api-demo' },
          { target: 'src/features/api-demo', from: 'src/features/sessions' },
          { target: 'src/features/auth', from: ['src/features/sessions', 'src/features/api-demo'],
            message: 'auth is shared by every feature and depends on none of them.' },
          { target: 'src/**/!(*.test).{ts,tsx}', from: 'src/testing',
            message: 'Test helpers are for tests only.' },
        ],
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
