/**
 * Atom 1.0 (RFC 4287), written with fast-xml-parser's XMLBuilder rather than `feed`: feed 6 derives every
 * enclosure's type from the file extension (`image/jpg`, `image//x` without one), writes at most one
 * enclosure of each kind, drops extensions (no Media RSS) and has no xml:lang. None of that can be passed
 * in; see docs/decisions.md (which also says why not xmlbuilder2: it leaves `&lt;` in text unescaped).
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Article } from '../article.js';
import { isoSeconds, stripXmlForbidden } from '../text.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { entryId, type FeedRenderer, feedUpdated } from './feed-model.js';
import { GENERATOR, MEDIA_NS } from './rss.js';

type XmlObject = Record<string, unknown>;

export const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0';

function entry(article: Article, publisher: string): XmlObject {
  const photos = photosWithUrl(article);
  const links: XmlObject[] = [];
  if (article.url) links.push({ '@rel': 'alternate', '@type': 'text/html', '@href': article.url });
  for (const photo of photos) {
    links.push({
      '@rel': 'enclosure',
      '@type': photoType(photo),
      '@href': photo.url,
      ...(photo.bytes !== null ? { '@length': String(photo.bytes) } : {}),
      ...(photo.caption ? { '@title': photo.caption } : {}),
    });
  }
  const out: XmlObject = {
    id: entryId(article),
    title: { '@type': 'text', '#': article.title },
    updated: isoSeconds(new Date(article.updated)),
    published: isoSeconds(new Date(article.published)),
  };
  if (article.authors.length > 0) out.author = article.authors.map((name) => ({ name }));
  if (links.length > 0) out.link = links;
  const categories = [...(article.section ? [article.section] : []), ...article.tags];
  if (categories.length > 0) out.category = categories.map((term) => ({ '@term': term }));
  out.summary = { '@type': 'text', '#': article.summary };
  out.content = { '@type': 'html', '#': renderContentHtml(article, publisher) };
  if (photos.length > 0) {
    out['media:content'] = photos.map((photo) => ({
      '@url': photo.url,
      '@type': photoType(photo),
      '@medium': 'image',
      ...(photo.bytes !== null ? { '@fileSize': String(photo.bytes) } : {}),
      ...(photo.width !== null ? { '@width': String(photo.width) } : {}),
      ...(photo.height !== null ? { '@height': String(photo.height) } : {}),
      ...(photo.caption ? { 'media:description': { '@type': 'plain', '#': photo.caption } } : {}),
      ...(photo.credit ? { 'media:credit': { '@role': 'photographer', '@scheme': 'urn:ebu', '#': photo.credit } } : {}),
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
  processEntities: true,
});

export const renderAtom: FeedRenderer = (feed, articles, site) => {
  const document = {
    '?xml': { '@version': '1.0', '@encoding': 'utf-8' },
    feed: {
      '@xmlns': 'http://www.w3.org/2005/Atom',
      '@xmlns:media': MEDIA_NS,
      ...(feed.deleted.length > 0 ? { '@xmlns:at': TOMBSTONES_NS } : {}),
      '@xml:lang': site.language,
      id: feed.selfUrls.atom,
      title: { '@type': 'text', '#': feed.title },
      subtitle: { '@type': 'text', '#': feed.description },
      updated: isoSeconds(feedUpdated(articles, feed.deleted)),
      link: [
        { '@rel': 'alternate', '@type': 'text/html', '@href': feed.homeUrl },
        { '@rel': 'self', '@type': 'application/atom+xml', '@href': feed.selfUrls.atom },
      ],
      // A feed-level author makes every entry valid, bylines or not (RFC 4287 4.1.1).
      author: { name: site.publisher, uri: site.url },
      rights: site.copyright,
      generator: GENERATOR,
      entry: articles.map((article) => entry(article, site.publisher)),
      // RFC 6721 tombstones: readers and partners learn an entry was withdrawn.
      ...(feed.deleted.length > 0
        ? { 'at:deleted-entry': feed.deleted.map((d) => ({ '@ref': d.entryId, '@when': isoSeconds(new Date(d.when)) })) }
        : {}),
    },
  };
  // Belt and braces: characters XML forbids can never be written, whatever a caller passed in.
  return stripXmlForbidden(builder.build(document) as string);
};
