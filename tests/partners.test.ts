/**
 * Issue 10: feeds declared in the site configuration (format, scope, partner profile, path, limits), and
 * each partner's rules from ../shared/partners.md, checked on the files the seed example and the corpus
 * build into. Golden files per profile: regenerate with `UPDATE_GOLDEN=1 npx vitest run tests/partners.test.ts`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds, type OutputFile } from '../src/build.js';
import { readServiceConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { memoryLogger } from '../src/log.js';
import type { ProfileName } from '../src/profiles.js';
import { readArticle } from '../src/read/index.js';
import { msnContent } from '../src/render/partners/msn.js';
import { NAMESPACES } from '../src/render/namespaces.js';
import { parseSiteConfig, type SiteConfig, siteConfigInput } from '../src/site.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { makeArticle, makeSite, namespaceUse, parseXml } from './helpers.js';

const root = join(import.meta.dirname, '..');
const update = process.env.UPDATE_GOLDEN === '1';

const BRANDED = {
  title: 'Example Daily: Latest News',
  url: 'https://news.example.com/',
  feedUrl: 'https://news.example.com/feeds/',
  description: 'The latest stories from the Example Daily newsroom',
  publisher: 'Example Daily',
  copyright: 'Copyright 2019 Example Daily',
  logo: 'https://news.example.com/brand/logo-wide.png',
  darkModeLogo: 'https://news.example.com/brand/logo-wide-dark.png',
  icon: 'https://news.example.com/brand/icon-512.png',
  cover: 'https://news.example.com/brand/cover.jpg',
  accentColor: '#B3122E',
  hubs: ['https://hub.example.com/'],
};

const PROFILES: ProfileName[] = ['msn', 'flipboard', 'smartnews', 'google-news', 'feedly'];

/** One declared feed per profile and format (JSON for none: partners read RSS and Atom). */
function partnerSite(extra: Record<string, unknown> = {}): SiteConfig {
  const feeds = PROFILES.flatMap((profile) => [
    { path: `partners/${profile}/`, format: 'rss', profile },
    { path: `partners/${profile}/`, format: 'atom', profile },
  ]);
  return parseSiteConfig({ ...BRANDED, feeds, ...extra }, 'partners test');
}

function seedArticle(): Article {
  const name = 'tests/fixtures/partners/putin-kim-vladivostok.md';
  const { article } = readArticle(name, readFileSync(join(root, name)), {});
  return { ...article, shortTitle: 'Putin and Kim hold "substantial" talks' };
}

