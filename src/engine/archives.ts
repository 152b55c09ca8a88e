/**
 * RFC 5005 archives kept by the engine (issue 11; the shape is src/archive.ts). A scope's feed state says
 * how many articles its current files carry and which months its archive has; each month has a state of
 * its own (state/<feed>/archive/<YYYY-MM>.json): its entries, its neighbours and the hashes of its three
 * documents, which are rendered from it alone.
 *
 * Invariant: once writers are done, a month's state holds exactly the live articles of the scope published
 * in that month that the feed state's current files do not carry, and links the months next to it in the
 * feed state's list. It is kept like a feed state (docs/decisions.md): a month is changed by
 * compare-and-swap, and every entry a writer sets comes from the article's record and the feed state,
 * both read after the month's state. Whoever moves an article across the boundary (a feed state commit)
 * or changes its record settles the months it touched afterwards; the feed state holds what is owed until
 * then, so a writer that dies leaves it to the next one.
 */
import { archiveEntry, type MonthLinks, monthOf, neighbours } from '../archive.js';
import { type Article, compareNewestFirst } from '../article.js';
import { renderArchiveMonth } from '../build.js';
import { describeError, StoreError } from '../errors.js';
import { type FeedState, parseState } from '../feed-state.js';
import { monthStateKey, stateKey } from '../layout.js';
import { entryOf } from '../records.js';
import { siteConfigInput } from '../site.js';
import { PreconditionFailedError } from '../storage/object-store.js';
import { backoffMs, type Engine, mapLimited, type RecordCache, sha256, stable } from './common.js';
import type { FeedSettings } from './feeds.js';
import { type Rendered, writeFiles } from './files.js';
import type { RecordStore } from './record-store.js';

/**
 * Archive months with a newer month change only when a takedown or a correction reaches them: cached long.
 * (A CDN in front of the bucket must be told of a takedown's archive paths, or given a shorter one.)
 */
export const ARCHIVE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Months settled side by side. */
const MONTH_CONCURRENCY = 4;
/** Records read side by side for one month. */
const READ_CONCURRENCY = 16;

export interface MonthState {
  format: 1;
  path: string;
  month: string;
  revision: number;
  /** Archive entries (src/archive.ts archiveEntry), newest first. */
  entries: Article[];
  links: MonthLinks;
  files: Record<string, string>;
}

const emptyMonth = (path: string, month: string): MonthState => ({ format: 1, path, month, revision: 0, entries: [], links: {}, files: {} });

function parseMonth(body: Buffer, key: string): MonthState {
  try {
    const state = JSON.parse(body.toString('utf8')) as MonthState;
    if (state.format !== 1 || !Array.isArray(state.entries) || typeof state.month !== 'string') throw new Error('unknown format');
    return { ...state, links: state.links ?? {}, files: state.files ?? {} };
  } catch (cause) {
    throw new StoreError(key, 'archive month state is unreadable', { cause });
  }
}

const monthContent = (state: MonthState) => stable({ ...state, revision: 0 });

/** The articles a feed state's current files carry. */
export const carriedIds = (state: Pick<FeedState, 'items' | 'carried'>) => new Set(state.items.slice(0, state.carried ?? 0).map((a) => a.id));

export class Archives {
  constructor(
    private readonly engine: Engine,
    private readonly settings: FeedSettings & { archiveCacheControl: string },
    private readonly records: RecordStore,
  ) {}

  /** What the months' documents are rendered with: a republish renders them all again when it changes. */
  get renderedWith(): string {
    return sha256(stable(siteConfigInput(this.settings.site))).slice(0, 16);
  }

  /** Settles every month owed (see ArchiveIndex.owed): returns the documents written. */
  async settle(path: string, owed: Record<string, string[]>, cache: RecordCache): Promise<string[]> {
    const written = await mapLimited(Object.keys(owed).sort(), MONTH_CONCURRENCY, (month) => this.reconcile(path, month, owed[month] ?? [], cache));
    return written.flat().sort();
  }

