/** Which feeds there are and which articles each shows: the site, its sections, declared tags and authors. */
import { archiveEntry } from './archive.js';
import { type Article, compareNewestFirst } from './article.js';
import { FEED_FILE_NAMES } from './formats.js';
import type { ProfileName } from './profiles.js';
import { type DeclaredScopes, feedPathsOf, isDefaultScope, scopeName, scopeSlug, sectionSlug } from './scopes.js';
import { declaredScopes, type FeedOutput, scopeBudget, type SiteConfig } from './site.js';

/** An article taken down: shown to partners where the format allows it (Atom tombstones, JSON). */
export interface DeletedEntry {
  /** The article id. */
  id: string;
  /** The id readers knew it by: its URL or URN (Atom), as in the feeds before. */
  entryId: string;
  /** When it was taken down (ISO 8601). */
  when: string;
  /** Its section as it was spelled (names a section feed that holds only takedowns). */
  section?: string | null;
  /** What MSN's expired item repeats of it (absent in states written before partner feeds). */
  title?: string;
  url?: string | null;
  published?: string;
}

export interface FeedSpec {
  /** The scope's folder ('' for the site-wide feed, 'sections/<slug>/', 'tags/<slug>/', 'authors/<slug>/'). */
  path: string;
  title: string;
  description: string;
  homeUrl: string;
  /** Absolute URLs of the three files (a declared feed: of its own folder). */
  selfUrls: { rss: string; atom: string; json: string };
  /** The scope's name as its articles spell it: the section (tag, author); null for the site. */
  section: string | null;
  /** Recent takedowns from this feed, newest first. */
  deleted: DeletedEntry[];
  /** The partner the file is shaped for (src/render/partners/), if any. */
  profile?: ProfileName | null;
  /** MSN: days a takedown stays as an expired item. */
  takedownDays?: number;
  /**
   * RFC 5005 (src/archive.ts): the folders (absolute URLs ending in `/`) of the current document
   * and of the archive documents next to this one; `archive`: this one is an archive document.
   */
  history?: { archive: boolean; current: string; prev?: string; next?: string };
}

export { FEED_FILE_NAMES as FEED_FILES } from './formats.js';
export { feedPathsOf, sectionSlug } from './scopes.js';

/** A folder's absolute URL (`folder` relative to the feed URL). */
export const folderUrl = (site: Pick<SiteConfig, 'feedUrl'>, folder: string) => new URL(folder, site.feedUrl).toString();

/** The three files' absolute URLs in `folder` (relative to the feed URL). */
export function selfUrls(site: SiteConfig, folder: string): FeedSpec['selfUrls'] {
  const base = folderUrl(site, folder);
  return { rss: base + FEED_FILE_NAMES.rss, atom: base + FEED_FILE_NAMES.atom, json: base + FEED_FILE_NAMES.json };
}

/** The feed of one scope, named as its newest article spells it (`name`; the slug when none does). */
export function scopeSpec(site: SiteConfig, path: string, name: string | null): FeedSpec {
  const label = path === '' ? null : (name ?? scopeSlug(path));
  return {
    path,
    title: label === null ? site.title : `${site.title}: ${label}`,
    description: label === null ? site.description : `${site.description}: ${label}`,
    homeUrl: site.url,
    selfUrls: selfUrls(site, path),
    section: label,
    deleted: [],
  };
}

export function feedSpec(site: SiteConfig, section: string | null): FeedSpec {
  return scopeSpec(site, section === null ? '' : `sections/${sectionSlug(section)}/`, section);
}

/** The scope's feed as one output writes it: a declared feed links its own folder and may be retitled. */
export function outputSpec(spec: FeedSpec, output: FeedOutput, site: SiteConfig): FeedSpec {
  const folder = output.file.slice(0, output.file.lastIndexOf('/') + 1);
  if (output.profile === null && folder === spec.path && output.title === undefined && output.description === undefined) return spec;
  return {
    ...spec,
    selfUrls: selfUrls(site, folder),
    ...(output.title !== undefined ? { title: output.title } : {}),
    ...(output.description !== undefined ? { description: output.description } : {}),
    profile: output.profile,
    takedownDays: output.takedownDays,
  };
}

/** The newest `limit` articles offered to it, newest first, kept by binary insertion. */
class Newest {
  readonly items: Article[] = [];
  constructor(private readonly limit: number) {}

  offer(article: Article): void {
    const items = this.items;
    const last = items[items.length - 1];
    if (items.length >= this.limit && last && compareNewestFirst(article, last) >= 0) return;
    let low = 0;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareNewestFirst(items[mid] as Article, article) <= 0) low = mid + 1;
      else high = mid;
    }
    items.splice(low, 0, article);
    if (items.length > this.limit) items.pop();
  }
}

/**
 * Chooses each scope's articles as they stream past: memory stays O(feeds x limit) whatever the size of
 * the archive, so a build of 100,000 articles keeps only what the feeds show.
 */
export class FeedSelector {
  private readonly scopes = new Map<string, Newest>();
  /** With archives: every article of each default scope as an archive entry, in the order offered. */
  private readonly everything = new Map<string, Article[]>();
  private readonly declared: DeclaredScopes;

  constructor(private readonly config: SiteConfig) {
    this.declared = declaredScopes(config);
    this.scope('');
    // A declared feed exists (empty) even before an article is in its scope.
    for (const feed of config.feeds) this.scope(feed.scopePath);
  }

  private scope(path: string): Newest {
    let newest = this.scopes.get(path);
    if (!newest) {
      // The site's also holds the news sitemap's articles (at most its maxItems).
      const sitemap = path === '' ? this.config.newsSitemap : null;
      newest = new Newest(Math.max(scopeBudget(this.config, path).items, sitemap?.maxItems ?? 0));
      this.scopes.set(path, newest);
    }
    return newest;
  }

  offer(article: Article): void {
    const entry = this.config.archives ? archiveEntry(article) : null;
    for (const path of feedPathsOf(article, this.declared)) {
      this.scope(path).offer(article);
      if (entry && isDefaultScope(path)) {
        const all = this.everything.get(path) ?? [];
        all.push(entry);
        this.everything.set(path, all);
      }
    }
  }

  /**
   * Every scope: site-wide first, then by path; a scope is named as its newest article spells it. With
   * archives, `all`: every article of a site or section scope, newest first, as archive entries.
   */
  feeds(): { spec: FeedSpec; articles: Article[]; all?: Article[] }[] {
    return [...this.scopes.keys()].sort().map((path) => {
      const articles = (this.scopes.get(path) as Newest).items;
      const newest = articles[0];
      const all = this.everything.get(path)?.sort(compareNewestFirst);
      return { spec: scopeSpec(this.config, path, newest ? scopeName(newest, path) : null), articles, ...(all ? { all } : {}) };
    });
  }
}

/** Every feed with its newest articles, newest first. Scopes are grouped by slug. */
export function selectFeeds(articles: readonly Article[], site: SiteConfig): { spec: FeedSpec; articles: Article[] }[] {
  const selector = new FeedSelector(site);
  for (const article of articles) selector.offer(article);
  return selector.feeds();
}