const file = (files: OutputFile[], path: string) => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} among ${files.map((f) => f.path).join(', ')}`);
  return found.body;
};

describe('declared feeds in the site configuration', () => {
  it('resolve their file, scope and budgets, with each profile’s defaults', () => {
    const site = parseSiteConfig(
      {
        limits: { items: 20 },
        feeds: [
          { path: 'partners/smartnews', format: 'rss', profile: 'smartnews' },
          { path: 'partners/google/', format: 'atom', profile: 'google-news', scope: { section: 'World' } },
          { path: 'partners/flipboard/', format: 'rss', profile: 'flipboard', scope: { tag: 'Climate Change' } },
          { path: 'people/jane/', format: 'json', scope: { author: 'Jane Reporter' }, items: 5, feedBytes: 100_000, itemChars: 20_000 },
        ],
      },
      'site.json',
    );
    expect(site.feeds.map((f) => [f.file, f.scopePath, f.items, f.feedBytes, f.itemChars])).toEqual([
      ['partners/smartnews/rss.xml', '', 20, 1_000_000, 500_000],
      ['partners/google/atom.xml', 'sections/world/', 20, 2_000_000, 333_000],
      ['partners/flipboard/rss.xml', 'tags/climate-change/', 30, 2_000_000, 500_000],
      ['people/jane/feed.json', 'authors/jane-reporter/', 5, 100_000, 20_000],
    ]);
    expect(site.feeds[0]?.takedownDays).toBe(7);
  });

  it('are refused with the field named: a clash with the sections’ files, two feeds in one file, a bad scope', () => {
    const refuse = (feeds: unknown[]) => () => parseSiteConfig({ feeds }, 'site.json');
    expect(refuse([{ path: 'sections/world/', format: 'rss' }])).toThrow(/feeds\[0\]\.path: .*sections/);
    expect(refuse([{ path: 'p/', format: 'rss' }, { path: 'p', format: 'rss', profile: 'msn' }])).toThrow(/feeds\[1\]\.path: writes p\/rss\.xml, as feeds\[0\] does/);
    expect(refuse([{ path: '../up/', format: 'rss' }])).toThrow(ConfigError);
    expect(refuse([{ path: 'p/', format: 'xml' }])).toThrow(/feeds\[0\]\.format/);
    expect(refuse([{ path: 'p/', format: 'rss', profile: 'bing' }])).toThrow(/feeds\[0\]\.profile/);
    expect(refuse([{ path: 'p/', format: 'rss', scope: { category: 'x' } }])).toThrow(/feeds\[0\]\.scope/);
    expect(refuse([{ path: 'p/', format: 'rss', feedBytes: 20_000, itemChars: 15_000 }])).toThrow(/feeds\[0\]\.itemChars: 15000 characters per item do not fit twice/);
  });

  it('come from SITE_FEEDS (the same JSON array) and SITE_DARK_MODE_LOGO in Lambda, errors naming the variable', () => {
    const env = { SITE_URL: 'https://news.test.example/', FEED_BUCKET: 'b', SITE_DARK_MODE_LOGO: 'https://cdn.test.example/dark.png', SITE_FEEDS: JSON.stringify([{ path: 'partners/msn/', format: 'rss', profile: 'msn' }]) };
    const { site } = readServiceConfig(env);
    expect(site.feeds.map((f) => f.file)).toEqual(['partners/msn/rss.xml']);
    expect(site.darkModeLogo).toBe('https://cdn.test.example/dark.png');
    expect(() => readServiceConfig({ ...env, SITE_FEEDS: '[{path:' })).toThrow(/SITE_FEEDS: is not valid JSON/);
    expect(() => readServiceConfig({ ...env, SITE_FEEDS: '[{"path":"sections/x/","format":"rss"}]' })).toThrow(/SITE_FEEDS/);
  });

  it('read back the same from what the store remembers (config/site.json)', () => {
    for (const site of [partnerSite(), makeSite({ feeds: [{ path: 'by/x/', format: 'json', scope: { author: 'X' }, items: 5, title: 'By X' }] }), makeSite()]) {
      const stored = JSON.parse(JSON.stringify(siteConfigInput(site)));
      expect(parseSiteConfig(stored, 'config/site.json')).toEqual(site);
    }
  });

  it('tag and author feeds hold exactly the articles that name the tag or author, newest first', () => {
    const site = makeSite({
      feeds: [
        { path: 'topics/climate/', format: 'rss', scope: { tag: 'Climate' } },
        { path: 'by/jane/', format: 'atom', scope: { author: 'Jane Reporter' } },
      ],
    });
    const articles = [
      makeArticle({ id: 'c1', tags: ['climate'], authors: ['Jane Reporter'], published: '2024-03-01T10:00:00Z' }),
      makeArticle({ id: 'c2', tags: ['Climate', 'energy'], authors: ['Tom'], published: '2024-03-02T10:00:00Z' }),
      makeArticle({ id: 'x3', tags: ['energy'], authors: ['jane reporter'], published: '2024-03-03T10:00:00Z' }),
      makeArticle({ id: 'x4', tags: [], authors: [], published: '2024-03-04T10:00:00Z' }),
    ];
    const files = buildFeeds(articles, site);
    const rssItems = parseXml(file(files, 'topics/climate/rss.xml')).rss.channel.item;
    expect(rssItems.map((i: { link: string }) => i.link.split('/').pop())).toEqual(['c2', 'c1']);
    const atom = parseXml(file(files, 'by/jane/atom.xml')).feed;
    expect(atom.entry.map((e: { id: string }) => e.id.split('/').pop())).toEqual(['x3', 'c1']);
    // The feed is named as its newest article spells the scope; it links its own file.
    expect(atom.title['#text']).toBe('Test Daily: jane reporter');
    expect(atom.link.find((l: Record<string, string>) => l['@rel'] === 'self')['@href']).toBe('https://news.test.example/feeds/by/jane/atom.xml');
    // No page and no other format beside a declared feed; the site's own files are unchanged.
    expect(files.filter((f) => f.path.startsWith('topics/') || f.path.startsWith('by/')).map((f) => f.path)).toEqual(['by/jane/atom.xml', 'topics/climate/rss.xml']);
    expect(files.map((f) => f.path)).toContain('sections/world/index.html');
  });

  it('a declared feed exists, empty and valid, before any article is in its scope', () => {
    const files = buildFeeds([makeArticle({ tags: [] })], makeSite({ feeds: [{ path: 'topics/rare/', format: 'json', scope: { tag: 'rare' } }] }));
    expect(JSON.parse(file(files, 'topics/rare/feed.json')).items).toEqual([]);
  });
});

describe('partner profiles on the seed example', () => {
  const site = partnerSite();
  const files = buildFeeds([seedArticle()], site);

  it('build into every profile’s feed, matching the golden files', () => {
    const partnerFiles = files.filter((f) => f.path.startsWith('partners/'));
    expect(partnerFiles).toHaveLength(PROFILES.length * 2);
    for (const { path, body } of partnerFiles) {
      const golden = join(root, 'tests/golden/partners', path);
      if (update) {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, body);
      }
      expect(body, path).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it('declare every namespace they use once, on the root, and none they do not use', () => {
    for (const { path, body } of files.filter((f) => f.path.endsWith('.xml'))) {
      const { used, declared, declaredBelowRoot } = namespaceUse(body);
      expect(declaredBelowRoot, path).toEqual([]);
      expect([...declared.keys()].sort(), path).toEqual([...used].sort());
      for (const [prefix, uri] of declared) if (prefix in NAMESPACES) expect(uri, `${path} ${prefix}`).toBe(NAMESPACES[prefix as keyof typeof NAMESPACES]);
    }
    // Each partner's namespace is where its profile asks for it, and nowhere else.
    const uses = (path: string, prefix: string) => namespaceUse(file(files, path)).used.has(prefix);
    expect(uses('partners/msn/rss.xml', 'mi') && uses('partners/msn/rss.xml', 'dcterms')).toBe(true);
    expect(uses('partners/smartnews/rss.xml', 'snf')).toBe(true);
    expect(uses('partners/feedly/atom.xml', 'webfeeds')).toBe(true);
    for (const plain of ['rss.xml', 'atom.xml', 'partners/flipboard/rss.xml', 'partners/google-news/atom.xml']) {
      for (const prefix of ['mi', 'dcterms', 'snf', 'webfeeds']) expect(uses(plain, prefix), `${plain} ${prefix}`).toBe(false);
    }
  });

  it('msn: dcterms:modified on every item, mi:shortTitle for a long title, media:title, credits in its copyright form, only its HTML', () => {
    const item = parseXml(file(files, 'partners/msn/rss.xml')).rss.channel.item[0];
    expect(item['dcterms:modified']).toBe('2019-04-25T11:05:00Z');
    expect(item.title.length).toBeGreaterThan(54);
    expect(item['mi:shortTitle']).toBe('Putin and Kim hold "substantial" talks');
    expect(item['media:content'][0]['media:title']['#text']).toMatch(/^Russian President Vladimir Putin, right, and DPRK's leader/);
    expect(item['media:content'][0]['media:credit']['#text']).toBe('ALEXANDER ZEMLIANICHENKO / POOL');
    const html: string = item['content:encoded'];
    expect(html).toContain('<span class="copyright">Photo: ALEXANDER ZEMLIANICHENKO / POOL</span>');
    const tags = new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
    const allowed = ['b', 'i', 'em', 'strong', 'sub', 'sup', 'small', 'h1', 'h2', 'h3', 'h4', 'h5', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'ul', 'ol', 'li', 'p', 'div', 'span', 'br', 'figure', 'figcaption'];
    expect([...tags].filter((t) => !allowed.includes(t as string))).toEqual([]);
    // The pull quote is still there, as a div MSN keeps, with its speaker.
    expect(html).toMatch(/<div><p>We have just had very substantial tete-a-tete talks<\/p><p>— <i>Vladimir Putin<\/i>, Russian President<\/p><\/div>/);
    // A short title is not asked for when the title fits.
    const short = buildFeeds([{ ...seedArticle(), title: 'Putin and Kim hold talks in Vladivostok on ties' }], site);
    expect(parseXml(file(short, 'partners/msn/rss.xml')).rss.channel.item[0]['mi:shortTitle']).toBeUndefined();
  });

  it('msn content: every element outside its list is renamed or unwrapped, text and escapes kept', () => {
    expect(msnContent('<blockquote><p>a &lt;b&gt; &amp; c</p><footer>— <cite>X</cite></footer></blockquote>')).toBe('<div><p>a &lt;b&gt; &amp; c</p><p>— <i>X</i></p></div>');
    expect(msnContent('<aside class="related"><ul><li><a href="https://x.example/?a=1&amp;b=2">t</a></li></ul></aside>')).toBe('<div class="related"><ul><li><a href="https://x.example/?a=1&amp;b=2">t</a></li></ul></div>');
    expect(msnContent('<pre><code>x &lt; y</code></pre><hr><h6>h</h6><video src="v"></video>')).toBe('<div><span>x &lt; y</span></div><h5>h</h5>');
  });

  it('smartnews: snf:logo and snf:darkModeLogo, a channel pubDate and image, a description of 30 characters at most', () => {
    const rss = file(files, 'partners/smartnews/rss.xml');
    const channel = parseXml(rss).rss.channel;
    expect(channel['snf:logo'].url).toBe(BRANDED.logo);
    expect(channel['snf:darkModeLogo'].url).toBe(BRANDED.darkModeLogo);
    expect(channel.pubDate).toBe('Thu, 25 Apr 2019 11:05:00 GMT');
    expect(channel.image.url).toBe(BRANDED.logo);
    expect(channel.description.length).toBeLessThanOrEqual(30);
    expect(channel.description).toBe('The latest stories from the…');
  });

  it('feedly: webfeeds icon, logo, cover and accent colour from the branding', () => {
    const channel = parseXml(file(files, 'partners/feedly/rss.xml')).rss.channel;
    expect(channel['webfeeds:icon']).toBe(BRANDED.icon);
    expect(channel['webfeeds:logo']).toBe(BRANDED.logo);
    expect(channel['webfeeds:cover']['@image']).toBe(BRANDED.cover);
    expect(channel['webfeeds:accentColor']).toBe('b3122e');
    const atom = parseXml(file(files, 'partners/feedly/atom.xml')).feed;
    expect(atom['webfeeds:icon']).toBe(BRANDED.icon);
  });

  it('flipboard: the hub beside the self link, photos with width and height, full content', () => {
    const channel = parseXml(file(files, 'partners/flipboard/rss.xml')).rss.channel;
    const links = [channel['atom:link']].flat();
    expect(links.map((l: Record<string, string>) => l['@rel'])).toEqual(['self', 'hub']);
    expect(links[0]['@href']).toBe('https://news.example.com/feeds/partners/flipboard/rss.xml');
    const media = channel.item[0]['media:content'];
    expect(media.map((m: Record<string, string>) => [m['@width'], m['@height']])).toEqual([
      ['1200', '800'],
      ['960', '640'],
    ]);
    expect(channel.item[0]['content:encoded'].length).toBeGreaterThan(2000);
  });
});

describe('partner rules across the corpus', () => {
  const corpus = readdirSync(join(root, 'tests/fixtures/corpus'))
    .filter((name) => /\.(txt|md|json)$/.test(name))
    .map((name) => readArticle(name, readFileSync(join(root, 'tests/fixtures/corpus', name)), { receivedAt: new Date('2019-05-01T00:00:00Z') }).article);

  it('the corpus builds into every profile’s feed, each well-formed with its namespaces declared', () => {
    const files = buildFeeds(corpus, partnerSite());
    for (const profile of PROFILES) {
      for (const format of ['rss.xml', 'atom.xml']) {
        const body = file(files, `partners/${profile}/${format}`);
        const { used, declared } = namespaceUse(body);
        expect([...declared.keys()].sort(), `${profile} ${format}`).toEqual([...used].sort());
      }
    }
    const msnItems = parseXml(file(files, 'partners/msn/rss.xml')).rss.channel.item;
    expect(msnItems.length).toBe(Math.min(corpus.length, 50));
    for (const item of msnItems) expect(item['dcterms:modified']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('flipboard carries at least 30 items when the archive has them, even with a smaller site limit', () => {
    const many = Array.from({ length: 40 }, (_, i) => makeArticle({ id: `f${i}`, published: new Date(Date.UTC(2024, 0, 1, i)).toISOString() }));
    const site = makeSite({ limits: { items: 10 }, feeds: [{ path: 'flip/', format: 'rss', profile: 'flipboard' }] });
    const files = buildFeeds(many, site);
    expect(parseXml(file(files, 'flip/rss.xml')).rss.channel.item).toHaveLength(30);
    expect(parseXml(file(files, 'rss.xml')).rss.channel.item).toHaveLength(10);
  });

  it('smartnews and google-news keep their files within 1 MB and 2 MB, each google-news item within 1 MB', () => {
    const long = (i: number) => makeArticle({ id: `long${i}`, published: new Date(Date.UTC(2024, 0, 1, i)).toISOString(), paragraphs: Array.from({ length: 400 }, (_, p) => `華語 paragraph ${p} ${'字'.repeat(1200)}`) });
    const articles = Array.from({ length: 12 }, (_, i) => long(i));
    const files = buildFeeds(articles, partnerSite({ limits: { feedBytes: 10_000_000, itemChars: 2_000_000 } }));
    for (const format of ['rss.xml', 'atom.xml']) {
      expect(Buffer.byteLength(file(files, `partners/smartnews/${format}`))).toBeLessThanOrEqual(1_000_000);
      const google = file(files, `partners/google-news/${format}`);
      expect(Buffer.byteLength(google)).toBeLessThanOrEqual(2_000_000);
    }
    const items = parseXml(file(files, 'partners/google-news/rss.xml')).rss.channel.item;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(Buffer.byteLength(item['content:encoded'])).toBeLessThanOrEqual(1_000_000);
    // The site's own feed, with its larger budget, is not cut to the partners'.
    expect(Buffer.byteLength(file(files, 'rss.xml'))).toBeGreaterThan(2_000_000);
  });

  it('google-news: a guid that is a URL is a permalink, one that is not says isPermaLink="false"', () => {
    const files = buildFeeds([makeArticle({ id: 'with-url' }), makeArticle({ id: 'no-url', url: null, published: '2024-03-02T00:00:00Z' })], partnerSite());
    const items = parseXml(file(files, 'partners/google-news/rss.xml')).rss.channel.item;
    expect(items.map((i: { guid: Record<string, string> }) => [i.guid['#text'], i.guid['@isPermaLink']])).toEqual([
      ['no-url', 'false'],
      ['https://news.test.example/stories/with-url', 'true'],
    ]);
  });
});

describe('declared feeds through the engine (Lambda and `syndicate publish`)', () => {
  const FEEDS = [
    ...PROFILES.flatMap((profile) => [
      { path: `partners/${profile}/`, format: 'rss', profile },
      { path: `partners/${profile}/`, format: 'atom', profile },
    ]),
    { path: 'topics/climate/', format: 'rss', scope: { tag: 'Climate' } },
    { path: 'by/jane/', format: 'json', scope: { author: 'Jane Reporter' } },
  ];

  function setup(feeds: unknown[] = FEEDS, store = new MemoryObjectStore()) {
    const site = makeSite({ ...BRANDED, feeds });
    const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'max-age=60', slack: 2 }, memoryLogger());
    const body = (path: string) => store.objects.get(`feeds/${path}`)?.body.toString('utf8') ?? null;
    return { store, syndicator, body };
  }
  const story = (id: string, day: number, extra: Partial<Article> = {}) =>
    makeArticle({ id, url: `https://news.test.example/${id}`, published: `2024-05-${String(day).padStart(2, '0')}T08:00:00Z`, updated: `2024-05-${String(day).padStart(2, '0')}T08:00:00Z`, section: 'World', tags: [], authors: [], ...extra });

  it('a publish updates exactly the feeds whose scope holds the article', async () => {
    const { syndicator, body } = setup();
    await syndicator.publishArticle(story('plain', 1));
    expect(body('topics/climate/rss.xml')).toBeNull();
    expect(body('partners/msn/rss.xml')).toContain('news.test.example/plain');
    const tagged = await syndicator.publishArticle(story('warm', 2, { tags: ['climate'] }));
    expect(tagged.written).toContain('topics/climate/rss.xml');
    expect(tagged.written.some((f) => f.startsWith('by/'))).toBe(false);
    expect(body('topics/climate/rss.xml')).toContain('news.test.example/warm');
    expect(body('topics/climate/rss.xml')).not.toContain('news.test.example/plain');
    const byJane = await syndicator.publishArticle(story('jane', 3, { authors: ['Jane Reporter'] }));
    expect(byJane.written).toContain('by/jane/feed.json');
    expect(byJane.written).not.toContain('topics/climate/rss.xml');
    expect(JSON.parse(body('by/jane/feed.json') as string).items.map((i: { id: string }) => i.id)).toEqual(['https://news.test.example/jane']);
  });

  it('a takedown reaches every profile: Atom tombstone, JSON deleted, MSN expired item with a newer modified date; plain RSS drops it', async () => {
    const { syndicator, body } = setup();
    await syndicator.publishArticle(story('keep', 1, { tags: ['Climate'] }));
    await syndicator.publishArticle(story('gone', 2, { tags: ['Climate'], title: 'A story that an editor takes down' }));
    const out = await syndicator.unpublishId('gone', '2024-05-03T09:00:00Z');
    expect(out.status).toBe('withdrawn');
    const url = 'https://news.test.example/gone';
    // Plain RSS (site, section, tag): the item is gone.
    for (const path of ['rss.xml', 'sections/world/rss.xml', 'topics/climate/rss.xml', 'partners/flipboard/rss.xml']) expect(body(path), path).not.toContain(`<link>${url}</link>`);
    // Atom: a tombstone in every Atom file.
    for (const path of ['atom.xml', 'partners/msn/atom.xml', 'partners/google-news/atom.xml']) expect(body(path), path).toContain(`<at:deleted-entry ref="${url}" when="2024-05-03T09:00:00Z"/>`);
    expect(JSON.parse(body('feed.json') as string)._syndicate.deleted.map((d: { id: string }) => d.id)).toEqual(['gone']);
    // MSN: the same guid, expired at the takedown, modified after every version it ingested.
    const items = parseXml(body('partners/msn/rss.xml') as string).rss.channel.item;
    const expired = items.find((i: { guid: Record<string, string> }) => i.guid['#text'] === url);
    expect(expired).toBeDefined();
    expect(expired.title).toBe('A story that an editor takes down');
    expect(expired['dcterms:valid']).toBe('end=2024-05-03T09:00:00Z; scheme=W3C-DTF');
    expect(expired['mi:expirationDate']).toBe('2024-05-03T09:00:00Z');
    expect(Date.parse(expired['dcterms:modified'])).toBeGreaterThan(Date.parse('2024-05-02T08:00:00Z'));
    expect(expired['content:encoded']).toBeUndefined();
    const msnAtom = parseXml(body('partners/msn/atom.xml') as string).feed.entry;
    expect(msnAtom.find((e: { id: string }) => e.id === url)['dcterms:valid']).toBe('end=2024-05-03T09:00:00Z; scheme=W3C-DTF');
  });

  it('MSN keeps an expired item for takedownDays after the takedown (of the feed’s own date), then lets it go', async () => {
    const feeds = [{ path: 'msn/', format: 'rss', profile: 'msn', takedownDays: 2 }];
    const { syndicator, body } = setup(feeds);
    await syndicator.publishArticle(story('gone', 1));
    await syndicator.unpublishId('gone', '2024-05-02T00:00:00Z');
    const expired = () => (parseXml(body('msn/rss.xml') as string).rss.channel.item ?? []).filter((i: Record<string, unknown>) => i['dcterms:valid']);
    expect(expired()).toHaveLength(1);
    await syndicator.publishArticle(story('later', 3));
    expect(expired()).toHaveLength(1);
    // Three days after the takedown: the feed's date has moved past the two days.
    await syndicator.publishArticle(story('much-later', 5));
    expect(expired()).toHaveLength(0);
  });

  it('a tag feed declared after articles were stored is backfilled by the next republish, once', async () => {
    const store = new MemoryObjectStore();
    const before = setup([], store);
    await before.syndicator.publishArticle(story('old-warm', 1, { tags: ['Climate'] }));
    await before.syndicator.publishArticle(story('old-other', 2, { tags: ['Sport'] }));
    const after = setup([{ path: 'topics/climate/', format: 'rss', scope: { tag: 'Climate' } }], store);
    // A publish before the republish shows only what the index has.
    await after.syndicator.publishArticle(story('new-warm', 3, { tags: ['climate'] }));
    const links = () => (parseXml(after.body('topics/climate/rss.xml') as string).rss.channel.item ?? []).map((i: { link: string }) => i.link.split('/').pop());
    expect(links()).toEqual(['new-warm']);
    // The backfill lists the stored articles; nothing else ever does.
    let archiveListings = 0;
    const list = store.list.bind(store);
    store.list = async (prefix, limit, startAfter) => {
      if (prefix === 'articles/') archiveListings += 1;
      return list(prefix, limit, startAfter);
    };
    await after.syndicator.republish();
    expect(links()).toEqual(['new-warm', 'old-warm']);
    expect(archiveListings).toBe(1);
    await after.syndicator.republish();
    expect(links()).toEqual(['new-warm', 'old-warm']);
    expect(archiveListings).toBe(1);
    // And a takedown of the backfilled article leaves the tag feed.
    await after.syndicator.unpublishId('old-warm', '2024-05-04T00:00:00Z');
    expect(links()).toEqual(['new-warm']);
  });

  it('the same articles give byte-identical partner files whatever the order they were published in', async () => {
    const articles = [story('a', 1, { tags: ['Climate'] }), story('b', 2, { authors: ['Jane Reporter'] }), story('c', 3, { tags: ['climate'], authors: ['Jane Reporter'] })];
    const one = setup();
    for (const a of articles) await one.syndicator.publishArticle(a);
    const two = setup();
    for (const a of [...articles].reverse()) await two.syndicator.publishArticle(a);
    for (const path of FEEDS.map((f) => `${f.path}${f.format === 'rss' ? 'rss.xml' : f.format === 'atom' ? 'atom.xml' : 'feed.json'}`)) expect(two.body(path), path).toBe(one.body(path));
    // And what the engine writes is what `syndicate build` writes from the same articles.
    const built = buildFeeds(articles, makeSite({ ...BRANDED, feeds: FEEDS }));
    for (const f of built.filter((x) => x.path.startsWith('partners/') || x.path.startsWith('topics/') || x.path.startsWith('by/'))) expect(one.body(f.path), f.path).toBe(f.body);
  });
});

