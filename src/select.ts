/** Which feeds there are and which articles each shows: the whole site, and one per section. */
import { type Article, compareNewestFirst } from './article.js';
import type { SiteConfig } from './site.js';
import { slugify } from './text.js';

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
}

export interface FeedSpec {
  /** '' for the site-wide feed, 'sections/<slug>/' for a section: where its three files go. */
  path: string;
  title: string;
  description: string;
  homeUrl: string;
  /** Absolute URLs of the three files. */
  selfUrls: { rss: string; atom: string; json: string };
  section: string | null;
  /** Recent takedowns from this feed, newest first. */
  deleted: DeletedEntry[];
}

export const FEED_FILES = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;

export function sectionSlug(section: string): string {
  return slugify(section, 60) || 'section';
}

export function feedSpec(site: SiteConfig, section: string | null): FeedSpec {
  const path = section === null ? '' : `sections/${sectionSlug(section)}/`;
  const base = new URL(path, site.feedUrl).toString();
  return {
    path,
    title: section === null ? site.title : `${site.title}: ${section}`,
    description: section === null ? site.description : `${site.description}: ${section}`,
    homeUrl: site.url,
    selfUrls: { rss: base + FEED_FILES.rss, atom: base + FEED_FILES.atom, json: base + FEED_FILES.json },
    section,
    deleted: [],
  };
}

/** The feeds an article belongs to: site-wide, and its section's. */
export function feedPathsOf(article: Pick<Article, 'section'>): string[] {
  return article.section ? ['', `sections/${sectionSlug(article.section)}/`] : [''];
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
 * Chooses each feed's articles as they stream past: memory stays O(feeds x limit) whatever the size of
 * the archive, so a build of 100,000 articles keeps only what the feeds show.
 */
export class FeedSelector {
  private readonly site: Newest;
  private readonly sections = new Map<string, Newest>();

  constructor(private readonly config: SiteConfig) {
    this.site = new Newest(config.limits.items);
  }

  offer(article: Article): void {
    this.site.offer(article);
    if (!article.section) return;
    const slug = sectionSlug(article.section);
    let section = this.sections.get(slug);
    if (!section) {
      section = new Newest(this.config.limits.items);
      this.sections.set(slug, section);
    }
    section.offer(article);
  }

  /** Every feed: site-wide first, then sections by slug; a section is named as its newest article says. */
  feeds(): { spec: FeedSpec; articles: Article[] }[] {
    const feeds = [{ spec: feedSpec(this.config, null), articles: this.site.items }];
    for (const slug of [...this.sections.keys()].sort()) {
      const articles = (this.sections.get(slug) as Newest).items;
      feeds.push({ spec: feedSpec(this.config, articles[0]?.section ?? slug), articles });
    }
    return feeds;
  }
}

/** Every feed with its newest `limit` articles, newest first. Sections are grouped by slug. */
export function selectFeeds(articles: readonly Article[], site: SiteConfig): { spec: FeedSpec; articles: Article[] }[] {
  const selector = new FeedSelector(site);
  for (const article of articles) selector.offer(article);
  return selector.feeds();
}
