/**
 * Feed states and files. A feed's state is changed by compare-and-swap, and every entry a writer sets
 * comes from a record read after it read the state. Writers of a record write (`forced`) the states of its
 * feeds even when nothing in them changes, so any writer that read the record before a change loses its
 * compare-and-swap and reads it again (docs/decisions.md has the argument). Files are rendered from the
 * committed state; a writer that finds the state moved on while it wrote writes the newer state's too.
 */
import { type Article, compareNewestFirst } from '../article.js';
import { type OverBudget, renderFeed } from '../build.js';
import { describeError, StoreError } from '../errors.js';
import {
  applyByteWindow,
  compareDeleted,
  content,
  DELETED_KEPT,
  DELETED_SHOWN,
  emptyState,
  type FeedState,
  isIndexed,
  isLean,
  itemsKept,
  itemsNeeded,
  recentCount,
  leanArticle,
  nameSection,
  parseState,
  placeEntry,
  refilled,
  sectionName,
  tombstoneOf,
  type WindowLimits,
  weightOf,
  windowsToRefill,
} from '../feed-state.js';
import { ARTICLES, INDEX, type MarkerKind, markerPrefix, monthOfStateKey, monthStatePrefix, parseMarker, STATE, stateKey, TOMBS } from '../layout.js';
import { entryOf, isValidRecord, type StoredRecord, wantedMarkers } from '../records.js';
import { monthOf, neighbours } from '../archive.js';
import { fitToBudget } from '../render/content.js';
import { isDefaultScope } from '../scopes.js';
import { scopeSpec } from '../select.js';
import { outputsOf, scopeBudget, type SiteConfig } from '../site.js';
import { PreconditionFailedError } from '../storage/object-store.js';
import { backoffMs, type Engine, inBatches, mapLimited, type RecordCache, sha256, stable, union } from './common.js';
import { ARCHIVE_CACHE_CONTROL, Archives, changeFeedState } from './archives.js';
import { type Rendered, writeFiles } from './files.js';
import type { RecordStore } from './record-store.js';

/** Parallel record reads when refilling or republishing a feed. */
const READ_CONCURRENCY = 16;

export interface FeedSettings {
  site: SiteConfig;
  /** Where feed files go in the bucket, e.g. `feeds/`. */
  feedPrefix: string;
  cacheControl: string;
  /** Articles kept in a feed's state beyond its limit, so a takedown rarely needs a refill. */
  slack: number;
  /** Cache-Control of archive months that have a newer month (default ARCHIVE_CACHE_CONTROL). */
  archiveCacheControl?: string;
}

/**
 * `touched`: records whose entries this writer sets (read after the state, on every attempt).
 * `forced`: write the state even if nothing changed (writers of a record do).
 * `full`: re-read every entry and rebuild both windows from the index (republish).
 */
export interface FeedUpdate {
  touched: readonly string[];
  forced: boolean;
  full: boolean;
  /** Write the state (and its files) even when empty, if there is none yet: a declared feed exists. */
  create?: boolean;
  /** true: the index now holds every article of the scope (a backfill just ran); false: it may not. */
  indexed?: boolean;
  /** The archive months earlier revisions of the touched records were in (their records' pendingMonths). */
  months?: readonly string[];
  /**
   * Archive bookkeeping: months found in the index (registered, not owed: the republish settles them), a
   * backfill asked for (built false) or done (built true, if its `generation` is still the state's), what
   * the months are rendered with.
   */
  archive?: { register?: readonly string[]; built?: boolean; generation?: number; renderedWith?: string };
}

/** What the archive's part of a write needs of the state as it was read, and of how it was read. */
interface ArchiveBefore {
  /** What the current files carried (null: not known, archives just turned on or the state rebuilt). */
  carriedBefore: { id: string; published: string }[] | null;
  windowBefore: { id: string; published: string }[];
  /** The records this write read (after the state). */
  fresh: Map<string, StoredRecord | null>;
  /** The state is written for the first time, by a publish (its articles were all written with archives on). */
  created: boolean;
  /** Written anew over month states that exist (lost, or unreadable): they need a backfill. */
  orphaned: boolean;
}

interface Committed {
  etag: string;
  /** The archive months the committed state owes (settled after its files are written). */
  owed?: Record<string, string[]>;
  /** The state committed (a copy: its owed months are cleared from it once settled). */
  state?: FeedState;
  /** The previous state's file hashes; null: compare every file with the stored one. */
  previousFiles: Record<string, string> | null;
  rendered: Rendered;
}

export class Feeds {
  private readonly archives: Archives;

