/**
 * An adversarial pass over the partner, tag and author feeds (issue 10) and the news sitemap (issue 11):
 * hostile scope names, declared paths that collide with other outputs, configuration changes between runs,
 * injected store failures, concurrent events, and the sitemap's recent window. Each test states what a
 * user would expect; see the report for those that fail.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds, type OutputFile } from '../src/build.js';
import { checkFeed } from '../src/check.js';
import { ConfigError } from '../src/errors.js';
import { memoryLogger } from '../src/log.js';
import { renderNewsSitemap } from '../src/render/news-sitemap.js';
import { scopePath } from '../src/scopes.js';
import { declaredScopes, parseSiteConfig, type SiteConfig } from '../src/site.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import type { ObjectStore, PutOptions } from '../src/storage/object-store.js';
import { Syndicator } from '../src/syndicator.js';
import { cli, makeArticle, makeSite, namespaceUse, parseXml, withTempDir } from './helpers.js';

// ---- fixtures ----

const day = (d: number, hour = 8) => new Date(Date.UTC(2024, 4, d, hour)).toISOString();
const story = (id: string, published: string, extra: Partial<Article> = {}) =>
  makeArticle({ id, url: `https://news.test.example/${id}`, title: `The story called ${id}`, published, updated: published, section: 'World', tags: [], authors: [], ...extra });

function engine(site: SiteConfig, store: ObjectStore = new MemoryObjectStore(), slack?: number) {
  const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'max-age=60', clock: () => new Date('2024-06-01T00:00:00Z'), sleep: async () => {}, ...(slack === undefined ? {} : { slack }) }, memoryLogger());
  return syndicator;
}

const bodyOf = (store: MemoryObjectStore, path: string) => store.objects.get(`feeds/${path}`)?.body.toString('utf8') ?? null;

/** Item links' last segments of an RSS file (empty when there is no file or no item). */
function rssIds(xml: string | null): string[] {
  if (xml === null) return [];
  const items = parseXml(xml).rss.channel.item ?? [];
  return items.map((i: { link: string }) => String(i.link).split('/').pop());
}

function sitemapIds(xml: string | null): string[] {
  if (xml === null) return [];
  const url = parseXml(xml).urlset.url ?? [];
  return [url].flat().map((u: { loc: string }) => u.loc.split('/').pop() as string);
}

/** A store that fails chosen calls (before they reach the inner store), a number of times. */
class FlakyStore extends MemoryObjectStore {
  faults: { op: 'get' | 'put' | 'list' | 'delete'; match: (key: string) => boolean; times: number; after?: boolean }[] = [];
  failed: string[] = [];
  private trip(op: 'get' | 'put' | 'list' | 'delete', key: string): void {
    const fault = this.faults.find((f) => f.op === op && f.times > 0 && f.match(key) && !f.after);
    if (!fault) return;
    fault.times -= 1;
    this.failed.push(`${op} ${key}`);
    throw new Error(`injected ${op} failure on ${key}`);
  }
  override async put(key: string, body: string | Buffer, options?: PutOptions) {
    this.trip('put', key);
    const etag = await super.put(key, body, options);
    const lost = this.faults.find((f) => f.op === 'put' && f.after && f.times > 0 && f.match(key));
    if (lost) {
      lost.times -= 1;
      throw new Error(`injected lost answer on put ${key}`);
    }
    return etag;
  }
  override async get(key: string, range?: { start: number; end: number }) {
    this.trip('get', key);
    return super.get(key, range);
  }
  override async delete(key: string) {
    this.trip('delete', key);
    return super.delete(key);
  }
  override async list(prefix: string, limit: number, startAfter?: string) {
    this.trip('list', prefix);
    return super.list(prefix, limit, startAfter);
  }
}

const TAG_FEED = [{ path: 'topics/climate/', format: 'rss', scope: { tag: 'Climate' } }];

// ---- configuration changes between runs ----