  /**
   * Brings one month up to date for `ids` (and, with `held`, every article it holds): each placed as its
   * record and the feed state (both read after the month's state) say. Then writes its documents.
   */
  async reconcile(path: string, month: string, ids: readonly string[], cache: RecordCache, options: { held?: boolean } = {}): Promise<string[]> {
    const { store, maxAttempts } = this.engine;
    const key = monthStateKey(path, month);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await store.get(key);
      let state: MonthState;
      try {
        state = current ? parseMonth(current.body, key) : emptyMonth(path, month);
      } catch (error) {
        // Derived data: rebuilt from what it held cannot be known, so from the feed's index by a republish.
        this.engine.log.error('unreadable archive month rebuilt', { key, reason: describeError(error) });
        state = emptyMonth(path, month);
      }
      const before = monthContent(state);
      const previousFiles = state.files;
      const touched = options.held ? [...new Set([...ids, ...state.entries.map((e) => e.id)])] : [...new Set(ids)];
      // Both read after the month's state (side by side): the feed state and the records.
      // Each record is cut to its archive entry as it is read: a month's worth of whole articles is never held.
      const [feed, candidates] = await Promise.all([
        this.feedState(path),
        mapLimited(touched, READ_CONCURRENCY, async (id) => {
          const entry = entryOf(await this.records.read(id, cache, { forFeed: true }), path);
          return entry?.kind === 'item' && monthOf(entry.article) === month ? archiveEntry(entry.article) : null;
        }),
      ]);
      const carried = feed ? carriedIds(feed) : new Set<string>();
      const placed = touched.map((id, i) => {
        const entry = candidates[i] ?? null;
        return { id, entry: entry && !carried.has(id) ? entry : null };
      });
      // A month no article was ever archived in, with none to place now: nothing to write (its documents
      // exist once it joins the feed state's list, which its neighbours then link).
      if (!current && !placed.some((p) => p.entry) && !feed?.archive?.months.includes(month)) return [];
      const drop = new Set(touched);
      state.entries = [...state.entries.filter((e) => !drop.has(e.id)), ...placed.flatMap((p) => (p.entry ? [p.entry] : []))].sort(compareNewestFirst);
      state.links = neighbours(feed?.archive?.months ?? [], month);
      const rendered = this.render(state);
      state.files = rendered.hashes;
      if (current && monthContent(state) === before) return this.write(key, current.etag, state, rendered, null);
      state.revision += 1;
      try {
        const etag = await store.put(key, stable(state), { contentType: 'application/json', ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
        return this.write(key, etag, state, rendered, current ? previousFiles : {});
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.engine.sleep(backoffMs(attempt));
      }
    }
    throw new StoreError(key, `gave up after ${maxAttempts} concurrent updates`);
  }

  private async feedState(path: string): Promise<FeedState | null> {
    const object = await this.engine.store.get(stateKey(path));
    return object ? parseState(object.body, stateKey(path)) : null;
  }

  private render(state: MonthState): Rendered {
    const files = renderArchiveMonth(state.path, state.month, state.entries, state.links, this.settings.site);
    return { files, hashes: Object.fromEntries(files.map((f) => [f.path, sha256(f.body)])) };
  }

  /** Writes the committed month's documents; if another writer committed since, the newer month's too. */
  private async write(key: string, committed: string, state: MonthState, rendered: Rendered, previous: Record<string, string> | null): Promise<string[]> {
    const { store, maxAttempts } = this.engine;
    const written = new Set<string>();
    let etag = committed;
    for (let round = 1; round <= maxAttempts; round++) {
      // The newest month gets the feeds' Cache-Control (articles still cross into it); older ones keep.
      const cacheControl = state.links.newer ? this.settings.archiveCacheControl : this.settings.cacheControl;
      for (const file of await writeFiles(this.engine, this.settings.feedPrefix, rendered, previous, () => cacheControl)) written.add(file);
      const head = await store.head(key);
      if (!head || head.etag === etag) return [...written].sort();
      const latest = await store.get(key);
      if (!latest) return [...written].sort();
      etag = latest.etag;
      state = parseMonth(latest.body, key);
      rendered = this.render(state);
      previous = null;
    }
    throw new StoreError(key, `archive month kept moving after ${maxAttempts} rounds of writing`);
  }
}
