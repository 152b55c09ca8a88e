#!/usr/bin/env node
// The CLI is bundled to dist/cli.js by `npm run build:cli` (run by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('syndicate: dist/cli.js is missing; run `npm ci` (or `npm run build:cli`) first\n');
  process.exit(2);
}
const { run } = await import(bundle.href);
process.exitCode = await run(process.argv.slice(2));
