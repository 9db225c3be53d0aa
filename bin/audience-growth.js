#!/usr/bin/env node
// CLI entry: loads the TypeScript sources through tsx, so no build step is needed after `npm install`.
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv.slice(2));
