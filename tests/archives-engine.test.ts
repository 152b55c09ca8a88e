/**
 * Issue 11, RFC 5005 archives kept by the engine (src/engine/archives.ts): publishes, takedowns,
 * corrections and republishes keep every site and section feed's archive so that a walk from its current
 * document meets every live article of the scope exactly once and no withdrawn one, in every format.
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { memoryLogger } from '../src/log.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { makeArticle, makeSite } from './helpers.js';
import { archiveLinks, unpairedLinks, walk } from './support/archive-walk.js';

const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 22 * 3600_000).toISOString().replace(/\.000Z$/, 'Z');
const story = (i: number, extra: Partial<Article> = {}) => makeArticle({ id: `s${String(i).padStart(3, '0')}`, url: `https://news.test.example/s${i}`, published: day(i), updated: day(i), section: i % 3 === 0 ? 'Sport' : 'World', ...extra });

function setup(options: { archives?: boolean; slack?: number; pageItems?: number } = {}) {
  const store = new MemoryObjectStore();
  const site = makeSite({ archives: options.archives ?? true, limits: { items: 5 }, ...(options.pageItems ? { archivePageItems: options.pageItems } : {}) });
  const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: options.slack ?? 2 }, memoryLogger());
  const files = { get: (path: string) => store.objects.get(`feeds/${path}`)?.body.toString('utf8') };
  return { store, syndicator, files };
}

/** Every format's walk from the scope's current files meets exactly `expected` (newest first). */
function expectWalks(files: { get(path: string): string | undefined }, folder: string, expected: readonly Article[]) {
  const newestFirst = [...expected].sort((a, b) => (a.published < b.published ? 1 : a.published > b.published ? -1 : a.id < b.id ? -1 : 1));
  expect(walk(files, `${folder}rss.xml`, 'rss').ids).toEqual(newestFirst.map((a) => a.url));
  expect(walk(files, `${folder}atom.xml`, 'atom').ids).toEqual(newestFirst.map((a) => a.url));
  expect(walk(files, `${folder}feed.json`, 'json').ids).toEqual(newestFirst.map((a) => a.id));
}

