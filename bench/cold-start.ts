/**
 * Cold start: each handler bundled as serverless.yml bundles it (esbuild, minified, ESM, node20, the AWS
 * SDK left to the runtime), its size (and zipped), and the time to import it in a fresh node process minus
 * a bare node start (median of 20 each, interleaved so machine noise hits both alike).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { type Stats, stats } from './stats.js';

const root = join(import.meta.dirname, '..');
const out = join(root, '.bench-out', 'bundles');
/** The plugins serverless.yml bundles with (custom.esbuild.plugins): only the parts of libraries the handlers call. */
const plugins = createRequire(import.meta.url)('../scripts/bundle-plugins.cjs') as Plugin[];

export interface ColdStart {
  handler: string;
  bytes: number;
  zippedBytes: number;
  importMs: Stats;
  bareMs: Stats;
  overBareMs: number;
}

export async function bundleHandler(name: string): Promise<string> {
  mkdirSync(out, { recursive: true });
  const outfile = join(out, `${name}.js`);
  await build({
    entryPoints: [join(root, 'handlers', `${name}.ts`)],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@aws-sdk/*'],
    plugins,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    outfile,
    logLevel: 'warning',
  });
  // The bundle sits in the repo's tree so `@aws-sdk/*` resolves from node_modules, as from the runtime's.
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  return outfile;
}

function nodeMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH, FEED_BUCKET: 'bench', SITE_URL: 'https://news.example.com/', AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function coldStart(name: string, runs = 20): Promise<ColdStart> {
  const file = await bundleHandler(name);
  const bytes = readFileSync(file).length;
  const zippedBytes = deflateRawSync(readFileSync(file), { level: 9 }).length;
  const imports: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(nodeMs(['-e', '']));
    imports.push(nodeMs(['--input-type=module', '-e', `await import(${JSON.stringify(file)})`]));
  }
  const importMs = stats(imports);
  const bareMs = stats(bare);
  return { handler: name, bytes, zippedBytes, importMs, bareMs, overBareMs: importMs.median - bareMs.median };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of ['publish', 'unpublish', 'republish']) {
    const r = await coldStart(name);
    console.log(`${name}: ${(r.bytes / 1024).toFixed(0)} KB (${(r.zippedBytes / 1024).toFixed(0)} KB zipped), import ${r.importMs.median.toFixed(0)} ms, bare ${r.bareMs.median.toFixed(0)} ms, over bare ${r.overBareMs.toFixed(0)} ms`);
  }
}
