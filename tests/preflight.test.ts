/**
 * Issue 10, the pre-flight check: what each partner (src/profiles.ts, from ../shared/partners.md) would
 * refuse or downgrade, per article and per feed, and `syndicate check` with its table, JSON and exit code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Article, Photo } from '../src/article.js';
import { checkArticle, checkFeeds, type Finding, profilesFor } from '../src/preflight.js';
import type { ProfileName } from '../src/profiles.js';
import { buildFeeds } from '../src/build.js';
import { cli, makeArticle, makeSite, withTempDir } from './helpers.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const site = makeSite();
const photo = (width: number | null, height: number | null): Photo => ({ url: 'https://img.test.example/p.jpg', caption: 'A caption', credit: 'X / Y', type: 'image/jpeg', bytes: 1000, width, height });
/** An article every partner takes as it is. */
const good = (extra: Partial<Article> = {}): Article =>
  makeArticle({
    id: 'good',
    title: 'A headline of a good length for every partner',
    summary: 's'.repeat(320),
    published: '2026-11-19T08:00:00Z',
    updated: '2026-11-19T08:00:00Z',
    authors: ['Liu Lanying'],
    paragraphs: ['word '.repeat(120).trim()],
    quotes: [],
    related: [],
    photos: [photo(1200, 800)],
    ...extra,
  });
const check = (article: Article, profile?: ProfileName, warnings: { field: string; message: string }[] = []) =>
  checkArticle({ file: 'a.md', article, warnings }, profilesFor(profile), site, NOW);
const rules = (findings: Finding[]) => findings.map((f) => `${f.profile}:${f.rule}:${f.severity}`).sort();

describe('an article against the partners', () => {
  it('a good article: nothing for any partner', () => {
    expect(check(good())).toEqual([]);
  });

  it('MSN refuses a title out of 21-150 characters, a body under 450, and a date in the future or over a year old', () => {
    expect(rules(check(good({ title: 'Too short' }), 'msn'))).toEqual(['msn:title-length:reject']);
    expect(rules(check(good({ title: 't'.repeat(151) }), 'msn'))).toEqual(['msn:title-length:reject']);
    expect(check(good({ title: 't'.repeat(150) }), 'msn')).toEqual([]);
    expect(rules(check(good({ paragraphs: ['Short body.'] }), 'msn'))).toEqual(['msn:body-length:reject']);
    expect(rules(check(good({ published: '2026-11-21T08:00:00Z' }), 'msn'))).toEqual(['msn:published-future:reject']);
    expect(rules(check(good({ published: '2025-11-19T08:00:00Z' }), 'msn'))).toEqual(['msn:published-age:reject']);
    // Other partners do not refuse these.
    expect(rules(check(good({ title: 'Too short', published: '2020-01-01T00:00:00Z' }), 'flipboard'))).toEqual([]);
  });

  it('photos: none, too small for MSN (720 px) or Flipboard (400 px), or of unknown size', () => {
    expect(rules(check(good({ photos: [] })))).toEqual(['feedly:photo:warn', 'flipboard:photo:warn', 'msn:photo:warn', 'smartnews:photo:warn']);
    expect(rules(check(good({ photos: [photo(1000, 600)] })))).toEqual(['msn:photo-size:warn']);
    expect(rules(check(good({ photos: [photo(600, 300)] })))).toEqual(['flipboard:photo-size:warn', 'msn:photo-size:warn']);
    expect(rules(check(good({ photos: [photo(300, 200), photo(900, 1600)] })))).toEqual([]);
    expect(rules(check(good({ photos: [photo(null, null)] })))).toEqual(['flipboard:photo-size-unknown:warn', 'msn:photo-size-unknown:warn']);
  });

  it('a short summary (Flipboard), no byline, and a title derived from the lead', () => {
    expect(rules(check(good({ summary: 'Short.' }), 'flipboard'))).toEqual(['flipboard:summary-length:warn']);
    expect(rules(check(good({ authors: [] }), 'google-news'))).toEqual(['google-news:byline:warn']);
    expect(rules(check(good(), 'msn', [{ field: 'title', message: 'derived' }]))).toEqual(['msn:title-derived:warn']);
  });

  it('Google News refuses content over 1 MB; MSN flags the HTML it strips and warns of a body it would cut', () => {
    const huge = good({ paragraphs: Array.from({ length: 12 }, () => 'word '.repeat(19_000)) });
    expect(rules(check(huge, 'google-news'))).toEqual(['google-news:article-bytes:reject']);
    expect(rules(check(huge, 'msn'))).toEqual(['msn:body-length:warn']);
    const quoted = good({ quotes: [{ text: 'A pull quote', speaker: 'Someone', role: null }] });
    const [html] = check(quoted, 'msn');
    expect(html?.rule).toBe('html');
    expect(html?.message).toContain('<blockquote>');
    expect(html?.severity).toBe('warn');
  });
});