describe('RFC 5005 archives kept by the engine', () => {
  it('publishes in any order keep every article in the current document or its month, exactly once', async () => {
    const { syndicator, files } = setup();
    const articles = Array.from({ length: 40 }, (_, i) => story(i));
    // Out of order: later stories first, then backdated ones.
    for (const a of [...articles.slice(20), ...articles.slice(0, 20).reverse()]) await syndicator.publishArticle(a);
    expectWalks(files, '', articles);
    expectWalks(files, 'sections/world/', articles.filter((a) => a.section === 'World'));
    expectWalks(files, 'sections/sport/', articles.filter((a) => a.section === 'Sport'));
    // Archive documents are marked and linked; the current document is not an archive.
    expect(files.get('archive/2024-01/rss.xml')).toContain('<fh:archive/>');
    expect(files.get('rss.xml')).not.toContain('fh:archive');
  });

  it('a takedown leaves its month and stays out; a takedown in the current document brings the newest archived article back', async () => {
    const { syndicator, files } = setup();
    const articles = Array.from({ length: 30 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    // An old one (in an archive month) and the newest (in the current document).
    await syndicator.unpublishId('s003', '2024-03-01T00:00:00Z');
    await syndicator.unpublishId('s029', '2024-03-01T00:00:00Z');
    const live = articles.filter((a) => a.id !== 's003' && a.id !== 's029');
    expectWalks(files, '', live);
    expectWalks(files, 'sections/sport/', live.filter((a) => a.section === 'Sport'));
    // A republish changes nothing: the takedowns stay down.
    const before = new Map([...Array.from({ length: 3 }, (_, i) => `archive/2024-0${i + 1}/rss.xml`)].map((p) => [p, files.get(p)]));
    await syndicator.republish();
    expectWalks(files, '', live);
    for (const [path, body] of before) expect(files.get(path), path).toBe(body);
  });

  it('a correction that moves an article to another month moves it in the archive', async () => {
    const { syndicator, files } = setup();
    const articles = Array.from({ length: 30 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    const moved = { ...(articles[2] as Article), published: '2024-02-10T08:00:00Z', updated: '2024-02-10T08:00:00Z' };
    await syndicator.publishArticle(moved);
    expectWalks(files, '', articles.map((a) => (a.id === moved.id ? moved : a)));
    expect(files.get('archive/2024-01/rss.xml')).not.toContain('/s2<');
  });

  it('turning archives on: the republish places every stored article in its month, then the current files link them', async () => {
    const off = setup({ archives: false });
    const articles = Array.from({ length: 30 }, (_, i) => story(i));
    for (const a of articles) await off.syndicator.publishArticle(a);
    expect(off.files.get('rss.xml')).not.toContain('prev-archive');
    const on = new Syndicator(off.store, { site: makeSite({ archives: true, limits: { items: 5 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 2 }, memoryLogger());
    // A publish before the republish keeps its months but links none yet.
    await on.publishArticle(story(30));
    expect(off.files.get('rss.xml')).not.toContain('prev-archive');
    await on.republish();
    expectWalks(off.files, '', [...articles, story(30)]);
    expectWalks(off.files, 'sections/world/', [...articles, story(30)].filter((a) => a.section === 'World'));
  });

  it('an import (records without their feeds) links no archive until the republish that follows has backfilled it', async () => {
    const { syndicator, files } = setup();
    const first = Array.from({ length: 12 }, (_, i) => story(i + 30));
    for (const a of first) await syndicator.publishArticle(a);
    expectWalks(files, '', first);
    // Older stories imported into a store whose archive is already built.
    const imported = Array.from({ length: 30 }, (_, i) => story(i));
    await syndicator.importArticles(imported);
    expect(files.get('rss.xml')).not.toContain('prev-archive');
    await syndicator.republish();
    expectWalks(files, '', [...imported, ...first]);
    expectWalks(files, 'sections/sport/', [...imported, ...first].filter((a) => a.section === 'Sport'));
  });

  it('a month state that cannot be read is rebuilt: the next republish backfills the archive, and nothing is lost', async () => {
    const { store, syndicator, files } = setup();
    const articles = Array.from({ length: 30 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    await store.put('state/site/archive/2024-01.json', '{"format":1,"entries":');
    await syndicator.publishArticle(story(30));
    await syndicator.unpublishId('s002', '2024-03-01T00:00:00Z');
    await syndicator.republish();
    expectWalks(files, '', [...articles, story(30)].filter((a) => a.id !== 's002'));
  });

  it('turned off: writers keep the archive until the republish that turns it off empties every document; a takedown meanwhile leaves it too', async () => {
    const { store, syndicator, files } = setup();
    const articles = Array.from({ length: 30 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    const off = new Syndicator(store, { site: makeSite({ archives: false, limits: { items: 5 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 2 }, memoryLogger());
    // A writer of the new configuration before its republish: the takedown leaves the archive.
    await off.unpublishId('s004', '2024-03-01T00:00:00Z');
    const archiveText = () => [...store.objects].filter(([k]) => k.startsWith('feeds/archive/')).map(([, o]) => o.body.toString()).join('');
    expect(archiveText()).not.toContain('https://news.test.example/s4<');
    expect(archiveText()).toContain('https://news.test.example/s3<');
    await off.republish();
    expect(files.get('rss.xml')).not.toContain('prev-archive');
    // Every archive document is empty now.
    expect(archiveText()).not.toMatch(/<item>|<entry>|"id":"s0/);
    // On again: the republish backfills, and the takedown stays down.
    await syndicator.republish();
    expectWalks(files, '', articles.filter((a) => a.id !== 's004'));
  });

  it('an import while a backfill is under way asks for another: the backfill that began before it does not say the archive is whole', async () => {
    const off = setup({ archives: false });
    const first = Array.from({ length: 15 }, (_, i) => story(i + 20));
    for (const a of first) await off.syndicator.publishArticle(a);
    const on = new Syndicator(off.store, { site: makeSite({ archives: true, limits: { items: 5 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 2 }, memoryLogger());
    // The republish's backfill lists the site's index (a page of 1,000); at that moment an import of older stories lands.
    const list = off.store.list.bind(off.store);
    let imported = false;
    const older = Array.from({ length: 12 }, (_, i) => story(i));
    off.store.list = async (prefix, max, after) => {
      const keys = await list(prefix, max, after);
      if (!imported && prefix === 'index/site/' && max === 1000) {
        imported = true;
        await on.importArticles(older);
      }
      return keys;
    };
    await on.republish();
    expect(imported).toBe(true);
    const site = JSON.parse(off.store.objects.get('state/site/state.json')?.body.toString() ?? '{}');
    expect(site.archive.built).toBe(false);
    expect(off.files.get('rss.xml')).not.toContain('prev-archive');
    // The next republish backfills what the import stored.
    await on.republish();
    expectWalks(off.files, '', [...older, ...first]);
  });

  it('older months are cached long; the newest keeps the feeds’ Cache-Control', async () => {
    const { store, syndicator } = setup();
    for (let i = 0; i < 60; i++) await syndicator.publishArticle(story(i));
    const months = [...store.objects.keys()].filter((k) => /^feeds\/archive\/[\d-]+\/rss\.xml$/.test(k)).sort();
    expect(months.length).toBeGreaterThan(1);
    const newest = months[months.length - 1] as string;
    for (const key of months) expect(store.objects.get(key)?.cacheControl, key).toBe(key === newest ? 'public, max-age=300' : 'public, max-age=31536000, immutable');
  });
});

describe('busy months: pages', () => {
  /** Every RSS archive document under the folder, and whether their links pair up. */
  const archiveDocs = (store: MemoryObjectStore, folder: string) =>
    [...store.objects.keys()]
      .filter((k) => k.startsWith(`feeds/${folder}archive/`) && k.endsWith('/rss.xml'))
      .map((k) => k.slice('feeds/'.length))
      .sort();

  it('a month over its page size takes more documents; a publish rewrites only the newest page; links pair up', async () => {
    const { store, syndicator, files } = setup({ pageItems: 4 });
    // 40 stories over about a month and a half: January holds more than 4 pages.
    const articles = Array.from({ length: 40 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    expectWalks(files, '', articles);
    expectWalks(files, 'sections/world/', articles.filter((a) => a.section === 'World'));
    const docs = archiveDocs(store, '');
    expect(docs).toContain('archive/2024-01-1/rss.xml');
    expect(docs).toContain('archive/2024-01/rss.xml');
    expect(unpairedLinks(archiveLinks(files, docs))).toEqual([]);
    // One more publish: the current files, the page, and the January ones untouched.
    const before = new Map(docs.map((d) => [d, store.objects.get(`feeds/${d}`)?.etag]));
    await syndicator.publishArticle(story(40));
    const rewritten = docs.filter((d) => store.objects.get(`feeds/${d}`)?.etag !== before.get(d));
    expect(rewritten.length).toBeLessThanOrEqual(2);
    expect(rewritten.every((d) => d.startsWith('archive/2024-02'))).toBe(true);
    expectWalks(files, '', [...articles, story(40)]);
  });

  it('takedowns that shrink a month leave no withdrawn article in a page it no longer needs', async () => {
    const { store, syndicator, files } = setup({ pageItems: 3 });
    const articles = Array.from({ length: 30 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    const down = articles.filter((a) => Number(a.id.slice(1)) < 20 && Number(a.id.slice(1)) % 2 === 0);
    for (const a of down) await syndicator.unpublishId(a.id, '2024-03-01T00:00:00Z');
    const live = articles.filter((a) => !down.includes(a));
    expectWalks(files, '', live);
    // Every archive document, linked or not, is free of the withdrawn articles.
    for (const [key, object] of store.objects) {
      if (!key.includes('/archive/') && !key.startsWith('feeds/archive/')) continue;
      if (!key.startsWith('feeds/')) continue;
      for (const a of down) expect(object.body.toString(), key).not.toContain(`>${a.url}<`);
    }
    expect(unpairedLinks(archiveLinks(files, archiveDocs(store, '')))).toEqual([]);
  });

  it('the engine keeps the archive the build writes, page for page', async () => {
    const { store, syndicator, files } = setup({ pageItems: 4 });
    const articles = Array.from({ length: 45 }, (_, i) => story(i));
    for (const a of [...articles].reverse()) await syndicator.publishArticle(a);
    const { buildFeeds } = await import('../src/build.js');
    const built = new Map(buildFeeds(articles, makeSite({ archives: true, limits: { items: 5 }, archivePageItems: 4 })).map((f) => [f.path, f.body]));
    const archived = [...built.keys()].filter((p) => p.includes('archive/'));
    expect(archived.length).toBeGreaterThan(10);
    for (const path of archived) expect(files.get(path), path).toBe(built.get(path));
    for (const path of ['rss.xml', 'atom.xml', 'feed.json', 'sections/world/rss.xml']) expect(files.get(path), path).toBe(built.get(path));
    void store;
  });
});

describe('archives and the rest', () => {
  it('WebSub hubs are told of the current feeds, never of archive documents (nobody subscribes to them)', async () => {
    const store = new MemoryObjectStore();
    const told: string[] = [];
    // Pages of 2: older pages (archive/<YYYY-MM>-n/) too.
    const site = makeSite({ archives: true, limits: { items: 3 }, hubs: ['http://127.0.0.1:9/hub'], archivePageItems: 2 });
    const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'no-cache', slack: 1, pinger: async (_hub, topics) => void told.push(...topics) }, memoryLogger());
    for (let i = 0; i < 12; i++) await syndicator.publishArticle(story(i));
    expect([...store.objects.keys()].some((k) => /\/archive\/\d{4}-\d{2}-\d+\//.test(k))).toBe(true);
    expect(told.length).toBeGreaterThan(0);
    expect(told.filter((t) => t.includes('/archive/'))).toEqual([]);
    expect(told).toContain('https://news.test.example/feeds/rss.xml');
  });
});

describe('a month that cannot be settled', () => {
  it('does not hold the feeds back: they are written, the other months settled, the event fails (to be retried), and the month settles once it can', async () => {
    const { store, syndicator, files } = setup();
    const articles = Array.from({ length: 20 }, (_, i) => story(i));
    for (const a of articles) await syndicator.publishArticle(a);
    // January's state cannot be written for a while.
    const put = store.put.bind(store);
    let broken = true;
    store.put = async (key, body, options) => {
      if (broken && key === 'state/site/archive/2024-01.json') throw new Error('injected: S3 is failing this key');
      return put(key, body, options);
    };
    // A takedown of an archived January story: the site's month fails, the section's settles.
    await expect(syndicator.unpublishId('s001', '2024-03-01T00:00:00Z')).rejects.toThrow(/injected/);
    expect(files.get('sections/world/archive/2024-01/rss.xml')).not.toContain('https://news.test.example/s1<');
    // Still owed in the site's state, and the feeds went on: a new story is in the current files.
    expect(JSON.parse(store.objects.get('state/site/state.json')?.body.toString() ?? '{}').archive.owed['2024-01']).toContain('s001');
    await expect(syndicator.publishArticle(story(20))).rejects.toThrow(/injected/);
    expect(files.get('rss.xml')).toContain('https://news.test.example/s20<');
    broken = false;
    await syndicator.publishArticle(story(21));
    expectWalks(files, '', [...articles, story(20), story(21)].filter((a) => a.id !== 's001'));
  });
});

describe('archives in Lambda', () => {
  const env = { FEED_BUCKET: 'b', SITE_URL: 'https://news.test.example/' };
  it('ARCHIVES turns them on, ARCHIVE_CACHE_CONTROL sets the old months’ Cache-Control; a wrong value names the variable', async () => {
    const { readServiceConfig } = await import('../src/config.js');
    expect(readServiceConfig(env).site.archives).toBe(false);
    expect(readServiceConfig({ ...env, ARCHIVES: 'on' }).site.archives).toBe(true);
    expect(readServiceConfig({ ...env, ARCHIVES: 'off' }).site.archives).toBe(false);
    expect(() => readServiceConfig({ ...env, ARCHIVES: 'maybe' })).toThrow(/ARCHIVES/);
    expect(readServiceConfig({ ...env, ARCHIVE_PAGE_ITEMS: '100' }).site.archivePageItems).toBe(100);
    expect(readServiceConfig(env).site.archivePageItems).toBe(500);
    expect(() => readServiceConfig({ ...env, ARCHIVE_PAGE_ITEMS: '0' })).toThrow(/ARCHIVE_PAGE_ITEMS/);
    expect(() => readServiceConfig({ ...env, ARCHIVE_PAGE_ITEMS: 'many' })).toThrow(/ARCHIVE_PAGE_ITEMS/);
    expect(readServiceConfig({ ...env, ARCHIVE_CACHE_CONTROL: 'public, max-age=86400' }).archiveCacheControl).toBe('public, max-age=86400');
    expect(() => readServiceConfig({ ...env, ARCHIVE_CACHE_CONTROL: 'x\u0001y' })).toThrow(/ARCHIVE_CACHE_CONTROL/);
  });
});
