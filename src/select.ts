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

/** Every feed with its newest `limit` articles, newest first. Sections are grouped by slug. */
export function selectFeeds(articles: readonly Article[], site: SiteConfig): { spec: FeedSpec; articles: Article[] }[] {
  const sorted = [...articles].sort(compareNewestFirst);
  const limit = site.limits.items;
  const sections = new Map<string, { name: string; articles: Article[] }>();
  for (const article of sorted) {
    if (!article.section) continue;
    const slug = sectionSlug(article.section);
    const entry = sections.get(slug) ?? { name: article.section, articles: [] };
    if (entry.articles.length < limit) entry.articles.push(article);
    sections.set(slug, entry);
  }
  const feeds = [{ spec: feedSpec(site, null), articles: sorted.slice(0, limit) }];
  for (const slug of [...sections.keys()].sort()) {
    const entry = sections.get(slug) as { name: string; articles: Article[] };
    feeds.push({ spec: feedSpec(site, entry.name), articles: entry.articles });
  }
  return feeds;
}
