import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['electron/zz-*', 'out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'electron/engine/config/gen/**', 'electron/server/triton/grpc/gen/**', 'coverage/**'] },
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
);