describe('the feeds against the partners', () => {
  it("SmartNews: a file over 1 MB, a description over 30 characters, no logo or icon", () => {
    const big = Array.from({ length: 8 }, (_, i) => good({ id: `big-${i}`, url: `https://news.test.example/big-${i}`, published: `2026-11-1${i}T08:00:00Z`, paragraphs: ['word '.repeat(40_000)] }));
    const wordy = makeSite({ description: 'The latest stories from our whole newsroom' });
    const findings = checkFeeds(buildFeeds(big, wordy), profilesFor('smartnews'), wordy);
    expect(findings.map((f) => `${f.file}:${f.rule}`)).toEqual(expect.arrayContaining(['(config):feed-description', '(config):branding', 'rss.xml:feed-bytes', 'atom.xml:feed-bytes', 'feed.json:feed-bytes']));
    expect(findings.every((f) => f.severity === 'warn')).toBe(true);
    const branded = makeSite({ description: 'Short enough', icon: 'https://cdn.test.example/i.png' });
    expect(checkFeeds(buildFeeds([good()], branded), profilesFor('smartnews'), branded)).toEqual([]);
  });
});

describe('declared partner feeds against their partner', () => {
  it('a partner feed is checked against its own partner only; a Flipboard feed of fewer than 30 items is named', () => {
    const big = Array.from({ length: 8 }, (_, i) => good({ id: `big-${i}`, url: `https://news.test.example/big-${i}`, published: `2026-11-1${i}T08:00:00Z`, paragraphs: ['word '.repeat(40_000)] }));
    const declared = makeSite({
      description: 'Short enough',
      icon: 'https://cdn.test.example/i.png',
      limits: { feedBytes: 5_000_000, itemChars: 1_000_000 },
      feeds: [
        { path: 'p/msn/', format: 'rss', profile: 'msn' },
        { path: 'p/flip/', format: 'rss', profile: 'flipboard', items: 12 },
      ],
    });
    const findings = checkFeeds(buildFeeds(big, declared), profilesFor(), declared);
    const smartnews = findings.filter((f) => f.profile === 'smartnews').map((f) => f.file);
    // SmartNews would refuse the site's own 5 MB files, not MSN's or Flipboard's feeds.
    expect(smartnews).toEqual(expect.arrayContaining(['rss.xml', 'atom.xml', 'feed.json']));
    expect(smartnews.filter((f) => f.startsWith('p/'))).toEqual([]);
    expect(findings.filter((f) => f.rule === 'feed-items').map((f) => [f.profile, f.message])).toEqual([['flipboard', 'feeds[1] (p/flip/rss.xml) shows 12 items; flipboard wants 30']]);
  });
});

describe('syndicate check', () => {
  const write = async (dir: string, name: string, front: Record<string, string>, body: string) =>
    writeFile(join(dir, name), `---\n${Object.entries(front).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n')}\n---\n${body}\n`);
  const recent = new Date(Date.now() - 86_400_000).toISOString();
  const longBody = Array.from({ length: 4 }, (_, i) => `Paragraph ${i} ${'of the story '.repeat(20)}`).join('\n\n');

  it('exits 0 when nothing is refused, 1 with a JSON array of findings when something is', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'ok'));
      await write(join(dir, 'ok'), 'fine.md', { id: 'fine', title: 'A headline of a good length for MSN', published: recent, author: 'Liu Lanying' }, longBody);
      const ok = await cli(['check', join(dir, 'ok'), '--profile', 'msn', '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      const okFindings = JSON.parse(ok.stdout) as Finding[];
      expect(okFindings.filter((f) => f.severity === 'reject')).toEqual([]);

      await write(join(dir, 'ok'), 'old.md', { id: 'old', title: 'An old story', published: '2019-04-25' }, 'Too short a body.');
      await writeFile(join(dir, 'ok', 'broken.json'), '{ not json');
      const bad = await cli(['check', join(dir, 'ok'), '--profile', 'msn', '--json']);
      expect(bad.code).toBe(1);
      const findings = JSON.parse(bad.stdout) as Finding[];
      for (const f of findings) expect(Object.keys(f).sort()).toEqual(['file', 'id', 'message', 'profile', 'rule', 'severity']);
      const rejects = findings.filter((f) => f.severity === 'reject').map((f) => `${f.id}:${f.rule}`);
      expect(rejects).toEqual(expect.arrayContaining(['old:title-length', 'old:body-length', 'old:published-age', 'null:read']));
      expect(findings.find((f) => f.rule === 'read')?.file).toContain('broken.json');
      expect(findings.every((f) => f.profile === 'msn')).toBe(true);
    });
  });

  it('prints a table by default, and refuses an unknown profile naming it', async () => {
    await withTempDir(async (dir) => {
      await write(dir, 'a.md', { id: 'a', title: 'Short', published: recent }, longBody);
      const table = await cli(['check', dir]);
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/^severity\s+profile\s+rule\s+file\s+id\s+message/);
      expect(table.stdout).toMatch(/reject\s+msn\s+title-length/);
      expect(table.stdout).toMatch(/1 file\(s\), 5 profile\(s\): 1 reject, \d+ warn/);
      const unknown = await cli(['check', dir, '--profile', 'myspace']);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('"myspace" is not a profile');
    });
  });

  it('build summarises the same findings once', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'in'));
      await write(join(dir, 'in'), 'a.md', { id: 'a', title: 'Short', published: recent }, longBody);
      const built = await cli(['build', join(dir, 'in'), '--out', join(dir, 'out')]);
      expect(built.code, built.stderr).toBe(0);
      expect(built.stderr.match(/pre-flight:/g)).toHaveLength(1);
      expect(built.stderr).toMatch(/pre-flight: .*msn 1 reject, \d+ warn/);
    });
  });
});