describe('a tag feed declared, removed, then declared again', () => {
  it('shows, after the deploy’s republish, every article of the tag, including those published while it was not declared', async () => {
    const store = new MemoryObjectStore();
    const declared = makeSite({ feeds: TAG_FEED });
    const undeclared = makeSite({ feeds: [] });
    // Declared: an article, then the deploy's republish (backfill, `indexed: true`).
    const first = engine(declared, store);
    await first.publishArticle(story('warm-1', day(1), { tags: ['Climate'] }));
    await first.republish();
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['warm-1']);
    // Removed from the configuration: a deploy, a publish of another tagged article.
    const second = engine(undeclared, store);
    await second.republish();
    await second.publishArticle(story('warm-2', day(2), { tags: ['Climate'] }));
    // Declared again, and deployed: the README says the next republish fills the feed.
    const third = engine(declared, store);
    await third.republish();
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['warm-2', 'warm-1']);
  });

  it('shows them even when no republish ran while it was undeclared', async () => {
    const store = new MemoryObjectStore();
    const declared = makeSite({ feeds: TAG_FEED });
    const first = engine(declared, store);
    await first.publishArticle(story('warm-1', day(1), { tags: ['Climate'] }));
    await first.republish();
    await engine(makeSite({ feeds: [] }), store).publishArticle(story('warm-2', day(2), { tags: ['Climate'] }));
    await engine(declared, store).republish();
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['warm-2', 'warm-1']);
  });
});

// ---- hostile scope names ----

describe('hostile tag and author names', () => {
  it('a name that slugs to nothing does not share a feed with other such names, nor with a tag called "Section"', () => {
    const site = makeSite({ feeds: [{ path: 'topics/fire/', format: 'rss', scope: { tag: '🔥' } }] });
    const articles = [story('fire', day(3), { tags: ['🔥'] }), story('water', day(2), { tags: ['💧'] }), story('named', day(1), { tags: ['Section'] })];
    const files = buildFeeds(articles, site);
    expect(rssIds(files.find((f) => f.path === 'topics/fire/rss.xml')?.body ?? null)).toEqual(['fire']);
  });

  it('two long tags that differ only past the slug’s 60 characters are two scopes', () => {
    const europe = 'The economic impact of the coronavirus pandemic on small businesses in Europe';
    const asia = 'The economic impact of the coronavirus pandemic on small businesses in Asia';
    const site = makeSite({ feeds: [{ path: 'topics/europe/', format: 'rss', scope: { tag: europe } }] });
    const files = buildFeeds([story('eu', day(2), { tags: [europe] }), story('asia', day(1), { tags: [asia] })], site);
    expect(rssIds(files.find((f) => f.path === 'topics/europe/rss.xml')?.body ?? null)).toEqual(['eu']);
  });

  it('a scope folder is always well-formed text (never half of a surrogate pair), so its keys and URLs survive S3 and the file system', () => {
    // 'a' and 30 Gothic letters (each two UTF-16 units): the 60-unit cut falls inside the last pair.
    const gothic = `a${'𐌰'.repeat(30)}`;
    for (const scope of [{ tag: gothic }, { author: gothic }, { section: gothic }]) {
      const path = scopePath(scope);
      expect(path.isWellFormed(), JSON.stringify(path)).toBe(true);
      // The AWS SDK percent-encodes every key: a lone surrogate makes each request for the scope's state
      // and markers throw URIError, so an article with this tag could never be published to S3.
      expect(() => encodeURIComponent(`state/${path}state.json`)).not.toThrow();
    }
  });

  it('names in any script, "..", slashes and dots give folder names that stay inside their root', () => {
    for (const name of ['..', '../../etc', 'a/b', '.', 'Ünïcödé Tàg', '国际', 'x'.repeat(500), ' ', '\u0000']) {
      const path = scopePath({ tag: name });
      expect(path).toMatch(/^tags\/[^/.][^/]*\/$/);
      expect(path.split('/').every((p) => p !== '..' && p !== '.')).toBe(true);
    }
    const site = makeSite({ feeds: [{ path: 'topics/dots/', format: 'rss', scope: { tag: '..' } }, { path: 'topics/cjk/', format: 'atom', scope: { author: '国际 记者' } }] });
    // A name that slugs to nothing gets `~` and a hash of itself (never a real tag's slug such as "section").
    expect([...declaredScopes(site).tags]).toEqual([expect.stringMatching(/^~[0-9a-f]{8}$/)]);
    const files = buildFeeds([story('dots', day(1), { tags: ['..'], authors: ['国际 记者'] })], site);
    for (const file of files) expect(() => checkFeed(file.path, file.body), file.path).not.toThrow();
    expect(rssIds(files.find((f) => f.path === 'topics/dots/rss.xml')?.body ?? null)).toEqual(['dots']);
  });
});

