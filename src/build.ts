/** The core: articles in, every feed file out (path -> body), each checked. Pure, no I/O. */
import type { Article } from './article.js';
import { checkFeed } from './check.js';
import { renderAtom } from './render/atom.js';
import { fitToBudget, renderContentHtml } from './render/content.js';
import type { FeedRenderer } from './render/feed-model.js';
import { renderJsonFeed } from './render/json.js';
import { renderPage } from './render/page.js';
import { renderRss } from './render/rss.js';
import { FEED_FILES, type FeedSpec, selectFeeds } from './select.js';
import { feedBudget, type SiteConfig } from './site.js';

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

/** A feed file that left out its oldest items to stay within its byte budget. */
export interface OverBudget {
  path: string;
  shown: number;
  left: number;
  feedBytes: number;
}

export interface RenderOptions {
  /** Check each file (well-formed XML, JSON Feed schema) as it is rendered (default true). */
  check?: boolean;
  /** Told of every file that had to leave items out to fit its byte budget. */
  onOverBudget?: (note: OverBudget) => void;
}

/**
 * Renders and checks the three files of one feed, within the feed's budgets (src/site.ts feedBudget):
 * each item's content cut to its item budget, then, per file, the oldest items left out until the file
 * fits its byte budget. Throws FeedCheckError if any file fails its check.
 */
export function renderFeed(spec: FeedSpec, articles: readonly Article[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  const { feedBytes, itemChars } = feedBudget(site, spec.path);
  const items = articles.map((article) => fitToBudget(article, site.publisher, itemChars));
  // Every format writes each item's content HTML (escaped or not): a prefix of items whose content alone
  // is over budget can never fit, so no file renders more than that.
  let bound = 0;
  for (let total = 0; bound < items.length; bound++) {
    total += Buffer.byteLength(renderContentHtml(items[bound] as Article, site.publisher));
    if (total > feedBytes) break;
  }
  const feeds = (Object.keys(FEED_FILES) as FeedFormat[]).map((format) => {
    const path = spec.path + FEED_FILES[format];
    const render = (count: number) => RENDERERS[format](spec, count === items.length ? items : items.slice(0, count), site);
    let shown = bound;
    let body = render(shown);
    if (Buffer.byteLength(body) > feedBytes) {
      // The largest count that fits, by bisection (a file only grows with its items).
      let low = 0;
      let high = shown - 1;
      while (low < high) {
        const mid = (low + high + 1) >>> 1;
        if (Buffer.byteLength(render(mid)) <= feedBytes) low = mid;
        else high = mid - 1;
      }
      shown = low;
      body = render(shown);
    }
    if (shown < items.length) options.onOverBudget?.({ path, shown, left: items.length - shown, feedBytes });
    if (options.check !== false) checkFeed(path, body);
    return { path, body, contentType: CONTENT_TYPES[format], shown };
  });
  // The page a person sees beside the files (src/render/page.ts): the items the RSS file carries.
  const shownInRss = feeds[0]?.shown ?? items.length;
  const pagePath = `${spec.path}${PAGE_FILE}`;
  const page = renderPage(spec, items.slice(0, shownInRss), site);
  if (options.check !== false) checkFeed(pagePath, page);
  return [...feeds.map(({ path, body, contentType }) => ({ path, body, contentType })), { path: pagePath, body: page, contentType: 'text/html; charset=utf-8' }];
}

/** The page beside each feed's files. */
export const PAGE_FILE = 'index.html';

/** Feed files (not pages): what WebSub hubs are told of. */
export const isFeedFile = (path: string) => !path.endsWith(`/${PAGE_FILE}`) && path !== PAGE_FILE;

/** Every feed of the site: site-wide and one per section, newest `limit` articles each. */
export function buildFeeds(articles: readonly Article[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return renderSelected(selectFeeds(articles, site), site, options);
}

/** Renders feeds already chosen (by selectFeeds or a FeedSelector fed article by article). */
export function renderSelected(feeds: readonly { spec: FeedSpec; articles: readonly Article[] }[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return feeds.flatMap(({ spec, articles }) => renderFeed(spec, articles, site, options));
}
