// The house rules, enforced: docs/ARCHITECTURE.md ("Folders and what may import what") is the one
// description of them; this file applies it (import boundaries, no import cycles, `electron` only in
// main and preload, the renderer importing only the contract's types) and lint fails on a breach.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const SOURCES = ['electron/**/*.ts', 'renderer/**/*.{ts,vue}'];

/** Folders of electron/ that a layer must not import (the table in docs/ARCHITECTURE.md). */
const LAYERS = {
  contract: ['engine', 'server', 'main', 'preload', 'cli', 'engine-host'],
  engine: ['server', 'main', 'preload', 'cli', 'engine-host'],
  server: ['main', 'preload', 'cli', 'engine-host'],
  cli: ['main', 'preload', 'engine-host'],
  'engine-host': ['main', 'preload', 'cli'],
  main: ['preload', 'cli'],
  preload: ['engine', 'server', 'main', 'cli', 'engine-host'],
};

const zones = [
  ...Object.entries(LAYERS).map(([layer, forbidden]) => ({
    target: `./electron/${layer}`,
    from: forbidden.map((f) => `./electron/${f}`),
    message: `electron/${layer} may not import this layer (docs/ARCHITECTURE.md, "Folders and what may import what").`,
  })),
  { target: './electron/contract', from: './renderer', message: 'The contract imports nothing (docs/ARCHITECTURE.md).' },
  { target: './electron', from: './renderer', message: 'Node code never imports the renderer (docs/ARCHITECTURE.md).' },
  {
    target: './renderer',
    from: './electron',
    except: ['./contract'],
    message: "The renderer talks to the lab only through the contract's types (docs/ARCHITECTURE.md).",
  },
];

/** Only electron/main and electron/preload may import Electron itself. */
const NO_ELECTRON = { name: 'electron', message: 'Only electron/main and electron/preload import Electron (docs/ARCHITECTURE.md); engine, server and cli run without it.' };

export default tseslint.config(
  {
    ignores: [
      'electron/zz-*',
      'out/**',
      'out-*/**',
      'test-results*/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'electron/engine/config/gen/**',
      'electron/server/triton/grpc/gen/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    // Script models get these from the lab (see electron/engine/backends/script/script-api.d.ts).
    files: ['sample-repos/**/*.{js,mjs,ts}', 'e2e/fixtures/**/*.{js,mjs,ts}'],
    languageOptions: { globals: { pb_utils: 'readonly', lab: 'readonly' } },
    // A `/* global pb_utils, lab */` comment in a model file is fine too.
    rules: { 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/attributes-order': 'off',
    },
  },
  // ---- the house rules (docs/ARCHITECTURE.md) ---------------------------------------------
  {
    files: SOURCES,
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.node.json', 'tsconfig.web.json'], noWarnOnMultipleProjects: true })],
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      // Components are checked as files of their own; cycles are followed through modules, not templates.
      'import-x/ignore': ['\\.vue$'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      // Run-time cycles only: `import type` is erased and cannot form one.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Functions short enough to read in one screen; tests and generated code are exempt.
    files: SOURCES,
    ignores: ['**/*.test.ts', '**/testing/**', 'electron/server/triton/fuzz/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    files: ['electron/**/*.ts', 'renderer/**/*.{ts,vue}'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [NO_ELECTRON] }] },
  },
  {
    // The renderer may import the contract for its types only, and nothing of Node.
    files: ['renderer/**/*.{ts,vue}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [NO_ELECTRON],
          patterns: [
            { group: ['@contract/*', '**/electron/contract/*'], allowTypeImports: true, message: "The renderer imports only the contract's types (docs/ARCHITECTURE.md): use `import type`." },
            { group: ['node:*'], message: 'The renderer runs in a browser: no Node modules (docs/ARCHITECTURE.md).' },
          ],
        },
      ],
    },
  },
);