// ---- declared paths against other outputs ----

describe('declared feed paths that collide with other outputs', () => {
  it('a folder named like a file the site writes (index.html, news-sitemap.xml, rss.xml, another declared file) is refused by the config check', () => {
    const refuse = (feeds: unknown[]) => () => parseSiteConfig({ newsSitemap: {}, feeds }, 'site.json');
    expect(refuse([{ path: 'index.html/', format: 'rss' }])).toThrow(ConfigError);
    expect(refuse([{ path: 'news-sitemap.xml/', format: 'atom' }])).toThrow(ConfigError);
    expect(refuse([{ path: 'rss.xml', format: 'json' }])).toThrow(ConfigError);
    expect(refuse([{ path: 'p/', format: 'rss' }, { path: 'p/rss.xml/', format: 'atom' }])).toThrow(ConfigError);
  });

  it('a build into a new folder with such a path either succeeds or writes nothing', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await mkdir(articles);
      await writeFile(join(articles, 'one.md'), '---\nid: one\nurl: https://news.test.example/one\ntitle: The story called one in full\nsection: World\npublished: 2024-05-01T08:00:00Z\n---\nBEIJING - Story one opens here.\n\nSecond paragraph.\n');
      const out = join(dir, 'public');
      await writeFile(join(dir, 'site.json'), JSON.stringify({ newsSitemap: {}, feeds: [{ path: 'index.html/', format: 'rss' }] }));
      const built = await cli(['build', articles, '--out', out, '--config', join(dir, 'site.json'), '--no-ping']);
      if (built.code === 0) {
        expect(await readFile(join(out, 'index.html/rss.xml'), 'utf8')).toContain('news.test.example/one');
      } else {
        // README: "a failed build leaves the previous output as it was" (here: nothing).
        for (const file of ['rss.xml', 'atom.xml', 'feed.json', 'news-sitemap.xml']) expect(existsSync(join(out, file)), `${file} (${built.stderr.trim().split('\n').pop()})`).toBe(false);
      }
    });
  });

  it('a declared feed in its own scope’s folder keeps its own description (and title)', () => {
    const site = makeSite({
      feeds: [
        { path: 'tags/climate/', format: 'rss', scope: { tag: 'Climate' }, description: 'Everything we write on the climate' },
        { path: 'tags/climate/', format: 'atom', scope: { tag: 'Climate' }, title: 'Climate desk' },
      ],
    });
    const files = buildFeeds([story('warm', day(1), { tags: ['Climate'] })], site);
    const rss = parseXml(files.find((f) => f.path === 'tags/climate/rss.xml')?.body as string).rss.channel;
    expect(rss.description).toBe('Everything we write on the climate');
    const atom = parseXml(files.find((f) => f.path === 'tags/climate/atom.xml')?.body as string).feed;
    expect(atom.title['#text'] ?? atom.title).toBe('Climate desk');
  });

  it('a declared feed whose folder is another scope’s default folder writes only its own file, and the two scopes stay apart', () => {
    const site = makeSite({
      feeds: [
        { path: 'tags/climate/', format: 'rss' },
        { path: 'topics/climate/', format: 'rss', scope: { tag: 'Climate' } },
      ],
    });
    const files = buildFeeds([story('warm', day(2), { tags: ['Climate'] }), story('other', day(1), { section: 'Sport' })], site);
    const paths = files.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(rssIds(files.find((f) => f.path === 'tags/climate/rss.xml')?.body ?? null)).toEqual(['warm', 'other']);
    expect(rssIds(files.find((f) => f.path === 'topics/climate/rss.xml')?.body ?? null)).toEqual(['warm']);
    for (const file of files) expect(() => checkFeed(file.path, file.body), file.path).not.toThrow();
  });
});

// ---- the news sitemap's recent window ----

