/**
 * Writing `build`'s output into a folder that may hold other files (a Hugo or Jekyll `public/`): only
 * syndicate's own files are written, replaced or removed; everything else is left as it was. What a build
 * wrote is kept in a manifest in the folder, so the next build knows which files are its own (a section
 * that is gone loses its files; a user's `sections/about.html` stays).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { OutputFile } from '../build.js';
import { PublishError } from '../errors.js';
import { FEED_FILE_NAMES, PAGE_FILE } from '../formats.js';

/** The manifest of what the last build wrote, relative paths, in the output folder itself. */
export const MANIFEST = '.syndicate-manifest.json';

// The three feed files and the page beside them (src/render/page.ts).
const FEED_NAMES = new Set<string>([...Object.values(FEED_FILE_NAMES), PAGE_FILE]);
const SECTIONS = 'sections';

/** Safe relative path: no absolute paths, no `..`, no NUL. */
export function safeRelativePath(path: string): string {
  if (path.includes('\0') || path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) {
    throw new PublishError(path, 'is not a safe relative output path');
  }
  return path;
}

/** What is at `path` (a link is 'other', never followed); null when there is nothing there. */
async function kindOf(path: string): Promise<'file' | 'folder' | 'other' | null> {
  const info = await lstat(path).catch(() => null);
  if (!info) return null;
  return info.isFile() ? 'file' : info.isDirectory() ? 'folder' : 'other';
}

/** The paths the last build recorded; null when the folder has no manifest (never built into, or built by an older version). */
async function readManifest(dir: string): Promise<Set<string> | null> {
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as { files?: unknown };
    if (!Array.isArray(value.files)) throw new Error('no "files" list');
    return new Set(value.files.filter((f): f is string => typeof f === 'string').map(safeRelativePath));
  } catch (cause) {
    throw new PublishError(join(dir, MANIFEST), `cannot be read (${(cause as Error).message}): delete it, and any feed files syndicate wrote, then build again`, { cause });
  }
}

/**
 * Without a manifest, the files an older syndicate wrote (it replaced the whole folder): rss.xml,
 * atom.xml, feed.json, index.html and the same under sections/<slug>/, when that is all the folder holds
 * and the three site-wide feed files are there.
 * A folder with anything else in it is someone else's: nothing in it is taken for syndicate's.
 */
async function legacyOwnFiles(dir: string): Promise<Set<string>> {
  const own = new Set<string>();
  const collect = async (folder: string, relative: string): Promise<boolean> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.isFile() && FEED_NAMES.has(entry.name)) own.add(`${relative}${entry.name}`);
      else if (relative === '' && entry.name === SECTIONS && entry.isDirectory()) {
        for (const section of await readdir(join(folder, SECTIONS), { withFileTypes: true })) {
          if (!section.isDirectory() || !(await collect(join(folder, SECTIONS, section.name), `${SECTIONS}/${section.name}/`))) return false;
        }
      } else return false;
    }
    return true;
  };
  const onlyFeeds = await collect(dir, '');
  return onlyFeeds && Object.values(FEED_FILE_NAMES).every((name) => own.has(name)) ? own : new Set();
}

/**
 * Writes `files` into `dir`, creating it if needed, and removes the files an earlier build wrote that this
 * one does not (then their folders, if that leaves them empty). Any other file is left alone; one that
 * stands where syndicate would write is refused, naming it, before anything is written. Every file is
 * written beside its place and renamed into it, all of them before any is renamed: a failed write leaves
 * the previous output as it was.
 */
export async function writeOutputFolder(dir: string, files: readonly OutputFile[]): Promise<void> {
  const target = resolve(dir);
  // The folder itself may be a link to one.
  const info = await stat(target).catch(() => null);
  const kind = info === null ? null : info.isDirectory() ? 'folder' : 'file';
  if (kind === 'file') throw new PublishError(dir, 'is a file, not a folder: name a folder for --out');
  const previous = kind === null ? new Set<string>() : ((await readManifest(target)) ?? (await legacyOwnFiles(target)));
  const paths = files.map((file) => safeRelativePath(file.path));
  for (const path of [...paths, MANIFEST]) {
    const there = await kindOf(join(target, path));
    if (there === 'folder' || there === 'other') throw new PublishError(join(dir, path), 'is in the way of a file syndicate writes (a folder or a link): move it, or build into another folder');
    if (there === 'file' && path !== MANIFEST && !previous.has(path)) {
      throw new PublishError(join(dir, path), 'exists and syndicate did not write it: refusing to overwrite it (move it, or build into a folder of its own, e.g. --out public/feeds)');
    }
  }
  const suffix = `.syndicate-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged: string[] = [];
  const manifest = { generator: 'syndicate', files: [...paths].sort() };
  try {
    for (const [path, body] of [...files.map((file) => [file.path, file.body] as const), [MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`] as const]) {
      const temporary = `${join(target, path)}${suffix}`;
      await mkdir(dirname(temporary), { recursive: true });
      staged.push(temporary);
      await writeFile(temporary, body);
    }
    for (const temporary of staged) await rename(temporary, temporary.slice(0, -suffix.length));
  } catch (cause) {
    await Promise.all(staged.map((temporary) => rm(temporary, { force: true })));
    throw new PublishError(dir, `could not write the output: ${(cause as Error).message}`, { cause });
  }
  // What an earlier build wrote and this one does not (a section with no articles left).
  const written = new Set(paths);
  for (const path of [...previous].filter((p) => !written.has(p)).sort()) {
    if ((await kindOf(join(target, path))) !== 'file') continue;
    await rm(join(target, path), { force: true });
    // Its folders, up to the output folder, while they are empty (rmdir refuses a folder that is not).
    for (let folder = dirname(path); folder !== '.'; folder = dirname(folder)) {
      if (!(await rmdir(join(target, folder)).then(() => true, () => false))) break;
    }
  }
}
