/**
 * A feed's state (state/<feed>/state.json): two windows over what the records imply for this feed, and the
 * hashes of the files rendered from it. Pure: the engine reads records and markers, this decides.
 *
 * - items: live articles of the feed's scope, newest first (published, then id). With `itemsComplete` it
 *   holds every one; without, exactly those no older than its last entry (the window's horizon). It holds
 *   up to limit + slack, so a takedown rarely needs the index; below the limit it is refilled from it.
 * - deleted: withdrawn articles of the scope (tombstones), newest takedown first, up to DELETED_KEPT (the
 *   newest DELETED_SHOWN of them shown; the rest spare a refill when an article comes back), with
 *   the same rule.
 * Every change to an entry comes from a record read after the state was read (see src/syndicator.ts), so
 * the windows converge on what the records say whatever the interleaving.
 */
import { type Article, compareNewestFirst, recentCount, withoutContent } from './article.js';
import { StoreError } from './errors.js';
import type { FeedEntry } from './records.js';
import { entryId } from './render/feed-model.js';
import { isDefaultScope, scopeKind, scopeName, scopeSlug } from './scopes.js';
import type { DeletedEntry } from './select.js';

/** Takedowns shown per feed (Atom tombstones, JSON Feed `_syndicate.deleted`). */
export const DELETED_SHOWN = 50;
/** Takedowns kept in a feed's state: a few beyond those shown, so a revived article costs no refill. */
export const DELETED_KEPT = DELETED_SHOWN + 10;

export interface FeedState {
  format: 2;
  path: string;
  /** The scope's name as its newest article spells it (feed title): section, tag or author; null for the site. */
  section: string | null;
  /**
   * The index holds every article of the scope. Always so for the site and sections (their markers were
   * written from the start); a tag or author scope is indexed once a republish has backfilled it after
   * it was declared (articles stored before then have no marker of it).
   */
  indexed?: boolean;
  /** One more on every write, so a write that changes nothing else still moves the ETag. */
  revision: number;
  items: Article[];
  itemsComplete: boolean;
  deleted: DeletedEntry[];
  deletedComplete: boolean;
  /** sha256 of each file rendered from this state. */
  files: Record<string, string>;
  /** With archives: how many of `items` the current files carry (the same in every format). */
  carried?: number;
  /** With archives: the scope's archive months and what they are owed (src/engine/archives.ts). */
  archive?: ArchiveIndex;
}

/**
 * A scope's archive, as its state knows it. `months`: every month that has held an archived article,
 * newest first (never fewer: a month emptied by takedowns keeps its documents, empty). `owed`: months
 * and the articles whose place in them a writer has changed (they crossed the current files' boundary,
 * or their record changed) and not yet settled, kept until a writer has, so a retry after a failure
 * settles them; an empty list: the month's neighbours changed. `built`: every article stored before
 * archives were on is in its month (a republish backfilled them); until then the current files link no
 * archive. `renderedWith`: the site configuration the months' documents were rendered with.
 */
export interface ArchiveIndex {
  months: string[];
  owed: Record<string, string[]>;
  /** Months of more than one page (their oldest is `<month>-1`, which the next older month links). */
  paged?: string[];
  /** One more each time a backfill is asked for: a backfill ends `built` only if none was asked for since it began. */
  generation?: number;
  built?: boolean;
  renderedWith?: string;
}

export interface WindowLimits {
  /** Items shown. */
  limit: number;
  /** Items kept: limit + slack. */
  keep: number;
  /**
   * Also every item published within `days` of the newest, at most `cap` (the site's news sitemap): the
   * window then holds those too, however many more than `limit` they are.
   */
  recent?: { days: number; cap: number };
  /** Archives are kept: the window also holds the first article past those shown (its month is linked). */
  archive?: boolean;
}

export { recentCount } from './article.js';

/** How many of the newest items the feeds read: the limit, or the recent part when it is longer. */
export function itemsNeeded(items: readonly Pick<Article, 'published'>[], limits: WindowLimits): number {
  return limits.recent ? Math.max(limits.limit, recentCount(items, limits.recent)) : limits.limit;
}

