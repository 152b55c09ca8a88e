/**
 * RFC 5005 archives (issue 11): the months of a scope's archive and what a month's documents link. Pure.
 *
 * A site or section scope's current documents (its three files) carry its newest `carried` articles, the
 * same ones in every format; every other live article of the scope is in the archive document of its
 * calendar month (`archive/<YYYY-MM>/`), one per format. A month's documents link the current document,
 * the next older month (prev-archive) and the next newer one (next-archive); the current documents link
 * the month of the first article they do not carry.
 */
import type { Article } from './article.js';
import { ARCHIVE_FOLDER } from './formats.js';

/** An article's archive month: `YYYY-MM` of its publication (UTC). */
export const monthOf = (article: Pick<Article, 'published'>) => new Date(article.published).toISOString().slice(0, 7);

/** The folder of a month's documents under the scope's folder. */
export const archiveFolder = (scopePath: string, month: string) => `${scopePath}${ARCHIVE_FOLDER}${month}/`;

/** A month's neighbours in the archive: the next older and the next newer month (keys `YYYY-MM`). */
export interface MonthLinks {
  older?: string;
  newer?: string;
}

/** The neighbours of `month` among `months` (any order; `month` need not be one of them). */
export function neighbours(months: readonly string[], month: string): MonthLinks {
  let older: string | undefined;
  let newer: string | undefined;
  for (const m of months) {
    if (m < month && (older === undefined || m > older)) older = m;
    if (m > month && (newer === undefined || m < newer)) newer = m;
  }
  return { ...(older ? { older } : {}), ...(newer ? { newer } : {}) };
}

/** An article as an archive document carries it: its summary as its only paragraph, no photos. */
export function archiveEntry(article: Article): Article {
  const { html: _html, ...rest } = article;
  return { ...rest, paragraphs: [article.summary || article.title], quotes: [], photos: [], related: [] };
}
