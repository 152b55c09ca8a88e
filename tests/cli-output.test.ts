/** Output a person can read (issue 12 §6): warnings by kind, --verbose, progress, the --import hint. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IMPORT_HINT_FROM, Progress, WarningSummary, warningKind } from '../src/cli/output.js';
import { cli, withTempDir } from './helpers.js';

const root = join(import.meta.dirname, '..');

/** `count` articles with an id, URL and date but no title or summary (two warnings each). */
async function untitled(dir: string, count: number): Promise<string> {
  const folder = join(dir, 'articles');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    const name = `story-${String(i).padStart(4, '0')}`;
    await writeFile(join(folder, `${name}.md`), `---\nid: ${name}\nurl: https://news.test.example/${name}\npublished: 2024-05-01T08:00:00Z\nauthors: [Jane Reporter]\n---\nBEIJING - Story number ${i} opens with a sentence long enough to be a title.\n\nSecond paragraph.\n`);
  }
  return folder;
}

const warningLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning: '));

describe('warnings', () => {
  it('are summarised, one line per kind with a count and the first few files', async () => {
    await withTempDir(async (dir) => {
      const articles = await untitled(dir, 5);
      const { code, stderr } = await cli(['build', articles, '--out', join(dir, 'out'), '--no-ping']);
      expect(code).toBe(0);
      const f = (i: number) => join(articles, `story-000${i}.md`);
      expect(warningLines(stderr)).toEqual([
        `warning: summary: derived from the lead paragraph: 5 files (${f(0)}, ${f(1)}, ${f(2)} and 2 more; --verbose lists each)`,
        `warning: title: derived from the lead paragraph: 5 files (${f(0)}, ${f(1)}, ${f(2)} and 2 more; --verbose lists each)`,
      ]);
    });
  });

  it('are each printed with --verbose', async () => {
    await withTempDir(async (dir) => {
      const articles = await untitled(dir, 5);
      const { code, stderr } = await cli(['build', articles, '--out', join(dir, 'out'), '--no-ping', '--verbose']);
      expect(code).toBe(0);
      const lines = warningLines(stderr);
      expect(lines).toHaveLength(10);
      expect(lines[0]).toBe(`warning: ${join(articles, 'story-0000.md')}: title: derived from the lead paragraph: "Story number 0 opens with a sentence long enough to be a title."`);
    });
  });

  it('of a kind seen once are printed whole', () => {
    const lines: string[] = [];
    const summary = new WarningSummary({ stdout: () => undefined, stderr: (t) => lines.push(t) }, false);
    summary.add('a.md', [{ field: 'published', message: 'derived from a date in the text: 2019-04-25' }]);
    summary.add('b.md', [{ field: 'id', message: 'derived from the URL: x' }]);
    summary.add('c.md', [{ field: 'id', message: 'derived from the URL: y' }]);
    summary.flush();
    expect(lines).toEqual(['warning: id: derived from the URL: 2 files (b.md, c.md)\n', 'warning: a.md: published: derived from a date in the text: 2019-04-25\n']);
    expect(warningKind({ field: 'published', message: 'no date in the text; using the time it was received: 2024-01-01T00:00:00Z' })).toBe('published: no date in the text; using the time it was received');
  });

  it('the bundled example builds with none', async () => {
    await withTempDir(async (dir) => {
      const { code, stderr } = await cli(['build', join(root, 'examples/articles'), '--out', join(dir, 'out'), '--config', join(root, 'examples/site.json'), '--no-ping', '--verbose']);
      expect(code).toBe(0);
      expect(warningLines(stderr)).toEqual([]);
      const parsed = await cli(['parse', join(root, 'examples/articles/putin-kim-vladivostok.md')]);
      const article = JSON.parse(parsed.stdout);
      expect(parsed.stderr).toBe('');
      expect(article.title).toBe('Putin and Kim hold "substantial" talks in Vladivostok');
      expect(article.authors).toEqual(['Example Daily World Desk']);
      expect(article.published).toBe('2019-04-25T10:00:00Z');
      expect(article.url).toMatch(/^https:\/\/news\.example\.com\/world\//);
    });
  });
});

describe('progress', () => {
  it('prints plain lines at every tenth when stderr is not a terminal (300 articles or more)', async () => {
    await withTempDir(async (dir) => {
      const articles = await untitled(dir, 300);
      const { code, stderr } = await cli(['build', articles, '--out', join(dir, 'out'), '--no-ping']);
      expect(code).toBe(0);
      const progress = stderr.split('\n').filter((l) => l.startsWith('reading: '));
      expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => `reading: ${(i + 1) * 30}/300 (${(i + 1) * 10}%)`));
      expect(stderr).not.toContain('\r');
    });
  });

  it('prints nothing for a short run', async () => {
    await withTempDir(async (dir) => {
      const articles = await untitled(dir, 20);
      const { stderr } = await cli(['build', articles, '--out', join(dir, 'out'), '--no-ping']);
      expect(stderr).not.toMatch(/reading/);
    });
  });

  it('draws one bar in place on a terminal, at most every 100 ms, and clears it', () => {
    let out = '';
    let now = 1_000;
    const progress = new Progress({ stdout: () => undefined, stderr: (t) => (out += t), isTTY: true, columns: 60 }, 'reading', 400, () => now);
    for (let i = 0; i < 400; i++) {
      progress.tick();
      now += 1;
    }
    const draws = out.split('\r').filter((s) => s !== '');
    // Every 100 ticks (100 ms apart) plus the last one.
    expect(draws.length).toBeGreaterThanOrEqual(4);
    expect(draws.length).toBeLessThanOrEqual(6);
    // Fitted to 60 columns: 36 marks for the bar.
    expect(draws.at(-1)).toBe(`reading [${'#'.repeat(36)}] 400/400 100%`);
    expect(draws.every((d) => d.length <= 60)).toBe(true);
    out = '';
    progress.print('error: x\n');
    progress.done();
    expect(out).toMatch(/^\r +\rerror: x\n$/);
  });
});

describe('the --import hint', () => {
  it('is printed when publishing thousands of files one by one', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    try {
      await withTempDir(async (dir) => {
        const articles = await untitled(dir, IMPORT_HINT_FROM);
        // Nothing answers on port 9: the run stops at the first article, after the hint.
        const args = ['publish', articles, '--bucket', 'feeds', '--endpoint', 'http://127.0.0.1:9', '--timeout', '1', '--config', join(root, 'examples/site.json'), '--prefix', 'feeds/', '--cache-control', 'no-cache', '--no-ping'];
        const { stderr } = await cli(args);
        expect(stderr).toContain(`hint: publishing ${IMPORT_HINT_FROM} articles one by one updates their feeds ${IMPORT_HINT_FROM} times; \`syndicate publish --import\``);
        const fewer = await cli([...args.slice(0, 1), join(articles, 'story-0000.md'), ...args.slice(2)]);
        expect(fewer.stderr).not.toContain('hint:');
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
