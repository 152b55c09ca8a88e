/**
 * Issue 11, a page a person can read: index.html beside each feed's files (src/render/page.ts), checked as
 * text here and in a real browser by tests/browser/page.test.ts (`npm run test:browser`).
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds } from '../src/build.js';
import { checkPage } from '../src/check.js';
import { renderPage } from '../src/render/page.js';
import { feedSpec } from '../src/select.js';
import { makeArticle, makeSite } from './helpers.js';

const lead = { url: 'https://img.test.example/lead.jpg', caption: 'Leaders shake hands in Vladivostok', credit: 'ALEXANDER ZEMLIANICHENKO / POOL', type: 'image/jpeg', bytes: 1000, width: 1200, height: 800 };

function page(articles: Article[], site = makeSite({ logo: 'https://cdn.test.example/logo.png' })) {
  return renderPage(feedSpec(site, null), articles, site);
}

describe('the page beside a feed', () => {
  it('names the feed, offers its three addresses, and shows each item with photo, caption, credit, byline and date', () => {
    const html = page([
      makeArticle({ id: 'p1', title: 'First story', authors: ['Liu Lanying'], published: '2024-05-02T08:00:00Z', photos: [lead], summary: 'What happened first.' }),
      makeArticle({ id: 'p2', title: 'Second story', authors: [], published: '2024-05-01T08:00:00Z', photos: [], url: null }),
    ]);
    expect(() => checkPage('index.html', html)).not.toThrow();
    expect(html).toContain('<title>Test Daily</title>');
    expect(html).toContain('<img class="logo" src="https://cdn.test.example/logo.png" alt="Test Daily Group" />');
    for (const [type, file] of [['application/rss+xml', 'rss.xml'], ['application/atom+xml', 'atom.xml'], ['application/feed+json', 'feed.json']]) {
      expect(html).toContain(`<link rel="alternate" type="${type}"`);
      expect(html).toContain(`href="${file}"`);
      expect(html).toContain(`value="https://news.test.example/feeds/${file}"`);
    }
    expect(html.match(/<article>/g)).toHaveLength(2);
    expect(html).toContain('<img src="https://img.test.example/lead.jpg" alt="Leaders shake hands in Vladivostok" width="1200" height="800" loading="lazy" />');
    expect(html).toContain('<figcaption>Leaders shake hands in Vladivostok <small>Photo: ALEXANDER ZEMLIANICHENKO / POOL</small></figcaption>');
    expect(html).toContain('By Liu Lanying · <time datetime="2024-05-02T08:00:00Z">2 May 2024</time>');
    expect(html).toContain('<h3>Second story</h3>');
    expect(html).not.toMatch(/<script\b/i);
  });

  it('escapes every value, and says so when there is nothing yet', () => {
    const hostile = '<script>alert(1)</script>"&\u0001';
    const html = page([makeArticle({ id: 'h', title: hostile, summary: hostile, authors: [hostile], photos: [{ ...lead, caption: hostile, credit: hostile }] })], makeSite({ title: `Daily ${hostile}` }));
    expect(() => checkPage('index.html', html)).not.toThrow();
    expect(html).not.toMatch(/<script\b/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('\u0001');
    expect(page([])).toContain('<p>No stories yet.</p>');
  });

  it('is part of every feed: the same bytes for the same articles, beside the files', () => {
    const site = makeSite();
    const article = makeArticle({ id: 'same', section: 'World' });
    const first = buildFeeds([article], site);
    expect(first.map((f) => f.path)).toEqual(['rss.xml', 'atom.xml', 'feed.json', 'index.html', 'sections/world/rss.xml', 'sections/world/atom.xml', 'sections/world/feed.json', 'sections/world/index.html']);
    expect(first.find((f) => f.path === 'index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(buildFeeds([{ ...article }], site).map((f) => f.body)).toEqual(first.map((f) => f.body));
  });
});
