/**
 * Issue 11, RFC 5005 archived feeds in `syndicate build` (`archives: true`): each site and section feed
 * keeps its newest items (the current document); the older ones are in monthly archive documents marked
 * fh:archive and linked current / prev-archive / next-archive (JSON Feed: next_url). A walk from the
 * current document through the archives reaches every article exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { ARCHIVE_ENTRY, archiveEntry } from '../src/archive.js';
import { buildFeeds, type OutputFile } from '../src/build.js';
import { makeArticle, makeSite, parseXml } from './helpers.js';
import { archiveLinks, FEED_URL, unpairedLinks, walk } from './support/archive-walk.js';

const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 22 * 3600_000).toISOString().replace(/\.000Z$/, 'Z');
const story = (i: number, extra: Partial<Article> = {}) => makeArticle({ id: `s${String(i).padStart(3, '0')}`, url: `https://news.test.example/s${i}`, published: day(i), updated: day(i), section: i % 3 === 0 ? 'Sport' : 'World', ...extra });

function byPath(files: OutputFile[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.body]));
}

describe('RFC 5005 archives in a build', () => {
  const articles = Array.from({ length: 120 }, (_, i) => story(i));
  const site = makeSite({ archives: true, limits: { items: 10 } });
  const files = byPath(buildFeeds(articles, site));

  it('are off unless asked for', () => {
    expect([...byPath(buildFeeds(articles, makeSite({ limits: { items: 10 } }))).keys()].some((p) => p.includes('archive/'))).toBe(false);
  });

  it('a walk from each current document through its archives reaches every article of the feed exactly once, newest first', () => {
    for (const [scope, expected] of [
      ['', articles],
      ['sections/world/', articles.filter((a) => a.section === 'World')],
      ['sections/sport/', articles.filter((a) => a.section === 'Sport')],
    ] as const) {
      const newestFirst = [...expected].sort((a, b) => b.published.localeCompare(a.published));
      const rss = walk(files, `${scope}rss.xml`, 'rss');
      expect(rss.ids, scope).toEqual(newestFirst.map((a) => a.url));
      expect(walk(files, `${scope}atom.xml`, 'atom').ids, scope).toEqual(newestFirst.map((a) => a.url));
      const json = walk(files, `${scope}feed.json`, 'json');
      expect(json.ids, scope).toEqual(newestFirst.map((a) => a.id));
      expect(rss.visited.length).toBeGreaterThan(2);
    }
  });

  it('archive documents are one calendar month each, marked fh:archive, linked to the current document and both neighbours', () => {
    const { visited } = walk(files, 'rss.xml', 'rss');
    const archives = visited.slice(1);
    expect(archives).toEqual(['archive/2024-04/rss.xml', 'archive/2024-03/rss.xml', 'archive/2024-02/rss.xml', 'archive/2024-01/rss.xml']);
    archives.forEach((path, i) => {
      const body = files.get(path) as string;
      expect(body).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
      expect(body).toContain('<fh:archive/>');
      const channel = parseXml(body).rss.channel;
      const links = Object.fromEntries([channel['atom:link']].flat().map((l: Record<string, string>) => [l['@rel'], l['@href']]));
      expect(links.self).toBe(FEED_URL + path);
      expect(links.current).toBe(`${FEED_URL}rss.xml`);
      expect(links['next-archive']).toBe(i === 0 ? undefined : FEED_URL + archives[i - 1]);
      expect(links['prev-archive']).toBe(i === archives.length - 1 ? undefined : FEED_URL + archives[i + 1]);
      for (const item of [channel.item].flat()) expect(String(item.pubDate)).toMatch(new RegExp(path.slice(8, 12)));
    });
    // The current document is not an archive, and links the newest one.
    const current = files.get('rss.xml') as string;
    expect(current).not.toContain('fh:archive');
    expect(current).toContain(`href="${FEED_URL}archive/2024-04/rss.xml" rel="prev-archive"`);
    const atom = parseXml(files.get('archive/2024-02/atom.xml') as string).feed;
    expect(atom['fh:archive']).toBe('');
    expect(JSON.parse(files.get('archive/2024-02/feed.json') as string)._syndicate).toMatchObject({ archive: true, current: `${FEED_URL}feed.json` });
  });

  it('a busy month is one document per format, and every format carries the same articles, so each month holds the same ones in all three', () => {
    const wordy = Array.from({ length: 60 }, (_, i) => story(i, { published: new Date(Date.UTC(2024, 2, 1) + i * 3600_000).toISOString(), summary: `Summary ${i} ${'of a long story '.repeat(100)}`.slice(0, 1500) }));
    const small = makeSite({ archives: true, limits: { items: 5, feedBytes: 40_000, itemChars: 10_000 } });
    const map = byPath(buildFeeds(wordy, small));
    const rss = walk(map, 'rss.xml', 'rss');
    expect(rss.ids).toEqual([...wordy].reverse().map((a) => a.url));
    expect(rss.visited).toEqual(['rss.xml', 'archive/2024-03/rss.xml']);
    const json = walk(map, 'feed.json', 'json');
    const atom = walk(map, 'atom.xml', 'atom');
    expect(json.ids).toEqual([...wordy].reverse().map((a) => a.id));
    expect(atom.ids).toEqual(rss.ids);
    // The current files carry the same count in every format.
    const counts = [parseXml(map.get('rss.xml') as string).rss.channel.item, parseXml(map.get('atom.xml') as string).feed.entry, JSON.parse(map.get('feed.json') as string).items].map((l) => [l ?? []].flat().length);
    expect(new Set(counts).size).toBe(1);
  });

  it('a month over archivePageItems takes pages, counted from its oldest; the newest keeps the month’s name; every link pairs up', () => {
    const paged = byPath(buildFeeds(articles, makeSite({ archives: true, limits: { items: 10 }, archivePageItems: 7 })));
    const { ids, visited } = walk(paged, 'rss.xml', 'rss');
    expect(ids).toEqual([...articles].reverse().map((a) => a.url));
    // January 2024 has 34 stories: pages -1 (oldest 7) to -4, and the newest (6) as 2024-01.
    expect(visited.filter((p) => p.startsWith('archive/2024-01'))).toEqual(['archive/2024-01/rss.xml', 'archive/2024-01-4/rss.xml', 'archive/2024-01-3/rss.xml', 'archive/2024-01-2/rss.xml', 'archive/2024-01-1/rss.xml']);
    const docs = [...paged.keys()].filter((p) => p.startsWith('archive/') && p.endsWith('rss.xml'));
    expect(unpairedLinks(archiveLinks(paged, docs))).toEqual([]);
    for (const doc of docs) expect([parseXml(paged.get(doc) as string).rss.channel.item ?? []].flat().length, doc).toBeLessThanOrEqual(7);
  });

  it('an archive entry is the article’s gist, bounded whatever the article: summary cut at a word, the first bylines and tags', () => {
    const huge = story(1, { summary: `Opening words ${'and more words '.repeat(400)}`.slice(0, 5000), authors: Array.from({ length: 50 }, (_, i) => `Author ${i}`), tags: Array.from({ length: 100 }, (_, i) => `tag-${i}`) });
    const entry = archiveEntry(huge);
    expect(entry.summary.length).toBeLessThanOrEqual(ARCHIVE_ENTRY.summary);
    expect(entry.summary.endsWith('…')).toBe(true);
    expect(entry.paragraphs).toEqual([entry.summary]);
    expect(entry.authors).toEqual(huge.authors.slice(0, ARCHIVE_ENTRY.authors));
    expect(entry.tags).toHaveLength(ARCHIVE_ENTRY.tags);
    expect(entry.photos).toEqual([]);
    // Cut where an emoji is: never half of it.
    const emoji = archiveEntry(story(2, { summary: '😀'.repeat(2000) }));
    expect(emoji.summary).toMatch(/^(😀)+…$/u);
  });

  it('articles the current document leaves out for its byte budget are in the newest archive, not lost', () => {
    const long = Array.from({ length: 12 }, (_, i) => story(i, { paragraphs: [`Paragraph ${'word '.repeat(3000)}`] }));
    const tight = makeSite({ archives: true, limits: { items: 10, feedBytes: 60_000, itemChars: 25_000 } });
    const map = byPath(buildFeeds(long, tight));
    const current = [parseXml(map.get('rss.xml') as string).rss.channel.item].flat();
    expect(current.length).toBeLessThan(10);
    expect(walk(map, 'rss.xml', 'rss').ids).toEqual([...long].reverse().map((a) => a.url));
    expect(walk(map, 'feed.json', 'json').ids).toEqual([...long].reverse().map((a) => a.id));
  });

  it('the same articles in any order give the same files; declared feeds have no archives', () => {
    const declared = makeSite({ archives: true, limits: { items: 10 }, feeds: [{ path: 'partners/msn/', format: 'rss', profile: 'msn' }, { path: 'plain/', format: 'atom' }] });
    const one = buildFeeds(articles, declared);
    const two = buildFeeds([...articles].reverse(), declared);
    expect(two.map((f) => [f.path, f.body])).toEqual(one.map((f) => [f.path, f.body]));
    expect(one.map((f) => f.path).filter((p) => p.includes('archive/') && (p.startsWith('partners/') || p.startsWith('plain/')))).toEqual([]);
    expect(() => makeSite({ feeds: [{ path: 'archive/2024-01/', format: 'rss' }] })).toThrow(/archive/);
  });
});
