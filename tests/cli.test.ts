import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, withTempDir } from './helpers.js';

const root = join(import.meta.dirname, '..');
const seed = join(root, 'tests/fixtures/corpus/000_d3dd0a195eb72f24.txt');

describe('syndicate parse', () => {
  it('prints the normalised article as JSON and warns about derived metadata on stderr', async () => {
    const { code, stdout, stderr } = await cli(['parse', seed]);
    expect(code).toBe(0);
    const article = JSON.parse(stdout);
    expect(article.paragraphs).toHaveLength(12);
    expect(article.photos).toHaveLength(2);
    expect(article.published).toBe('2019-04-25T00:00:00Z');
    expect(stderr).toMatch(/warning: .*000_d3dd0a195eb72f24\.txt: title: derived/);
    expect(stderr).toMatch(/published: derived from a date in the text: 2019-04-25/);
  });

  it('names the file and field of a bad article and exits non-zero', async () => {
    await withTempDir(async (dir) => {
      const bad = join(dir, 'bad.md');
      await writeFile(bad, '---\npublished: not a date\n---\nSome body text here.\n');
      const { code, stderr, stdout } = await cli(['parse', bad]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toEqual([`error: ${bad}: published: "not a date" is not a valid date (use ISO 8601, e.g. 2019-04-25T08:00:00Z)`]);
    });
  });

  it('reports a missing file', async () => {
    const { code, stderr } = await cli(['parse', '/nonexistent/x.txt']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/\/nonexistent\/x\.txt: \(file\): cannot be read/);
  });
});

describe('syndicate build', () => {
  it('builds the site-wide and section feeds into the folder and says what it wrote', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'public');
      const { code, stdout } = await cli(['build', join(root, 'examples/articles'), '--out', out, '--config', join(root, 'examples/site.json')]);
      expect(code).toBe(0);
      for (const path of ['rss.xml', 'atom.xml', 'feed.json', 'sections/world/rss.xml', 'sections/world/atom.xml', 'sections/world/feed.json']) {
        expect(existsSync(join(out, path)), path).toBe(true);
        expect(stdout).toContain(`${out}/${path}`);
      }
      expect(stdout).toMatch(/1 article\(s\) in 2 feed\(s\)/);
    });
  });

  it('gives byte-identical output on a rebuild', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'public');
      await cli(['build', join(root, 'tests/fixtures/corpus'), '--out', out]);
      const first = await readFile(join(out, 'rss.xml'), 'utf8');
      await cli(['build', join(root, 'tests/fixtures/corpus'), '--out', out]);
      expect(await readFile(join(out, 'rss.xml'), 'utf8')).toBe(first);
    });
  });

  it('leaves the previous output untouched when one article is bad, and names it', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      const out = join(dir, 'public');
      await mkdir(articles);
      await writeFile(join(articles, 'good.txt'), 'BEIJING - A good article about May 1, 2024 events.\nSecond paragraph.\n');
      expect((await cli(['build', articles, '--out', out])).code).toBe(0);
      const before = await readFile(join(out, 'rss.xml'), 'utf8');

      await writeFile(join(articles, 'broken.json'), '{"title": "x", "paragraphs": ');
      const { code, stderr } = await cli(['build', articles, '--out', out]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/broken\.json: \(json\): invalid JSON/);
      expect(await readFile(join(out, 'rss.xml'), 'utf8')).toBe(before);
    });
  });

  it('with --skip-invalid builds the rest and says which file was skipped', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await mkdir(articles);
      await writeFile(join(articles, 'good.txt'), 'BEIJING - A good article about May 1, 2024 events.\nSecond paragraph.\n');
      await writeFile(join(articles, 'broken.json'), '{"title": 5, "paragraphs": ["x"]}');
      const out = join(dir, 'public');
      const { code, stderr, stdout } = await cli(['build', articles, '--out', out, '--skip-invalid']);
      expect(code).toBe(0);
      expect(stderr).toMatch(/error: .*broken\.json: title: .*\(skipped\)/);
      expect(stdout).toMatch(/1 article\(s\) in 1 feed\(s\); 1 skipped/);
      expect(await readFile(join(out, 'feed.json'), 'utf8')).toContain('A good article');
    });
  });

  it('rejects two articles with the same id, naming both files', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'a.txt'), '---\nid: same\n---\nOne body, May 1, 2024.\n');
      await writeFile(join(dir, 'b.txt'), '---\nid: same\n---\nAnother body, May 2, 2024.\n');
      const { code, stderr } = await cli(['build', dir, '--out', join(dir, 'out')]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/b\.txt: id: "same" is also the id of .*a\.txt/);
    });
  });

  it('rejects two articles with the same URL (different ids), naming both files and the field', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'a.txt'), '---\nid: one\nurl: https://news.test.example/same\n---\nOne body, May 1, 2024.\n');
      await writeFile(join(dir, 'b.txt'), '---\nid: two\nurl: https://news.test.example/same\n---\nAnother body, May 2, 2024.\n');
      const { code, stderr } = await cli(['build', dir, '--out', join(dir, 'out')]);
      expect(code).toBe(1);
      expect(stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([`error: ${join(dir, 'b.txt')}: url: "https://news.test.example/same" is also the URL of ${join(dir, 'a.txt')}`]);
      expect(existsSync(join(dir, 'out'))).toBe(false);
      // With --skip-invalid the second is skipped, the first built.
      const skipped = await cli(['build', dir, '--out', join(dir, 'out'), '--skip-invalid']);
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toMatch(/b\.txt: url: .* \(skipped\)/);
      expect(JSON.parse(await readFile(join(dir, 'out', 'feed.json'), 'utf8')).items.map((i: any) => i._syndicate.article_id)).toEqual(['one']);
    });
  });

  it('builds into a folder holding files it did not write, leaving them alone', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'precious.txt'), 'keep me');
      const { code } = await cli(['build', seed, '--out', dir]);
      expect(code).toBe(0);
      expect(await readFile(join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
      expect(existsSync(join(dir, 'rss.xml'))).toBe(true);
    });
  });

  it('names the config file and setting when the config is wrong', async () => {
    await withTempDir(async (dir) => {
      const config = join(dir, 'site.json');
      await writeFile(config, JSON.stringify({ url: 'not a url' }));
      const { code, stderr } = await cli(['build', seed, '--out', join(dir, 'out'), '--config', config]);
      expect(code).toBe(1);
      expect(stderr).toContain(`${config}: url: must be an absolute http(s) URL`);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    });
  });

  it('runs as the installed `syndicate` bin', () => {
    const result = spawnSync(process.execPath, [join(root, 'bin/syndicate.js'), 'parse', seed], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).dateline).toBe('VLADIVOSTOK, Russia');
  });
});

describe('drafts (issue 12)', () => {
  it('build reads and checks a draft, says so, and leaves it out of every feed; its id stays free', async () => {
    await withTempDir(async (dir) => {
      const body = 'BEIJING - A story long enough to read, with a second sentence.\n';
      await writeFile(join(dir, 'a.md'), `---\nid: same\ntitle: The draft\ndate: 2024-05-01\ndraft: true\n---\n${body}`);
      await writeFile(join(dir, 'b.md'), `---\nid: same\ntitle: The published one\ndate: 2024-05-02\n---\n${body}`);
      const out = join(dir, 'public');
      const result = await cli(['build', join(dir, 'a.md'), join(dir, 'b.md'), '--out', out, '--verbose']);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('draft');
      const feed = JSON.parse(await readFile(join(out, 'feed.json'), 'utf8'));
      expect(feed.items.map((i: { title: string }) => i.title)).toEqual(['The published one']);
    });
  });
});
