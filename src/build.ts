/** The core: articles in, every feed file out (path -> body), each checked. Pure, no I/O. */
import { type ArchivePage, archiveFolder, monthOf, monthPages, neighbours, PAGE_KEY, pageCount } from './archive.js';
import type { Article } from './article.js';
import { checkFeed } from './check.js';
import { ARCHIVE_FOLDER, CONTENT_TYPES, FEED_FILE_NAMES, FEED_FORMATS, type FeedFormat, NEWS_SITEMAP_FILE, PAGE_FILE } from './formats.js';
import { renderAtom } from './render/atom.js';
import { fitToBudget, renderContentHtml } from './render/content.js';
import type { FeedRenderer } from './render/feed-model.js';
import { renderJsonFeed } from './render/json.js';
import { renderNewsSitemap } from './render/news-sitemap.js';
import { renderPage } from './render/page.js';
import { renderRss } from './render/rss.js';
import { isDefaultScope, scopeName } from './scopes.js';
import { type FeedSpec, folderUrl, outputSpec, scopeSpec, selectFeeds, selfUrls } from './select.js';
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
   * RFC 5005 archives (src/archive.ts), for a site or section scope: its three files carry the same
   * newest articles (the fewest any of them fits), told to `onCarried`; with `link`, they link the
   * archive month of the first article they do not carry (`monthAt(carried)`, null: there is none).
   */
  archive?: { monthAt: (carried: number) => string | null; link: boolean; onCarried?: (carried: number) => void };
  /**
   * `build` with archives: every article of the site or section scope, newest first, as archive entries
   * (src/archive.ts archiveEntry). Those its current files do not carry are written to monthly archive
   * documents (renderArchivePage).
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
  const files: (OutputFile & { shown: number; render?: (count: number) => string; feedBytes?: number })[] = [];
  const outputs = outputsOf(site, spec.path);
  // A build's archive is every article of the scope (`all`); the engine's comes from its state.
  const everything = isDefaultScope(spec.path) ? options.all : undefined;
  let buildCarried = 0;
  const archive = !isDefaultScope(spec.path)
    ? undefined
    : everything
      ? { monthAt: (k: number) => (everything[k] ? monthOf(everything[k]) : null), link: true, onCarried: (k: number) => (buildCarried = k) }
      : options.archive;
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
    // The site's and sections' own three files share the archive (a declared feed has none).
    const archived = archive && output.file === spec.path + FEED_FILE_NAMES[output.format] ? archive : undefined;
    const render = (count: number) => {
      const month = archived?.link ? archived.monthAt(count) : null;
      const linked = month ? { ...shape, history: { archive: false, current: folderUrl(site, spec.path), prev: folderUrl(site, archiveFolder(spec.path, month)) } } : shape;
      return RENDERERS[output.format](linked, count === items.length ? items : items.slice(0, count), site);
    };
    // A file only grows with its items, and below the last count every one carries the same link.
    const { body, shown } = fitCount(render, bound, feedBytes);
    if (shown < items.length) options.onOverBudget?.({ path: output.file, shown, left: items.length - shown, feedBytes });
    files.push({ path: output.file, body, contentType: CONTENT_TYPES[output.format], shown, ...(archived ? { render, feedBytes } : {}) });
  }
  if (archive) {
    // Every format carries the same articles, so each archive month holds the same ones in all three.
    const shared = files.filter((f) => f.render);
    let carried = Math.min(...shared.map((f) => f.shown));
    while (shared.some((f) => f.shown !== carried)) {
      for (const file of shared) {
        if (file.shown === carried) continue;
        ({ body: file.body, shown: file.shown } = fitCount(file.render as (count: number) => string, carried, file.feedBytes as number));
      }
      carried = Math.min(...shared.map((f) => f.shown));
    }
    archive.onCarried?.(carried);
  }
  for (const file of files) if (options.check !== false) checkFeed(file.path, file.body);
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
  if (everything) {
    // The months of what the current files do not carry, newest first, each with its neighbours.
    const months = new Map<string, Article[]>();
    for (const entry of everything.slice(buildCarried)) {
      const month = monthOf(entry);
      const list = months.get(month) ?? [];
      list.push(entry);
      months.set(month, list);
    }
    const keys = [...months.keys()];
    const paged = keys.filter((month) => pageCount((months.get(month) as Article[]).length, site.archivePageItems) > 1);
    for (const month of keys) {
      for (const page of monthPages(month, months.get(month) as Article[], neighbours(keys, month, paged), site.archivePageItems)) {
        for (const file of renderArchivePage(spec.path, page, site)) {
          if (options.check !== false) checkFeed(file.path, file.body);
          out.push(file);
        }
      }
    }
  }
  return out;
}

/**
 * The three documents of one archive page (RFC 5005, src/archive.ts): its entries (archive entries, newest
 * first), marked fh:archive, linking the current document and the pages next to it. Named as its newest
 * entry spells the scope, so a page's documents depend on the page alone. A page with no entries (a month
 * emptied by takedowns, or a page it no longer needs) is an empty archive document.
 */
export function renderArchivePage(scopePath: string, page: ArchivePage, site: SiteConfig): OutputFile[] {
  const named = page.entries[0] ? scopeName(page.entries[0], scopePath) : null;
  const spec = scopeSpec(site, scopePath, named);
  const folder = archiveFolder(scopePath, page.key);
  const shape: FeedSpec = {
    ...spec,
    title: `${spec.title} (archive ${page.key})`,
    selfUrls: selfUrls(site, folder),
    history: {
      archive: true,
      current: folderUrl(site, scopePath),
      ...(page.prev ? { prev: folderUrl(site, archiveFolder(scopePath, page.prev)) } : {}),
      ...(page.next ? { next: folderUrl(site, archiveFolder(scopePath, page.next)) } : {}),
    },
  };
  return FEED_FORMATS.map((format) => ({ path: `${folder}${FEED_FILE_NAMES[format]}`, body: RENDERERS[format](shape, page.entries, site), contentType: CONTENT_TYPES[format] }));
}

const ARCHIVE_DOCUMENT = new RegExp(`(^|/)${ARCHIVE_FOLDER}${PAGE_KEY}/`);

/**
 * Current feed files (not pages, not the news sitemap, not archive documents): what WebSub hubs are told
 * of, and what the byte budgets apply to.
 */
export const isFeedFile = (path: string) => !path.endsWith(`/${PAGE_FILE}`) && path !== PAGE_FILE && path !== NEWS_SITEMAP_FILE && !ARCHIVE_DOCUMENT.test(path);

/** Every feed of the site: site-wide and one per section, newest `limit` articles each. */
export function buildFeeds(articles: readonly Article[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return renderSelected(selectFeeds(articles, site), site, options);
}

/** Renders feeds already chosen (by selectFeeds or a FeedSelector fed article by article). */
export function renderSelected(feeds: readonly { spec: FeedSpec; articles: readonly Article[]; all?: readonly Article[] }[], site: SiteConfig, options: RenderOptions = {}): OutputFile[] {
  return feeds.flatMap(({ spec, articles, all }) => renderFeed(spec, articles, site, all ? { ...options, all } : options));
}