describe('the short title MSN shows on small cards', () => {
  it('comes from front matter (shortTitle or short_title) and JSON (shortTitle or short_title); one over 54 characters is dropped with a warning', () => {
    const md = (key: string, value: string) => readArticle('a.md', `---\nid: s\ndate: 2024-01-01\ntitle: A title well over fifty-four characters long for MSN's cards\n${key}: ${value}\n---\nBEIJING - Body.\n`, {});
    expect(md('shortTitle', 'Short one').article.shortTitle).toBe('Short one');
    expect(md('short_title', 'Short two').article.shortTitle).toBe('Short two');
    const long = md('short_title', 'x'.repeat(60));
    expect(long.article.shortTitle).toBeUndefined();
    expect(long.warnings.map((w) => w.field)).toContain('shortTitle');
    const json = (extra: Record<string, string>) => readArticle('a.json', JSON.stringify({ id: 'j', title: 'T', paragraphs: ['P.'], published: '2024-01-01T00:00:00Z', ...extra }), {}).article.shortTitle;
    expect(json({ short_title: 'From a CMS' })).toBe('From a CMS');
    expect(json({ shortTitle: 'Own field' })).toBe('Own field');
    expect(json({})).toBeUndefined();
  });
});

describe('`syndicate unpublish` and partner feeds', () => {
  it('a takedown with the CLI reaches every profile’s file in the folder store', async () => {
    const { withTempDir, cli } = await import('./helpers.js');
    const { writeFile, readFile } = await import('node:fs/promises');
    await withTempDir(async (dir) => {
      const feeds = PROFILES.flatMap((profile) => [
        { path: `partners/${profile}/`, format: 'rss', profile },
        { path: `partners/${profile}/`, format: 'atom', profile },
      ]);
      await writeFile(join(dir, 'site.json'), JSON.stringify({ ...BRANDED, feeds }));
      await writeFile(join(dir, 'a.md'), '---\nid: cli-gone\nurl: https://news.example.com/cli-gone\ntitle: A story taken down with the CLI, long enough\ndate: 2024-05-01T08:00:00Z\n---\nBEIJING - The story.\n');
      await writeFile(join(dir, 'b.md'), '---\nid: cli-kept\nurl: https://news.example.com/cli-kept\ntitle: A story that stays in every feed, long enough\ndate: 2024-05-02T08:00:00Z\n---\nBEIJING - The story.\n');
      const store = join(dir, 'store');
      const published = await cli(['publish', join(dir, 'a.md'), join(dir, 'b.md'), '--dir', store, '--config', join(dir, 'site.json'), '--no-ping']);
      expect(published.code).toBe(0);
      const taken = await cli(['unpublish', 'cli-gone', '--dir', store, '--no-ping']);
      // (It reads the configuration the store remembers, declared feeds and all.)
      expect(taken.code, taken.stderr).toBe(0);
      const file = (path: string) => readFile(join(store, 'feeds', path), 'utf8');
      const url = 'https://news.example.com/cli-gone';
      for (const profile of ['flipboard', 'smartnews', 'google-news', 'feedly']) expect(await file(`partners/${profile}/rss.xml`), profile).not.toContain(url);
      for (const profile of PROFILES) expect(await file(`partners/${profile}/atom.xml`), profile).toContain(`<at:deleted-entry ref="${url}"`);
      const expired = parseXml(await file('partners/msn/rss.xml')).rss.channel.item.find((i: { link: string }) => i.link === url);
      expect(expired['dcterms:valid']).toMatch(/^end=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; scheme=W3C-DTF$/);
      expect(await file('partners/msn/rss.xml')).toContain('https://news.example.com/cli-kept');
    });
  });
});
