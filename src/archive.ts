/**
 * RFC 5005 archives (issue 11): the months of a scope's archive, their pages, and what each page links.
 * Pure; rendered by renderArchivePage (src/build.ts), kept by the engine in src/engine/archives.ts.
 *
 * A site or section scope's current documents (its three files) carry its newest `carried` articles, the
 * same ones in every format; every other live article of the scope is in the archive of its calendar month
 * (UTC). A month is cut into pages of at most `pageItems` articles counted from its oldest, so an article
 * arriving at the newest end (pushed out of the current documents) changes only the newest page. The
 * newest page is `archive/<YYYY-MM>/` (so the current documents and the next newer month link it knowing
 * only the month); the older ones are `archive/<YYYY-MM>-1/` (the oldest), `-2/`, and so on. Each page links
 * the current document, the next older page (prev-archive) and the next newer one (next-archive); the
 * oldest page of a month links the newest of the next older month, and the newest page the oldest of the
 * next newer month (`<YYYY-MM>-1/` when that month has more than one page, which is all it needs to know).
 */
import type { Article } from './article.js';
import { ARCHIVE_FOLDER } from './formats.js';
import { truncateAtWord } from './text.js';

/** An archive month's key, `YYYY-MM` (a regular expression's source, for those who check one). */
export const MONTH_KEY = '\\d{4}-\\d{2}';
/** A page's key: its month, or its month and number (`YYYY-MM-n`). */
export const PAGE_KEY = `${MONTH_KEY}(?:-\\d+)?`;

/** An article's archive month: `YYYY-MM` of its publication (UTC). */
export const monthOf = (article: Pick<Article, 'published'>) => new Date(article.published).toISOString().slice(0, 7);

/** The folder of an archive page (`YYYY-MM` or `YYYY-MM-n`) under the scope's folder. */
export const archiveFolder = (scopePath: string, key: string) => `${scopePath}${ARCHIVE_FOLDER}${key}/`;

/** A month's neighbours in the archive: the next older and the next newer month, and whether that one has pages. */
export interface MonthLinks {
  older?: string;
  newer?: string;
  /** The newer month has more than one page: its oldest is `<newer>-1`. */
  newerPaged?: boolean;
}

/** The neighbours of `month` among `months` (any order; `month` need not be one of them); `paged`: months with pages. */
export function neighbours(months: readonly string[], month: string, paged: readonly string[] = []): MonthLinks {
  let older: string | undefined;
  let newer: string | undefined;
  for (const m of months) {
    if (m < month && (older === undefined || m > older)) older = m;
    if (m > month && (newer === undefined || m < newer)) newer = m;
  }
  return { ...(older ? { older } : {}), ...(newer ? { newer, ...(paged.includes(newer) ? { newerPaged: true } : {}) } : {}) };
}

/** One archive document's worth: its key (folder), its entries (newest first) and its neighbours' keys. */
export interface ArchivePage {
  key: string;
  entries: Article[];
  prev?: string;
  next?: string;
}

/** How many pages a month of `count` articles takes. */
export const pageCount = (count: number, pageItems: number) => Math.max(1, Math.ceil(count / pageItems));

/** The pages of one month: `entries` newest first; pages counted from the oldest, the newest named as the month. */
export function monthPages(month: string, entries: readonly Article[], links: MonthLinks, pageItems: number): ArchivePage[] {
  const n = pageCount(entries.length, pageItems);
  const key = (i: number) => (i === n ? month : `${month}-${i}`);
  const oldestFirst = [...entries].reverse();
  const pages: ArchivePage[] = [];
  for (let i = 1; i <= n; i++) {
    const chunk = oldestFirst.slice((i - 1) * pageItems, i * pageItems).reverse();
    const prev = i > 1 ? key(i - 1) : links.older;
    const next = i < n ? key(i + 1) : links.newer ? (links.newerPaged ? `${links.newer}-1` : links.newer) : undefined;
    pages.push({ key: key(i), entries: chunk, ...(prev ? { prev } : {}), ...(next ? { next } : {}) });
  }
  return pages;
}

/**
 * What an archive entry keeps at most: a summary of a few lines, the first bylines and tags. So a page of
 * 500 is about 0.5 MB in RSS, a few MB at worst, whatever the articles (a page over the feeds' byte budget
 * is written, and logged).
 */
export const ARCHIVE_ENTRY = { summary: 600, authors: 10, tags: 20 } as const;

/** An article as an archive document carries it: its summary (cut) as its only paragraph, no photos. */
export function archiveEntry(article: Article): Article {
  const { html: _html, ...rest } = article;
  const summary = truncateAtWord(article.summary || article.title, ARCHIVE_ENTRY.summary);
  return { ...rest, summary, paragraphs: [summary], authors: article.authors.slice(0, ARCHIVE_ENTRY.authors), tags: article.tags.slice(0, ARCHIVE_ENTRY.tags), quotes: [], photos: [], related: [] };
}
