/** The core: articles in, every feed file out (path -> body), each checked. Pure, no I/O. */
import type { Article } from './article.js';
import { checkFeed } from './check.js';
import { renderAtom } from './render/atom.js';
import type { FeedRenderer } from './render/feed-model.js';
import { renderJsonFeed } from './render/json.js';
import { renderRss } from './render/rss.js';
import { FEED_FILES, type FeedSpec, selectFeeds } from './select.js';
import type { SiteConfig } from './site.js';

export const CONTENT_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;

export type FeedFormat = keyof typeof FEED_FILES;

const RENDERERS: Record<FeedFormat, FeedRenderer> = { rss: renderRss, atom: renderAtom, json: renderJsonFeed };

/** One output file: where it goes (relative), its bytes and its Content-Type. */
export interface OutputFile {
  path: string;
  body: string;
  contentType: string;
}

/** Renders and checks the three files of one feed. Throws FeedCheckError if any fails its check. */
export function renderFeed(spec: FeedSpec, articles: readonly Article[], site: SiteConfig, options: { check?: boolean } = {}): OutputFile[] {
  return (Object.keys(FEED_FILES) as FeedFormat[]).map((format) => {
    const path = spec.path + FEED_FILES[format];
    const body = RENDERERS[format](spec, articles, site);
    if (options.check !== false) checkFeed(path, body);
    return { path, body, contentType: CONTENT_TYPES[format] };
  });
}

/** Every feed of the site: site-wide and one per section, newest `limit` articles each. */
export function buildFeeds(articles: readonly Article[], site: SiteConfig): OutputFile[] {
  return renderSelected(selectFeeds(articles, site), site);
}

/** Renders feeds already chosen (by selectFeeds or a FeedSelector fed article by article). */
export function renderSelected(feeds: readonly { spec: FeedSpec; articles: readonly Article[] }[], site: SiteConfig): OutputFile[] {
  return feeds.flatMap(({ spec, articles }) => renderFeed(spec, articles, site));
}