  constructor(
    private readonly engine: Engine,
    private readonly settings: FeedSettings,
    private readonly records: RecordStore,
  ) {
    this.archives = new Archives(engine, { ...settings, archiveCacheControl: settings.archiveCacheControl ?? ARCHIVE_CACHE_CONTROL }, records);
  }

  /**
   * Articles were stored without their feeds' updates (an import): the archives of their scopes must be
   * backfilled by the next republish, and link nothing until then.
   */
  async archivesOwedBackfill(paths: readonly string[], cache: RecordCache): Promise<void> {
    for (const path of paths.filter((p) => this.archiving(p))) await this.update(path, { touched: [], forced: true, full: false, create: true, archive: { built: false } }, cache);
  }

  /** Whether the scope keeps an RFC 5005 archive: the site's and sections', when the site asks for one. */
  private archiving(path: string): boolean {
    return this.settings.site.archives && isDefaultScope(path);
  }

  /**
   * What the scope's state keeps: the most items any of its files shows, and some slack; the site's also
   * every article of the news sitemap's days (src/render/news-sitemap.ts).
   */
  private limitsFor(path: string): WindowLimits {
    return this.scope(path).limits;
  }

  /** The scope's budgets for its state: the largest of its files'. */
  private budget(path: string): { feedBytes: number; itemChars: number } {
    return this.scope(path).budget;
  }

  /** Both, worked out once per scope (the settings never change; they are asked for per record read). */
  private readonly scopes = new Map<string, { limits: WindowLimits; budget: { feedBytes: number; itemChars: number } }>();

  private scope(path: string): { limits: WindowLimits; budget: { feedBytes: number; itemChars: number } } {
    let scope = this.scopes.get(path);
    if (!scope) {
      const { site } = this.settings;
      const { items: limit, feedBytes, itemChars } = scopeBudget(site, path);
      const sitemap = path === '' ? site.newsSitemap : null;
      // With archives the window holds at least one past those shown: the current files link its month.
      const archive = this.archiving(path);
      const slack = archive ? Math.max(1, this.settings.slack) : this.settings.slack;
      const limits = { limit, keep: limit + slack, ...(sitemap ? { recent: { days: sitemap.days, cap: sitemap.maxItems } } : {}), ...(archive ? { archive } : {}) };
      scope = { limits, budget: { feedBytes, itemChars } };
      this.scopes.set(path, scope);
    }
    return scope;
  }

  /**
   * Every feed that has a state, a live article or a takedown, and every declared one: O(feeds) listings,
   * never the archive.
   */
  async paths(): Promise<string[]> {
    const roots = ['sections/', 'tags/', 'authors/'];
    const found = await Promise.all([STATE, INDEX, TOMBS].flatMap((top) => roots.map((root) => this.engine.store.listPrefixes(`${top}${root}`))));
    const declared = this.settings.site.feeds.map((feed) => feed.scopePath);
    return [...new Set(['', ...declared, ...found.flat().map((p) => p.slice(p.indexOf('/') + 1))])].sort();
  }

  /**
   * Rebuilds one feed from the index (a republish). A declared tag or author scope the index does not yet
   * hold whole (declared after articles were stored) is backfilled first: every record is read once and
   * given its marker for the scope. That is O(archive), once per scope declared.
   */
  async republish(path: string, cache: RecordCache, options: { reindex?: boolean } = {}): Promise<string[]> {
    const declared = this.settings.site.feeds.some((feed) => feed.scopePath === path);
    // A tag or author scope no longer declared gets no markers from now on: its state says so (indexed
    // cleared), so declaring it again backfills it.
    if (isDefaultScope(path)) {
      const written = await this.update(path, { touched: [], forced: false, full: true, create: declared }, cache);
      if (this.archiving(path)) return [...written, ...(await this.republishArchive(path, cache))].sort();
      return [...written, ...(await this.purgeArchive(path, cache))].sort();
    }
    if (!declared) return this.update(path, { touched: [], forced: false, full: true, create: false, indexed: false }, cache);
    const current = await this.engine.store.get(stateKey(path));
    let indexed = false;
    try {
      indexed = current !== null && isIndexed(parseState(current.body, stateKey(path))) && !options.reindex;
    } catch {
      // An unreadable state is rebuilt, and the scope backfilled with it.
    }
    if (!indexed) {
      // Said first, so a backfill cut short is done again by the next republish.
      if (current !== null && options.reindex) await this.update(path, { touched: [], forced: true, full: false, indexed: false }, cache);
      await this.backfill(path, cache);
    }
    return this.update(path, { touched: [], forced: !indexed, full: true, create: true, indexed: true }, cache);
  }

