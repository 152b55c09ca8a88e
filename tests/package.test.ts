/** The package as it is published (issue 12 §1): runtime imports are dependencies; `syndicate --version`. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The package names a built ES module imports (statically or with a literal dynamic import). */
function importedPackages(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'./][^"']*)["']/g)) {
    const spec = match[1] as string;
    if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
  }
  return [...names].sort();
}

describe('the published package', () => {
  it('lists every module the built CLI imports at run time as a dependency', () => {
    // tests/global-setup.ts has just built dist/cli.js from the sources.
    const imported = importedPackages(join(root, 'dist/cli.js'));
    expect(imported).toContain('commander');
    // The dev loop's local S3 is loaded only by `syndicate dev`, which says how to install it (docs/decisions.md).
    const missing = imported.filter((name) => !pkg.dependencies[name] && name !== 's3rver');
    expect(missing).toEqual([]);
    expect(importedPackages(join(root, 'bin/syndicate.js')).filter((name) => !pkg.dependencies[name])).toEqual([]);
  });

  it('ships the bin and the bundle, with `syndicate` as its command', () => {
    expect(pkg.bin).toEqual({ syndicate: 'bin/syndicate.js' });
    expect(pkg.files).toEqual(expect.arrayContaining(['bin/', 'dist/']));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0];
    const paths: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/syndicate.js', 'dist/cli.js', 'package.json']));
    expect(paths.filter((p) => /^(src|tests|node_modules)\//.test(p))).toEqual([]);
  });

  it('prints its version: `syndicate --version` and `-V`', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const bin = spawnSync(process.execPath, [join(root, 'bin/syndicate.js'), '-V'], { encoding: 'utf8' });
    expect(bin.stdout).toBe(`${pkg.version}\n`);
    expect(bin.status).toBe(0);
  });
});