describe('the news sitemap through the engine: the recent part of the site’s window', () => {
  const sitemapSite = (extra: Record<string, unknown> = {}) => makeSite({ newsSitemap: { days: 1 }, limits: { items: 2 }, ...extra });

  it('a republish keeps every article of the recent part (no slack)', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(sitemapSite(), store, 0);
    const ids = Array.from({ length: 15 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await syndicator.publishArticle(story(id, day(2, i)));
    const expected = [...ids].reverse();
    expect(sitemapIds(bodyOf(store, 'news-sitemap.xml'))).toEqual(expected);
    await syndicator.republish();
    expect(sitemapIds(bodyOf(store, 'news-sitemap.xml'))).toEqual(expected);
  });

  it('a republish keeps every article of the recent part (default slack), in the same bytes as a build', async () => {
    const store = new MemoryObjectStore();
    const site = sitemapSite();
    const syndicator = engine(site, store);
    const articles = Array.from({ length: 40 }, (_, i) => story(`r${String(i).padStart(2, '0')}`, new Date(Date.UTC(2024, 4, 2) + i * 30 * 60_000).toISOString()));
    for (const a of articles) await syndicator.publishArticle(a);
    const built = buildFeeds(articles, site).find((f) => f.path === 'news-sitemap.xml')?.body;
    expect(bodyOf(store, 'news-sitemap.xml')).toBe(built);
    await syndicator.republish();
    expect(bodyOf(store, 'news-sitemap.xml')).toBe(built);
  });

  it('a takedown of the newest, with a long archive in the index, brings back exactly the older horizon, reading a bounded number of records', async () => {
    const store = new MemoryObjectStore();
    const site = makeSite({ newsSitemap: { days: 2 }, limits: { items: 5 } });
    const syndicator = engine(site, store);
    // One an hour for 300 hours, then the newest a day after the rest.
    const archive = Array.from({ length: 300 }, (_, i) => story(`h${String(i).padStart(3, '0')}`, new Date(Date.UTC(2024, 4, 1) + i * 3_600_000).toISOString()));
    const imported = await syndicator.importArticles(archive);
    expect(imported.stored).toBe(300);
    await syndicator.publishArticle(story('newest', new Date(Date.UTC(2024, 4, 1) + 323 * 3_600_000).toISOString()));
    await syndicator.republish();
    const before = sitemapIds(bodyOf(store, 'news-sitemap.xml'));
    expect(before[0]).toBe('newest');
    expect(before).toHaveLength(1 + 25); // newest, and h275..h299 (within 48 hours of it)
    const gets = store.requests.get;
    await syndicator.unpublishId('newest', '2024-05-20T00:00:00Z');
    const after = sitemapIds(bodyOf(store, 'news-sitemap.xml'));
    expect(after).toEqual(Array.from({ length: 49 }, (_, i) => `h${299 - i}`));
    expect(store.requests.get - gets).toBeLessThan(150);
    expect(bodyOf(store, 'news-sitemap.xml')).toBe(buildFeeds(archive, site).find((f) => f.path === 'news-sitemap.xml')?.body);
  });

  it('holds 1,000 entries at most when more than 1,000 articles are recent, the newest, after a republish', async () => {
    const store = new MemoryObjectStore();
    const site = makeSite({ newsSitemap: {}, limits: { items: 3 } });
    const syndicator = engine(site, store);
    const many = Array.from({ length: 1_050 }, (_, i) => story(`m${String(i).padStart(4, '0')}`, new Date(Date.UTC(2024, 4, 2) + i * 60_000).toISOString(), { paragraphs: ['Short.'], photos: [], quotes: [], related: [] }));
    await syndicator.importArticles(many);
    await syndicator.republish();
    const ids = sitemapIds(bodyOf(store, 'news-sitemap.xml'));
    expect(ids).toHaveLength(1_000);
    expect(ids[0]).toBe('m1049');
    expect(ids[999]).toBe('m0050');
    const state = JSON.parse(store.objects.get('state/site/state.json')?.body.toString('utf8') as string);
    expect(state.items.length).toBeLessThanOrEqual(1_000 + 10);
  }, 60_000);

  it('a sitemap smaller than the feeds (maxItems < limits.items) holds maxItems, the same in the engine as in a build', async () => {
    const store = new MemoryObjectStore();
    const site = makeSite({ newsSitemap: { maxItems: 2 }, limits: { items: 5 } });
    const syndicator = engine(site, store);
    const articles = Array.from({ length: 6 }, (_, i) => story(`x${i}`, day(2, i)));
    for (const a of articles) await syndicator.publishArticle(a);
    expect(sitemapIds(bodyOf(store, 'news-sitemap.xml'))).toEqual(['x5', 'x4']);
    expect(JSON.parse(bodyOf(store, 'feed.json') as string).items).toHaveLength(5);
    expect(bodyOf(store, 'news-sitemap.xml')).toBe(buildFeeds(articles, site).find((f) => f.path === 'news-sitemap.xml')?.body);
  });

  it('lean items (past the byte budget) stay in the sitemap, as in a build', async () => {
    const store = new MemoryObjectStore();
    const site = makeSite({ newsSitemap: {}, limits: { items: 10, feedBytes: 10_000, itemChars: 4_000 } });
    const syndicator = engine(site, store);
    const articles = Array.from({ length: 10 }, (_, i) => story(`big${i}`, day(2, i), { paragraphs: [`${'Long words here. '.repeat(200)}${i}`] }));
    for (const a of articles) await syndicator.publishArticle(a);
    expect(sitemapIds(bodyOf(store, 'news-sitemap.xml'))).toHaveLength(10);
    expect(rssIds(bodyOf(store, 'rss.xml')).length).toBeLessThan(10);
    expect(bodyOf(store, 'news-sitemap.xml')).toBe(buildFeeds(articles, site).find((f) => f.path === 'news-sitemap.xml')?.body);
    await syndicator.republish();
    expect(sitemapIds(bodyOf(store, 'news-sitemap.xml'))).toHaveLength(10);
  });
});

describe('the news sitemap renderer with hostile input', () => {
  const sitemap = { name: 'Tom & Jerry <Daily>', language: 'en', days: 2, maxItems: 1000 };

  it('is well-formed with no URL at all, with forbidden characters, markup and ]]> in titles and URLs', () => {
    expect(() => checkFeed('news-sitemap.xml', renderNewsSitemap([{ url: null, title: 'x', published: day(1) }], sitemap))).not.toThrow();
    expect(sitemapIds(renderNewsSitemap([], sitemap))).toEqual([]);
    const xml = renderNewsSitemap(
      [
        { url: 'https://news.test.example/a?x=1&y=<2>', title: 'A\u0001B\uFFFE \uD800 ]]> <b>&amp;</b>', published: day(2) },
        { url: 'https://news.test.example/b', title: 'Ancient', published: '1970-01-01T00:00:00Z' },
      ],
      sitemap,
    );
    expect(() => checkFeed('news-sitemap.xml', xml)).not.toThrow();
    const url = [parseXml(xml).urlset.url].flat();
    expect(url).toHaveLength(1);
    expect(url[0].loc).toBe('https://news.test.example/a?x=1&y=<2>');
    expect(url[0]['news:news']['news:title']).toBe('AB  ]]> <b>&amp;</b>');
    expect(url[0]['news:news']['news:publication']['news:name']).toBe('Tom & Jerry <Daily>');
  });

  it('an article far ahead of the rest keeps the rest out, and the same input gives the same bytes', () => {
    const articles = [
      { url: 'https://news.test.example/far', title: 'Far', published: '9999-12-31T23:59:59Z' },
      { url: 'https://news.test.example/now', title: 'Now', published: day(2) },
    ];
    const xml = renderNewsSitemap(articles, sitemap);
    expect(sitemapIds(xml)).toEqual(['far']);
    expect(renderNewsSitemap(articles, sitemap)).toBe(xml);
  });
});

// ---- a flaky store during the backfill ----

describe('the backfill of a newly declared tag feed, on a flaky store', () => {
  async function seeded(store: FlakyStore) {
    const before = engine(makeSite({ feeds: [] }), store);
    for (const [i, id] of ['old-1', 'old-2', 'old-3'].entries()) await before.publishArticle(story(id, day(1 + i), { tags: ['Climate'] }));
    await before.publishArticle(story('other', day(4), { tags: ['Sport'] }));
    return engine(makeSite({ feeds: TAG_FEED }), store);
  }
  const indexedFlag = (store: MemoryObjectStore) => {
    const state = store.objects.get('state/tags/climate/state.json');
    return state ? JSON.parse(state.body.toString('utf8')).indexed === true : false;
  };

  it('a marker write that fails fails the republish without saying the scope is indexed; the next republish finishes it', async () => {
    const store = new FlakyStore();
    const after = await seeded(store);
    store.faults.push({ op: 'put', match: (k) => k.startsWith('index/tags/climate/') && k.includes('old-2'), times: 1 });
    await expect(after.republish()).rejects.toThrow(/injected put failure/);
    expect(indexedFlag(store)).toBe(false);
    await after.republish();
    expect(indexedFlag(store)).toBe(true);
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['old-3', 'old-2', 'old-1']);
  });

  it('a record read that fails, or an archive listing that fails, is retried by the next republish', async () => {
    const store = new FlakyStore();
    const after = await seeded(store);
    store.faults.push({ op: 'get', match: (k) => k === 'articles/old-1.json', times: 1 });
    await expect(after.republish()).rejects.toThrow(/injected get failure/);
    expect(indexedFlag(store)).toBe(false);
    store.faults.push({ op: 'list', match: (k) => k === 'articles/', times: 1 });
    await expect(after.republish()).rejects.toThrow(/injected list failure/);
    expect(indexedFlag(store)).toBe(false);
    await after.republish();
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['old-3', 'old-2', 'old-1']);
  });

  it('a publish of a tagged article before the backfill, then the backfill: both in the feed, once each', async () => {
    const store = new FlakyStore();
    const after = await seeded(store);
    await after.publishArticle(story('new', day(5), { tags: ['climate'] }));
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['new']);
    expect(indexedFlag(store)).toBe(false);
    // The state write of the backfill fails after it reached the store (a lost answer).
    store.faults.push({ op: 'put', match: (k) => k === 'state/tags/climate/state.json', times: 1, after: true });
    await expect(after.republish()).rejects.toThrow(/lost answer/);
    await after.republish();
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['new', 'old-3', 'old-2', 'old-1']);
    await after.unpublishId('old-2', day(6));
    expect(rssIds(bodyOf(store, 'topics/climate/rss.xml'))).toEqual(['new', 'old-3', 'old-1']);
  });
});

