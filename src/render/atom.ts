/**
 * Atom 1.0 (RFC 4287), written with template strings: every value goes through escapeHtml / escapeAttr
 * (one pass each, property-tested), so no XML library is needed to write it, and the output check
 * (src/check.ts) parses every file before it is published. `feed` 6 cannot write our Atom: it derives
 * every enclosure's type from the file extension (`image/jpg`, `image//x` without one), writes at most one
 * enclosure of each kind, drops extensions (no Media RSS) and has no xml:lang (docs/decisions.md).
 * The layout is fast-xml-parser's XMLBuilder's (two-space indent, empty elements self-closed), which wrote
 * it before, so the files are byte for byte the same.
 */
import type { Article } from '../article.js';
import type { DeletedEntry } from '../select.js';
import { escapeAttr as attr, escapeHtml as text, isoSeconds, stripXmlForbidden } from '../text.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { FEED_FILE_NAMES } from '../formats.js';
import { articleUrn, entryId, type FeedRenderer, feedUpdated, historyRels } from './feed-model.js';
import { collectPrefixes, NAMESPACES, type Prefix, writeNode, type XmlNode, xmlnsAttributes } from './namespaces.js';
import { itemNodes, type PartnerContext, type PartnerRendering, partnerOf } from './partners/index.js';
import { GENERATOR } from './rss.js';


/** `<name attrs>text</name>`, or `<name attrs/>` when the text is empty (as XMLBuilder wrote it). */
function element(indent: string, name: string, attributes: string, value: string): string {
  return value === '' ? `${indent}<${name}${attributes}/>\n` : `${indent}<${name}${attributes}>${value}</${name}>\n`;
}

function entry(article: Article, publisher: string, partner: PartnerRendering | null, context: PartnerContext, used: Set<Prefix>): string {
  const photos = photosWithUrl(article);
  let out = '  <entry>\n';
  out += element('    ', 'id', '', text(entryId(article)));
  out += element('    ', 'title', ' type="text"', text(article.title));
  out += element('    ', 'updated', '', isoSeconds(new Date(article.updated)));
  out += element('    ', 'published', '', isoSeconds(new Date(article.published)));
  for (const name of article.authors) out += `    <author>\n${element('      ', 'name', '', text(name))}    </author>\n`;
  if (article.url) out += `    <link rel="alternate" type="text/html" href="${attr(article.url)}"/>\n`;
  for (const photo of photos) {
    const length = photo.bytes !== null ? ` length="${photo.bytes}"` : '';
    const title = photo.caption ? ` title="${attr(photo.caption)}"` : '';
    out += `    <link rel="enclosure" type="${attr(photoType(photo))}" href="${attr(photo.url)}"${length}${title}/>\n`;
  }
  for (const term of [...(article.section ? [article.section] : []), ...article.tags]) out += `    <category term="${attr(term)}"/>\n`;
  out += element('    ', 'summary', ' type="text"', text(article.summary));
  const content = renderContentHtml(article, publisher);
  out += element('    ', 'content', ' type="html"', text(partner?.content ? partner.content(content) : content));
  const nodes = itemNodes(article, partner, context);
  collectPrefixes(nodes, used);
  for (const node of nodes) out += writeNode(node, '    ');
  return `${out}  </entry>\n`;
}

/** A takedown as an entry the partner reads as expired (MSN): the same id, a newer updated date. */
function expiredEntry(deleted: DeletedEntry, nodes: readonly XmlNode[], used: Set<Prefix>): string {
  collectPrefixes(nodes, used);
  let out = '  <entry>\n';
  out += element('    ', 'id', '', text(deleted.entryId || articleUrn(deleted.id)));
  out += element('    ', 'title', ' type="text"', text(deleted.title ?? 'Withdrawn'));
  out += element('    ', 'updated', '', isoSeconds(new Date(deleted.when)));
  out += element('    ', 'published', '', isoSeconds(new Date(deleted.published ?? deleted.when)));
  if (deleted.url) out += `    <link rel="alternate" type="text/html" href="${attr(deleted.url)}"/>\n`;
  out += element('    ', 'summary', ' type="text"', 'This article was withdrawn.');
  for (const node of nodes) out += writeNode(node, '    ');
  return `${out}  </entry>\n`;
}

export const renderAtom: FeedRenderer = (feed, articles, site) => {
  const partner = partnerOf(feed.profile);
  const updated = feedUpdated(articles, feed.deleted);
  const context: PartnerContext = { spec: feed, site, updated };
  const used = new Set<Prefix>();
  const channel = partner?.channel?.(context) ?? [];
  collectPrefixes(channel, used);
  let body = element('  ', 'id', '', text(feed.selfUrls.atom));
  body += element('  ', 'title', ' type="text"', text(feed.title));
  body += element('  ', 'subtitle', ' type="text"', text(partner?.description ? partner.description(feed.description) : feed.description));
  body += element('  ', 'updated', '', isoSeconds(updated));
  body += `  <link rel="alternate" type="text/html" href="${attr(feed.homeUrl)}"/>\n`;
  body += `  <link rel="self" type="application/atom+xml" href="${attr(feed.selfUrls.atom)}"/>\n`;
  for (const hub of site.hubs) body += `  <link rel="hub" href="${attr(hub)}"/>\n`;
  // RFC 5005: the current document and the archives beside this one; an archive says it is one.
  if (feed.history) {
    for (const [rel, folder] of historyRels(feed.history)) body += `  <link rel="${rel}" type="application/atom+xml" href="${attr(folder + FEED_FILE_NAMES.atom)}"/>\n`;
    if (feed.history.archive) {
      used.add('fh');
      body += '  <fh:archive/>\n';
    }
  }
  // A feed-level author makes every entry valid, bylines or not (RFC 4287 4.1.1).
  body += `  <author>\n${element('    ', 'name', '', text(site.publisher))}${element('    ', 'uri', '', text(site.url))}  </author>\n`;
  body += element('  ', 'rights', '', text(site.copyright));
  body += element('  ', 'generator', '', GENERATOR);
  if (site.icon) body += element('  ', 'icon', '', text(site.icon));
  if (site.logo) body += element('  ', 'logo', '', text(site.logo));
  for (const node of channel) body += writeNode(node, '  ');
  for (const article of articles) body += entry(article, site.publisher, partner, context, used);
  if (partner?.expired) for (const deleted of partner.expired.select(feed.deleted, context)) body += expiredEntry(deleted, partner.expired.nodes(deleted, context), used);
  // RFC 6721 tombstones: readers and partners learn an entry was withdrawn.
  if (feed.deleted.length > 0) used.add('at');
  for (const d of feed.deleted) body += `  <at:deleted-entry ref="${attr(d.entryId)}" when="${isoSeconds(new Date(d.when))}"/>\n`;
  // The namespaces the document uses, declared once on the root.
  const head = `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="${NAMESPACES.atom}"${xmlnsAttributes(used)} xml:lang="${attr(site.language)}">\n`;
  // Belt and braces: characters XML forbids can never be written, whatever a caller passed in.
  return stripXmlForbidden(`${head}${body}</feed>\n`);
};
