/**
 * RSS 2.0 with content:encoded, dc:creator and Media RSS, written by the `feed` package. Its gaps for our
 * content (measured on feed 6.0.0) are closed here, in one place:
 * - `]]>` in a CDATA field: xml-js splits only the first one, so every `]]>` in HTML becomes `]]&gt;`
 *   (the same HTML); forbidden characters never reach it (the model strips them).
 * - attribute values of extensions are not escaped (only `"` is): `&`, `<` and `>` are escaped here.
 * - element text: xml-js first turns every `&amp;` back into `&`, so literal "&amp;" in an article would
 *   lose its escaping; every `&` is escaped here first, which that step exactly undoes.
 * - no way to declare a namespace: `xmlns:media` (and `xmlns:dc` when missing) is added to the root tag.
 * - a bare name in `<author>`: never passed; bylines go to dc:creator instead.
 * - enclosure type from the extension (`image/jpg`): the real type and length are always passed, the type
 *   escaped (feed copies it into the attribute as given).
 */
import { type Extension, Feed, type Item } from 'feed';
import type { Article, Photo } from '../article.js';
import { escapeHtml, stripXmlForbidden } from '../text.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { type FeedRenderer, feedUpdated } from './feed-model.js';

export const MEDIA_NS = 'http://search.yahoo.com/mrss/';
const DC_NS = 'http://purl.org/dc/elements/1.1/';
export const GENERATOR = 'syndicate-feeds';

/** CDATA-safe HTML: `]]>` cannot end the section early, and the HTML means the same. */
function cdataSafe(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}

/** xml-js writes attribute values as given but for `"`: escape the rest of what XML needs. */
function attr(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Element text for xml-js: its un-escaping of `&amp;` exactly undoes this, then it escapes properly. */
function text(value: string): string {
  return value.replaceAll('&', '&amp;');
}

/** The lead photo as Media RSS's thumbnail (what partners show beside the headline), shared with Atom. */
export function thumbnailAttributes(photo: Photo & { url: string }, escapeValue: (value: string) => string): Record<string, string> {
  const attributes: Record<string, string> = { url: escapeValue(photo.url) };
  if (photo.width !== null) attributes.width = String(photo.width);
  if (photo.height !== null) attributes.height = String(photo.height);
  return attributes;
}

function mediaContents(article: Article): Record<string, unknown>[] {
  return photosWithUrl(article).map((photo) => {
    const attributes: Record<string, string> = { url: attr(photo.url), type: attr(photoType(photo)), medium: 'image' };
    if (photo.bytes !== null) attributes.fileSize = String(photo.bytes);
    if (photo.width !== null) attributes.width = String(photo.width);
    if (photo.height !== null) attributes.height = String(photo.height);
    const element: Record<string, unknown> = { _attributes: attributes };
    if (photo.caption) element['media:description'] = { _attributes: { type: 'plain' }, _text: text(photo.caption) };
    if (photo.credit) element['media:credit'] = { _attributes: { role: 'photographer', scheme: 'urn:ebu' }, _text: text(photo.credit) };
    return element;
  });
}

/**
 * feed writes the enclosure's type as given (xml-js escapes only `"`), so it is escaped like extension
 * attributes. The URL goes through feed's own `new URL()` and `&` escaping, so escaping `&` here would
 * double it; `<`, `>` and `"` are percent-encoded instead (the same URL), so no raw one can reach the
 * attribute whatever feed does. The length is a count or 0, never anything else.
 */
function enclosure(photo: Photo & { url: string }): { url: string; type: string; length: number } {
  const url = photo.url.replace(/[<>"]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const length = photo.bytes !== null && Number.isSafeInteger(photo.bytes) && photo.bytes >= 0 ? photo.bytes : 0;
  return { url, type: attr(photoType(photo)), length };
}

function item(article: Article, publisher: string): Item {
  const lead = photosWithUrl(article)[0];
  const extensions: Extension[] = [];
  if (article.authors.length > 0) extensions.push({ name: 'dc:creator', objects: article.authors.map((name) => ({ _text: text(name) })) as unknown as Record<string, unknown> });
  // The publication the wire copy came from (e.g. CHINA DAILY HONG KONG NEWS), for partners' credits.
  if (article.publisher) extensions.push({ name: 'dc:publisher', objects: { _text: text(article.publisher) } });
  const media = mediaContents(article);
  if (media.length > 0) extensions.push({ name: 'media:content', objects: media as unknown as Record<string, unknown> });
  if (lead) extensions.push({ name: 'media:thumbnail', objects: { _attributes: thumbnailAttributes(lead, attr) } });
  return {
    title: cdataSafe(escapeHtml(article.title)),
    // With a URL: link and a permalink guid (feed writes isPermaLink="true" when only link is given).
    // Without: an opaque guid, isPermaLink="false".
    link: article.url ?? '',
    ...(article.url ? {} : { guid: text(article.id) }),
    date: new Date(article.updated),
    published: new Date(article.published),
    description: cdataSafe(escapeHtml(article.summary)),
    content: cdataSafe(renderContentHtml(article, publisher)),
    category: [...(article.section ? [article.section] : []), ...article.tags].map((name) => ({ name: text(name) })),
    ...(lead ? { enclosure: enclosure(lead) } : {}),
    extensions,
  };
}

export const renderRss: FeedRenderer = (feed, articles, site) => {
  const generator = new Feed({
    title: text(feed.title),
    description: text(feed.description),
    id: feed.homeUrl,
    link: feed.homeUrl,
    language: site.language,
    copyright: text(site.copyright),
    updated: feedUpdated(articles, feed.deleted),
    generator: GENERATOR,
    feedLinks: { rss: feed.selfUrls.rss },
    // The channel's <image>: the wide logo, else the square icon.
    ...(site.logo || site.icon ? { image: text((site.logo ?? site.icon) as string) } : {}),
  });
  generator.addExtension({ name: 'dc:publisher', objects: { _text: text(site.publisher) } });
  for (const article of articles) generator.addItem(item(article, site.publisher));
  let xml = generator.rss2();
  // WebSub hubs beside the self link (feed writes at most one hub, unescaped).
  if (site.hubs.length > 0) {
    const hubs = site.hubs.map((hub) => `\n        <atom:link href="${attr(hub)}" rel="hub"/>`).join('');
    xml = xml.replace(/<atom:link [^>]*rel="self"[^>]*\/>/, (self) => `${self}${hubs}`);
  }
  // Declare the namespaces feed cannot: Media RSS always, Dublin Core when feed did not (no content).
  const extra = [`xmlns:media="${MEDIA_NS}"`, ...(xml.includes('xmlns:dc=') ? [] : [`xmlns:dc="${DC_NS}"`])];
  xml = xml.replace('<rss version="2.0"', `<rss version="2.0" ${extra.join(' ')}`);
  // Belt and braces: characters XML forbids can never be written, whatever a caller passed in.
  return `${stripXmlForbidden(xml)}\n`;
};
