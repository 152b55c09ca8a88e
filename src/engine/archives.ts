/**
 * RFC 5005 archives kept by the engine (issue 11; the shape is src/archive.ts). A scope's feed state says
 * how many articles its current files carry and which months its archive has (and which have pages); each
 * month has a state of its own (state/<feed>/archive/<YYYY-MM>.json): its entries, its neighbours, a
 * signature of each page and the hashes of its documents, which are rendered from it alone.
 *
 * Invariant (A1): once writers are done, a month's state holds exactly the live articles of the scope
 * published in that month that the feed state's current files do not carry, and links the months next to
 * it in the feed state's list; every document is its state's rendering, and a page no longer needed is
 * empty. It is kept like a feed state (docs/decisions.md): a month is changed by compare-and-swap, written
 * on every settle, and every entry a writer sets comes from the article's record and the feed state, both
 * read after the month's state. Whoever moves an article across the boundary (a feed state commit) or
 * changes its record settles the months it touched afterwards; the feed state holds what is owed until
 * then, so a writer that dies leaves it to the next one. */
import { type ArchivePage, archiveEntry, archiveFolder, type MonthLinks, monthOf, monthPages, neighbours, pageCount } from '../archive.js';
import { type Article, compareNewestFirst } from '../article.js';
import { renderArchivePage } from '../build.js';
import { ARCHIVE_FOLDER } from '../formats.js';
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

/**
 * Changes a feed state by compare-and-swap: `change` edits the state read (and may read more after it), and
 * says whether there is anything to write. Returns whether it wrote. The file hashes are left as they are:
 * the archive's bookkeeping renders no file differently, but for `built` (unbuild): the current files then
 * stop linking the archive at the next write of the feed.
 */
export async function changeFeedState(engine: Engine, path: string, change: (state: FeedState) => Promise<boolean>): Promise<boolean> {
  const key = stateKey(path);
  for (let attempt = 1; attempt <= engine.maxAttempts; attempt++) {
    const current = await engine.store.get(key);
    if (!current) return false;
    const state = parseState(current.body, key);
    if (!(await change(state))) return false;
    state.revision += 1;
    try {
      await engine.store.put(key, stable(state), { contentType: 'application/json', ifMatch: current.etag });
      return true;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      await engine.sleep(backoffMs(attempt));
    }
  }
  throw new StoreError(key, `gave up after ${engine.maxAttempts} concurrent updates`);
}

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
  /**
   * Every page ever written, by key, with a signature of what it shows (a page the month no longer needs is
   * written empty, so no takedown outlives it there).
   */
  pages: Record<string, string>;
  /** Pages this revision changed: the next writer checks their documents were written before it commits. */
  changed: string[];
  /** sha256 of each document, by path. */
  files: Record<string, string>;
}

const emptyMonth = (path: string, month: string): MonthState => ({ format: 1, path, month, revision: 0, entries: [], links: {}, pages: {}, changed: [], files: {} });

