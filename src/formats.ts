/**
 * The three feed formats (their file names and Content-Types), and the other names a feed folder holds:
 * one owner for all of them (the renderers, the config check and the folder writer read them here).
 */
export const FEED_FORMATS = ['rss', 'atom', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const FEED_FILE_NAMES: Readonly<Record<FeedFormat, string>> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

export const CONTENT_TYPES: Readonly<Record<FeedFormat, string>> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** The page beside each feed's files (src/render/page.ts). */
export const PAGE_FILE = 'index.html';

/** The Google News sitemap beside the site's feeds (src/render/news-sitemap.ts). */
export const NEWS_SITEMAP_FILE = 'news-sitemap.xml';

/** Where a scope's RFC 5005 archive documents go, under its folder. */
export const ARCHIVE_FOLDER = 'archive/';
