/**
 * `feed` alone: the same items given to the `feed` package with the fields it supports (title, link, id,
 * dates, summary, content HTML, authors, categories, one enclosure), and nothing done about its gaps.
 */
import { Feed } from 'feed';
import type { Article } from '../src/article.js';
import { photosWithUrl, photoType, renderContentHtml } from '../src/render/content.js';
import { entryId } from '../src/render/feed-model.js';
import type { FeedSpec } from '../src/select.js';
import type { SiteConfig } from '../src/site.js';

/**
 * With `extensions`, items also carry what feed can take as raw extension objects (RSS only): dc:creator
 * and one media:content per photo with caption and credit, as a user of feed alone would write them
 * (without the escaping fixes of src/render/rss.ts).
 */
export function feedAlone(feed: FeedSpec, articles: readonly Article[], site: SiteConfig, extensions = false): Feed {
  const out = new Feed({
    title: feed.title,
    description: feed.description,
    id: feed.homeUrl,
    link: feed.homeUrl,
    language: site.language,
    copyright: site.copyright,
    updated: new Date(articles[0]?.updated ?? 0),
    generator: 'bench',
    feedLinks: { rss: feed.selfUrls.rss, atom: feed.selfUrls.atom, json: feed.selfUrls.json },
  });
  for (const a of articles) {
    const lead = photosWithUrl(a)[0];
    out.addItem({
      title: a.title,
      id: entryId(a),
      link: a.url ?? feed.homeUrl,
      date: new Date(a.updated),
      published: new Date(a.published),
      description: a.summary,
      content: renderContentHtml(a, site.publisher),
      author: a.authors.map((name) => ({ name })),
      category: [...(a.section ? [a.section] : []), ...a.tags].map((name) => ({ name })),
      ...(lead ? { enclosure: { url: lead.url, type: photoType(lead), length: lead.bytes ?? 0 } } : {}),
      ...(extensions
        ? {
            extensions: [
              { name: 'dc:creator', objects: a.authors.map((n) => ({ _text: n })) as unknown as Record<string, unknown> },
              {
                name: 'media:content',
                objects: photosWithUrl(a).map((p) => ({
                  _attributes: { url: p.url, type: photoType(p), medium: 'image' },
                  ...(p.caption ? { 'media:description': { _attributes: { type: 'plain' }, _text: p.caption } } : {}),
                  ...(p.credit ? { 'media:credit': { _attributes: { role: 'photographer', scheme: 'urn:ebu' }, _text: p.credit } } : {}),
                })) as unknown as Record<string, unknown>,
              },
            ],
          }
        : {}),
    });
  }
  return out;
}