  /**
   * Archives turned off: the archive is dropped from the feed state (its current files link none), then
   * each month is settled without it, which empties its documents (a writer that read the state before
   * settles the same way), so no article stays public in a document nothing maintains. A later turn on
   * backfills from the index.
   */
  private async purgeArchive(path: string, cache: RecordCache): Promise<string[]> {
    let months: string[] = [];
    const dropped = await changeFeedState(this.engine, path, async (state) => {
      if (!state.archive) return false;
      months = state.archive.months;
      delete state.archive;
      delete state.carried;
      return true;
    });
    if (!dropped) return [];
    // And the months the list forgot (a feed state lost or rebuilt): no document is left unmaintained.
    const all = [...new Set([...months, ...(await this.monthsWithState(path))])].sort();
    const emptied = await this.archives.settleAll(path, all, new Map(), cache, { held: true, purge: true });
    this.engine.log.info('archive emptied: archives are off', { feed: path, months: all.length });
    // The current files, rendered again without the boundary.
    return [...emptied.flat(), ...(await this.update(path, { touched: [], forced: true, full: false }, cache))].sort();
  }

  /**
   * A republish's part of the archive. Archives just turned on (not `built`): every live article of the
   * scope, from the index, is placed in its month (O(archive), once), then the current files link them.
   * The site configuration changed since the months were rendered: each month is rendered again (read,
   * and written if it differs). Otherwise nothing: the feed's update settled what it owed.
   */
  private async republishArchive(path: string, cache: RecordCache): Promise<string[]> {
    const key = stateKey(path);
    const stored = await this.engine.store.get(key);
    if (!stored) return [];
    const index = parseState(stored.body, key).archive;
    const renderedWith = this.archives.renderedWith;
    if (index?.built && index.renderedWith === renderedWith) return [];
    const written: string[] = [];
    const byMonth = new Map<string, string[]>();
    // Said first (a writer of the old configuration then leaves what it renders owed), with the backfill's
    // generation: an import or a lost month after this point asks for another backfill, which this one's
    // end must not hide.
    const generation = index?.generation ?? 0;
    if (!index?.built) {
      for (const k of await this.listAll(markerPrefix('live', path))) {
        const marker = parseMarker('live', path, k);
        if (!marker) continue;
        const month = monthOf({ published: new Date(marker.time).toISOString() });
        const ids = byMonth.get(month);
        if (ids) ids.push(marker.id);
        else byMonth.set(month, [marker.id]);
      }
      // And every month that has a state (a feed state lost or rebuilt forgets its list): what it holds is
      // settled too (a withdrawn article in it taken out).
      for (const month of await this.monthsWithState(path)) if (!byMonth.has(month)) byMonth.set(month, []);
    }
    written.push(...(await this.update(path, { touched: [], forced: true, full: false, archive: { register: [...byMonth.keys()], renderedWith } }, cache)));
    const latest = await this.engine.store.get(key);
    const months = latest ? (parseState(latest.body, key).archive?.months ?? []) : [];
    written.push(...(await this.archives.settleAll(path, months, byMonth, cache, { held: !index?.built })).flat());
    written.push(...(await this.update(path, { touched: [], forced: true, full: false, archive: { built: true, generation } }, cache)));
    this.engine.log.info('archive settled', { feed: path, months: months.length, backfilled: !index?.built });
    return written;
  }

  /** Every key under a prefix, a page of 1,000 at a time. */
  private async listAll(prefix: string): Promise<string[]> {
    const all: string[] = [];
    for (let after: string | undefined; ; ) {
      const keys = await this.engine.store.list(prefix, 1000, after);
      all.push(...keys);
      if (keys.length < 1000) return all;
      after = keys[keys.length - 1];
    }
  }

  /** The months of the scope that have a state (the feed state's list may have forgotten some). */
  private async monthsWithState(path: string): Promise<string[]> {
    return (await this.listAll(monthStatePrefix(path))).flatMap((k) => monthOfStateKey(path, k) ?? []);
  }