/** How many items the state keeps: what the feeds read, and the slack beyond. */
export function itemsKept(items: readonly Pick<Article, 'published'>[], limits: WindowLimits): number {
  return itemsNeeded(items, limits) + (limits.keep - limits.limit);
}

export function emptyState(path: string): FeedState {
  // Not complete: a new state is filled from the index before it is first written.
  return { format: 2, path, section: null, revision: 0, items: [], itemsComplete: false, deleted: [], deletedComplete: false, files: {} };
}

/** Reads a state; format 1 (before the windows) reads as windows that must be refilled from the index. */
export function parseState(body: Buffer, key: string): FeedState {
  try {
    const state = JSON.parse(body.toString('utf8')) as Omit<Partial<FeedState>, 'format'> & { format: number };
    if ((state.format !== 1 && state.format !== 2) || !Array.isArray(state.items) || typeof state.path !== 'string') throw new Error('unknown format');
    return {
      format: 2,
      path: state.path,
      section: state.section ?? null,
      revision: state.revision ?? 0,
      items: state.items,
      itemsComplete: state.format === 2 ? state.itemsComplete === true : false,
      deleted: Array.isArray(state.deleted) ? state.deleted : [],
      deletedComplete: state.format === 2 ? state.deletedComplete === true : false,
      files: state.files ?? {},
      ...(state.indexed === true ? { indexed: true } : {}),
      ...(typeof state.carried === 'number' ? { carried: state.carried } : {}),
      ...(state.archive && Array.isArray(state.archive.months) && typeof state.archive.owed === 'object' ? { archive: state.archive } : {}),
    };
  } catch (cause) {
    throw new StoreError(key, 'feed state is unreadable', { cause });
  }
}

