/**
 * The floor: the same feeds written with plain template strings and no library: what rendering costs
 * when nothing but string building is done. Content HTML is rendered the same way for all contenders.
 */
import type { Article } from '../src/article.js';
import { photosWithUrl, photoType, renderContentHtml } from '../src/render/content.js';
import { entryId } from '../src/render/feed-model.js';
import type { FeedSpec } from '../src/select.js';
import type { SiteConfig } from '../src/site.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

export function floorRss(feed: FeedSpec, articles: readonly Article[], site: SiteConfig): string {
  const items = articles.map((a) => {
    const photos = photosWithUrl(a);
    const lead = photos[0];
    return `<item><title>${cdata(esc(a.title))}</title>${a.url ? `<link>${esc(a.url)}</link>` : ''}<guid isPermaLink="${a.url ? 'true' : 'false'}">${esc(a.url ?? a.id)}</guid><pubDate>${new Date(a.published).toUTCString()}</pubDate><description>${cdata(esc(a.summary))}</description><content:encoded>${cdata(renderContentHtml(a, site.publisher))}</content:encoded>${a.authors.map((n) => `<dc:creator>${esc(n)}</dc:creator>`).join('')}${lead ? `<enclosure url="${esc(lead.url)}" type="${photoType(lead)}" length="${lead.bytes ?? 0}"/>` : ''}${photos.map((p) => `<media:content url="${esc(p.url)}" type="${photoType(p)}" medium="image">${p.caption ? `<media:description type="plain">${esc(p.caption)}</media:description>` : ''}${p.credit ? `<media:credit role="photographer" scheme="urn:ebu">${esc(p.credit)}</media:credit>` : ''}</media:content>`).join('')}</item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${esc(feed.title)}</title><link>${esc(feed.homeUrl)}</link><description>${esc(feed.description)}</description><language>${site.language}</language><atom:link href="${esc(feed.selfUrls.rss)}" rel="self" type="application/rss+xml"/>${items.join('')}</channel></rss>`;
}

export function floorAtom(feed: FeedSpec, articles: readonly Article[], site: SiteConfig): string {
  const entries = articles.map((a) => {
    const photos = photosWithUrl(a);
    return `<entry><id>${esc(entryId(a))}</id><title type="text">${esc(a.title)}</title><updated>${a.updated}</updated><published>${a.published}</published>${a.authors.map((n) => `<author><name>${esc(n)}</name></author>`).join('')}${a.url ? `<link rel="alternate" type="text/html" href="${esc(a.url)}"/>` : ''}${photos.map((p) => `<link rel="enclosure" type="${photoType(p)}" href="${esc(p.url)}"/>`).join('')}<summary type="text">${esc(a.summary)}</summary><content type="html">${esc(renderContentHtml(a, site.publisher))}</content></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${site.language}"><id>${esc(feed.selfUrls.atom)}</id><title type="text">${esc(feed.title)}</title><link rel="self" href="${esc(feed.selfUrls.atom)}"/><author><name>${esc(site.publisher)}</name></author>${entries.join('')}</feed>`;
}

export function floorJson(feed: FeedSpec, articles: readonly Article[], site: SiteConfig): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrls.json,
    items: articles.map((a) => ({
      id: a.url ?? a.id,
      url: a.url ?? undefined,
      title: a.title,
      content_html: renderContentHtml(a, site.publisher),
      summary: a.summary,
      date_published: a.published,
      authors: a.authors.map((name) => ({ name })),
      attachments: photosWithUrl(a).map((p) => ({ url: p.url, mime_type: photoType(p) })),
    })),
  }, null, 2);
}