function parseMonth(body: Buffer, key: string): MonthState {
  try {
    const state = JSON.parse(body.toString('utf8')) as MonthState;
    if (state.format !== 1 || !Array.isArray(state.entries) || typeof state.month !== 'string') throw new Error('unknown format');
    return { ...state, links: state.links ?? {}, pages: state.pages ?? {}, changed: state.changed ?? [], files: state.files ?? {} };
  } catch (cause) {
    throw new StoreError(key, 'archive month state is unreadable', { cause });
  }
}

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
    if (this.rendered === undefined) {
      // What archive documents show of the site (not its limits, declared feeds or news sitemap).
      const { limits: _limits, feeds: _feeds, newsSitemap: _sitemap, ...shown } = siteConfigInput(this.settings.site);
      this.rendered = sha256(stable(shown)).slice(0, 16);
    }
    return this.rendered;
  }

  private rendered: string | undefined;

  /** The feed's archive must be backfilled again (a month state was lost): its current files link none until then. */
  private async unbuild(path: string): Promise<void> {
    await changeFeedState(this.engine, path, async (feed) => {
      if (!feed.archive) return false;
      // A new generation even if not built: a backfill under way may have listed before this was lost.
      feed.archive = { ...feed.archive, built: false, generation: (feed.archive.generation ?? 0) + 1 };
      return true;
    });
  }

  /** Settles every month owed (see ArchiveIndex.owed): returns the documents written. */
  async settle(path: string, owed: Record<string, string[]>, cache: RecordCache): Promise<{ written: string[]; failed: string[]; error?: unknown }> {
    const failed: string[] = [];
    let first: unknown;
    // A month that fails stays owed, and the others are settled all the same: the current files never wait
    // on the archive. The caller then fails (so the event is retried, and a month that keeps failing shows).
    const written = await mapLimited(Object.keys(owed).sort(), MONTH_CONCURRENCY, async (month) => {
      try {
        return await this.reconcile(path, month, owed[month] ?? [], cache);
      } catch (error) {
        this.engine.log.error('archive month not settled: left owed', { feed: path, month, reason: describeError(error) });
        failed.push(month);
        first ??= error;
        return [];
      }
    });
    return { written: written.flat().sort(), failed: failed.sort(), ...(first !== undefined ? { error: first } : {}) };
  }

  /** Settles months side by side (a republish's: every month of the scope). */
  settleAll(path: string, months: readonly string[], ids: ReadonlyMap<string, readonly string[]>, cache: RecordCache, options: { held?: boolean; purge?: boolean } = {}): Promise<string[][]> {
    return mapLimited(months, MONTH_CONCURRENCY, (month) => this.reconcile(path, month, ids.get(month) ?? [], cache, options));
  }

  /**
   * Brings one month up to date for `ids` (and, with `held`, every article it holds): each placed as its
   * record and the feed state (both read after the month's state) say. Then writes the documents of the
   * pages that changed (a page's signature holds the site configuration: all of them when it changed).
   * `purge`: archives are off, the month is emptied (with `held`), reading no record.
   */
  async reconcile(path: string, month: string, ids: readonly string[], cache: RecordCache, options: { held?: boolean; purge?: boolean } = {}): Promise<string[]> {
    const { store, maxAttempts } = this.engine;
    const key = monthStateKey(path, month);
    const written: string[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await store.get(key);
      let state: MonthState;
      try {
        state = current ? parseMonth(current.body, key) : emptyMonth(path, month);
      } catch (error) {
        // Read again first, in case the read was torn (a store that is not atomic, like s3rver under load).
        if (attempt < 3) {
          await this.engine.sleep(backoffMs(attempt));
          continue;
        }
        // Derived data: what it held is lost, so the feed's archive is backfilled by the next republish.
        this.engine.log.error('unreadable archive month: rebuilt by the next republish', { key, reason: describeError(error) });
        await this.unbuild(path);
        state = emptyMonth(path, month);
      }
      const touched = options.held ? [...new Set([...ids, ...state.entries.map((e) => e.id)])] : [...new Set(ids)];
      const pagedBefore = pageCount(state.entries.length, this.settings.site.archivePageItems) > 1;
      // Side by side: the pages the last writer changed are checked (a HEAD a document), and the feed state
      // and the records are read, both after the month's state. Each record is cut to its archive entry as
      // it is read: a month's worth of whole articles is never held.
      const readEntries = () =>
        mapLimited(touched, READ_CONCURRENCY, async (id) => {
          const entry = entryOf(await this.records.read(id, cache, { forFeed: true }), path);
          return entry?.kind === 'item' && monthOf(entry.article) === month ? archiveEntry(entry.article) : null;
        });
      // Emptying the month (archives off) needs no record, unless the feed state has an archive again (a
      // writer of the old configuration made one since): then the month is settled as any other.
      const readForPurge = async () => {
        const read = await this.feedState(path);
        return [read, read?.archive ? await readEntries() : []] as const;
      };
      const [stale, [feed, candidates]] = await Promise.all([this.unwritten(state), options.purge ? readForPurge() : Promise.all([this.feedState(path), readEntries()])]);
      const carried = feed ? carriedIds(feed) : new Set<string>();
      // No archive in the feed state (turned off): nothing is in any month.
      const kept = feed?.archive !== undefined;
      const placed = touched.flatMap((id, i) => {
        const entry = candidates[i];
        return kept && entry && !carried.has(id) ? [entry] : [];
      });
      const listed = feed?.archive?.months.includes(month) === true;
      // A month no article was ever archived in, with none to place now: nothing to write (its documents
      // exist once it joins the feed state's list, which its neighbours then link).
      if (!current && placed.length === 0 && !listed) return written;
      const drop = new Set(touched);
      state.entries = [...state.entries.filter((e) => !drop.has(e.id)), ...placed].sort(compareNewestFirst);
      state.links = neighbours(feed?.archive?.months ?? [], month, feed?.archive?.paged ?? []);
      // Cut into pages once: signed, then the changed ones rendered.
      const pages = this.pagesOf(state);
      const signed = this.sign(state, pages);
      // Pages whose signature changed, and those the last writer changed but did not get written (it may
      // have died first): written after this commit, from it.
      const changed = [...new Set([...Object.keys(signed).filter((page) => signed[page] !== state.pages[page]), ...stale])];
      state.pages = signed;
      state.changed = changed.sort();
      const rendered = this.render(state, changed, pages);
      for (const file of rendered.files) state.files[file.path] = rendered.hashes[file.path] as string;
      // The next older month links this one's oldest page, whose name depends on whether it has pages: the
      // feed state says so (checked after every settle, so one that died before saying so is made good).
      const pagedNow = pageCount(state.entries.length, this.settings.site.archivePageItems) > 1;
      const listedPaged = feed?.archive?.paged?.includes(month) === true;
      // Did this commit move it across one page (then the feed state read before it may already be stale)?
      const crossed = pagedNow !== pagedBefore;
      // Written even when nothing changed (like a record's writer writes its feeds' states): a writer that read
      // this month's state before, and the feed state or a record before this one changed them, then loses
      // its compare-and-swap and reads them again.
      state.revision += 1;
      try {
        const etag = await store.put(key, stable(state), { contentType: 'application/json', ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
        written.push(...(await this.afterCommit(key, etag, state, changed, rendered)));
        if (pagedNow !== listedPaged || crossed) written.push(...(await this.markPaged(path, month, cache, { etag, paged: pagedNow })));
        return written.sort();
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.engine.sleep(backoffMs(attempt));
      }
    }
    throw new StoreError(key, `gave up after ${maxAttempts} concurrent updates`);
  }

  /** Each page's signature: what its documents show (their entries, names and links, the site). */
  private sign(state: MonthState, pages: readonly ArchivePage[]): Record<string, string> {
    const signed: Record<string, string> = {};
    // A page no longer needed stays, empty (its title follows the site's too).
    for (const key of Object.keys(state.pages)) signed[key] = sha256(stable({ key, empty: true, site: this.renderedWith }));
    for (const page of pages) signed[page.key] = sha256(stable({ page, site: this.renderedWith }));
    return signed;
  }

  /** The month's pages as its state has them (src/archive.ts). */
  private pagesOf(state: MonthState): ArchivePage[] {
    return monthPages(state.month, state.entries, state.links, this.settings.site.archivePageItems);
  }

  /** The pages `keys` of the state, rendered (a page it no longer needs: an empty document). */
  private render(state: MonthState, keys: readonly string[], pages: readonly ArchivePage[] = this.pagesOf(state)): Rendered {
    const wanted = new Set(keys);
    const byKey = new Map(pages.map((page) => [page.key, page]));
    const files = [...wanted].sort().flatMap((key) => renderArchivePage(state.path, byKey.get(key) ?? { key, entries: [] }, this.settings.site));
    // Written all the same (every archived article must be in its month), and said.
    const { feedBytes } = this.settings.site.limits;
    for (const file of files) {
      const bytes = Buffer.byteLength(file.body);
      if (bytes > feedBytes) this.engine.log.warn('archive page over the feeds’ byte budget: lower archivePageItems', { path: this.settings.feedPrefix + file.path, bytes, feedBytes });
    }
    return { files, hashes: Object.fromEntries(files.map((f) => [f.path, sha256(f.body)])) };
  }

  /**
   * Makes the documents of `keys` what the state says: rendered and put at once when `changed` (their
   * hashes changed in this commit), else each compared with its stored hash first (a HEAD) and put only if
   * it differs.
   */
  private async writePages(state: MonthState, keys: readonly string[], changed: boolean, rendered?: Rendered): Promise<string[]> {
    if (keys.length === 0) return [];
    const files = rendered ?? this.render(state, keys);
    return writeFiles(this.engine, this.settings.feedPrefix, files, changed ? {} : null, (file) => this.cacheControl(state, file.path));
  }

  /** The newest page of the newest month gets the feeds' Cache-Control (articles still cross into it); the others keep. */
  private cacheControl(state: MonthState, file: string): string {
    const newestPage = file.startsWith(archiveFolder(state.path, state.month));
    return newestPage && !state.links.newer ? this.settings.cacheControl : this.settings.archiveCacheControl;
  }

  /** Writes the committed month's changed pages; if another writer committed since, those pages as it has them. */
  /**
   * Writes the committed month's changed pages; then, while another writer has committed since, every page
   * this one put is checked against the newer state (what this writer put may have landed after the newer
   * writer's own).
   */
  private async afterCommit(key: string, committed: string, state: MonthState, changed: readonly string[], rendered: Rendered): Promise<string[]> {
    const { store, maxAttempts } = this.engine;
    const written = new Set<string>(await this.writePages(state, changed, true, rendered));
    let etag = committed;
    for (let round = 1; round <= maxAttempts; round++) {
      const head = await store.head(key);
      if (!head || head.etag === etag) return [...written].sort();
      const object = await store.get(key);
      if (!object) return [...written].sort();
      etag = object.etag;
      const latest = parseMonth(object.body, key);
      for (const file of await this.writePages(latest, [...new Set([...changed, ...latest.changed])], false)) written.add(file);
    }
    throw new StoreError(key, `archive month kept moving after ${maxAttempts} rounds of writing`);
  }

  /** The pages among those the last writer changed whose documents are not what the state says (a HEAD each). */
  private async unwritten(state: MonthState): Promise<string[]> {
    const pages = new Set(state.changed);
    const base = `${state.path}${ARCHIVE_FOLDER}`;
    const stale = await mapLimited(
      Object.entries(state.files).filter(([file]) => pages.has(file.slice(base.length).split('/')[0] as string)),
      READ_CONCURRENCY,
      async ([file, hash]) => ((await this.engine.store.head(this.settings.feedPrefix + file))?.metadata.sha256 === hash ? null : (file.slice(base.length).split('/')[0] as string)),
    );
    return [...new Set(stale.filter((page) => page !== null))];
  }



  /**
   * Says in the feed state whether the month has more than one page (the month read after the feed state),
   * and owes the next older month its new link, which is settled at once (and by the next writer if this
   * one dies). If the month moved while this was written, it is decided again. `known`: the month as this
   * writer committed it (a HEAD that finds it unchanged spares reading it).
   */
  private async markPaged(path: string, month: string, cache: RecordCache, known: { etag: string; paged: boolean }): Promise<string[]> {
    const { store, maxAttempts } = this.engine;
    const key = monthStateKey(path, month);
    let older: string | undefined;
    let wrote: string[] = [];
    let changed = false;
    for (let round = 1; round <= maxAttempts; round++) {
      let decidedOn: string | null = null;
      const changedNow = await changeFeedState(this.engine, path, async (feed) => {
        const head = await store.head(key);
        if (!feed.archive || !head) return false;
        decidedOn = head.etag;
        let paged = known.paged;
        if (head.etag !== known.etag) {
          const object = await store.get(key);
          if (!object) return false;
          decidedOn = object.etag;
          paged = pageCount(parseMonth(object.body, key).entries.length, this.settings.site.archivePageItems) > 1;
        }
        const list = new Set(feed.archive.paged ?? []);
        if (list.has(month) === paged) return false;
        if (paged) list.add(month);
        else list.delete(month);
        ({ older } = neighbours(feed.archive.months, month));
        const { paged: _was, ...index } = feed.archive;
        wrote = [...list].sort();
        feed.archive = { ...index, ...(list.size > 0 ? { paged: wrote } : {}), owed: older ? { ...index.owed, [older]: index.owed[older] ?? [] } : index.owed };
        return true;
      });
      changed ||= changedNow;
      // Decided on the month as it was: if another writer committed it since, decide again.
      const after = await store.head(key);
      if (!changedNow || after?.etag === decidedOn) break;
    }
    if (!changed || !older) return [];
    const written = await this.reconcile(path, older, [], cache);
    // Its links settled: no longer owed (unless the paged list has moved again, or it is owed articles).
    const relinked = older;
    await changeFeedState(this.engine, path, async (feed) => {
      const index = feed.archive;
      if (index?.owed[relinked]?.length !== 0 || stable(index.paged ?? []) !== stable(wrote)) return false;
      const { [relinked]: _done, ...rest } = index.owed;
      feed.archive = { ...index, owed: rest };
      return true;
    });
    return written;
  }

  private async feedState(path: string): Promise<FeedState | null> {
    const object = await this.engine.store.get(stateKey(path));
    return object ? parseState(object.body, stateKey(path)) : null;
  }
}
