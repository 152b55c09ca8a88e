import { describe, expect, it } from 'vitest';
import { checkXml } from '../src/check.js';
import { renderAtom } from '../src/render/atom.js';
import { articleUrn } from '../src/render/feed-model.js';
import { feedSpec } from '../src/select.js';
import { makeArticle, makeSite, parseXml } from './helpers.js';

function render(articles = [makeArticle()], site = makeSite()) {
  const xml = renderAtom(feedSpec(site, null), articles, site);
  checkXml('atom.xml', xml);
  return { xml, doc: parseXml(xml) };
}

describe('Atom 1.0 renderer', () => {
  it('writes feed metadata: id, self link, language, author, rights, updated from the newest article', () => {
    const { doc } = render([makeArticle({ updated: '2024-02-05T08:30:00Z' }), makeArticle({ updated: '2024-01-01T00:00:00Z' })]);
    const feed = doc.feed;
    expect(feed['@xml:lang']).toBe('en');
    expect(feed.id).toBe('https://news.test.example/feeds/atom.xml');
    expect(feed.updated).toBe('2024-02-05T08:30:00Z');
    expect(feed.link.find((l: any) => l['@rel'] === 'self')['@href']).toBe('https://news.test.example/feeds/atom.xml');
    expect(feed.author[0].name).toBe('Test Daily Group');
    expect(feed.rights).toBe('Copyright Test Daily Group');
  });

  it('gives every photo with a URL an enclosure link with a real type, and length when known', () => {
    const entry = render().doc.feed.entry[0];
    const enclosures = entry.link.filter((l: any) => l['@rel'] === 'enclosure');
    expect(enclosures.map((l: any) => l['@type'])).toEqual(['image/jpeg', 'image/png']);
    expect(enclosures[0]['@length']).toBe('1234');
    expect(enclosures[1]['@length']).toBeUndefined();
    expect(entry['media:content']).toHaveLength(2);
    expect(entry['media:content'][0]['media:credit']['#text']).toBe('JOHN DOE / AGENCY');
  });

  it('keeps ids stable: the URL, or a UUID URN derived from the article id', () => {
    expect(render([makeArticle({ id: 'a1' })]).doc.feed.entry[0].id).toBe('https://news.test.example/stories/a1');
    const urn = render([makeArticle({ id: 'a2', url: null })]).doc.feed.entry[0].id;
    expect(urn).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(urn).toBe(articleUrn('a2'));
    expect(articleUrn('a3')).not.toBe(urn);
  });

  it('writes bylines as atom:author and content as escaped HTML', () => {
    const { xml, doc } = render([makeArticle({ authors: ['A One', 'B Two'], paragraphs: ['x <script>alert(1)</script> y'] })]);
    const entry = doc.feed.entry[0];
    expect(entry.author.map((a: any) => a.name)).toEqual(['A One', 'B Two']);
    expect(entry.content['@type']).toBe('html');
    expect(entry.content['#text']).toContain('x &lt;script&gt;alert(1)&lt;/script&gt; y</p>');
    expect(xml).not.toContain('<script');
  });

  it('escapes every field, attributes included', () => {
    const nasty = 'a ]]> b & c < d " e &lt;script&gt; &amp; &#60;';
    const { doc } = render([
      makeArticle({
        title: nasty,
        photos: [{ url: 'https://img.test.example/p.jpg?x=1&y=2', caption: nasty, credit: nasty, type: null, bytes: null, width: null, height: null }],
      }),
    ]);
    const entry = doc.feed.entry[0];
    expect(entry.title['#text']).toBe(nasty);
    const enclosure = entry.link.find((l: any) => l['@rel'] === 'enclosure');
    expect(enclosure['@title']).toBe(nasty);
    expect(enclosure['@href']).toBe('https://img.test.example/p.jpg?x=1&y=2');
  });
});