  /**
   * Gives every stored article of the scope its marker there. A marker names its record's revision, so one
   * written here for a revision that has since moved on is never wanted: the next refill deletes it.
   */
  private async backfill(path: string, cache: RecordCache): Promise<void> {
    const { store, log } = this.engine;
    let after: string | undefined;
    let read = 0;
    let marked = 0;
    for (;;) {
      const keys = await store.list(ARTICLES, 1000, after);
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      const ids = keys.filter((k) => k.endsWith('.json')).map((k) => k.slice(ARTICLES.length, -'.json'.length));
      await inBatches(ids, READ_CONCURRENCY, async (batch) => {
        const records = await Promise.all(batch.map((id) => this.records.read(id, cache, { forFeed: true })));
        const markers = records.flatMap((record) => wantedMarkers(record, this.engine.declared).filter((key) => key.startsWith(`${INDEX}${path}`) || key.startsWith(`${TOMBS}${path}`)));
        // The records are not kept: a backfill of 100,000 articles holds one batch at a time.
        for (const id of batch) cache.delete(id);
        await Promise.all(markers.map((key) => store.put(key, '')));
        read += batch.length;
        marked += markers.length;
      });
      if (keys.length < 1000) break;
    }
    log.info('feed backfilled from the stored articles', { feed: path, read, marked });
  }

