/**
 * Issue 11, the Google News sitemap: news-sitemap.xml beside the site's feeds, the articles of the last 2
 * days (of the newest article's date), at most 1,000, newest first, each element as Google's schema has
 * it; kept by the engine like a feed (its articles are a recent part of the site's window, refilled from
 * the index when a takedown moves the horizon back).
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds } from '../src/build.js';
import { readServiceConfig } from '../src/config.js';
import { memoryLogger } from '../src/log.js';
import { NEWS_NS, SITEMAP_NS } from '../src/render/news-sitemap.js';
import { newsLanguage, parseSiteConfig } from '../src/site.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { makeArticle, makeSite, parseXml } from './helpers.js';

const at = (day: number, hour: number) => new Date(Date.UTC(2024, 4, day, hour)).toISOString();
const story = (id: string, published: string, extra: Partial<Article> = {}) => makeArticle({ id, url: `https://news.test.example/${id}`, title: `Story ${id}`, published, updated: published, ...extra });
const sitemapOf = (files: { path: string; body: string }[]) => files.find((f) => f.path === 'news-sitemap.xml')?.body ?? null;

function entries(xml: string): { loc: string; name: string; language: string; date: string; title: string }[] {
  const urlset = parseXml(xml).urlset;
  return [urlset.url ?? []].flat().map((url: any) => ({
    loc: url.loc,
    name: url['news:news']['news:publication']['news:name'],
    language: url['news:news']['news:publication']['news:language'],
    date: url['news:news']['news:publication_date'],
    title: url['news:news']['news:title'],
  }));
}

describe('the news sitemap in a build', () => {
  const site = makeSite({ newsSitemap: {} });

  it('is written only when configured, beside the site feeds (never for a section)', () => {
    expect(sitemapOf(buildFeeds([story('a', at(1, 8))], makeSite()))).toBeNull();
    const files = buildFeeds([story('a', at(1, 8))], site);
    expect(files.filter((f) => f.path.endsWith('news-sitemap.xml')).map((f) => [f.path, f.contentType])).toEqual([['news-sitemap.xml', 'application/xml; charset=utf-8']]);
  });

  it('has every element of Google’s schema, in its namespaces, with the publication from the config', () => {
    const xml = sitemapOf(buildFeeds([story('a', at(1, 8), { title: 'Tom & Jerry <3' }), story('b', at(2, 9))], site)) as string;
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">`)).toBe(true);
    expect(entries(xml)).toEqual([
      { loc: 'https://news.test.example/b', name: 'Test Daily Group', language: 'en', date: '2024-05-02T09:00:00Z', title: 'Story b' },
      { loc: 'https://news.test.example/a', name: 'Test Daily Group', language: 'en', date: '2024-05-01T08:00:00Z', title: 'Tom & Jerry <3' },
    ]);
    expect(xml).toContain('<news:title>Tom &amp; Jerry &lt;3</news:title>');
    const named = sitemapOf(buildFeeds([story('a', at(1, 8))], makeSite({ newsSitemap: { name: 'The Paper', language: 'zh-TW' } }))) as string;
    expect(entries(named)[0]).toMatchObject({ name: 'The Paper', language: 'zh-tw' });
  });

  it('holds the articles of the 2 days before the newest one’s date, newest first, never one without a URL', () => {
    const articles = [story('old', at(1, 8)), story('edge', at(3, 10)), story('inside', at(4, 7)), story('newest', at(5, 10)), story('no-url', at(5, 9), { url: null })];
    const xml = sitemapOf(buildFeeds(articles, site)) as string;
    expect(entries(xml).map((e) => e.loc.split('/').pop())).toEqual(['newest', 'inside', 'edge']);
  });

  it('holds at most 1,000 entries, the newest', () => {
    const many = Array.from({ length: 1_100 }, (_, i) => story(`s${i}`, new Date(Date.UTC(2024, 4, 5) - i * 60_000).toISOString()));
    const list = entries(sitemapOf(buildFeeds(many, site)) as string);
    expect(list).toHaveLength(1_000);
    expect(list[0]?.loc).toBe('https://news.test.example/s0');
    expect(list[999]?.loc).toBe('https://news.test.example/s999');
  });

  it('language tags as Google reads them', () => {
    expect(['en', 'en-GB', 'fr-CA', 'zh', 'zh-CN', 'zh-Hans', 'zh-TW', 'zh-Hant-HK', 'pt-BR'].map(newsLanguage)).toEqual(['en', 'en', 'fr', 'zh-cn', 'zh-cn', 'zh-cn', 'zh-tw', 'zh-tw', 'pt']);
  });

  it('is configured with the field named when wrong, and in Lambda from NEWS_SITEMAP, NEWS_SITEMAP_NAME and NEWS_SITEMAP_LANGUAGE', () => {
    expect(() => parseSiteConfig({ newsSitemap: { days: 3 } }, 'site.json')).toThrow(/newsSitemap\.days/);
    expect(() => parseSiteConfig({ newsSitemap: { maxItems: 1001 } }, 'site.json')).toThrow(/newsSitemap\.maxItems/);
    const env = { SITE_URL: 'https://news.test.example/', FEED_BUCKET: 'b', SITE_PUBLISHER: 'Daily' };
    expect(readServiceConfig(env).site.newsSitemap).toBeNull();
    expect(readServiceConfig({ ...env, NEWS_SITEMAP: 'on' }).site.newsSitemap).toEqual({ name: 'Daily', language: 'en', days: 2, maxItems: 1000 });
    expect(readServiceConfig({ ...env, NEWS_SITEMAP_NAME: 'The Daily' }).site.newsSitemap?.name).toBe('The Daily');
    expect(readServiceConfig({ ...env, NEWS_SITEMAP_NAME: 'The Daily', NEWS_SITEMAP: 'off' }).site.newsSitemap).toBeNull();
    expect(() => readServiceConfig({ ...env, NEWS_SITEMAP_LANGUAGE: 'english!' })).toThrow(/NEWS_SITEMAP_LANGUAGE/);
    expect(() => readServiceConfig({ ...env, NEWS_SITEMAP: 'maybe' })).toThrow(/NEWS_SITEMAP/);
  });
});

describe('the news sitemap through the engine', () => {
  function setup(limit = 2) {
    const store = new MemoryObjectStore();
    const site = makeSite({ newsSitemap: { days: 1 }, limits: { items: limit } });
    const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'max-age=60', slack: 0 }, memoryLogger());
    const sitemap = () => store.objects.get('feeds/news-sitemap.xml')?.body.toString('utf8') ?? null;
    const ids = () => entries(sitemap() ?? '<urlset/>').map((e) => e.loc.split('/').pop());
    return { store, site, syndicator, sitemap, ids };
  }

  it('holds more articles than the feeds show, and a takedown leaves it', async () => {
    const { syndicator, ids, store } = setup(2);
    for (const [id, hour] of [['a', 8], ['b', 9], ['c', 10], ['d', 11]] as const) await syndicator.publishArticle(story(id, at(2, hour)));
    expect(ids()).toEqual(['d', 'c', 'b', 'a']);
    expect(JSON.parse(store.objects.get('feeds/feed.json')?.body.toString('utf8') ?? '{}').items).toHaveLength(2);
    await syndicator.unpublishId('b', at(2, 12));
    expect(ids()).toEqual(['d', 'c', 'a']);
  });

  it('a takedown of the newest article moves the horizon back: articles that had left come back from the index', async () => {
    const { syndicator, ids, site, sitemap } = setup(2);
    const c = story('c', at(1, 12));
    const rest = [story('d', at(2, 10)), story('e', at(2, 11))];
    for (const article of [c, ...rest, story('f', at(2, 13))]) await syndicator.publishArticle(article);
    // c is more than a day older than f: out of the sitemap, and out of the site's window.
    expect(ids()).toEqual(['f', 'e', 'd']);
    await syndicator.unpublishId('f', at(2, 14));
    // Within a day of e: c is back, read from the index (the window held only e and d).
    expect(ids()).toEqual(['e', 'd', 'c']);
    // The same bytes as a build of the live articles.
    expect(sitemap()).toBe(sitemapOf(buildFeeds([c, ...rest], site)));
  });

  it('the same articles in any order give byte-identical sitemaps, and republishing changes nothing', async () => {
    const articles = Array.from({ length: 9 }, (_, i) => story(`s${i}`, at(2 + (i % 2), i)));
    const one = setup(3);
    for (const a of articles) await one.syndicator.publishArticle(a);
    const two = setup(3);
    for (const a of [...articles].reverse()) await two.syndicator.publishArticle(a);
    expect(two.sitemap()).toBe(one.sitemap());
    expect(one.sitemap()).toBe(sitemapOf(buildFeeds(articles, one.site)));
    const before = one.store.objects.get('feeds/news-sitemap.xml')?.etag;
    const republished = await one.syndicator.republish();
    expect(republished.written).not.toContain('news-sitemap.xml');
    expect(one.store.objects.get('feeds/news-sitemap.xml')?.etag).toBe(before);
  });

  it('is never announced to WebSub hubs (it is not a feed)', async () => {
    const pinged: string[][] = [];
    const store = new MemoryObjectStore();
    const site = makeSite({ newsSitemap: {}, hubs: ['https://hub.test.example/'] });
    const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'max-age=60', pinger: async (_hub, urls) => void pinged.push([...urls]) }, memoryLogger());
    const outcome = await syndicator.publishArticle(story('a', at(2, 8)));
    expect(outcome.written).toContain('news-sitemap.xml');
    expect(pinged.flat().some((url) => url.includes('news-sitemap'))).toBe(false);
    expect(pinged.flat().length).toBeGreaterThan(0);
  });
});