// ---- MSN takedowns ----

describe('MSN expired items with hostile titles and URLs', () => {
  const MSN = [
    { path: 'partners/msn/', format: 'rss', profile: 'msn' },
    { path: 'partners/msn/', format: 'atom', profile: 'msn' },
    { path: 'topics/msn-climate/', format: 'rss', profile: 'msn', scope: { tag: 'Climate' } },
  ];

  it('are well-formed, repeat the title and URL exactly, and say modified at the takedown or later', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(makeSite({ feeds: MSN }), store);
    const title = 'Tom & Jerry say "]]>" and <b>not bold</b> in a headline long enough for MSN';
    const url = 'https://news.test.example/a?x=1&y=%3C2%3E';
    await syndicator.publishArticle(story('hostile', day(2), { title, url, tags: ['Climate'] }));
    await syndicator.publishArticle(story('kept', day(1), { tags: ['Climate'] }));
    const liveTitle = parseXml(bodyOf(store, 'partners/msn/rss.xml') as string).rss.channel.item.find((i: { link: string }) => i.link === url).title;
    await syndicator.unpublishId('hostile', day(3));
    for (const path of ['partners/msn/rss.xml', 'partners/msn/atom.xml', 'topics/msn-climate/rss.xml']) {
      const xml = bodyOf(store, path) as string;
      expect(() => checkFeed(path, xml), path).not.toThrow();
    }
    for (const path of ['partners/msn/rss.xml', 'topics/msn-climate/rss.xml']) {
      const items = parseXml(bodyOf(store, path) as string).rss.channel.item;
      const expired = items.find((i: { link: string }) => i.link === url);
      expect(expired, path).toBeDefined();
      expect(expired.title, path).toBe(liveTitle);
      expect(expired['dcterms:valid']).toBe(`end=${day(3).replace('.000', '')}; scheme=W3C-DTF`);
    }
    const entry = parseXml(bodyOf(store, 'partners/msn/atom.xml') as string).feed.entry.find((e: { id: string }) => e.id === url);
    expect(entry.link[0]['@href']).toBe(url);
  });

  it('a takedown dated before the publication: modified and the expiry never before the version MSN ingested', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(makeSite({ feeds: MSN }), store);
    await syndicator.publishArticle(story('early', day(5), { tags: ['Climate'] }));
    await syndicator.unpublishId('early', day(1));
    for (const path of ['partners/msn/rss.xml', 'topics/msn-climate/rss.xml']) {
      const expired = parseXml(bodyOf(store, path) as string).rss.channel.item.find((i: { link: string }) => i.link.endsWith('/early'));
      expect(expired, path).toBeDefined();
      expect(Date.parse(expired['dcterms:modified'])).toBeGreaterThanOrEqual(Date.parse(day(5)));
    }
  });
});

