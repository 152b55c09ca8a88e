/** The core: articles in, every feed file out (path -> body), each checked. Pure, no I/O. */
import type { Article } from './article.js';
import { checkFeed } from './check.js';
import { CONTENT_TYPES, type FeedFormat } from './formats.js';
import { renderAtom } from './render/atom.js';
import { fitToBudget, renderContentHtml } from './render/content.js';
import type { FeedRenderer } from './render/feed-model.js';
import { renderJsonFeed } from './render/json.js';
import { NEWS_SITEMAP_FILE, renderNewsSitemap } from './render/news-sitemap.js';
import { renderPage } from './render/page.js';
import { renderRss } from './render/rss.js';
import { isDefaultScope } from './scopes.js';
import { type FeedSpec, outputSpec, selectFeeds } from './select.js';
import { outputsOf, type SiteConfig } from './site.js';

export { CONTENT_TYPES, type FeedFormat } from './formats.js';

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
  /**
   * The site's news sitemap reads these (the recent part of the site's window, newest first) rather
   * than `articles` (the engine's feeds show only the items inside their byte budget).
   */
  recent?: readonly Pick<Article, 'url' | 'title' | 'published'>[];
}

/**
 * Renders and checks every file of one scope (src/site.ts outputsOf): the site's and each section's three
 * files and page, and the declared feeds of that scope, each within its own budgets: every item's content
 * cut to the file's item budget, then the oldest items left out until the file fits its byte budget.
 * Throws FeedCheckError if any file fails its check.
 */
export function renderFeed(spec: FeedSpec, articles: readonly Article[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  // Items cut to one budget are shared by every file with that budget (the default three).
  const fitted = new Map<number, Article[]>();
  const bounds = new Map<string, number>();
  const files: (OutputFile & { shown: number })[] = [];
  const outputs = outputsOf(site, spec.path);
  // The site's articles may run past every file's items (the news sitemap's days): only those shown are cut.
  const shownAtMost = Math.max(0, ...outputs.map((o) => o.items));
  const candidates = articles.length > shownAtMost ? articles.slice(0, shownAtMost) : articles;
  for (const output of outputs) {
    const { itemChars, feedBytes } = output;
    let all = fitted.get(itemChars);
    if (!all) {
      all = candidates.map((article) => fitToBudget(article, site.publisher, itemChars));
      fitted.set(itemChars, all);
    }
    const items = all.length > output.items ? all.slice(0, output.items) : all;
    // Every format writes each item's content HTML (escaped or not): a prefix of items whose content alone
    // is over budget can never fit, so no file renders more than that.
    const boundKey = `${itemChars}:${feedBytes}:${items.length}`;
    let bound = bounds.get(boundKey);
    if (bound === undefined) {
      bound = 0;
      for (let total = 0; bound < items.length; bound++) {
        total += Buffer.byteLength(renderContentHtml(items[bound] as Article, site.publisher));
        if (total > feedBytes) break;
      }
      bounds.set(boundKey, bound);
    }
    const shape = outputSpec(spec, output, site);
    const render = (count: number) => RENDERERS[output.format](shape, count === items.length ? items : items.slice(0, count), site);
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
    if (shown < items.length) options.onOverBudget?.({ path: output.file, shown, left: items.length - shown, feedBytes });
    if (options.check !== false) checkFeed(output.file, body);
    files.push({ path: output.file, body, contentType: CONTENT_TYPES[output.format], shown });
  }
  const out: OutputFile[] = files.map(({ path, body, contentType }) => ({ path, body, contentType }));
  if (isDefaultScope(spec.path)) {
    // The page a person sees beside the files (src/render/page.ts): the items the RSS file carries.
    const shownInRss = files[0]?.shown ?? articles.length;
    const pagePath = `${spec.path}${PAGE_FILE}`;
    const items = (fitted.get(outputs[0]?.itemChars ?? 0) ?? articles).slice(0, shownInRss);
    const page = renderPage(spec, items, site);
    if (options.check !== false) checkFeed(pagePath, page);
    out.push({ path: pagePath, body: page, contentType: 'text/html; charset=utf-8' });
  }
  if (spec.path === '' && site.newsSitemap) {
    const sitemap = renderNewsSitemap(options.recent ?? articles, site.newsSitemap);
    if (options.check !== false) checkFeed(NEWS_SITEMAP_FILE, sitemap);
    out.push({ path: NEWS_SITEMAP_FILE, body: sitemap, contentType: 'application/xml; charset=utf-8' });
  }
  return out;
}

/** The page beside each feed's files. */
export const PAGE_FILE = 'index.html';

/** Feed files (not pages, not the news sitemap): what WebSub hubs are told of. */
export const isFeedFile = (path: string) => !path.endsWith(`/${PAGE_FILE}`) && path !== PAGE_FILE && path !== NEWS_SITEMAP_FILE;

/** Every feed of the site: site-wide and one per section, newest `limit` articles each. */
export function buildFeeds(articles: readonly Article[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return renderSelected(selectFeeds(articles, site), site, options);
}

/** Renders feeds already chosen (by selectFeeds or a FeedSelector fed article by article). */
export function renderSelected(feeds: readonly { spec: FeedSpec; articles: readonly Article[] }[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return feeds.flatMap(({ spec, articles }) => renderFeed(spec, articles, site, options));
}
