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
import type { DeletedEntry } from '../select.js';
import { escapeHtml, stripXmlForbidden } from '../text.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { FEED_FILE_NAMES } from '../formats.js';
import { type FeedRenderer, feedUpdated, historyRels } from './feed-model.js';
import { collectPrefixes, type Prefix, writeNode, type XmlNode, xmlnsAttributes } from './namespaces.js';
import { itemNodes, type PartnerContext, type PartnerRendering, partnerOf } from './partners/index.js';

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

/** A node of the namespace model as xml-js writes it (through feed). */
function xmlJs(node: XmlNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.attributes) out._attributes = Object.fromEntries(Object.entries(node.attributes).map(([name, value]) => [name, attr(value)]));
  if (node.text !== undefined) out._text = text(node.text);
  for (const [name, objects] of grouped(node.children ?? [])) out[name] = objects;
  return out;
}

/** Nodes grouped by name (xml-js keys elements by name; repeats are an array), first appearance first. */
function grouped(nodes: readonly XmlNode[]): Map<string, Record<string, unknown> | Record<string, unknown>[]> {
  const byName = new Map<string, Record<string, unknown>[]>();
  for (const node of nodes) byName.set(node.name, [...(byName.get(node.name) ?? []), xmlJs(node)]);
  return new Map([...byName].map(([name, list]) => [name, list.length === 1 ? (list[0] as Record<string, unknown>) : list]));
}

function extensionsOf(nodes: readonly XmlNode[]): Extension[] {
  return [...grouped(nodes)].map(([name, objects]) => ({ name, objects: objects as Record<string, unknown> }));
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

function item(article: Article, publisher: string, partner: PartnerRendering | null, context: PartnerContext, used: Set<Prefix>): Item {
  const lead = photosWithUrl(article)[0];
  const nodes: XmlNode[] = [];
  for (const name of article.authors) nodes.push({ name: 'dc:creator', text: name });
  // The publication the wire copy came from (e.g. CHINA DAILY HONG KONG NEWS), for partners' credits.
  if (article.publisher) nodes.push({ name: 'dc:publisher', text: article.publisher });
  nodes.push(...itemNodes(article, partner, context));
  collectPrefixes(nodes, used);
  const content = renderContentHtml(article, publisher);
  return {
    title: cdataSafe(escapeHtml(article.title)),
    // With a URL: link and a permalink guid (feed writes isPermaLink="true" when only link is given).
    // Without: an opaque guid, isPermaLink="false".
    link: article.url ?? '',
    ...(article.url ? {} : { guid: text(article.id) }),
    date: new Date(article.updated),
    published: new Date(article.published),
    description: cdataSafe(escapeHtml(article.summary)),
    content: cdataSafe(partner?.content ? partner.content(content) : content),
    category: [...(article.section ? [article.section] : []), ...article.tags].map((name) => ({ name: text(name) })),
    ...(lead ? { enclosure: enclosure(lead) } : {}),
    extensions: extensionsOf(nodes),
  };
}

/** A takedown as an item the partner reads as expired (MSN): the same guid, a newer modified date. */
function expiredItem(entry: DeletedEntry, nodes: readonly XmlNode[], used: Set<Prefix>): Item {
  collectPrefixes(nodes, used);
  const url = entry.url ?? null;
  return {
    title: cdataSafe(escapeHtml(entry.title ?? 'Withdrawn')),
    link: url ?? '',
    ...(url ? {} : { guid: text(entry.id) }),
    date: new Date(entry.when),
    published: new Date(entry.published ?? entry.when),
    description: cdataSafe(escapeHtml('This article was withdrawn.')),
    extensions: extensionsOf(nodes),
  };
}

export const renderRss: FeedRenderer = (feed, articles, site) => {
  const partner = partnerOf(feed.profile);
  const updated = feedUpdated(articles, feed.deleted);
  const context: PartnerContext = { spec: feed, site, updated };
  const description = partner?.description ? partner.description(feed.description) : feed.description;
  const generator = new Feed({
    title: text(feed.title),
    description: text(description),
    id: feed.homeUrl,
    link: feed.homeUrl,
    language: site.language,
    copyright: text(site.copyright),
    updated,
    generator: GENERATOR,
    feedLinks: { rss: feed.selfUrls.rss },
    // The channel's <image>: the wide logo, else the square icon.
    ...(site.logo || site.icon ? { image: text((site.logo ?? site.icon) as string) } : {}),
  });
  const used = new Set<Prefix>(['dc']);
  generator.addExtension({ name: 'dc:publisher', objects: { _text: text(site.publisher) } });
  for (const article of articles) generator.addItem(item(article, site.publisher, partner, context, used));
  if (partner?.expired) for (const entry of partner.expired.select(feed.deleted, context)) generator.addItem(expiredItem(entry, partner.expired.nodes(entry, context), used));
  let xml = generator.rss2();
  // Beside the self link: WebSub hubs (feed writes at most one, unescaped), the channel's pubDate and the
  // partner's channel elements, so they come before the items.
  const channel = partner?.channel?.(context) ?? [];
  collectPrefixes(channel, used);
  // RFC 5005: the current document and the archives beside this one; an archive says it is one.
  const history = feed.history;
  const historyLinks = history ? historyRels(history).map(([rel, folder]) => `\n        <atom:link href="${attr(folder + FEED_FILE_NAMES.rss)}" rel="${rel}" type="application/rss+xml"/>`) : [];
  if (history?.archive) used.add('fh');
  const after = [
    ...site.hubs.map((hub) => `\n        <atom:link href="${attr(hub)}" rel="hub"/>`),
    ...historyLinks,
    ...(history?.archive ? ['\n        <fh:archive/>'] : []),
    ...(partner?.channelPubDate ? [`\n        <pubDate>${updated.toUTCString()}</pubDate>`] : []),
    ...channel.map((node) => `\n${writeNode(node, '        ').trimEnd()}`),
  ].join('');
  if (after) xml = xml.replace(/<atom:link [^>]*rel="self"[^>]*\/>/, (self) => `${self}${after}`);
  // Declare, from the prefixes the nodes used, each namespace feed did not.
  const root = /<rss [^>]*>/.exec(xml)?.[0] ?? '';
  const missing = [...used].filter((prefix) => !root.includes(`xmlns:${prefix}=`));
  xml = xml.replace('<rss version="2.0"', `<rss version="2.0"${xmlnsAttributes(missing)}`);
  // Belt and braces: characters XML forbids can never be written, whatever a caller passed in.
  return `${stripXmlForbidden(xml)}\n`;
};