// ---- namespaces ----

describe('namespace declarations on every partner file', () => {
  const PROFILES = ['msn', 'flipboard', 'smartnews', 'google-news', 'feedly'] as const;
  const feeds = PROFILES.flatMap((profile) => [
    { path: `p/${profile}/`, format: 'rss', profile },
    { path: `p/${profile}/`, format: 'atom', profile },
  ]);
  const bare = (id: string, d: number) => story(id, day(d), { photos: [], authors: [], publisher: '' as unknown as string });
  const check = (files: OutputFile[]) => {
    for (const file of files.filter((f) => f.path.endsWith('.xml') && f.path !== 'news-sitemap.xml')) {
      const { used, declared, declaredBelowRoot } = namespaceUse(file.body);
      expect([...declared.keys()].sort(), file.path).toEqual([...used].sort());
      expect(declaredBelowRoot, file.path).toEqual([]);
    }
  };

  it('declare exactly what they use: empty feeds, no photos, no branding', () => {
    check(buildFeeds([], makeSite({ feeds })));
    check(buildFeeds([bare('a', 1)], makeSite({ feeds })));
    check(buildFeeds([bare('a', 1), story('b', day(2))], makeSite({ feeds, logo: 'https://news.test.example/l.png', icon: 'https://news.test.example/i.png', darkModeLogo: 'https://news.test.example/d.png', cover: 'https://news.test.example/c.png', accentColor: '#abcdef' })));
  });

  it('declare exactly what they use when the feed holds only takedowns', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(makeSite({ feeds }), store);
    await syndicator.publishArticle(bare('gone', 1));
    await syndicator.unpublishId('gone', day(2));
    const files = [...store.objects.entries()].filter(([k]) => k.startsWith('feeds/p/')).map(([k, v]) => ({ path: k.slice('feeds/'.length), body: v.body.toString('utf8'), contentType: '' }));
    expect(files.length).toBe(10);
    check(files);
  });
});

