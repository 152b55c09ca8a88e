import { describe, expect, it } from 'vitest';
import { checkJsonFeed } from '../src/check.js';
import { renderJsonFeed } from '../src/render/json.js';
import { feedSpec } from '../src/select.js';
import { makeArticle, makeSite } from './helpers.js';

function render(articles = [makeArticle()], site = makeSite()) {
  const text = renderJsonFeed(feedSpec(site, null), articles, site);
  checkJsonFeed('feed.json', text);
  return JSON.parse(text);
}

describe('JSON Feed 1.1 renderer', () => {
  it('writes version 1.1 with feed_url, language and authors', () => {
    const feed = render();
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe('https://news.test.example/feeds/feed.json');
    expect(feed.home_page_url).toBe('https://news.test.example/');
    expect(feed.language).toBe('en');
    expect(feed.authors).toEqual([{ name: 'Test Daily Group', url: 'https://news.test.example/' }]);
    expect(feed.author).toBeUndefined();
  });

  it('gives each item image, attachments with mime_type and size, and authors', () => {
    const [item] = render().items;
    expect(item.image).toBe('https://img.test.example/a.jpg');
    expect(item.attachments).toEqual([
      { url: 'https://img.test.example/a.jpg', mime_type: 'image/jpeg', title: 'A caption for the lead photo.', size_in_bytes: 1234 },
      { url: 'https://img.test.example/b.png', mime_type: 'image/png', title: 'Second photo' },
    ]);
    expect(item.authors).toEqual([{ name: 'Jane Reporter' }]);
    expect(item.date_published).toBe('2024-03-01T10:00:00Z');
  });

  it('carries captions, credits, quotes and attribution in the _syndicate extension', () => {
    const [item] = render().items;
    expect(item._syndicate.photos).toHaveLength(3);
    expect(item._syndicate.photos[2]).toMatchObject({ url: null, caption: 'A photo with no URL', credit: 'NO URL / POOL' });
    expect(item._syndicate.quotes[0]).toEqual({ text: 'A quotable line', speaker: 'Li Wei', role: 'Spokesperson' });
    expect(item._syndicate.attribution).toEqual(['Xinhua']);
    expect(item._syndicate.publisher).toBe('Wire Agency News');
    // Extension keys never leak to the item's top level.
    expect(Object.keys(item).filter((k) => !k.startsWith('_') && !['id', 'url', 'title', 'content_html', 'summary', 'image', 'date_published', 'date_modified', 'authors', 'tags', 'language', 'attachments'].includes(k))).toEqual([]);
  });

  it('uses the article id when there is no URL', () => {
    const [item] = render([makeArticle({ id: 'plain-id', url: null })]).items;
    expect(item.id).toBe('plain-id');
    expect(item.url).toBeUndefined();
  });

  it('rejects a document that is not JSON Feed 1.1', () => {
    expect(() => checkJsonFeed('x.json', JSON.stringify({ version: 'https://jsonfeed.org/version/1', title: 't', items: [] }))).toThrow(/1\.1/);
    expect(() => checkJsonFeed('x.json', '{"version":"https://jsonfeed.org/version/1.1","items":[]}')).toThrow(/title/);
    expect(() => checkJsonFeed('x.json', '{')).toThrow(/not valid JSON/);
  });
});
