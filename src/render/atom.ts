/**
 * Atom 1.0 (RFC 4287), written with fast-xml-parser's XMLBuilder rather than `feed`: feed 6 derives every
 * enclosure's type from the file extension (`image/jpg`, `image//x` without one), writes at most one
 * enclosure of each kind, drops extensions (no Media RSS) and has no xml:lang. None of that can be passed
 * in; see docs/decisions.md (which also says why not xmlbuilder2: it leaves `&lt;` in text unescaped).
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Article } from '../article.js';
import { escapeAttr, escapeHtml, isoSeconds, stripXmlForbidden } from '../text.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { entryId, type FeedRenderer, feedUpdated } from './feed-model.js';
import { GENERATOR, MEDIA_NS } from './rss.js';

type XmlObject = Record<string, unknown>;

export const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0';

function entry(article: Article, publisher: string): XmlObject {
  const photos = photosWithUrl(article);
  const links: XmlObject[] = [];
  if (article.url) links.push({ '@rel': 'alternate', '@type': 'text/html', '@href': attr(article.url) });
  for (const photo of photos) {
    links.push({
      '@rel': 'enclosure',
      '@type': attr(photoType(photo)),
      '@href': attr(photo.url),
      ...(photo.bytes !== null ? { '@length': String(photo.bytes) } : {}),
      ...(photo.caption ? { '@title': attr(photo.caption) } : {}),
    });
  }
  const out: XmlObject = {
    id: text(entryId(article)),
    title: { '@type': 'text', '#': text(article.title) },
    updated: isoSeconds(new Date(article.updated)),
    published: isoSeconds(new Date(article.published)),
  };
  if (article.authors.length > 0) out.author = article.authors.map((name) => ({ name: text(name) }));
  if (links.length > 0) out.link = links;
  const categories = [...(article.section ? [article.section] : []), ...article.tags];
  if (categories.length > 0) out.category = categories.map((term) => ({ '@term': attr(term) }));
  out.summary = { '@type': 'text', '#': text(article.summary) };
  out.content = { '@type': 'html', '#': text(renderContentHtml(article, publisher)) };
  if (photos.length > 0) {
    out['media:content'] = photos.map((photo) => ({
      '@url': attr(photo.url),
      '@type': attr(photoType(photo)),
      '@medium': 'image',
      ...(photo.bytes !== null ? { '@fileSize': String(photo.bytes) } : {}),
      ...(photo.width !== null ? { '@width': String(photo.width) } : {}),
      ...(photo.height !== null ? { '@height': String(photo.height) } : {}),
      ...(photo.caption ? { 'media:description': { '@type': 'plain', '#': text(photo.caption) } } : {}),
      ...(photo.credit ? { 'media:credit': { '@role': 'photographer', '@scheme': 'urn:ebu', '#': text(photo.credit) } } : {}),
    }));
  }
  return out;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  // We escape every value ourselves (escapeHtml / escapeAttr, one pass each, property-tested): the
  // builder's own entity replacement ran five passes over every value and was most of Atom's cost.
  processEntities: false,
});

const text = escapeHtml;
const attr = escapeAttr;

export const renderAtom: FeedRenderer = (feed, articles, site) => {
  const document = {
    '?xml': { '@version': '1.0', '@encoding': 'utf-8' },
    feed: {
      '@xmlns': 'http://www.w3.org/2005/Atom',
      '@xmlns:media': MEDIA_NS,
      ...(feed.deleted.length > 0 ? { '@xmlns:at': TOMBSTONES_NS } : {}),
      '@xml:lang': attr(site.language),
      id: text(feed.selfUrls.atom),
      title: { '@type': 'text', '#': text(feed.title) },
      subtitle: { '@type': 'text', '#': text(feed.description) },
      updated: isoSeconds(feedUpdated(articles, feed.deleted)),
      link: [
        { '@rel': 'alternate', '@type': 'text/html', '@href': attr(feed.homeUrl) },
        { '@rel': 'self', '@type': 'application/atom+xml', '@href': attr(feed.selfUrls.atom) },
      ],
      // A feed-level author makes every entry valid, bylines or not (RFC 4287 4.1.1).
      author: { name: text(site.publisher), uri: text(site.url) },
      rights: text(site.copyright),
      generator: GENERATOR,
      entry: articles.map((article) => entry(article, site.publisher)),
      // RFC 6721 tombstones: readers and partners learn an entry was withdrawn.
      ...(feed.deleted.length > 0
        ? { 'at:deleted-entry': feed.deleted.map((d) => ({ '@ref': attr(d.entryId), '@when': isoSeconds(new Date(d.when)) })) }
        : {}),
    },
  };
  // Belt and braces: characters XML forbids can never be written, whatever a caller passed in.
  return stripXmlForbidden(builder.build(document) as string);
};
