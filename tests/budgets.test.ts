/**
 * Issue 9, defect 2 and the per-feed budgets: an item's content is cut to its budget at a paragraph with a
 * link to the whole story; a feed file leaves out its oldest items to fit its byte budget, with a warning;
 * a feed's state holds content only for what can be in its files, whatever the articles' sizes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds, renderFeed } from '../src/build.js';
import { readServiceConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { applyByteWindow, emptyState, isLean, weightOf } from '../src/feed-state.js';
import { fitToBudget, isShortened, renderContentHtml } from '../src/render/content.js';
import { feedSpec } from '../src/select.js';
import { feedBudget, parseSiteConfig } from '../src/site.js';
import { cli, makeArticle, makeSite, withTempDir } from './helpers.js';
import { day, engineSetup, story } from './support/engine-harness.js';

const PUBLISHER = 'Test Daily Group';
/** An article of `n` paragraphs of `size` characters each (words, so a cut can find a space). */
const long = (id: string, n: number, size: number, extra: Partial<Article> = {}) =>
  makeArticle({ id, paragraphs: Array.from({ length: n }, (_, i) => `${`p${i} `}${'word '.repeat(size / 5)}`.slice(0, size)), photos: [], ...extra });

describe('an item over its content budget', () => {
  it('is left as it is when its content fits', () => {
    const article = long('fits', 5, 1000);
    expect(fitToBudget(article, PUBLISHER, 10_000)).toBe(article);
  });

  it('is cut at a paragraph, keeps its lead photo and attribution, and links to the whole story', () => {
    const article = long('cut', 40, 1000, {
      photos: [{ url: 'https://img.test.example/lead.jpg', caption: 'The lead photo', credit: 'ZOU HONG / CHINA DAILY', type: null, bytes: null, width: null, height: null }],
      quotes: [{ text: 'A pull quote', speaker: 'Someone', role: null }],
      authors: ['Liu Lanying'],
      attribution: ['Xinhua'],
    });
    const fitted = fitToBudget(article, PUBLISHER, 10_000);
    const html = renderContentHtml(fitted, PUBLISHER);
    expect(html.length).toBeLessThanOrEqual(10_000);
    expect(isShortened(fitted)).toBe(true);
    // Whole paragraphs only, in order, as many as fit.
    expect(fitted.paragraphs.length).toBeGreaterThan(5);
    expect(fitted.paragraphs).toEqual(article.paragraphs.slice(0, fitted.paragraphs.length));
    const oneMore = fitToBudget({ ...article, paragraphs: article.paragraphs.slice(0, fitted.paragraphs.length + 1) }, PUBLISHER, 10_000);
    expect(oneMore.paragraphs.length).toBe(fitted.paragraphs.length);
    expect(html).toContain('<img src="https://img.test.example/lead.jpg"');
    expect(html).toContain(`<a href="${article.url}">Read the full story</a>`);
    expect(html).toContain('By Liu Lanying · (Xinhua) · ');
    expect(html).not.toContain('A pull quote');
    // The photos stay enclosures.
    expect(fitted.photos).toEqual(article.photos);
    const full = renderContentHtml(article, PUBLISHER);
    expect(full.length).toBeGreaterThan(40_000);
  });

  it('is cut inside its first paragraph, at a space, when not even that fits', () => {
    const article = long('giant', 2, 50_000, { url: null });
    const fitted = fitToBudget(article, PUBLISHER, 5_000);
    const html = renderContentHtml(fitted, PUBLISHER);
    expect(html.length).toBeLessThanOrEqual(5_000);
    expect(fitted.paragraphs).toHaveLength(1);
    expect(fitted.paragraphs[0]).toMatch(/word…$/);
    expect(html).toContain('This story continues beyond what this feed carries.');
  });

  it('cut to a smaller budget after a larger one gives what cutting the original gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 0, maxLength: 3000, unit: fc.constantFrom('a', ' ', '&', '<', 'é', '😀') }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 2_000, max: 40_000 }),
        fc.integer({ min: 0, max: 40_000 }),
        (paragraphs, small, extra) => {
          const article = makeArticle({ id: 'prop', paragraphs, photos: [] });
          const direct = fitToBudget(article, PUBLISHER, small);
          const twice = fitToBudget(fitToBudget(article, PUBLISHER, small + extra), PUBLISHER, small);
          expect(renderContentHtml(twice, PUBLISHER)).toBe(renderContentHtml(direct, PUBLISHER));
          expect(renderContentHtml(direct, PUBLISHER).length).toBeLessThanOrEqual(small);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a feed file over its byte budget', () => {
  const site = makeSite({ limits: { items: 20, feedBytes: 200_000, itemChars: 60_000 } });
  const articles = Array.from({ length: 12 }, (_, i) => long(`big-${i}`, 10, 4_000, { published: day(20 - i), updated: day(20 - i) }));

  it('leaves out its oldest items, as few as it can, and says so', () => {
    const notes: { path: string; shown: number; left: number }[] = [];
    const files = renderFeed(feedSpec(site, null), articles, site, { onOverBudget: (note) => notes.push(note) }).filter((f) => !f.path.endsWith('.html'));
    for (const file of files) {
      const bytes = Buffer.byteLength(file.body);
      expect(bytes, file.path).toBeLessThanOrEqual(200_000);
      const note = notes.find((n) => n.path === file.path);
      expect(note, file.path).toBeDefined();
      const shown = note?.shown ?? 0;
      expect(shown + (note?.left ?? 0)).toBe(12);
      // As many as fit: one more would not.
      const bigger = renderFeed(feedSpec(site, null), articles.slice(0, shown + 1), makeSite({ limits: { items: 20, feedBytes: 10_000_000, itemChars: 60_000 } }));
      expect(Buffer.byteLength(bigger.find((f) => f.path === file.path)?.body ?? '')).toBeGreaterThan(200_000);
      // The newest, in order.
      for (const article of articles.slice(0, shown)) expect(file.body).toContain(`big-${article.id.slice(4)}`);
      expect(file.body).not.toContain(articles[shown]?.url ?? '');
    }
  });

  it('per feed: a section can have a budget of its own', () => {
    const own = makeSite({ limits: { items: 20, feedBytes: 2_000_000, feeds: { 'sections/world': { feedBytes: 100_000, itemChars: 20_000 } } } });
    expect(feedBudget(own, 'sections/world/')).toEqual({ feedBytes: 100_000, itemChars: 20_000 });
    expect(feedBudget(own, '')).toEqual({ feedBytes: 2_000_000, itemChars: 500_000 });
    const files = buildFeeds(articles, own);
    const section = files.filter((f) => f.path.startsWith('sections/world/') && !f.path.endsWith('.html'));
    expect(section).toHaveLength(3);
    for (const file of section) expect(Buffer.byteLength(file.body)).toBeLessThanOrEqual(100_000);
    for (const file of files.filter((f) => !f.path.startsWith('sections/') && !f.path.endsWith('.html'))) expect(Buffer.byteLength(file.body)).toBeGreaterThan(400_000);
  });
});

describe('budgets in the configuration', () => {
  it('default to 2,000,000 bytes per feed file and 500,000 characters per item', () => {
    expect(parseSiteConfig({}, 'defaults').limits).toMatchObject({ feedBytes: 2_000_000, itemChars: 500_000 });
  });

  it('refuse an item budget that does not fit twice in its feed, naming the field', () => {
    expect(() => parseSiteConfig({ limits: { feedBytes: 100_000, itemChars: 60_000 } }, 'site.json')).toThrow(/limits\.itemChars/);
    expect(() => parseSiteConfig({ limits: { feeds: { 'sections/world': { feedBytes: 50_000 } } } }, 'site.json')).toThrow(/limits\.feeds\.sections\/world\.itemChars/);
    expect(() => parseSiteConfig({ limits: { feeds: { world: { feedBytes: 50_000 } } } }, 'site.json')).toThrow(ConfigError);
  });

  it('come from FEED_BYTES and FEED_ITEM_CHARS in Lambda', () => {
    const env = { SITE_URL: 'https://news.test.example/', FEED_BUCKET: 'b', FEED_BYTES: '1000000', FEED_ITEM_CHARS: '400000' };
    expect(readServiceConfig(env).site.limits).toMatchObject({ feedBytes: 1_000_000, itemChars: 400_000 });
    expect(() => readServiceConfig({ ...env, FEED_BYTES: 'lots' })).toThrow(/FEED_BYTES/);
  });
});

describe('the byte window of a feed state', () => {
  it('keeps content only while the items can fit; an item back inside is named for reading', () => {
    const state = emptyState('');
    state.items = Array.from({ length: 6 }, (_, i) => long(`w-${i}`, 4, 10_000, { published: day(20 - i), quotes: [], related: [] }));
    const weight = weightOf(state.items[3] as Article);
    expect(weight).toBe(40_000);
    expect(applyByteWindow(state, 100_000)).toEqual([]);
    expect(state.items.map(isLean)).toEqual([false, false, true, true, true, true]);
    // Lean items remember their weight, and are small.
    expect(weightOf(state.items[3] as Article)).toBe(weight);
    expect(JSON.stringify(state.items[3]).length).toBeLessThan(1_000);
    state.items.splice(0, 1);
    expect(applyByteWindow(state, 100_000)).toEqual(['w-2']);
  });
});

describe('publishing long articles (defect 2)', () => {
  // 600 KB each, as in the issue: the state embedded every one whole, and each feed file held all of them.
  const big = (id: string, n: number) => story(id, n, { paragraphs: Array.from({ length: 60 }, (_, i) => `${id} paragraph ${i} ${'text '.repeat(2_000)}`) });

  it('keeps each feed state and file within the budget, and brings an older story back whole after a takedown', async () => {
    const t = engineSetup({ limit: 10 });
    for (let n = 1; n <= 8; n++) await t.syndicator.publishArticle(big(`long-${n}`, n));
    for (const key of ['state/site/state.json', 'state/sections/world/state.json']) {
      expect(t.store.objects.get(key)?.body.length, key).toBeLessThan(3_000_000);
    }
    for (const file of ['rss.xml', 'atom.xml', 'feed.json', 'sections/world/feed.json']) {
      expect(t.body(file)?.length ?? 0, file).toBeLessThanOrEqual(2_000_000);
    }
    // Newest first, each item cut to 500,000 characters of content; as many as fit in 2,000,000 bytes.
    const shown = t.ids();
    expect(shown[0]).toBe('long-8');
    expect(shown.length).toBeGreaterThanOrEqual(3);
    expect(shown.length).toBeLessThan(8);
    expect(shown).toEqual(['long-8', 'long-7', 'long-6', 'long-5', 'long-4', 'long-3', 'long-2', 'long-1'].slice(0, shown.length));
    expect(t.log.lines.some((l) => l.level === 'warn' && String(l.message).includes('byte budget'))).toBe(true);
    // A takedown of the newest makes room: the next older story is shown with its content.
    await t.syndicator.unpublishId('long-8', day(20));
    const after = t.ids();
    expect(after).toEqual(['long-7', 'long-6', 'long-5', 'long-4', 'long-3', 'long-2', 'long-1'].slice(0, after.length));
    expect(after.length).toBeGreaterThanOrEqual(shown.length - 1);
    const oldest = after[after.length - 1] as string;
    expect(t.body('feed.json')).toContain(`${oldest} paragraph 0 text`);
    // A republish of that state changes nothing.
    const republished = await t.syndicator.republish();
    expect(republished.written).toEqual([]);
  });
});

describe('syndicate build over budget', () => {
  it('writes files within the byte budget and warns, naming the file', async () => {
    await withTempDir(async (dir) => {
      const words = 'word '.repeat(1_800);
      await mkdir(join(dir, 'articles'));
      for (let n = 1; n <= 8; n++) {
        const body = Array.from({ length: 5 }, (_, i) => `Paragraph ${i} of story ${n}: ${words}`).join('\n\n');
        await writeFile(join(dir, 'articles', `s${n}.md`), `---\nid: s${n}\ntitle: Story ${n}\nurl: https://news.test.example/s${n}\npublished: ${day(n)}\n---\n${body}\n`);
      }
      await writeFile(join(dir, 'site.json'), JSON.stringify({ title: 'T', url: 'https://news.test.example/', limits: { feedBytes: 100_000, itemChars: 30_000 } }));
      const out = join(dir, 'out');
      const { code, stderr } = await cli(['build', join(dir, 'articles'), '--out', out, '--config', join(dir, 'site.json')]);
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/warning: rss\.xml: \d+ oldest item\(s\) left out to stay within 100000 bytes/);
      for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
        const body = await readFile(join(out, file));
        expect(body.length, file).toBeLessThanOrEqual(100_000);
        expect(body.toString()).toContain('story 8');
      }
    });
  });
});