  /** Brings one feed's state up to date with the records by compare-and-swap, then writes its files. */
  async update(path: string, how: FeedUpdate, cache: RecordCache): Promise<string[]> {
    const { store, log, maxAttempts } = this.engine;
    const key = stateKey(path);
    let committed: Committed | undefined;
    for (let attempt = 1; attempt <= maxAttempts && !committed; attempt++) {
      const current = await store.get(key);
      let state: FeedState;
      let rebuilt = false;
      try {
        state = current ? parseState(current.body, key) : emptyState(path);
      } catch (error) {
        // Derived data: an unreadable state (after a retry, in case the read was torn) is rebuilt.
        if (attempt < 3) {
          await this.engine.sleep(backoffMs(attempt));
          continue;
        }
        log.error('unreadable feed state rebuilt from the index', { key, reason: describeError(error) });
        state = emptyState(path);
        rebuilt = true;
      }
      if (how.indexed === true) state.indexed = true;
      else if (how.indexed === false) delete state.indexed;
      if (how.archive && this.archiving(path)) {
        const index = state.archive ?? { months: [], owed: {} };
        // Built only if no one asked for another backfill since this one began (the generation moved).
        const built = how.archive.built === true && how.archive.generation !== undefined && (index.generation ?? 0) !== how.archive.generation ? undefined : how.archive.built;
        // Asked for a backfill: a new generation.
        const generation = how.archive.built === false ? (index.generation ?? 0) + 1 : index.generation;
        state.archive = { ...index, ...(built !== undefined ? { built } : {}), ...(generation !== undefined ? { generation } : {}), ...(how.archive.renderedWith !== undefined ? { renderedWith: how.archive.renderedWith } : {}) };
      }
      // What the current files carried before this write (for the articles that cross the boundary).
      const carriedBefore = state.carried === undefined ? null : state.items.slice(0, state.carried).map((a) => ({ id: a.id, published: a.published }));
      const windowBefore = state.items.map((a) => ({ id: a.id, published: a.published }));
      const before = content(state);
      const previousFiles = state.files;
      const ids = union(how.touched, how.full ? [...state.items.map((a) => a.id), ...state.deleted.map((d) => d.id)] : []);
      const fresh = new Map<string, StoredRecord | null>();
      // Read and placed a batch at a time, in order, so at most a batch of articles is held whole beyond
      // what the byte window keeps.
      await inBatches(ids, READ_CONCURRENCY, async (batch) => {
        await Promise.all(batch.map(async (id) => fresh.set(id, await this.readForFeed(id, path, cache))));
        for (const id of batch) {
          // A takedown whose record is gone was made before records were kept on takedown: it stays.
          if (fresh.get(id) == null && how.full && state.deleted.some((d) => d.id === id)) continue;
          placeEntry(state, id, entryOf(fresh.get(id) ?? null, path), this.limitsFor(path));
        }
        this.keepLean(state, fresh);
      });
      const refill = how.full ? { items: true, deleted: true } : windowsToRefill(state, this.limitsFor(path));
      if (refill.items) await this.refillWindow('live', state, fresh, cache);
      if (refill.deleted) await this.refillWindow('tomb', state, fresh, cache);
      await this.fitByteWindow(state, fresh, cache);
      // A republish that finds nothing for a feed that never existed (markers left by a publish that failed)
      // creates no empty public feed.
      if (!current && !how.forced && !how.create && state.items.length === 0 && state.deleted.length === 0) return [];
      nameSection(state);
      const rendered = this.render(state);
      state.files = rendered.hashes;
      if (this.keepsArchive(state)) {
        // A state written anew (lost, or unreadable) over months that already exist: their articles must be
        // backfilled from the index, not taken as settled.
        const anew = state.archive === undefined && (current === null || rebuilt);
        const orphaned = anew && (rebuilt || (await store.list(monthStatePrefix(path), 1)).length > 0);
        this.bookArchive(state, how, { carriedBefore, windowBefore, fresh, created: current === null && !orphaned, orphaned });
      }
      else delete state.carried;
      const unchanged = current !== null && before === content(state) && stable(previousFiles) === stable(state.files);
      if (unchanged && !how.forced) {
        committed = { etag: current.etag, previousFiles: null, rendered, ...(state.archive ? { owed: state.archive.owed, state: structuredClone(state) } : {}) };
        break;
      }
      state.revision += 1;
      try {
        const etag = await store.put(key, stable(state), { contentType: 'application/json', ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
        committed = { etag, previousFiles: current ? previousFiles : {}, rendered, ...(state.archive ? { owed: state.archive.owed, state: structuredClone(state) } : {}) };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.engine.sleep(backoffMs(attempt));
      }
    }
    if (!committed) throw new StoreError(key, `gave up after ${maxAttempts} concurrent updates`);
    // The archive's months are settled beside the feed's files (they need only the committed state).
    const owed = committed.owed && Object.keys(committed.owed).length > 0;
    const [written, archived] = await Promise.all([this.writeCommitted(key, committed), owed ? this.archives.settle(path, committed.owed as Record<string, string[]>, cache) : { written: [] as string[], failed: [] as string[], error: undefined as unknown }]);
    // Then said in the state (after the files: a write of the state before would send the feed's own writer
    // round again); a month that failed stays owed.
    if (owed) await this.clearOwed(path, committed, archived.failed);
    if (archived.error !== undefined) throw archived.error;
    return [...written, ...archived.written].sort();
  }

  /**
   * The archive's part of a write (src/engine/archives.ts): the months owed for the articles that crossed
   * the current files' boundary (carried before and not now, or the other way) and for the records this
   * writer changed; months that will hold one of them are added to the list, and their neighbours are owed
   * their links.
   */
  private bookArchive(state: FeedState, how: FeedUpdate, before: ArchiveBefore): void {
    const { carriedBefore, windowBefore, fresh, created, orphaned } = before;
    // Needs no backfill: a scope whose state a publish creates (every article of it was written with
    // archives on, each by a writer that settles it; an import says otherwise, see Syndicator.importArticles),
    // or whose window holds every article it has (settling the window is enough).
    const index = state.archive ?? { months: [], owed: {}, ...(!orphaned && ((created && how.touched.length > 0) || state.itemsComplete) ? { built: true } : {}) };
    const owed: Record<string, Set<string>> = {};
    for (const [month, ids] of Object.entries(index.owed)) owed[month] = new Set(ids);
    const owe = (month: string, id?: string) => {
      owed[month] ??= new Set();
      if (id !== undefined) owed[month].add(id);
    };
    const carriedNow = state.items.slice(0, state.carried ?? 0);
    const nowIds = new Set(carriedNow.map((a) => a.id));
    const months = new Set(index.months);
    // An article the archive will hold (not carried): its month joins the list.
    const listMonthOf = (article: { id: string; published: string }) => {
      if (!nowIds.has(article.id)) months.add(monthOf(article));
    };
    // Without a record of what was carried (archives just turned on, a state rebuilt), every article the
    // window held or holds is settled.
    const beforeIds = carriedBefore ? new Set(carriedBefore.map((a) => a.id)) : null;
    const crossing = beforeIds === null ? [...windowBefore, ...state.items] : [...(carriedBefore ?? []).filter((a) => !nowIds.has(a.id)), ...carriedNow.filter((a) => !beforeIds.has(a.id))];
    const placeOf = new Map(state.items.map((a) => [a.id, a]));
    const wasAt = new Map(windowBefore.map((a) => [a.id, a]));
    for (const article of crossing) {
      owe(monthOf(article), article.id);
      const now = placeOf.get(article.id);
      if (now) {
        owe(monthOf(now), article.id);
        listMonthOf(now);
      } else if (!fresh.has(article.id) || entryOf(fresh.get(article.id) ?? null, state.path)?.kind === 'item') {
        // Past the window now (a republish with a smaller limit), not taken down: in its month.
        listMonthOf(article);
      }
    }
    for (const id of how.touched) {
      // Carried before and after, and no month left behind: in no month, so none to settle.
      if (beforeIds?.has(id) && nowIds.has(id) && (how.months ?? []).length === 0) continue;
      for (const month of how.months ?? []) owe(month, id);
      const old = wasAt.get(id);
      if (old) owe(monthOf(old), id);
      const record = fresh.get(id) ?? null;
      if (isValidRecord(record) && record.article) {
        owe(monthOf(record.article), id);
        if (entryOf(record, state.path)?.kind === 'item') listMonthOf({ id, published: record.article.published });
      }
    }
    // Months a republish found in the index: it settles every month itself, so they are not owed.
    const registered = new Set(how.archive?.register ?? []);
    for (const month of registered) months.add(month);
    // A month new to the list changes its neighbours' links.
    const list = [...months].sort().reverse();
    for (const month of list) {
      if (index.months.includes(month) || registered.has(month)) continue;
      owe(month);
      const { older, newer } = neighbours(list, month);
      if (older) owe(older);
      if (newer) owe(newer);
    }
    // A month not in the list never held an article (a month joins it in the commit that first archives one
    // of its articles, and never leaves): nothing to take out of it.
    const listed = new Set(list);
    const due = Object.entries(owed).filter(([month]) => listed.has(month));
    state.archive = { ...index, months: list, owed: Object.fromEntries(due.map(([month, ids]) => [month, [...ids].sort()])) };
  }

  /**
   * Whether this write keeps the scope's archive: archives are on, or they were and the republish that
   * turns them off has not yet emptied them (a writer of the old configuration still running, or one of the
   * new before its republish): until then every takedown still leaves the archive documents.
   */
  private keepsArchive(state: FeedState): boolean {
    return this.archiving(state.path) || (isDefaultScope(state.path) && state.archive !== undefined);
  }

  /** The months the committed state owed are settled: says so in the state, if no one has written it since. */
  private async clearOwed(path: string, committed: Committed, failed: readonly string[]): Promise<void> {
    const owed = Object.fromEntries(Object.entries(committed.owed as Record<string, string[]>).filter(([month]) => !failed.includes(month)));
    const mine = committed.state as FeedState;
    if (!mine.archive) return;
    // A writer of another site configuration (a deploy overlap) rendered its months as that one says: left
    // owed, they are settled (rendered again) by the next writer of the configuration the state has.
    if (mine.archive.renderedWith !== undefined && mine.archive.renderedWith !== this.archives.renderedWith) return;
    // Cleared if nothing but the archive's bookkeeping (owed months, the paged list) changed since this
    // writer's commit; else the writer that changed more carries what this one owed and settles it too.
    const besides = (state: FeedState) => stable({ ...state, revision: 0, archive: state.archive ? { ...state.archive, owed: {}, paged: [] } : null });
    const base = besides(mine);
    const clear = (state: FeedState): boolean => {
      if (!state.archive || besides(state) !== base) return false;
      // A month owed only its links, when the paged list moved since: the writer that moved it may owe it again.
      const pagedMoved = stable(state.archive.paged ?? []) !== stable(mine.archive?.paged ?? []);
      const left: Record<string, string[]> = {};
      let cleared = false;
      for (const [month, ids] of Object.entries(state.archive.owed)) {
        const settled = new Set(owed[month] ?? []);
        const rest = ids.filter((id) => !settled.has(id));
        if (rest.length > 0 || !(month in owed) || (ids.length === 0 && pagedMoved)) left[month] = rest;
        else cleared = true;
        if (rest.length < ids.length) cleared = true;
      }
      if (!cleared) return false;
      state.archive = { ...state.archive, owed: left };
      return true;
    };
    // Most often the state is still the one committed: a compare-and-swap on it, with no read.
    const first = structuredClone(mine);
    if (clear(first)) {
      first.revision += 1;
      try {
        await this.engine.store.put(stateKey(path), stable(first), { contentType: 'application/json', ifMatch: committed.etag });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    await changeFeedState(this.engine, path, async (state) => clear(state));
  }

  /**
   * Rebuilds a window from the index: markers in order, each checked against its record (read now). A
   * marker no revision can want again is deleted on the way.
   */
  private async refillWindow(kind: MarkerKind, state: FeedState, fresh: Map<string, StoredRecord | null>, cache: RecordCache): Promise<void> {
    const { store } = this.engine;
    const path = state.path;
    const limits = this.limitsFor(path);
    const prefix = markerPrefix(kind, path);
    const items: Article[] = [];
    const tombs: FeedState['deleted'] = [];
    const count = () => (kind === 'live' ? items.length : tombs.length);
    // How many to gather: the window's keep; with a recent part, one more as long as all gathered are
    // recent and fewer than its cap (whatever the slack: with none, the keep is what was gathered).
    const { recent } = limits;
    const max = () => {
      if (kind !== 'live') return DELETED_KEPT;
      const allRecent = recent !== undefined && items.length < recent.cap && recentCount(items, recent) === items.length;
      return Math.max(itemsKept(items, limits), allRecent ? items.length + 1 : 0);
    };
    let after: string | undefined;
    let exhausted = false;
    const { feedBytes } = this.budget(path);
    let leanWeight = 0;
    while (count() < max() && !exhausted) {
      // Markers are listed a page at a time (at most 1,000 by S3's rule).
      const page = Math.min(1000, max() - count() + 10);
      const keys = await store.list(prefix, page, after);
      exhausted = keys.length < page;
      after = keys[keys.length - 1];
      const markers = keys.map((k) => parseMarker(kind, path, k)).filter((m) => m !== null);
      const records: (StoredRecord | null)[] = [];
      await inBatches(markers, READ_CONCURRENCY, async (batch, start) => {
        const read = await Promise.all(batch.map(async (m) => (fresh.has(m.id) ? (fresh.get(m.id) ?? null) : await this.readForFeed(m.id, path, cache))));
        for (const [i, m] of batch.entries()) fresh.set(m.id, read[i] ?? null);
        records.push(...read);
        // Newest first: past the byte budget, only the place matters (read again if it comes back inside).
        for (const [i, record] of read.entries()) {
          if (!isValidRecord(record) || !record.article || isLean(record.article)) continue;
          leanWeight += weightOf(record.article);
          if (leanWeight > feedBytes) {
            const lean = { ...record, article: leanArticle(record.article) };
            records[start + i] = lean;
            fresh.set((batch[i] as { id: string }).id, lean);
          }
        }
      });
      const stale: string[] = [];
      markers.forEach((marker, i) => {
        const record = records[i] ?? null;
        if (wantedMarkers(record, this.engine.declared).includes(marker.key)) {
          const entry = entryOf(record, path);
          if (entry?.kind === 'item' && kind === 'live') items.push(entry.article);
          if (entry?.kind === 'tomb' && kind === 'tomb') tombs.push(tombstoneOf(entry.article, entry.when));
        } else if (isValidRecord(record) && marker.revision <= record.revision) {
          stale.push(marker.key);
        }
      });
      await Promise.all(stale.map((k) => store.delete(k)));
    }
    // Entries held whose record was read again are replaced by what it says; a legacy takedown (record gone) stays.
    const readAgain = new Set([...fresh].filter(([, record]) => kind === 'live' || record !== null).map(([id]) => id));
    if (kind === 'live') {
      // All of them merged first: how many the window keeps depends on them (its recent part).
      const merged = refilled(state.items, items, readAgain, exhausted, Number.POSITIVE_INFINITY, compareNewestFirst, (a) => a.id);
      const keep = itemsKept(merged.list, limits);
      state.items = merged.list.slice(0, keep);
      state.itemsComplete = merged.complete && merged.list.length <= keep;
    } else {
      ({ list: state.deleted, complete: state.deletedComplete } = refilled(state.deleted, tombs, readAgain, exhausted, DELETED_KEPT, compareDeleted, (d) => d.id));
    }
  }

  /**
   * A record as this feed uses it: its article cut to the feed's item budget. The operation's cache keeps
   * no content of it, so reading thousands of long articles holds at most those being placed.
   */
  private async readForFeed(id: string, path: string, cache: RecordCache): Promise<StoredRecord | null> {
    const record = await this.records.read(id, cache, { forFeed: true });
    if (!isValidRecord(record) || !record.article) return record;
    const { itemChars } = this.budget(path);
    return { ...record, article: fitToBudget(record.article, this.settings.site.publisher, itemChars) };
  }

  /** Records read for this feed keep their article's content only while the state shows it whole. */
  private keepLean(state: FeedState, fresh: Map<string, StoredRecord | null>): void {
    applyByteWindow(state, this.budget(state.path).feedBytes);
    const whole = new Set(state.items.filter((item) => !isLean(item)).map((item) => item.id));
    for (const [id, record] of fresh) {
      if (!whole.has(id) && isValidRecord(record) && record.article && !isLean(record.article)) fresh.set(id, { ...record, article: leanArticle(record.article) });
    }
  }

  /**
   * Items past the feed's byte budget keep only their place; an item that comes inside it again (a newer
   * one went) is read again for its content, from a record read after the state like every entry.
   */
  private async fitByteWindow(state: FeedState, fresh: Map<string, StoredRecord | null>, cache: RecordCache): Promise<void> {
    const { feedBytes } = this.budget(state.path);
    const limits = this.limitsFor(state.path);
    // Each round fills at least one item or ends: at most as many rounds as the window holds.
    const rounds = Math.max(limits.keep, state.items.length);
    for (let round = 0; round <= rounds; round++) {
      const fill = applyByteWindow(state, feedBytes);
      if (fill.length === 0) return;
      await mapLimited(fill, READ_CONCURRENCY, async (id) => {
        const cached = fresh.get(id);
        const record = cached && isValidRecord(cached) && cached.article && !isLean(cached.article) ? cached : await this.readForFeed(id, state.path, cache);
        fresh.set(id, record);
      });
      let moved = false;
      for (const id of fill) {
        const entry = entryOf(fresh.get(id) ?? null, state.path);
        const at = state.items.findIndex((item) => item.id === id);
        const held = state.items[at];
        // The same item at the same place: its content is put back where it is (placing it anew could drop
        // it past the horizon of an incomplete window).
        if (entry?.kind === 'item' && held && compareNewestFirst(entry.article, held) === 0) {
          state.items[at] = entry.article;
        } else {
          placeEntry(state, id, entry, limits);
          moved = true;
        }
      }
      // Its record changed since the state was read: the window may now be short.
      if (moved) {
        const refill = windowsToRefill(state, limits);
        if (refill.items) await this.refillWindow('live', state, fresh, cache);
        if (refill.deleted) await this.refillWindow('tomb', state, fresh, cache);
      }
    }
    throw new StoreError(stateKey(state.path), 'the byte window did not settle');
  }

  /** Writes the committed state's files; if another writer committed since, writes the newer state's too. */
  private async writeCommitted(key: string, committed: Committed): Promise<string[]> {
    const { store, maxAttempts } = this.engine;
    const written = new Set<string>();
    let { etag, rendered, previousFiles } = committed;
    for (let round = 1; round <= maxAttempts; round++) {
      for (const file of await this.writeFiles(rendered, previousFiles)) written.add(file);
      const head = await store.head(key);
      if (!head || head.etag === etag) return [...written].sort();
      const latest = await store.get(key);
      if (!latest) return [...written].sort();
      try {
        rendered = this.render(parseState(latest.body, key));
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        await this.engine.sleep(backoffMs(round));
        continue;
      }
      etag = latest.etag;
      previousFiles = null;
    }
    throw new StoreError(key, `state kept moving after ${maxAttempts} rounds of writing`);
  }

  private render(state: FeedState): Rendered {
    const { site } = this.settings;
    const spec = { ...scopeSpec(site, state.path, sectionName(state)), deleted: state.deleted.slice(0, DELETED_SHOWN) };
    // Checked file by file just before it is written (checking costs as much as rendering).
    const limits = this.limitsFor(state.path);
    const window = state.items.slice(0, limits.limit);
    // Lean items are past the byte budget already (src/feed-state.ts): left out like those renderFeed leaves.
    const shown = window.filter((item) => !isLean(item));
    const notes = new Map<string, OverBudget>();
    // The news sitemap reads the recent part whole (lean items keep their title, URL and date).
    const recent = limits.recent ? state.items.slice(0, itemsNeeded(state.items, limits)) : undefined;
    // With archives: every format carries the same items, and (once backfilled) links the month of the
    // first it does not carry.
    const archive = this.keepsArchive(state)
      ? {
          monthAt: (k: number) => {
            const next = state.items[k];
            return next ? monthOf(next) : null;
          },
          link: this.archiving(state.path) && state.archive?.built === true,
          onCarried: (k: number) => {
            state.carried = k;
          },
        }
      : undefined;
    const files = renderFeed(spec, shown, site, { check: false, onOverBudget: (note) => notes.set(note.path, note), ...(recent ? { recent } : {}), ...(archive ? { archive } : {}) });
    for (const output of outputsOf(site, state.path)) {
      const inWindow = Math.min(window.length, output.items);
      const whole = shown.slice(0, output.items).length;
      const note = notes.get(output.file) ?? { path: output.file, shown: whole, left: 0, feedBytes: output.feedBytes };
      const left = note.left + inWindow - whole;
      if (left > 0) this.engine.log.warn('feed file over its byte budget: oldest items left out', { ...note, left, path: this.settings.feedPrefix + output.file });
    }
    return { files, hashes: Object.fromEntries(files.map((f) => [f.path, sha256(f.body)])) };
  }

  private writeFiles(rendered: Rendered, previous: Record<string, string> | null): Promise<string[]> {
    return writeFiles(this.engine, this.settings.feedPrefix, rendered, previous, () => this.settings.cacheControl);
  }
}
