/** Builds the CLI bundle once before the tests, so the bin under test is never stale. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build:validator'], { cwd: join(import.meta.dirname, '..'), stdio: 'ignore' });
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: join(import.meta.dirname, '..'), stdio: 'ignore' });
}
