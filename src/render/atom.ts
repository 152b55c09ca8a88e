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
import { escapeAttr as attr, escapeHtml as text, isoSeconds, stripXmlForbidden } from '../text.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { entryId, type FeedRenderer, feedUpdated } from './feed-model.js';
import { GENERATOR, MEDIA_NS, thumbnailAttributes } from './rss.js';

export const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0';

/** `<name attrs>text</name>`, or `<name attrs/>` when the text is empty (as XMLBuilder wrote it). */
function element(indent: string, name: string, attributes: string, value: string): string {
  return value === '' ? `${indent}<${name}${attributes}/>\n` : `${indent}<${name}${attributes}>${value}</${name}>\n`;
}

function entry(article: Article, publisher: string): string {
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
  out += element('    ', 'content', ' type="html"', text(renderContentHtml(article, publisher)));
  for (const photo of photos) {
    const size = `${photo.bytes !== null ? ` fileSize="${photo.bytes}"` : ''}${photo.width !== null ? ` width="${photo.width}"` : ''}${photo.height !== null ? ` height="${photo.height}"` : ''}`;
    const open = `    <media:content url="${attr(photo.url)}" type="${attr(photoType(photo))}" medium="image"${size}`;
    const description = photo.caption ? element('      ', 'media:description', ' type="plain"', text(photo.caption)) : '';
    const credit = photo.credit ? element('      ', 'media:credit', ' role="photographer" scheme="urn:ebu"', text(photo.credit)) : '';
    out += description || credit ? `${open}>\n${description}${credit}    </media:content>\n` : `${open}/>\n`;
  }
  const lead = photos[0];
  if (lead) {
    const attributes = Object.entries(thumbnailAttributes(lead, attr)).map(([name, value]) => ` ${name}="${value}"`).join('');
    out += `    <media:thumbnail${attributes}/>\n`;
  }
  return `${out}  </entry>\n`;
}

export const renderAtom: FeedRenderer = (feed, articles, site) => {
  const tombstones = feed.deleted.length > 0;
  let out = '<?xml version="1.0" encoding="utf-8"?>\n';
  out += `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="${MEDIA_NS}"${tombstones ? ` xmlns:at="${TOMBSTONES_NS}"` : ''} xml:lang="${attr(site.language)}">\n`;
  out += element('  ', 'id', '', text(feed.selfUrls.atom));
  out += element('  ', 'title', ' type="text"', text(feed.title));
  out += element('  ', 'subtitle', ' type="text"', text(feed.description));
  out += element('  ', 'updated', '', isoSeconds(feedUpdated(articles, feed.deleted)));
  out += `  <link rel="alternate" type="text/html" href="${attr(feed.homeUrl)}"/>\n`;
  out += `  <link rel="self" type="application/atom+xml" href="${attr(feed.selfUrls.atom)}"/>\n`;
  for (const hub of site.hubs) out += `  <link rel="hub" href="${attr(hub)}"/>\n`;
  // A feed-level author makes every entry valid, bylines or not (RFC 4287 4.1.1).
  out += `  <author>\n${element('    ', 'name', '', text(site.publisher))}${element('    ', 'uri', '', text(site.url))}  </author>\n`;
  out += element('  ', 'rights', '', text(site.copyright));
  out += element('  ', 'generator', '', GENERATOR);
  if (site.icon) out += element('  ', 'icon', '', text(site.icon));
  if (site.logo) out += element('  ', 'logo', '', text(site.logo));
  for (const article of articles) out += entry(article, site.publisher);
  // RFC 6721 tombstones: readers and partners learn an entry was withdrawn.
  for (const d of feed.deleted) out += `  <at:deleted-entry ref="${attr(d.entryId)}" when="${isoSeconds(new Date(d.when))}"/>\n`;
  // Belt and braces: characters XML forbids can never be written, whatever a caller passed in.
  return stripXmlForbidden(`${out}</feed>\n`);
};
