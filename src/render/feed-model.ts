/** What every renderer needs about a feed and its items, computed once from the model. */
import { createHash } from 'node:crypto';
import type { Article } from '../article.js';
import type { DeletedEntry, FeedSpec } from '../select.js';
import type { SiteConfig } from '../site.js';

/** The RFC 5005 links of a document, in order: current (from an archive), prev-archive, next-archive. */
export function historyRels(history: NonNullable<FeedSpec['history']>): [string, string][] {
  const rels: [string, string][] = [];
  if (history.archive) rels.push(['current', history.current]);
  if (history.prev) rels.push(['prev-archive', history.prev]);
  if (history.next) rels.push(['next-archive', history.next]);
  return rels;
}

/** The signature every format module exports. */
export type FeedRenderer = (feed: FeedSpec, articles: readonly Article[], site: SiteConfig) => string;

/**
 * The newest change among the feed's articles and takedowns: the feed's date, so the same input gives
 * the same bytes.
 */
export function feedUpdated(articles: readonly Article[], deleted: readonly DeletedEntry[] = []): Date {
  let newest = Number.NEGATIVE_INFINITY;
  for (const a of articles) newest = Math.max(newest, Date.parse(a.updated));
  for (const d of deleted) newest = Math.max(newest, Date.parse(d.when));
  // An empty feed (everything taken down) still needs a stable date: the Unix epoch, never "now".
  return new Date(Number.isFinite(newest) ? newest : 0);
}

/**
 * A name-based UUID (RFC 9562 version 5 layout, SHA-1 over a fixed namespace) for articles without a URL:
 * Atom ids must be IRIs, and this one stays the same for the same article id on every build.
 */
export function articleUrn(id: string): string {
  const hex = createHash('sha1').update(`syndicate-feeds:article:${id}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** The id a reader keys the item on: the article's URL (a permalink) or its URN. */
export function entryId(article: Article): string {
  return article.url ?? articleUrn(article.id);
}