// ---- concurrent events on an article of a tag scope ----

/** A memory store whose every request waits a few (seeded) random ticks: requests of concurrent operations interleave. */
class JitterStore extends MemoryObjectStore {
  private seed: number;
  constructor(seed: number) {
    super();
    this.seed = seed;
  }
  private async jitter(): Promise<void> {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const ticks = this.seed % 4;
    for (let i = 0; i < ticks; i++) await new Promise<void>((r) => setImmediate(r));
  }
  override async get(key: string, range?: { start: number; end: number }) {
    await this.jitter();
    return super.get(key, range);
  }
  override async head(key: string) {
    await this.jitter();
    return super.head(key);
  }
  override async put(key: string, body: string | Buffer, options?: PutOptions) {
    await this.jitter();
    return super.put(key, body, options);
  }
  override async delete(key: string) {
    await this.jitter();
    return super.delete(key);
  }
  override async list(prefix: string, limit: number, startAfter?: string) {
    await this.jitter();
    return super.list(prefix, limit, startAfter);
  }
}

describe('publish, takedown and republish at once on an article of a tag scope', () => {
  const FEEDS = [
    { path: 'topics/climate/', format: 'rss', scope: { tag: 'Climate' } },
    { path: 'topics/climate-msn/', format: 'rss', profile: 'msn', scope: { tag: 'Climate' } },
    { path: 'topics/climate-atom/', format: 'atom', scope: { tag: 'Climate' } },
  ];

  it('end as some serial order would: the tag feeds follow the record, and a republish afterwards changes nothing', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const store = new JitterStore(seed);
      const syndicator = engine(makeSite({ feeds: FEEDS, newsSitemap: { days: 1 } }), store);
      await syndicator.publishArticle(story('a', day(2), { tags: ['Climate'] }));
      await syndicator.publishArticle(story('older', day(1), { tags: ['climate'] }));
      const ops = [
        syndicator.publishArticle(story('a', day(2), { tags: ['Climate'], title: 'The story called a, edited' })),
        syndicator.unpublishId('a', day(3)),
        syndicator.republish(),
        syndicator.publishArticle(story('b', day(2, 12), { tags: ['Climate'] })),
      ];
      const settled = await Promise.allSettled(ops);
      for (const s of settled) expect(s.status, `seed ${seed}`).toBe('fulfilled');
      const record = JSON.parse(store.objects.get('articles/a.json')?.body.toString('utf8') as string);
      const live = record.status === 'live';
      const plain = rssIds(bodyOf(store, 'topics/climate/rss.xml'));
      expect(plain, `seed ${seed}`).toEqual(live ? ['b', 'a', 'older'] : ['b', 'older']);
      const msn = parseXml(bodyOf(store, 'topics/climate-msn/rss.xml') as string).rss.channel.item;
      const a = msn.find((i: { link: string }) => i.link.endsWith('/a'));
      expect(a, `seed ${seed}`).toBeDefined();
      expect(Boolean(a['dcterms:valid']), `seed ${seed}`).toBe(!live);
      if (live) expect(a.title, `seed ${seed}`).toBe(record.article.title);
      const atom = bodyOf(store, 'topics/climate-atom/atom.xml') as string;
      expect(atom.includes('<at:deleted-entry ref="https://news.test.example/a"'), `seed ${seed}`).toBe(!live);
      // older is 28 hours before b: out of a 1-day sitemap.
      expect(sitemapIds(bodyOf(store, 'news-sitemap.xml')), `seed ${seed}`).toEqual(live ? ['b', 'a'] : ['b']);
      const again = await syndicator.republish();
      expect(again.written, `seed ${seed}`).toEqual([]);
    }
  }, 60_000);
});

