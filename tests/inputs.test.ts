/**
 * Reading article files for the CLI (src/cli/inputs.ts): one open per file, the size refused from fstat
 * before anything is read, never more than the limit + 1 bytes read (issue 9: `syndicate build` spent a
 * third of its time opening, stat-ing and closing files on the worker pool).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile, readArticleFile, readArticleFiles } from '../src/cli/inputs.js';
import { ArticleError } from '../src/errors.js';
import { MAX_ARTICLE_BYTES } from '../src/read/index.js';
import { withTempDir } from './helpers.js';

function refusal(fn: () => unknown): ArticleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ArticleError) return error;
    throw error;
  }
  throw new Error('expected an ArticleError');
}

describe('loadFile', () => {
  it('gives the whole content and the modification time', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'a.md');
      const text = `BEIJING - ${'Körper text. '.repeat(5000)}`;
      await writeFile(file, text);
      await utimes(file, new Date('2024-05-06T07:08:09Z'), new Date('2024-05-06T07:08:09Z'));
      const { content, mtime } = loadFile(file);
      expect(content.toString('utf8')).toBe(text);
      expect(mtime.toISOString()).toBe('2024-05-06T07:08:09.000Z');
      const empty = join(dir, 'empty.md');
      await writeFile(empty, '');
      expect(loadFile(empty).content.byteLength).toBe(0);
    });
  });

  it('reads a file of exactly the limit and refuses one byte more, naming the file and its size', async () => {
    await withTempDir(async (dir) => {
      const at = join(dir, 'at.txt');
      const over = join(dir, 'over.txt');
      await writeFile(at, Buffer.alloc(MAX_ARTICLE_BYTES, 0x61));
      await writeFile(over, Buffer.alloc(MAX_ARTICLE_BYTES + 1, 0x61));
      expect(loadFile(at).content.byteLength).toBe(MAX_ARTICLE_BYTES);
      const error = refusal(() => loadFile(over));
      expect(error.field).toBe('(size)');
      expect(error.message).toBe(`${over}: (size): ${MAX_ARTICLE_BYTES + 1} bytes is over the limit of ${MAX_ARTICLE_BYTES} bytes for one article`);
    });
  });

  it('refuses a huge file at once, from its size, without reading it', async () => {
    await withTempDir(async (dir) => {
      const huge = join(dir, 'huge.md');
      await writeFile(huge, '');
      await truncate(huge, 8 * 1024 ** 3); // sparse: 8 GB that would take seconds and all memory to read
      const started = performance.now();
      expect(refusal(() => loadFile(huge)).message).toContain(`${8 * 1024 ** 3} bytes is over the limit`);
      expect(performance.now() - started).toBeLessThan(200);
    });
  });

  it('stops at the limit + 1 bytes when the size it was given is not what there is to read', () => {
    // /dev/zero says it holds 0 bytes and never ends: the same as a file that grows after the fstat.
    expect(existsSync('/dev/zero')).toBe(true);
    const started = performance.now();
    const error = refusal(() => loadFile('/dev/zero', 1000));
    expect(error.message).toBe('/dev/zero: (size): more than 1000 bytes is over the limit of 1000 bytes for one article');
    expect(refusal(() => loadFile('/dev/zero')).field).toBe('(size)');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reads whole what holds more than the size it was given, within the limit (a pipe: fstat says 0 bytes)', async () => {
    await withTempDir(async (dir) => {
      const fifo = join(dir, 'pipe.md');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const text = 'BEIJING - Body text. '.repeat(5000);
      // A writer in another process: opening the pipe for reading waits for it.
      const writer = spawn(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(fifo)}, ${JSON.stringify(text)})`]);
      const exited = new Promise((resolve) => writer.on('exit', resolve));
      await new Promise((resolve, reject) => writer.on('spawn', resolve).on('error', reject));
      expect(loadFile(fifo).content.toString('utf8')).toBe(text);
      await exited;
    });
  });
});

describe('readArticleFile and readArticleFiles', () => {
  it('turn unreadable files into ArticleErrors naming the file', async () => {
    await withTempDir(async (dir) => {
      const folder = join(dir, 'folder.md');
      await mkdir(folder);
      expect((await readArticleFile(join(dir, 'missing.md'))).error?.message).toBe(`${join(dir, 'missing.md')}: (file): cannot be read: no such file`);
      expect((await readArticleFile(folder)).error?.message).toMatch(new RegExp(`^${folder}: \\(file\\): cannot be read: EISDIR`));
    });
  });

  it('read files in order; the dates come from the text alone, never the file’s modification time (issue 12)', async () => {
    await withTempDir(async (dir) => {
      const files = ['b.md', 'a.md', 'c.md'].map((name) => join(dir, name));
      for (const [i, file] of files.entries()) {
        await writeFile(file, `---\nid: story-${i}\n${i === 2 ? '' : `date: 2024-01-0${i + 1}\n`}---\nBEIJING - Body text of story ${i}, long enough to read.\n`);
        await utimes(file, new Date(`2025-06-0${i + 1}T00:00:00Z`), new Date(`2025-06-0${i + 1}T00:00:00Z`));
      }
      const results = [];
      for await (const result of readArticleFiles([...files, join(dir, 'gone.md')])) results.push(result);
      expect(results.map((r) => r.file)).toEqual([...files, join(dir, 'gone.md')]);
      expect(results.map((r) => r.article?.id)).toEqual(['story-0', 'story-1', 'story-2', undefined]);
      // No date anywhere in c.md: a fixed date and a warning, the same on every clone.
      expect(results.map((r) => r.article?.published)).toEqual(['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '1970-01-01T00:00:00Z', undefined]);
      expect(results[2]?.warnings.map((w) => w.field)).toContain('published');
      expect(results[3]?.error?.message).toContain('no such file');
    });
  });
});
