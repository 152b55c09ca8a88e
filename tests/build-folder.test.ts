/** `build` into a folder that holds other files (issue 12 §6): its own files only, tracked in a manifest. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST } from '../src/publish/folder.js';
import { cli, withTempDir } from './helpers.js';

async function writeArticle(dir: string, id: string, section: string, day: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const front = `---\nid: ${id}\nurl: https://news.test.example/${id}\ntitle: The story called ${id} in full\nsection: ${section}\nauthors: [Jane Reporter]\npublished: 2024-05-0${day}T08:00:00Z\n---\n`;
  await writeFile(join(dir, `${id}.md`), `${front}BEIJING - Story ${id} opens here.\n\nSecond paragraph.\n`);
}

/** Every file under a folder, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** A Hugo-like site: its own pages, feed and assets, one of them under sections/. */
const SITE_FILES: Record<string, string> = {
  'index.xml': '<rss>hugo</rss>',
  'css/site.css': 'body{}',
  'posts/first/index.html': '<p>post</p>',
  'sections/about.html': '<p>about</p>',
  'sections/world/notes.txt': 'the editor keeps notes here',
};

describe('syndicate build into a folder with other files', () => {
  it('writes its own files, leaves every other file alone, and records what it wrote', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await writeArticle(articles, 'one', 'World', 1);
      await writeArticle(articles, 'two', 'Business', 2);
      const out = join(dir, 'public');
      for (const [path, body] of Object.entries(SITE_FILES)) {
        await mkdir(join(out, path, '..'), { recursive: true });
        await writeFile(join(out, path), body);
      }
      const first = await cli(['build', articles, '--out', out, '--no-ping']);
      expect(first.stderr).not.toMatch(/^error/m);
      expect(first.code).toBe(0);
      for (const [path, body] of Object.entries(SITE_FILES)) expect(await readFile(join(out, path), 'utf8'), path).toBe(body);
      const manifest = JSON.parse(await readFile(join(out, MANIFEST), 'utf8'));
      expect(manifest.files).toEqual(expect.arrayContaining(['rss.xml', 'index.html', 'sections/world/feed.json', 'sections/business/atom.xml']));
      expect(manifest.files).not.toContain('sections/about.html');
      expect(await filesUnder(out)).toEqual([...Object.keys(SITE_FILES), MANIFEST, ...manifest.files].sort());

      // The Business story goes: its section's files go with it, nothing of the user's does.
      await rm(join(articles, 'two.md'));
      const second = await cli(['build', articles, '--out', out, '--no-ping']);
      expect(second.code).toBe(0);
      expect(existsSync(join(out, 'sections/business'))).toBe(false);
      for (const [path, body] of Object.entries(SITE_FILES)) expect(await readFile(join(out, path), 'utf8'), path).toBe(body);
      expect(JSON.parse(await readFile(join(out, 'feed.json'), 'utf8')).items).toHaveLength(1);
      expect(JSON.parse(await readFile(join(out, MANIFEST), 'utf8')).files).not.toContain('sections/business/rss.xml');
    });
  });

  it('refuses, naming it, a file of its own name it did not write, and writes nothing', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await writeArticle(articles, 'one', 'World', 1);
      const out = join(dir, 'public');
      await mkdir(out);
      await writeFile(join(out, 'index.html'), '<p>the Hugo home page</p>');
      const { code, stdout, stderr } = await cli(['build', articles, '--out', out, '--no-ping']);
      expect(code).toBe(1);
      expect(stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
        `error: ${join(out, 'index.html')}: exists and syndicate did not write it: refusing to overwrite it (move it, or build into a folder of its own, e.g. --out public/feeds)`,
      ]);
      expect(stdout).not.toContain('wrote');
      expect(await filesUnder(out)).toEqual(['index.html']);
      expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('<p>the Hugo home page</p>');
    });
  });

  it('takes over a folder an earlier version built (only feed files, no manifest)', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await writeArticle(articles, 'one', 'World', 1);
      const out = join(dir, 'public');
      await mkdir(join(out, 'sections/gone'), { recursive: true });
      for (const path of ['rss.xml', 'atom.xml', 'feed.json', 'index.html', 'sections/gone/rss.xml']) await writeFile(join(out, path), 'old');
      const { code } = await cli(['build', articles, '--out', out, '--no-ping']);
      expect(code).toBe(0);
      expect(await readFile(join(out, 'rss.xml'), 'utf8')).toMatch(/^<\?xml/);
      expect(existsSync(join(out, 'sections/gone'))).toBe(false);
    });
  });

  it('says in one line that --out is a file', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await writeArticle(articles, 'one', 'World', 1);
      const out = join(dir, 'feeds.xml');
      await writeFile(out, 'not a folder');
      const { code, stderr } = await cli(['build', articles, '--out', out, '--no-ping']);
      expect(code).toBe(1);
      expect(stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([`error: ${out}: is a file, not a folder: name a folder for --out`]);
      expect(await readFile(out, 'utf8')).toBe('not a folder');
    });
  });
});
