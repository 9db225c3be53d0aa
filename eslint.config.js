// Lint: typescript-eslint's recommended rules on all sources (types are checked by tsc in `npm run lint`),
// no import cycles (import-x/no-cycle), and the layers (no-restricted-imports):
//   collectors/  never import db/ or web/ (they read platforms and return readings; jobs store them);
//   src/domain/  imports nothing with I/O (no db, fs, http, express, config loading, logging): pure rules;
//   web/         never imports collectors/ directly (it goes through src/jobs, src/admin);
// and one owner of write transactions: `db.transaction(…)` only in db/write.ts (writeTx: IMMEDIATE, SQLite
// failures classified) and the migrations in db/index.ts.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');

const layer = (group, message) => ({ regex: group, message });
const DB = layer('^(\\.{1,2}/)+(\\.\\./)*db(/.*)?$', 'this layer must not use the database (db/)');
const WEB = layer('^(\\.{1,2}/)+(\\.\\./)*web(/.*)?$', 'this layer must not import web/');
const COLLECTORS = layer('^(\\.{1,2}/)+(\\.\\./)*collectors(/.*)?$', 'web/ must not import collectors/ directly: go through src/jobs or src/admin');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'web/public/vendor/', 'test-artifacts/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['collectors/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DB, WEB] }] },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'path', 'http', 'https', 'net', 'child_process', 'express', 'better-sqlite3', 'axios', 'telegraf', 'facebook-nodejs-business-sdk'].map((name) => ({
            name,
            message: 'src/domain/ holds pure rules: no I/O',
          })),
          patterns: [
            { regex: '^node:', message: 'src/domain/ holds pure rules: no I/O' },
            DB,
            WEB,
            { regex: '^\\.\\./(config|log|import|exports|services|jobs|growth|admin|bot|cli|auth)(/.*)?$', message: 'src/domain/ holds pure rules: import only other domain modules' },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [COLLECTORS] }] },
  },
  {
    files: ['src/**/*.ts', 'web/**/*.ts', 'db/**/*.ts'],
    ignores: ['db/write.ts', 'db/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...["[callee.object.name='db']", "[callee.object.property.name='db']"].map((object) => ({
          selector: `CallExpression[callee.property.name='transaction']${object}`,
          message: 'write transactions go through writeTx (db/write.ts): IMMEDIATE, with SQLite failures in plain words',
        })),
      ],
    },
  },
  { files: ['**/*.js'], languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } } },
);
