/**
 * JSON Feed 1.1, built straight from the model (feed 6 writes version 1 and leaks extension keys).
 * Photo captions and credits, quotes and attribution go in the `_syndicate` extension objects.
 */
import type { Article } from '../article.js';
import { photosWithUrl, photoType, renderContentHtml } from './content.js';
import { FEED_FILE_NAMES } from '../formats.js';
import { entryId, type FeedRenderer, feedUpdated } from './feed-model.js';
import { isoSeconds } from '../text.js';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

function item(article: Article, publisher: string): Record<string, unknown> {
  const photos = photosWithUrl(article);
  const out: Record<string, unknown> = { id: article.url ?? article.id };
  if (article.url) out.url = article.url;
  out.title = article.title;
  out.content_html = renderContentHtml(article, publisher);
  out.summary = article.summary;
  if (photos[0]) out.image = photos[0].url;
  out.date_published = isoSeconds(new Date(article.published));
  out.date_modified = isoSeconds(new Date(article.updated));
  if (article.authors.length > 0) out.authors = article.authors.map((name) => ({ name }));
  const tags = [...(article.section ? [article.section] : []), ...article.tags];
  if (tags.length > 0) out.tags = tags;
  out.language = article.language;
  if (photos.length > 0) {
    out.attachments = photos.map((photo) => ({
      url: photo.url,
      mime_type: photoType(photo),
      ...(photo.caption ? { title: photo.caption } : {}),
      ...(photo.bytes !== null ? { size_in_bytes: photo.bytes } : {}),
    }));
  }
  out._syndicate = {
    article_id: article.id,
    atom_id: entryId(article),
    dateline: article.dateline,
    section: article.section,
    publisher: article.publisher ?? publisher,
    attribution: article.attribution,
    photos: article.photos.map((p) => ({
      url: p.url,
      mime_type: p.url ? photoType(p) : null,
      caption: p.caption,
      credit: p.credit,
      width: p.width,
      height: p.height,
      size_in_bytes: p.bytes,
    })),
    quotes: article.quotes,
    related: article.related,
  };
  return out;
}

export const renderJsonFeed: FeedRenderer = (feed, articles, site) => {
  const document = {
    version: JSON_FEED_VERSION,
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrls.json,
    // The next page is the next older archive (RFC 5005's prev-archive).
    ...(feed.history?.prev ? { next_url: feed.history.prev + FEED_FILE_NAMES.json } : {}),
    ...(site.hubs.length > 0 ? { hubs: site.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    description: feed.description,
    // JSON Feed's icon and favicon are both square: the icon, never the wide logo.
    ...(site.icon ? { icon: site.icon, favicon: site.icon } : {}),
    language: site.language,
    authors: [{ name: site.publisher, url: site.url }],
    _syndicate: {
      publisher: site.publisher,
      copyright: site.copyright,
      updated: isoSeconds(feedUpdated(articles, feed.deleted)),
      deleted: feed.deleted.map((d) => ({ id: d.id, entry_id: d.entryId, when: isoSeconds(new Date(d.when)) })),
      ...(feed.history?.archive ? { archive: true, current: feed.history.current + FEED_FILE_NAMES.json, ...(feed.history.next ? { next_archive: feed.history.next + FEED_FILE_NAMES.json } : {}) } : {}),
    },
    items: articles.map((article) => item(article, site.publisher)),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
};