// ---- determinism and the output check ----

describe('every declared file is checked and deterministic', () => {
  it('hostile names and titles in every scope and profile give well-formed files, the same bytes from the engine as from a build', async () => {
    const names = ['Ünïcödé & <Co>', '国际 记者', 'O’Brien "Quote"', ']]> end', 'a\u0001b'];
    const formats = ['rss', 'atom', 'json'] as const;
    const profiles = ['msn', 'smartnews', 'feedly', 'google-news', 'flipboard'] as const;
    const feeds: Record<string, unknown>[] = [
      // JSON Feed has no partner profile: those are plain.
      ...names.map((name, i) => ({ path: `t/${i}/`, format: formats[i % 3], scope: { tag: name }, ...(i % 3 === 2 ? {} : { profile: profiles[i] }) })),
      ...names.map((name, i) => ({ path: `a/${i}/`, format: formats[(i + 1) % 3], scope: { author: name } })),
    ];
    const site = makeSite({ feeds, newsSitemap: {} });
    const articles = names.map((name, i) => story(`n${i}`, day(1 + i), { tags: [name, names[(i + 1) % names.length] as string], authors: [name], title: `${name} and a title long enough for MSN to take it ${i}` }));
    const built = buildFeeds(articles, site);
    for (const file of built) expect(() => checkFeed(file.path, file.body), file.path).not.toThrow();
    expect(buildFeeds([...articles].reverse(), site)).toEqual(built);
    const store = new MemoryObjectStore();
    const syndicator = engine(site, store);
    for (const a of articles) await syndicator.publishArticle(a);
    for (const file of built) expect(bodyOf(store, file.path), file.path).toBe(file.body);
  });
});
