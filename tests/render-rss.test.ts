import { describe, expect, it } from 'vitest';
import { checkXml } from '../src/check.js';
import { renderRss } from '../src/render/rss.js';
import { feedSpec } from '../src/select.js';
import { makeArticle, makeSite, parseXml } from './helpers.js';

function render(articles = [makeArticle()], site = makeSite()) {
  const xml = renderRss(feedSpec(site, null), articles, site);
  checkXml('rss.xml', xml);
  return { xml, doc: parseXml(xml) };
}

describe('RSS 2.0 renderer', () => {
  it('writes the channel from the site and dates it from the newest article, not now', () => {
    const { doc } = render([
      makeArticle({ published: '2024-01-01T00:00:00Z', updated: '2024-01-02T00:00:00Z' }),
      makeArticle({ published: '2024-02-01T00:00:00Z', updated: '2024-02-05T08:30:00Z' }),
    ]);
    const channel = doc.rss.channel;
    expect(channel.title).toBe('Test Daily');
    expect(channel.link).toBe('https://news.test.example/');
    expect(channel.language).toBe('en');
    expect(channel.copyright).toBe('Copyright Test Daily Group');
    expect(channel.lastBuildDate).toBe('Mon, 05 Feb 2024 08:30:00 GMT');
    expect(channel['atom:link']['@rel']).toBe('self');
    expect(channel['atom:link']['@href']).toBe('https://news.test.example/feeds/rss.xml');
  });

  it('declares every namespace it uses', () => {
    const { xml } = render();
    expect(xml).toContain('xmlns:media="http://search.yahoo.com/mrss/"');
    expect(xml).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    expect(xml).toContain('xmlns:content="http://purl.org/rss/1.0/modules/content/"');
    expect(xml).toContain('xmlns:atom="http://www.w3.org/2005/Atom"');
  });

  it('gives bylines as dc:creator and never a bare name in <author>', () => {
    const { xml, doc } = render([makeArticle({ authors: ['Jane Reporter', 'Li Ming'] })]);
    const item = doc.rss.channel.item[0];
    expect(item['dc:creator']).toEqual(['Jane Reporter', 'Li Ming']);
    expect(item.author).toBeUndefined();
    expect(xml).not.toMatch(/<author>/);
  });

  it('names the publisher: the site at channel level, the wire publication on the item', () => {
    const { doc } = render([makeArticle({ publisher: 'CHINA DAILY HONG KONG NEWS' })]);
    expect(doc.rss.channel['dc:publisher']).toBe('Test Daily Group');
    expect(doc.rss.channel.item[0]['dc:publisher']).toBe('CHINA DAILY HONG KONG NEWS');
  });

  it('uses the URL as a permalink guid, and an opaque guid without a URL', () => {
    const withUrl = render([makeArticle({ id: 'with-url' })]).doc.rss.channel.item[0];
    expect(withUrl.guid['#text']).toBe('https://news.test.example/stories/with-url');
    expect(withUrl.guid['@isPermaLink']).toBe('true');
    const withoutUrl = render([makeArticle({ id: 'no-url', url: null })]).doc.rss.channel.item[0];
    expect(withoutUrl.guid['#text']).toBe('no-url');
    expect(withoutUrl.guid['@isPermaLink']).toBe('false');
  });

  it('encloses the lead photo with its length and a real MIME type', () => {
    const item = render().doc.rss.channel.item[0];
    expect(item.enclosure).toHaveLength(1);
    expect(item.enclosure[0]['@url']).toBe('https://img.test.example/a.jpg');
    expect(item.enclosure[0]['@type']).toBe('image/jpeg');
    expect(item.enclosure[0]['@length']).toBe('1234');
  });

  it('lists every photo with a URL as media:content with caption and credit', () => {
    const media = render().doc.rss.channel.item[0]['media:content'];
    expect(media).toHaveLength(2);
    expect(media[0]['@url']).toBe('https://img.test.example/a.jpg');
    expect(media[0]['@medium']).toBe('image');
    expect(media[0]['@type']).toBe('image/jpeg');
    expect(media[0]['@fileSize']).toBe('1234');
    expect(media[0]['@width']).toBe('800');
    expect(media[0]['@height']).toBe('600');
    expect(media[0]['media:description']['#text']).toBe('A caption for the lead photo.');
    expect(media[0]['media:description']['@type']).toBe('plain');
    expect(media[0]['media:credit']['#text']).toBe('JOHN DOE / AGENCY');
    expect(media[0]['media:credit']['@role']).toBe('photographer');
    expect(media[0]['media:credit']['@scheme']).toBe('urn:ebu');
    expect(media[1]['@type']).toBe('image/png');
    expect(media[1]['@fileSize']).toBeUndefined();
  });

  it('puts full content with figures, quotes, related and attribution in content:encoded', () => {
    const content: string = render().doc.rss.channel.item[0]['content:encoded'];
    expect(content).toContain('<figcaption>A caption for the lead photo. <small class="credit">Photo: JOHN DOE / AGENCY</small></figcaption>');
    expect(content).toContain('<figure><figcaption>A photo with no URL <small class="credit">Photo: NO URL / POOL</small></figcaption></figure>');
    expect(content).toContain('<blockquote><p>A quotable line</p><footer>— <cite>Li Wei</cite>, Spokesperson</footer></blockquote>');
    expect(content).toContain('READ MORE: Earlier story');
    expect(content).toContain('(Xinhua)');
    expect(content).toContain('Wire Agency News');
    expect(content).toContain('<strong class="dateline">BEIJING</strong>');
  });

  it('closes feed 6 gaps: ]]> twice, & < " in attributes and text stay well-formed', () => {
    const nasty = 'a ]]> b ]]> c & d < e > f " g \' h &lt;script&gt; &amp; &#60;';
    const article = makeArticle({
      title: nasty,
      summary: nasty,
      paragraphs: [nasty],
      authors: [nasty],
      photos: [{ url: 'https://img.test.example/x.jpg?a=1&b=%22', caption: nasty, credit: nasty, type: null, bytes: 1, width: null, height: null }],
    });
    const { xml, doc } = render([article]);
    const item = doc.rss.channel.item[0];
    expect(item['dc:creator'][0]).toBe(nasty);
    expect(item['media:content'][0]['media:credit']['#text']).toBe(nasty);
    expect(item['media:content'][0]['@url']).toBe('https://img.test.example/x.jpg?a=1&b=%22');
    expect(xml.split('<![CDATA[').length).toBeGreaterThan(3);
  });

  it('is byte-identical for the same input', () => {
    const articles = [makeArticle({ id: 'x1' }), makeArticle({ id: 'x2' })];
    const site = makeSite();
    expect(renderRss(feedSpec(site, null), articles, site)).toBe(renderRss(feedSpec(site, null), articles, site));
  });

  it('renders an empty feed with a stable date', () => {
    const { doc } = render([]);
    expect(doc.rss.channel.lastBuildDate).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(doc.rss.channel.item).toBeUndefined();
  });
});
