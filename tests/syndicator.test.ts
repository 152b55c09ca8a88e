/** The publishing core on an in-memory store with real compare-and-swap: logic, budgets, races. */
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { memoryLogger } from '../src/log.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { markerKey } from '../src/layout.js';
import { compareSequencers, Syndicator } from '../src/syndicator.js';
import { makeArticle, makeSite } from './helpers.js';

function setup(limit = 5) {
  const store = new MemoryObjectStore();
  const log = memoryLogger();
  const syndicator = new Syndicator(store, { site: makeSite({ limits: { items: limit } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 2 }, log);
  const feed = (path = 'feed.json') => {
    const object = store.objects.get(`feeds/${path}`);
    return object ? JSON.parse(object.body.toString('utf8')) : null;
  };
  const ids = (path = 'feed.json') => (feed(path)?.items ?? []).map((i: any) => i._syndicate.article_id);
  return { store, syndicator, feed, ids, log };
}

const day = (n: number) => `2024-05-${String(n).padStart(2, '0')}T08:00:00Z`;
function story(id: string, n: number, extra: Partial<Article> = {}): Article {
  return makeArticle({ id, url: `https://news.test.example/${id}`, published: day(n), updated: day(n), section: 'World', ...extra });
}

describe('Syndicator', () => {
  it('keeps each feed newest first and within its limit', async () => {
    const { syndicator, ids } = setup(3);
    for (const n of [3, 1, 5, 2, 4]) await syndicator.publishArticle(story(`s${n}`, n));
    expect(ids()).toEqual(['s5', 's4', 's3']);
    expect(ids('sections/world/feed.json')).toEqual(['s5', 's4', 's3']);
  });

  it('moves an article between section feeds when its section changes', async () => {
    const { syndicator, ids } = setup();
    await syndicator.publishArticle(story('a', 1));
    await syndicator.publishArticle(story('a', 1, { section: 'Sport' }));
    expect(ids('sections/world/feed.json')).toEqual([]);
    expect(ids('sections/sport/feed.json')).toEqual(['a']);
    expect(ids()).toEqual(['a']);
  });

  it('refills a feed from the index after takedowns, reading only what it shows', async () => {
    const { syndicator, ids } = setup(3);
    for (let n = 1; n <= 8; n++) await syndicator.publishArticle(story(`s${n}`, n));
    for (const id of ['s8', 's7', 's6']) await syndicator.unpublishId(id, '2024-06-01T00:00:00Z');
    expect(ids()).toEqual(['s5', 's4', 's3']);
    expect(ids('sections/world/feed.json')).toEqual(['s5', 's4', 's3']);
  });

  it('brings a taken-down article back, without its tombstone, when it is published again', async () => {
    const { syndicator, feed } = setup();
    await syndicator.publishArticle(story('a', 1));
    await syndicator.unpublishId('a', '2024-06-01T00:00:00Z');
    expect(feed()._syndicate.deleted.map((d: any) => d.id)).toEqual(['a']);
    await syndicator.publishArticle(story('a', 1));
    expect(feed()._syndicate.deleted).toEqual([]);
    expect(feed().items).toHaveLength(1);
  });

  it('dates a feed by its newest change, takedowns included', async () => {
    const { syndicator, feed } = setup();
    await syndicator.publishArticle(story('a', 1));
    await syndicator.unpublishId('a', '2024-06-01T12:00:00Z');
    expect(feed()._syndicate.updated).toBe('2024-06-01T12:00:00Z');
  });

  it('publishes an incremental article within 15 requests plus the feed PUTs, however large the archive', async () => {
    const budget = async (archive: number) => {
      const { store, syndicator } = setup(50);
      for (let n = 0; n < archive; n++) await syndicator.publishArticle(story(`old-${n}`, (n % 28) + 1));
      const before = { ...store.requests };
      const outcome = await syndicator.publishArticle(story('breaking', 29));
      const used = Object.fromEntries(Object.entries(store.requests).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
      const feedPuts = outcome.written.length;
      return { other: Object.values(used).reduce((a, b) => a + b, 0) - feedPuts, feedPuts };
    };
    const small = await budget(10);
    const large = await budget(120);
    expect(small.other).toBeLessThanOrEqual(15);
    expect(large.other).toBe(small.other);
    // Site and section feed: three formats and the page beside them each.
    expect(small.feedPuts).toBe(8);
  });

  it('loses no article when 30 publishes race on one store', async () => {
    const { syndicator, ids } = setup(50);
    await Promise.all(Array.from({ length: 30 }, (_, i) => syndicator.publishArticle(story(`r${i}`, (i % 28) + 1))));
    expect(ids().sort()).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`).sort());
    expect(ids('sections/world/feed.json')).toHaveLength(30);
  });
});

describe('markers and sequencers', () => {
  it('orders markers newest first by key', () => {
    const newer = markerKey('live', '', '2024-05-02T00:00:00Z', 'b', 1);
    const older = markerKey('live', '', '2024-05-01T00:00:00Z', 'a', 7);
    expect(newer < older).toBe(true);
    expect(newer.startsWith('index/site/')).toBe(true);
  });

  it('compares S3 sequencers as hex values of any length', () => {
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281F0')).toBe(-1);
    expect(compareSequencers('FF', '0100')).toBe(1);
    expect(compareSequencers('0A', '0a')).toBe(0);
  });
});

describe('importing an archive', () => {
  it('stores every article without feed work, and one republish then builds the same feeds as publishing one by one', async () => {
    const one = setup(4);
    const bulk = setup(4);
    const articles = Array.from({ length: 12 }, (_, i) => story(`i${i}`, (i % 9) + 1, { section: i % 2 ? 'World' : 'Sport' }));
    for (const a of articles) await one.syndicator.publishArticle(a);
    expect(await bulk.syndicator.importArticles(articles, 3)).toEqual({ stored: 12, refused: [] });
    expect([...bulk.store.objects.keys()].filter((k) => k.startsWith('feeds/'))).toEqual([]);
    await bulk.syndicator.republish();
    for (const path of ['feed.json', 'rss.xml', 'atom.xml', 'sections/world/feed.json', 'sections/sport/atom.xml']) {
      expect(bulk.store.objects.get(`feeds/${path}`)?.body.toString(), path).toBe(one.store.objects.get(`feeds/${path}`)?.body.toString());
    }
  });
});

describe('an incoming object over the size limit (2 MB)', () => {
  /** Remembers each GET and the range it asked for. */
  class RecordingStore extends MemoryObjectStore {
    readonly gets: { key: string; range?: { start: number; end: number } }[] = [];
    override async get(key: string, range?: { start: number; end: number }) {
      this.gets.push({ key, ...(range ? { range } : {}) });
      return super.get(key, range);
    }
  }
  const big = () => Buffer.concat([Buffer.from('---\nid: big\npublished: 2024-05-01T00:00:00Z\n---\n'), Buffer.alloc(3 * 1024 * 1024, 'word ')]);

  it('is refused from the size the event gives, without reading it', async () => {
    const store = new RecordingStore();
    const syndicator = new Syndicator(store, { site: makeSite(), feedPrefix: 'feeds/', cacheControl: 'no-cache' }, memoryLogger());
    await store.put('incoming/big.md', big());
    const outcome = await syndicator.publishObject('incoming/big.md', '01', { size: 400 * 1024 * 1024 });
    expect(outcome.status).toBe('rejected');
    expect(store.gets.filter((g) => g.key === 'incoming/big.md')).toEqual([]);
    expect(JSON.parse(store.objects.get('errors/incoming/big.md.json')?.body.toString() ?? '{}')).toMatchObject({ field: '(size)' });
  });

  it('without a size from the event, reads at most the limit and one byte more, then refuses it', async () => {
    const store = new RecordingStore();
    const syndicator = new Syndicator(store, { site: makeSite(), feedPrefix: 'feeds/', cacheControl: 'no-cache' }, memoryLogger());
    await store.put('incoming/big.md', big());
    const outcome = await syndicator.publishObject('incoming/big.md', '01');
    expect(outcome.status).toBe('rejected');
    const reads = store.gets.filter((g) => g.key === 'incoming/big.md');
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.range).toEqual({ start: 0, end: 2 * 1024 * 1024 });
    expect(JSON.parse(store.objects.get('errors/incoming/big.md.json')?.body.toString() ?? '{}')).toMatchObject({ field: '(size)' });
  });
});

describe('incoming articles without a date, and drafts (issue 12)', () => {
  const undated = (title: string) => `---\nid: undated\nurl: https://news.test.example/undated\ntitle: ${title}\n---\nA story with no date anywhere in its text, long enough to read.\n`;
  const ids = (store: MemoryObjectStore) => (JSON.parse(store.objects.get('feeds/feed.json')?.body.toString('utf8') ?? '{"items":[]}').items as any[]).map((i) => [i._syndicate.article_id, i.date_published]);

  it('an article without a date keeps the date it was first received, through edits, replays and republishes', async () => {
    const { store, syndicator } = setup();
    await store.put('incoming/u.md', undated('First version'));
    await syndicator.publishObject('incoming/u.md', '01');
    const first = ids(store);
    expect(first).toHaveLength(1);
    expect(first[0]?.[1]).toBe(store.objects.get('incoming/u.md')?.lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    // An edit (a newer upload, a later modification time) keeps the first date; so do a replay and a republish.
    await store.put('incoming/u.md', undated('Second version, a typo fixed'));
    await syndicator.publishObject('incoming/u.md', '02');
    await syndicator.publishObject('incoming/u.md', '02');
    await syndicator.republish();
    expect(ids(store)).toEqual(first);
    expect(store.objects.get('feeds/feed.json')?.body.toString('utf8')).toContain('Second version, a typo fixed');
  });

  it('a draft is not published; a draft of a published article takes it down; publishing it again brings it back', async () => {
    const { store, syndicator } = setup();
    const text = (draft: boolean) => `---\nid: d1\nurl: https://news.test.example/d1\ntitle: A draft\ndate: 2024-05-01T08:00:00Z\n${draft ? 'draft: true\n' : ''}---\nBEIJING - A story in the making.\n`;
    await store.put('incoming/d.md', text(true));
    await syndicator.publishObject('incoming/d.md', '01');
    expect(ids(store)).toEqual([]);
    await store.put('incoming/d.md', text(false));
    await syndicator.publishObject('incoming/d.md', '02');
    expect(ids(store).map(([id]) => id)).toEqual(['d1']);
    await store.put('incoming/d.md', text(true));
    const outcome = await syndicator.publishObject('incoming/d.md', '03');
    expect(outcome.status).toBe('withdrawn');
    expect(ids(store)).toEqual([]);
    await store.put('incoming/d.md', text(false));
    await syndicator.publishObject('incoming/d.md', '04');
    expect(ids(store).map(([id]) => id)).toEqual(['d1']);
  });
});
