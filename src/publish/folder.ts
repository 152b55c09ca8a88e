/** Writing a whole output folder: built beside it, then renamed into place, so a failure leaves the old one. */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { OutputFile } from '../build.js';
import { PublishError } from '../errors.js';
import { FEED_FILES } from '../select.js';

const OWN_NAMES = new Set<string>([...Object.values(FEED_FILES), 'sections']);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Refuses to replace a folder that holds anything this tool did not write there. */
async function assertReplaceable(dir: string): Promise<void> {
  if (!(await exists(dir))) return;
  const entries = await readdir(dir);
  const foreign = entries.filter((name) => !OWN_NAMES.has(name));
  if (foreign.length > 0) {
    throw new PublishError(dir, `refusing to replace this folder: it holds files syndicate did not write (${foreign.slice(0, 3).join(', ')})`);
  }
}

/** Safe relative path: no absolute paths, no `..`, no NUL. */
export function safeRelativePath(path: string): string {
  if (path.includes('\0') || path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) {
    throw new PublishError(path, 'is not a safe relative output path');
  }
  return path;
}

/** Replaces `dir` with exactly `files`. */
export async function replaceFolder(dir: string, files: readonly OutputFile[]): Promise<void> {
  const target = resolve(dir);
  await assertReplaceable(target);
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
  try {
    for (const file of files) {
      const path = join(staging, safeRelativePath(file.path));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.body);
    }
    if (files.length === 0) await mkdir(staging, { recursive: true });
    const hadOld = await exists(target);
    if (hadOld) await rename(target, old);
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadOld) await rename(old, target);
      throw error;
    }
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (cause) {
    await rm(staging, { recursive: true, force: true });
    if (cause instanceof PublishError) throw cause;
    throw new PublishError(target, `could not write the output: ${(cause as Error).message}`, { cause });
  }
}
