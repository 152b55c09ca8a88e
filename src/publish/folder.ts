/** Writing a whole output folder: built beside it, then renamed into place, so a failure leaves the old one. */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { OutputFile } from '../build.js';
import { PublishError } from '../errors.js';
import { FEED_FILES } from '../select.js';

// The three feed files and the page beside them (src/render/page.ts).
const FEED_NAMES = new Set<string>([...Object.values(FEED_FILES), 'index.html']);
const SECTIONS = 'sections';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * What in `dir` this tool did not write, as paths relative to it: syndicate writes exactly rss.xml,
 * atom.xml, feed.json and index.html, and the same four in sections/<slug>/. Anything else anywhere in the
 * tree (a hand-written sections/index.html, a link, a folder where a feed file belongs) is foreign.
 */
async function foreignEntries(dir: string): Promise<string[]> {
  const foreign: string[] = [];
  const feedFilesIn = async (folder: string, relative: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!(entry.isFile() && FEED_NAMES.has(entry.name))) foreign.push(`${relative}${entry.name}`);
    }
  };
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && FEED_NAMES.has(entry.name)) continue;
    if (entry.name === SECTIONS && entry.isDirectory()) {
      for (const section of await readdir(join(dir, SECTIONS), { withFileTypes: true })) {
        if (section.isDirectory()) await feedFilesIn(join(dir, SECTIONS, section.name), `${SECTIONS}/${section.name}/`);
        else foreign.push(`${SECTIONS}/${section.name}`);
      }
      continue;
    }
    foreign.push(entry.name);
  }
  return foreign;
}

/** Refuses to replace a folder that holds anything this tool did not write there, at any depth. */
async function assertReplaceable(dir: string): Promise<void> {
  const info = await lstat(dir).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new PublishError(dir, 'refusing to replace this: it is not a folder');
  const foreign = await foreignEntries(dir);
  if (foreign.length > 0) {
    throw new PublishError(dir, `refusing to replace this folder: it holds files syndicate did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`);
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
