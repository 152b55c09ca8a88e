/** The core: articles in, every feed file out (path -> body), each checked. Pure, no I/O. */
import type { Article } from './article.js';
import { checkFeed } from './check.js';
import { ARCHIVE_FOLDER, CONTENT_TYPES, FEED_FILE_NAMES, type FeedFormat, NEWS_SITEMAP_FILE, PAGE_FILE } from './formats.js';
import { renderAtom } from './render/atom.js';
import { fitToBudget, renderContentHtml } from './render/content.js';
import type { FeedRenderer } from './render/feed-model.js';
import { renderJsonFeed } from './render/json.js';
import { renderNewsSitemap } from './render/news-sitemap.js';
import { renderPage } from './render/page.js';
import { renderRss } from './render/rss.js';
import { isDefaultScope } from './scopes.js';
import { type FeedSpec, folderUrl, outputSpec, selectFeeds, selfUrls } from './select.js';
import { outputsOf, type SiteConfig } from './site.js';

export { ARCHIVE_FOLDER, CONTENT_TYPES, type FeedFormat, PAGE_FILE } from './formats.js';

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
  /**
   * RFC 5005 archives (site and section scopes, `build` with `archives`): every article of the scope,
   * newest first, as archive entries (src/select.ts archiveEntry). Those a current file does not carry
   * go to monthly archive documents, linked from it.
   */
  all?: readonly Article[];
}

/** The largest count of `items` whose rendering fits `feedBytes`, from `bound` down (a file only grows with its items). */
function fitCount(render: (count: number) => string, bound: number, feedBytes: number): { body: string; shown: number } {
  let shown = bound;
  let body = render(shown);
  if (Buffer.byteLength(body) > feedBytes) {
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
  return { body, shown };
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
    let shape = outputSpec(spec, output, site);
    const render = (count: number) => RENDERERS[output.format](shape, count === items.length ? items : items.slice(0, count), site);
    // Archives for the site's and sections' own three files (a declared feed has none).
    const everything = isDefaultScope(spec.path) && output.file === spec.path + FEED_FILE_NAMES[output.format] ? options.all : undefined;
    const plain = shape;
    // With archives, the current document links the newest archive: the month of the first article it
    // does not carry, which depends on how many it carries, which the link's bytes change: fitted again
    // until it holds (the count only falls, so this ends).
    const linkFor = (carried: number) => {
      const first = everything?.[carried];
      shape = first ? { ...plain, history: { archive: false, current: folderUrl(site, spec.path), prev: folderUrl(site, `${spec.path}${ARCHIVE_FOLDER}${first.published.slice(0, 7)}/`) } } : plain;
    };
    linkFor(bound);
    let { body, shown } = fitCount(render, bound, feedBytes);
    while (everything) {
      const before = shape.history?.prev;
      linkFor(shown);
      if (shape.history?.prev === before) break;
      ({ body, shown } = fitCount(render, shown, feedBytes));
    }
    const archive = everything ? archivePlan(everything, shown, spec, output.format, site, feedBytes) : [];
    if (shown < items.length) options.onOverBudget?.({ path: output.file, shown, left: items.length - shown, feedBytes });
    if (options.check !== false) checkFeed(output.file, body);
    files.push({ path: output.file, body, contentType: CONTENT_TYPES[output.format], shown });
    for (const page of archive) {
      if (options.check !== false) checkFeed(page.file, page.body);
      files.push({ path: page.file, body: page.body, contentType: CONTENT_TYPES[output.format], shown: page.count });
    }
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

/** One archive document of one format: its file, its body and how many articles it carries. */
interface ArchivePage {
  file: string;
  body: string;
  count: number;
}

/**
 * The archive documents of one format (RFC 5005): the articles of `all` from `from` on (those the current
 * document does not carry), a calendar month a document, newest first; a month over the byte budget
 * takes more documents (`<YYYY-MM>-2/`, ...). Each is marked fh:archive and links the current document
 * and its neighbours (prev-archive: older, next-archive: newer).
 */
function archivePlan(all: readonly Article[], from: number, spec: FeedSpec, format: FeedFormat, site: SiteConfig, feedBytes: number): ArchivePage[] {
  const months: { month: string; start: number; end: number }[] = [];
  for (let i = from; i < all.length; i++) {
    const month = (all[i] as Article).published.slice(0, 7);
    const last = months[months.length - 1];
    if (last && last.month === month) last.end = i + 1;
    else months.push({ month, start: i, end: i + 1 });
  }
  const base = `${spec.path}${ARCHIVE_FOLDER}`;
  // Pages first (what fits with room for the links), then each rendered with its neighbours' links.
  const pages: { key: string; start: number; end: number }[] = [];
  const room = feedBytes - 2048;
  for (const { month, start, end } of months) {
    let at = start;
    for (let part = 1; at < end; part++) {
      const key = part === 1 ? month : `${month}-${part}`;
      const probe = { ...spec, selfUrls: selfUrls(site, `${base}${key}/`), history: { archive: true, current: folderUrl(site, spec.path) } };
      const render = (count: number) => RENDERERS[format](probe, all.slice(at, at + count), site);
      // At least one article a document, whatever its size (an archive entry is its summary: small).
      const { shown } = fitCount(render, end - at, room);
      const count = Math.max(1, shown);
      pages.push({ key, start: at, end: at + count });
      at += count;
    }
  }
  return pages.map((page, i) => {
    const folder = `${base}${page.key}/`;
    const older = pages[i + 1];
    const newer = pages[i - 1];
    const shape: FeedSpec = {
      ...spec,
      title: `${spec.title} (archive ${page.key})`,
      selfUrls: selfUrls(site, folder),
      deleted: [],
      history: { archive: true, current: folderUrl(site, spec.path), ...(older ? { prev: folderUrl(site, `${base}${older.key}/`) } : {}), ...(newer ? { next: folderUrl(site, `${base}${newer.key}/`) } : {}) },
    };
    const body = RENDERERS[format](shape, all.slice(page.start, page.end), site);
    return { file: `${folder}${FEED_FILE_NAMES[format]}`, body, count: page.end - page.start };
  });
}

/** Feed files (not pages, not the news sitemap): what WebSub hubs are told of. */
export const isFeedFile = (path: string) => !path.endsWith(`/${PAGE_FILE}`) && path !== PAGE_FILE && path !== NEWS_SITEMAP_FILE;

/** Every feed of the site: site-wide and one per section, newest `limit` articles each. */
export function buildFeeds(articles: readonly Article[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return renderSelected(selectFeeds(articles, site), site, options);
}

/** Renders feeds already chosen (by selectFeeds or a FeedSelector fed article by article). */
export function renderSelected(feeds: readonly { spec: FeedSpec; articles: readonly Article[]; all?: readonly Article[] }[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return feeds.flatMap(({ spec, articles, all }) => renderFeed(spec, articles, site, all ? { ...options, all } : options));
}