export const compareDeleted = (a: DeletedEntry, b: DeletedEntry) => {
  const byWhen = Date.parse(b.when) - Date.parse(a.when);
  return byWhen !== 0 ? byWhen : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

export function tombstoneOf(article: Article, when: string): DeletedEntry {
  return {
    id: article.id,
    entryId: entryId(article),
    when: new Date(when).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    section: article.section,
    // What MSN's expired item repeats (src/render/partners/msn.ts).
    title: article.title,
    url: article.url,
    published: article.published,
  };
}

/**
 * Inserts in order when the entry is inside the window; trims to `max` (of the list with it). Returns the
 * list and completeness.
 */
function insert<T>(list: T[], complete: boolean, entry: T, max: (list: T[]) => number, compare: (a: T, b: T) => number): { list: T[]; complete: boolean } {
  const last = list[list.length - 1];
  // Outside the window (older than its horizon): the index has it; a refill would bring it in.
  if (!complete && (last === undefined || compare(entry, last) > 0)) return { list, complete };
  const next = [...list, entry].sort(compare);
  const keep = max(next);
  return next.length > keep ? { list: next.slice(0, keep), complete: false } : { list: next, complete };
}

/** Sets what the feed shows of one article, as its record (read after the state) says. */
export function placeEntry(state: FeedState, id: string, entry: FeedEntry, limits: WindowLimits): void {
  state.items = state.items.filter((a) => a.id !== id);
  state.deleted = state.deleted.filter((d) => d.id !== id);
  if (entry?.kind === 'item') {
    ({ list: state.items, complete: state.itemsComplete } = insert(state.items, state.itemsComplete, entry.article, (items) => itemsKept(items, limits), compareNewestFirst));
  } else if (entry?.kind === 'tomb') {
    ({ list: state.deleted, complete: state.deletedComplete } = insert(state.deleted, state.deletedComplete, tombstoneOf(entry.article, entry.when), () => DELETED_KEPT, compareDeleted));
  }
}

/** An item kept for its place in the window only: past the feed's byte budget, so never rendered. */
export type LeanArticle = Article & { lean: number };

export function isLean(article: Article): article is LeanArticle {
  return (article as Partial<LeanArticle>).lean !== undefined;
}

/**
 * What an item writes in every format at least, in characters (each at least a byte in UTF-8): its
 * paragraphs, its photos' captions and credits, its quotes and related stories. Every one of them is
 * in each format's item (content HTML, media:description and media:credit, JSON Feed's _syndicate).
 */
export function weightOf(article: Article): number {
  if (isLean(article)) return article.lean;
  let weight = 0;
  for (const p of article.paragraphs) weight += p.length;
  for (const photo of article.photos) weight += (photo.caption?.length ?? 0) + (photo.credit?.length ?? 0);
  for (const q of article.quotes) weight += q.text.length + (q.speaker?.length ?? 0) + (q.role?.length ?? 0);
  for (const r of article.related) weight += r.label.length + r.title.length + (r.url?.length ?? 0);
  return weight;
}

export function leanArticle(article: Article): LeanArticle {
  return { ...withoutContent(article), lean: weightOf(article) };
}

/**
 * Keeps the state's memory within the feed's byte budget whatever the articles' sizes: the items whose
 * cumulative weight is over `feedBytes` cannot be in any of the feed's files, so they keep only their
 * place (lean). Returns the lean items that now fall inside the budget (a newer item went): their records
 * must be read again for their content.
 */
export function applyByteWindow(state: FeedState, feedBytes: number): string[] {
  const fill: string[] = [];
  let total = 0;
  state.items.forEach((item, i) => {
    total += weightOf(item);
    if (total > feedBytes) {
      if (!isLean(item)) state.items[i] = leanArticle(item);
    } else if (isLean(item)) {
      fill.push(item.id);
    }
  });
  return fill;
}

/**
 * Which windows are short of what they should show and not known to be complete: fewer items than the
 * limit, or (a recent part) all of them recent yet fewer than its cap, so the index may hold more.
 */
export function windowsToRefill(state: FeedState, limits: WindowLimits): { items: boolean; deleted: boolean } {
  const { items } = state;
  const recentShort = limits.recent !== undefined && items.length < limits.recent.cap && recentCount(items, limits.recent) === items.length && items.length > 0;
  const short = items.length < limits.limit + (limits.archive ? 1 : 0);
  return { items: !state.itemsComplete && (short || recentShort), deleted: !state.deletedComplete && state.deleted.length < DELETED_SHOWN };
}

/**
 * A window rebuilt from the index: `found` are the valid entries of the first markers, in order, read
 * fresh; `exhausted` says the listing reached its end. Entries already held and not read fresh are kept
 * (a marker can lag its record only for records written before markers named revisions).
 */
export function refilled<T>(held: readonly T[], found: readonly T[], freshIds: ReadonlySet<string>, exhausted: boolean, max: number, compare: (a: T, b: T) => number, idOf: (t: T) => string): { list: T[]; complete: boolean } {
  const byId = new Map<string, T>();
  for (const entry of held) if (!freshIds.has(idOf(entry))) byId.set(idOf(entry), entry);
  for (const entry of found) byId.set(idOf(entry), entry);
  const all = [...byId.values()].sort(compare);
  return { list: all.slice(0, max), complete: exhausted && all.length <= max };
}

/** A scope feed's title follows its newest article's spelling of the scope (a section: else its newest takedown's). */
export function nameSection(state: FeedState): void {
  if (state.path === '') return;
  const newest = state.items[0];
  const fromTakedown = scopeKind(state.path) === 'section' ? state.deleted[0]?.section : undefined;
  state.section = (newest ? scopeName(newest, state.path) : null) ?? fromTakedown ?? state.section;
}

/** The scope feed's name: as its articles spell it, else as its path does. */
export function sectionName(state: Pick<FeedState, 'path' | 'section'>): string | null {
  return state.path === '' ? null : (state.section ?? scopeSlug(state.path));
}

/** Whether the index is known to hold every article of the state's scope (see FeedState.indexed). */
export const isIndexed = (state: Pick<FeedState, 'path' | 'indexed'>) => isDefaultScope(state.path) || state.indexed === true;

/** The state without what changes on every write (revision) and what is derived (file hashes). */
export function content(state: FeedState): string {
  return JSON.stringify({ ...state, revision: 0, files: {} });
}
