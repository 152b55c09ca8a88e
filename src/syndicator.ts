/**
 * The publishing engine over an ObjectStore (the bucket layout is src/layout.ts). What it guarantees, and
 * how (docs/decisions.md, "Invariants of the store", has the argument in full):
 *
 * - The article record is the source of truth, changed only by compare-and-swap (src/records.ts decides
 *   each change). A takedown is a state of the record, never a deletion.
 * - Index markers (one per feed, naming the record revision that wants it) are written before the record
 *   that wants them and deleted only once no revision can want them again.
 * - A feed's state is changed by compare-and-swap too, and every entry a writer sets comes from a record
 *   read after it read the state. A writer that changed (or replays) a record always writes the feed
 *   states of its feeds, even when nothing in them changes: any writer that read the record before that
 *   change then loses its compare-and-swap and reads the record again. So whatever the interleaving, when
 *   the events stop and retries finish, each state is what the records imply.
 * - Files are rendered from a committed state; a writer that finds the state moved on while it wrote
 *   writes the newer state's files too, so the last files written are the last committed state's.
 */
import { createHash } from 'node:crypto';
import { type Article, ArticleSchema, compareNewestFirst } from './article.js';
import { type OutputFile, renderFeed } from './build.js';
import { checkFeed } from './check.js';
import { ArticleError, ConflictError, describeError, FeedCheckError, StoreError } from './errors.js';
import {
  content,
  compareDeleted,
  DELETED_KEPT,
  emptyState,
  type FeedState,
  nameSection,
  parseState,
  placeEntry,
  refilled,
  sectionName,
  tombstoneOf,
  type WindowLimits,
  windowsToRefill,
} from './feed-state.js';
import { articleKey, errorKey, INDEX, type MarkerKind, markerPrefix, parseMarker, recordErrorKey, STATE, siteConfigKey, sourceKey, stateKey, TOMBS, urlKey } from './layout.js';
import type { Logger } from './log.js';
import { describePhotos, type PhotoLocation } from './photos.js';
import { readArticle } from './read/index.js';
import {
  type ArticleRecord,
  compareSequencers,
  type Decision,
  decidePublish,
  decideWithdrawByEditor,
  decideWithdrawByKey,
  entryOf,
  feedsToReconcile,
  isValidRecord,
  type Owner,
  parseRecord,
  pendingAfter,
  type StoredRecord,
  wantedMarkers,
} from './records.js';
import { feedSpec } from './select.js';
import type { SiteConfig } from './site.js';
import { type ObjectStore, PreconditionFailedError } from './storage/object-store.js';

export { compareSequencers } from './records.js';
export { errorKey } from './layout.js';

export interface SyndicatorConfig {
  site: SiteConfig;
  /** Where feed files go in the bucket, e.g. `feeds/`. */
  feedPrefix: string;
  cacheControl: string;
  photos?: PhotoLocation;
  /** Articles kept in a feed's state beyond its limit, so a takedown rarely needs a refill. */
  slack?: number;
  /** Compare-and-swap attempts before giving up (the event is then retried by Lambda). */
  maxAttempts?: number;
  /** The wall clock, for refusing dates in the future (tests pass their own). */
  clock?: () => Date;
  /** Waits between compare-and-swap attempts (tests exploring interleavings pass their own). */
  sleep?: (ms: number) => Promise<void>;
}

export interface PublishOutcome {
  status: 'published' | 'unchanged' | 'withdrawn' | 'stale' | 'gone' | 'superseded' | 'rejected' | 'not-found' | 'not-owner';
  id?: string;
  /** Feed files written (relative to the feed prefix). */
  written: string[];
  reason?: string;
}

interface SourceRecord {
  format: 2;
  key: string;
  /** The S3 sequencer of the last event applied for this key. */
  sequencer: string | null;
  /** The article the key supplies (or supplied, when removed). */
  id: string | null;
  removed: boolean;
  /** An article the key supplied before it said it was `id`: withdrawn by the event that changed it. */
  supersedes: string | null;
  /**
   * The articles each of the key's last events changes, newest first: a retry of an event that wrote a
   * record and died before updating the feeds finds them here, even after a newer event of the key.
   */
  recent: { sequencer: string; ids: string[] }[];
}

/** Events remembered per key in `recent`: a Lambda retry comes within minutes, a handful of events later. */
const RECENT_EVENTS = 10;

function withRecent(previous: SourceRecord | null, next: Omit<SourceRecord, 'recent'>, ids: readonly string[]): SourceRecord {
  const earlier = (previous?.recent ?? []).filter((r) => r.sequencer !== next.sequencer);
  return { ...next, recent: next.sequencer === null ? earlier : [{ sequencer: next.sequencer, ids: [...new Set(ids)] }, ...earlier].slice(0, RECENT_EVENTS) };
}

/** urls/<hash>: which article a URL belongs to; `claimed` while its first publish is in flight. */
interface UrlBinding {
  url: string;
  id: string;
  state: 'claimed' | 'bound' | 'free';
  /** When it was claimed, and by which publish (a hash of what it publishes, so its retries match). */
  at: string;
  token?: string;
  /** The incoming key, or `direct`, that claimed it, and the key's event. */
  owner?: string;
  sequencer?: string | null;
}

/** A claim this publish holds: the binding as written, and its ETag. */
interface Claim {
  etag: string;
  binding: UrlBinding;
}

function parseBinding(body: Buffer, url: string): UrlBinding | null {
  try {
    const value = JSON.parse(body.toString('utf8')) as Partial<UrlBinding>;
    if (value.url !== url || typeof value.id !== 'string') return null;
    const state = value.state === 'claimed' || value.state === 'free' ? value.state : 'bound';
    return { url, id: value.id, state, at: typeof value.at === 'string' ? value.at : new Date(0).toISOString(), ...(typeof value.token === 'string' ? { token: value.token } : {}), ...(typeof value.owner === 'string' ? { owner: value.owner } : {}), ...(typeof value.sequencer === 'string' ? { sequencer: value.sequencer } : {}) };
  } catch {
    return null; // unreadable: treated as free, and replaced by compare-and-swap
  }
}

interface Rendered {
  files: OutputFile[];
  hashes: Record<string, string>;
}

/** Records read during one operation, with their ETags: a later read that finds the same ETag is a HEAD. */
type RecordCache = Map<string, { etag: string; record: StoredRecord }>;

/** A URL claim older than this belongs to a publish that died (a Lambda runs 29 s at most). */
const URL_CLAIM_LEASE_MS = 5 * 60 * 1000;
/** Dates further ahead than this are refused: they would pin the feed's date for as long. */
const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;
/** Parallel record reads when refilling or republishing a feed. */
const READ_CONCURRENCY = 16;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const stable = (value: unknown) => JSON.stringify(value);
const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');
const union = (...lists: readonly (readonly string[])[]) => [...new Set(lists.flat())];

/** Full jitter: a random wait up to 10 ms doubling per attempt, at most 400 ms. */
const backoffMs = (attempt: number) => Math.floor(Math.random() * Math.min(400, 10 * 2 ** attempt));
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

export class Syndicator {
  private readonly slack: number;
  private readonly maxAttempts: number;
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private configRemembered: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly config: SyndicatorConfig,
    private readonly log: Logger,
  ) {
    this.slack = config.slack ?? 10;
    this.maxAttempts = config.maxAttempts ?? 25;
    this.clock = config.clock ?? (() => new Date());
    this.sleep = config.sleep ?? realSleep;
  }

  private get limits(): WindowLimits {
    return { limit: this.config.site.limits.items, keep: this.config.site.limits.items + this.slack };
  }

  // ---- incoming objects (S3 events) ----

  /**
   * An object was created under incoming/: read it, publish it, remember which article the key supplies.
   * `etag` (from the event) makes an event whose object was replaced since a no-op: the newer event acts.
   */
  async publishObject(key: string, sequencer: string | null, options: { etag?: string; eventTime?: string } = {}): Promise<PublishOutcome> {
    return this.recordingFailures(key, () => this.publishObjectNow(key, sequencer, options));
  }

  /** An object under incoming/ was deleted: a takedown of the article it supplied, if it still owns it. */
  async unpublishObject(key: string, sequencer: string | null, when: string): Promise<PublishOutcome> {
    return this.recordingFailures(key, () => this.unpublishObjectNow(key, sequencer, when));
  }

  /**
   * A failure that is not the article's fault (S3 unavailable after the SDK's retries, a race lost too
   * often) is thrown, so Lambda retries the event and finally sends it to the failed-events queue; it is
   * also recorded under errors/ (best effort), so the newsroom sees what is pending and why.
   */
  private async recordingFailures(key: string, work: () => Promise<PublishOutcome>): Promise<PublishOutcome> {
    try {
      return await work();
    } catch (error) {
      const reason = describeError(error);
      this.log.error('event failed; it will be retried', { key, reason });
      try {
        await this.putJson(errorKey(key), { key, field: '(service)', reason, transient: true, message: `${key}: ${reason}` });
      } catch {
        // S3 is failing: the event itself, retried and then in the failed-events queue, is the record.
      }
      throw error;
    }
  }

  private async publishObjectNow(key: string, sequencer: string | null, options: { etag?: string; eventTime?: string }): Promise<PublishOutcome> {
    let read: { article: Article; idFromUrl: boolean; receivedAt: Date; source: SourceRecord } | undefined;
    for (let attempt = 1; !read; attempt++) {
      const source = await this.readSource(key);
      const previous = source.record;
      if (previous && this.isStale(sequencer, previous.sequencer)) return this.staleEvent(key, sequencer as string, previous);
      const object = await this.store.get(key);
      if (!object) {
        this.log.info('object already gone', { key });
        return { status: 'gone', written: [] };
      }
      if (options.etag && unquote(object.etag) !== unquote(options.etag)) {
        this.log.info('object replaced since this event; the newer event publishes it', { key });
        return { status: 'superseded', written: [] };
      }
      let article: Article;
      let idFromUrl: boolean;
      try {
        const name = key.slice(key.lastIndexOf('/') + 1);
        const result = readArticle(name, object.body, { source: key, receivedAt: object.lastModified, defaultLanguage: this.config.site.language });
        for (const w of result.warnings) this.log.warn('derived metadata', { key, field: w.field, detail: w.message });
        article = result.article;
        idFromUrl = article.url !== null && result.warnings.some((w) => w.field === 'id');
      } catch (error) {
        if (!(error instanceof ArticleError)) throw error;
        // The key's newer content is refused; what it published before stays, and older events are stale.
        const kept = withRecent(previous, { format: 2, key, sequencer, id: previous?.id ?? null, removed: previous?.removed ?? true, supersedes: previous?.supersedes ?? null }, []);
        if (!(await this.writeSource(key, source, kept))) continue;
        await this.recordError(key, error);
        return { status: 'rejected', written: [], reason: error.message };
      }
      const supersedes = previous && previous.sequencer === sequencer ? previous.supersedes : previous?.id && !previous.removed && previous.id !== article.id ? previous.id : null;
      const next = withRecent(previous, { format: 2, key, sequencer, id: article.id, removed: false, supersedes }, [article.id, ...(supersedes ? [supersedes] : [])]);
      if (await this.writeSource(key, source, next)) {
        read = { article, idFromUrl, receivedAt: object.lastModified, source: next };
        break;
      }
      if (attempt >= this.maxAttempts) throw new StoreError(sourceKey(key), `gave up after ${this.maxAttempts} concurrent updates`);
      await this.sleep(backoffMs(attempt));
    }
    const { article, idFromUrl, receivedAt, source } = read;
    const written: string[] = [];
    if (source.supersedes && source.supersedes !== article.id) {
      // The file now says it is another article: the one it supplied before leaves the feeds.
      written.push(...(await this.withdrawForKey(source.supersedes, key, sequencer, options.eventTime ?? receivedAt.toISOString())).written);
    }
    let outcome: PublishOutcome;
    try {
      outcome = await this.publish(article, { owner: { kind: 'object', key }, sequencer, idFromUrl, source: key });
    } catch (error) {
      // Refused for good (another owner, a collision, a feed that fails its check): recorded, not retried.
      if (!(error instanceof ArticleError || error instanceof ConflictError || error instanceof FeedCheckError)) throw error;
      await this.recordError(key, error instanceof FeedCheckError ? { field: '(feed check)', reason: error.message } : error);
      return { status: 'rejected', id: article.id, written, reason: error.message };
    }
    // A newer event of this key may have run while this one was in flight, and found nothing of ours to
    // withdraw then: if the key has moved on to another article (or was deleted), withdraw this one now.
    const latest = (await this.readSource(key)).record;
    if (outcome.status === 'published' && latest && latest.sequencer !== sequencer && (latest.removed || latest.id !== article.id)) {
      const withdrawn = await this.withdrawForKey(article.id, key, latest.sequencer, options.eventTime ?? receivedAt.toISOString());
      this.log.info('a newer event of this key replaced it meanwhile; withdrawn', { key, id: article.id });
      return { ...withdrawn, written: union(written, outcome.written, withdrawn.written).sort() };
    }
    await this.store.delete(errorKey(key));
    return { ...outcome, written: union(written, outcome.written).sort() };
  }

  private async unpublishObjectNow(key: string, sequencer: string | null, when: string): Promise<PublishOutcome> {
    let previous: SourceRecord | null = null;
    for (let attempt = 1; ; attempt++) {
      const source = await this.readSource(key);
      previous = source.record;
      if (previous && this.isStale(sequencer, previous.sequencer)) return this.staleEvent(key, sequencer as string, previous);
      // Remember the removal first: an older create arriving late is then stale.
      const ids = [previous?.id, previous?.supersedes].filter((id): id is string => typeof id === 'string');
      const next = withRecent(previous, { format: 2, key, sequencer, id: previous?.id ?? null, removed: true, supersedes: previous?.supersedes ?? null }, ids);
      if (await this.writeSource(key, source, next)) break;
      if (attempt >= this.maxAttempts) throw new StoreError(sourceKey(key), `gave up after ${this.maxAttempts} concurrent updates`);
      await this.sleep(backoffMs(attempt));
    }
    const ids = union([previous?.id, previous?.supersedes].filter((id): id is string => typeof id === 'string'));
    const written: string[] = [];
    let status: PublishOutcome['status'] = 'not-found';
    for (const id of ids) {
      const outcome = await this.withdrawForKey(id, key, sequencer, when);
      written.push(...outcome.written);
      if (id === previous?.id) status = outcome.status;
    }
    await this.store.delete(errorKey(key));
    return { status, ...(previous?.id ? { id: previous.id } : {}), written: union(written).sort() };
  }

  /**
   * An event older than the key's last: it changes nothing. But if it is the retry of an attempt that
   * wrote a record and died before the feeds, that record (still as this event left it) is brought into
   * its feeds now, as a replay would.
   */
  private async staleEvent(key: string, sequencer: string, latest: SourceRecord): Promise<PublishOutcome> {
    this.log.info('stale event ignored', { key, sequencer, latest: latest.sequencer });
    const written: string[] = [];
    for (const id of latest.recent.find((r) => r.sequencer === sequencer)?.ids ?? []) {
      const cache: RecordCache = new Map();
      const record = await this.readRecord(id, cache);
      if (!isValidRecord(record) || record.owner.kind !== 'object' || record.owner.key !== key || record.sequencer !== sequencer) continue;
      if (record.status === 'live' && (latest.removed || latest.id !== id)) {
        // Written by this event after a newer one had found nothing of ours to withdraw: withdrawn now.
        written.push(...(await this.withdrawForKey(id, key, latest.sequencer, this.clock().toISOString())).written);
      } else {
        written.push(...(await this.reconcileAfter(id, { write: null, status: 'unchanged', reconcile: true }, record, record, cache)).written);
      }
    }
    return { status: 'stale', written: union(written).sort() };
  }

  private isStale(sequencer: string | null, latest: string | null): boolean {
    return sequencer !== null && latest !== null && compareSequencers(sequencer, latest) < 0;
  }

  private async readSource(key: string): Promise<{ record: SourceRecord | null; etag: string | null }> {
    const object = await this.store.get(sourceKey(key));
    if (!object) return { record: null, etag: null };
    try {
      const value = JSON.parse(object.body.toString('utf8')) as Partial<SourceRecord>;
      if (value.key !== key) throw new Error('names another key');
      const record: SourceRecord = {
        format: 2,
        key,
        sequencer: typeof value.sequencer === 'string' ? value.sequencer : null,
        id: typeof value.id === 'string' ? value.id : null,
        removed: value.removed === true,
        supersedes: typeof value.supersedes === 'string' ? value.supersedes : null,
        recent: Array.isArray(value.recent) ? value.recent.filter((r) => typeof r?.sequencer === 'string' && Array.isArray(r.ids) && r.ids.every((i) => typeof i === 'string')) : [],
      };
      return { record, etag: object.etag };
    } catch (cause) {
      // Only ordering is lost: the record is written again (compare-and-swap on this ETag).
      this.log.error('unreadable sources/ record replaced', { key, sourceKey: sourceKey(key), reason: describeError(cause) });
      return { record: null, etag: object.etag };
    }
  }

  /** Writes the key's source record by compare-and-swap; false when another event changed it first. */
  private async writeSource(key: string, current: { record: SourceRecord | null; etag: string | null }, next: SourceRecord): Promise<boolean> {
    if (current.record && stable(current.record) === stable(next)) return true;
    try {
      await this.store.put(sourceKey(key), stable(next), { contentType: 'application/json', ...(current.etag ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return false;
      throw error;
    }
  }

  /** An event for `key` that the handler refused (malformed): recorded under errors/ beside the key's other errors. */
  async recordRefusal(key: string, field: string, reason: string): Promise<void> {
    await this.recordError(key, { field, reason, message: `${key}: ${reason}` });
  }

  private async recordError(key: string, error: { field: string; reason: string; message?: string }): Promise<void> {
    this.log.error('article rejected', { key, field: error.field, reason: error.reason });
    await this.putJson(errorKey(key), { key, field: error.field, reason: error.reason, message: error.message ?? `${key}: ${error.field}: ${error.reason}` });
  }

  private async withdrawForKey(id: string, key: string, sequencer: string | null, when: string): Promise<PublishOutcome> {
    return this.changeAndReconcile(id, (current) => decideWithdrawByKey(current, id, key, sequencer, this.takedownTime(when)), new Map());
  }

  // ---- articles published directly (HTTP API, CLI) ----

  /**
   * Publishes an article through the API or the CLI. Throws ConflictError when the id or URL belongs to
   * another source or article, ArticleError for dates in the future, FeedCheckError when the feeds would
   * refuse it; in every case nothing is stored.
   */
  async publishArticle(article: Article, options: { idFromUrl?: boolean; source?: string } = {}): Promise<PublishOutcome> {
    return this.publish(article, { owner: { kind: 'direct' }, sequencer: null, idFromUrl: options.idFromUrl ?? false, source: options.source ?? `article ${article.id}` });
  }

  /** An editor's takedown by id: the article leaves its feeds (tombstones where the format has them). */
  async unpublishId(id: string, when: string): Promise<PublishOutcome> {
    return this.changeAndReconcile(id, (current) => decideWithdrawByEditor(current, this.takedownTime(when)), new Map());
  }

  /**
   * Stores articles without touching any feed (records, markers and URL bindings), `concurrency` at a
   * time: for loading an archive, followed by one republish. Photo metadata is not looked up. Articles
   * refused (collisions) are returned with the reason.
   */
  async importArticles(articles: Iterable<Article>, concurrency = 16): Promise<{ stored: number; refused: { id: string; reason: string }[] }> {
    await this.rememberConfig();
    const iterator = articles[Symbol.iterator]();
    let stored = 0;
    const refused: { id: string; reason: string }[] = [];
    const worker = async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const article = next.value;
        try {
          await this.storeArticle(article, { owner: { kind: 'direct' }, sequencer: null, idFromUrl: false, source: `article ${article.id}` }, new Map());
          stored += 1;
        } catch (error) {
          if (!(error instanceof ArticleError || error instanceof ConflictError || error instanceof FeedCheckError)) throw error;
          refused.push({ id: article.id, reason: error.message });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { stored, refused };
  }

  private async publish(input: Article, options: { owner: Owner; sequencer: string | null; idFromUrl: boolean; source: string }): Promise<PublishOutcome> {
    const cache: RecordCache = new Map();
    const { decision, before, after } = await this.storeArticle(input, options, cache);
    return this.reconcileAfter(input.id, decision, before, after, cache);
  }

  /** Checks, claims the URL and changes the record; no feed is touched. */
  private async storeArticle(input: Article, options: { owner: Owner; sequencer: string | null; idFromUrl: boolean; source: string; describe?: boolean }, cache: RecordCache) {
    this.refuseFuture(input, options.source);
    const current = await this.readRecord(input.id, cache);
    const { photos, probes } = await describePhotos(input.photos, this.store, this.config.photos, isValidRecord(current) ? current.photos : []);
    photos.forEach((photo, i) => {
      const given = input.photos[i]?.url;
      if (given && photo.url === null) this.log.warn('photo not in the bucket; published without it', { id: input.id, url: given });
    });
    const parsed = ArticleSchema.safeParse({ ...input, photos });
    if (!parsed.success) throw new ArticleError(options.source, 'photos', `the bucket's photo metadata is invalid: ${describeError(parsed.error)}`);
    const article = parsed.data;
    const publishInput = { article, owner: options.owner, sequencer: options.sequencer, photos: probes, idFromUrl: options.idFromUrl };
    // Refuse early, before anything is stored: the id's owner, a derived id's collision, the feeds' check.
    // The same for every attempt of this publish (a retry finds its own claim), different for any other.
    const token = sha256(stable([options.owner, options.sequencer, article])).slice(0, 24);
    let early: Decision;
    try {
      early = decidePublish(current, { ...publishInput, ownerMovedOn: await this.ownerMovedOn(current, options.owner) }, options.source);
      if (early.write) this.checkAlone(article);
    } catch (error) {
      // An earlier attempt of this publish may have claimed the URL before the record changed under it.
      if (article.url) await this.settleUrl(article.url, token, false);
      throw error;
    }
    if (!early.write && article.url) await this.settleUrl(article.url, token, false);
    const ownerName = options.owner.kind === 'object' ? options.owner.key : 'direct';
    const claim = early.write && article.url ? await this.claimUrl(article.url, article.id, ownerName, options.sequencer, token, options.source) : null;
    const url = claim ? article.url : null;
    let result: Awaited<ReturnType<Syndicator['changeRecord']>>;
    try {
      result = await this.changeRecord(article.id, async (record) => decidePublish(record, { ...publishInput, ownerMovedOn: await this.ownerMovedOn(record, options.owner) }, options.source), cache, current);
    } catch (error) {
      if (url && claim && (error instanceof ConflictError || error instanceof ArticleError)) await this.settleUrl(url, token, false, claim);
      throw error;
    }
    if (url && claim) await this.settleUrl(url, token, isValidRecord(result.after) && result.after.id === article.id && result.after.article?.url === url, claim);
    if (result.decision.write) this.log.info('article stored', { id: article.id, revision: isValidRecord(result.after) ? result.after.revision : null });
    return result;
  }

  /** The article's own feeds rendered with it alone, and checked: a feed that would refuse it refuses it now. */
  private checkAlone(article: Article): void {
    const spec = { ...feedSpec(this.config.site, article.section ?? null), deleted: [] };
    renderFeed(spec, [article], this.config.site, { check: true });
  }

  private refuseFuture(article: Article, source: string): void {
    const limit = this.clock().getTime() + FUTURE_TOLERANCE_MS;
    for (const field of ['published', 'updated'] as const) {
      if (Date.parse(article[field]) > limit) throw new ArticleError(source, field, `${article[field]} is more than a day in the future; a feed's date is its newest article's`);
    }
  }

  private takedownTime(when: string): string {
    const time = Date.parse(when);
    if (Number.isNaN(time)) throw new ArticleError('takedown', 'when', `"${when}" is not a date`);
    // A takedown dated in the future would pin the feed's date: it happens now at the latest.
    return new Date(Math.min(time, this.clock().getTime())).toISOString();
  }

  /** Whether the key owning this record has applied a newer event that no longer supplies it (see records.ts). */
  private async ownerMovedOn(record: StoredRecord | null, claimant: Owner): Promise<boolean> {
    if (!isValidRecord(record) || record.owner.kind !== 'object' || (claimant.kind === 'object' && claimant.key === record.owner.key)) return false;
    return this.keyMovedOn(record.owner.key, record.sequencer, record.id);
  }

  /** Whether `key` has applied an event newer than `sequencer` that no longer supplies `id`. */
  private async keyMovedOn(key: string, sequencer: string | null, id: string): Promise<boolean> {
    const source = (await this.readSource(key)).record;
    return source !== null && source.sequencer !== null && sequencer !== null && compareSequencers(source.sequencer, sequencer) > 0 && (source.removed || source.id !== id);
  }

  /**
   * A URL belongs to the first article published with it, for good: it is that article's entry id in every
   * reader, so another article with the same URL would be the same entry. The binding (urls/<hash>) is
   * claimed before the record is written and then bound, or released if the publish is refused, so a
   * publish that loses never keeps the URL from another. A claim in flight is waited for, not refused
   * (until it is older than URL_CLAIM_LEASE_MS: its publisher died, and the next one may take it).
   */
  private async claimUrl(url: string, id: string, owner: string, sequencer: string | null, token: string, source: string): Promise<Claim | null> {
    const key = urlKey(url);
    const holds = async (holderId: string) => {
      const record = await this.readRecord(holderId, new Map());
      return isValidRecord(record) && record.article?.url === url;
    };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const object = await this.store.get(key);
      const binding = object ? parseBinding(object.body, url) : null;
      let claim = binding === null || binding.state === 'free';
      if (binding?.id === id) {
        if (binding.state === 'bound') return null;
        if (object && binding.state === 'claimed' && binding.token === token) return { etag: object.etag, binding };
        if (await holds(id)) return null;
        // Another publish of this id from the same source (an older event of the same key): take it over.
        if (binding.state === 'claimed' && binding.owner === owner) claim = true;
      } else if (binding) {
        if (binding.state === 'bound' || (await holds(binding.id))) {
          throw new ConflictError(source, 'url', `${url} is the URL of article "${binding.id}"; an article's URL is its id in every feed reader, so it cannot be given to another`);
        }
      }
      // A claim in flight from another publish: wait for it to settle, unless its publisher died long ago
      // or was an event its key has since moved on from (it will never come back to settle it).
      if (!claim && binding && this.clock().getTime() - Date.parse(binding.at) >= URL_CLAIM_LEASE_MS) claim = true;
      if (!claim && binding?.state === 'claimed' && binding.owner && binding.owner !== 'direct' && binding.sequencer && (await this.keyMovedOn(binding.owner, binding.sequencer, binding.id))) claim = true;
      if (!claim) {
        await this.sleep(backoffMs(attempt));
        continue;
      }
      try {
        const next: UrlBinding = { url, id, state: 'claimed', at: this.clock().toISOString(), owner, sequencer, token };
        const etag = await this.store.put(key, stable(next), { contentType: 'application/json', ...(object ? { ifMatch: object.etag } : { ifNoneMatch: '*' }) });
        return { etag, binding: next };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.sleep(backoffMs(attempt));
      }
    }
    throw new StoreError(key, `another publish of ${url} is in flight; try again`);
  }

  /**
   * After the record was written (or refused): our claim becomes the binding, or is released, unless the
   * claimed id's record holds the URL after all (another publish of it committed), which binds it.
   */
  private async settleUrl(url: string, token: string, keep: boolean, claim?: Claim): Promise<void> {
    const key = urlKey(url);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      // Our own claim, as we wrote it: no need to read it back unless someone changed it since.
      const object = attempt === 1 && claim ? { etag: claim.etag, body: Buffer.from(stable(claim.binding)) } : await this.store.get(key);
      const binding = object ? parseBinding(object.body, url) : null;
      if (!object || !binding || binding.token !== token || binding.state !== 'claimed') return;
      let bound = keep;
      if (!bound) {
        const record = await this.readRecord(binding.id, new Map());
        bound = isValidRecord(record) && record.article?.url === url;
      }
      try {
        await this.store.put(key, stable({ ...binding, state: bound ? 'bound' : 'free' }), { contentType: 'application/json', ifMatch: object.etag });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.sleep(backoffMs(attempt));
      }
    }
  }

  // ---- records ----

  private async changeAndReconcile(id: string, decide: (current: StoredRecord | null) => Decision | Promise<Decision>, cache: RecordCache): Promise<PublishOutcome> {
    const { decision, before, after } = await this.changeRecord(id, decide, cache);
    return this.reconcileAfter(id, decision, before, after, cache);
  }

  private async reconcileAfter(id: string, decision: Decision, before: StoredRecord | null, after: StoredRecord | null, cache: RecordCache): Promise<PublishOutcome> {
    if (!decision.reconcile) {
      this.log.info(`article ${decision.status}`, { id });
      return { status: decision.status, id, written: [] };
    }
    await this.rememberConfig();
    // `after` owes the feeds of earlier revisions (pending) as well as its own; an invalid record that was
    // replaced leaves the feeds it named.
    const feeds = union(feedsToReconcile(after), before && !isValidRecord(before) ? feedsToReconcile(before) : []).sort();
    const written: string[] = [];
    for (const path of feeds) written.push(...(await this.updateFeed(path, { touched: [id], forced: true, full: false }, cache)));
    if (isValidRecord(after) && after.pending.length > 0) await this.settlePending(after, cache);
    this.log.info(`article ${decision.status}`, { id, feeds, written });
    return { status: decision.status, id, written: written.sort() };
  }

  /**
   * Every feed the record owed is up to date: forget them, if the record is still this one (a newer
   * revision carries them on). Same revision: the markers it wants do not change.
   */
  private async settlePending(record: ArticleRecord, cache: RecordCache): Promise<void> {
    const cached = cache.get(record.id);
    if (!cached || cached.record !== record) return;
    try {
      const etag = await this.store.put(articleKey(record.id), stable({ ...record, pending: [] }), { contentType: 'application/json', ifMatch: cached.etag });
      cache.set(record.id, { etag, record: { ...record, pending: [] } });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  /**
   * Changes one record by compare-and-swap. The markers the new revision wants are written before it (so
   * a record is never without them) and those no revision can want again are deleted after it.
   */
  private async changeRecord(id: string, decide: (current: StoredRecord | null) => Decision | Promise<Decision>, cache: RecordCache, known?: StoredRecord | null) {
    const key = articleKey(id);
    const orphans = new Set<string>();
    let current = known !== undefined ? known : await this.readRecord(id, cache);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const decision = await decide(current);
      if (!decision.write) return { decision, before: current, after: current };
      const revision = (isValidRecord(current) ? current.revision : current ? (current.revision ?? 0) : 0) + 1;
      const next: ArticleRecord = { ...decision.write, revision, pending: pendingAfter(current, decision.write) };
      const had = wantedMarkers(current);
      const wanted = wantedMarkers(next);
      await Promise.all(wanted.filter((m) => !had.includes(m)).map((m) => this.store.put(m, '')));
      const etag = cache.get(id)?.etag;
      try {
        const newEtag = await this.store.put(key, stable(next), { contentType: 'application/json', ...(current && etag ? { ifMatch: etag } : { ifNoneMatch: '*' }) });
        cache.set(id, { etag: newEtag, record: next });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        for (const m of wanted) if (!had.includes(m)) orphans.add(m);
        await this.sleep(backoffMs(attempt));
        current = await this.readRecord(id, cache);
        continue;
      }
      const stale = union(had, [...orphans]).filter((m) => !wanted.includes(m));
      await Promise.all(stale.map((m) => this.store.delete(m)));
      if (current && !isValidRecord(current)) await this.store.delete(recordErrorKey(id));
      return { decision, before: current, after: next as StoredRecord };
    }
    throw new StoreError(key, `gave up after ${this.maxAttempts} concurrent updates`);
  }

  /** Reads a record (a HEAD when this operation read it before and its ETag has not moved). */
  private async readRecord(id: string, cache: RecordCache): Promise<StoredRecord | null> {
    const key = articleKey(id);
    const cached = cache.get(id);
    if (cached) {
      const head = await this.store.head(key);
      if (!head) {
        cache.delete(id);
        return null;
      }
      if (head.etag === cached.etag) return cached.record;
    }
    const object = await this.store.get(key);
    if (!object) {
      cache.delete(id);
      return null;
    }
    const record = parseRecord(id, object.body);
    if (!isValidRecord(record) && cache.get(id)?.etag !== object.etag) await this.quarantine(id, record);
    cache.set(id, { etag: object.etag, record });
    return record;
  }

  /** An invalid record is never an item; it is reported (log, errors/articles/<id>.json) and left for a person. */
  private async quarantine(id: string, record: Extract<StoredRecord, { invalid: true }>): Promise<void> {
    this.log.error('stored article is invalid; it is left out of every feed', { key: record.key, reason: record.reason });
    try {
      await this.putJson(recordErrorKey(id), { key: record.key, field: record.reason.split(': ')[1] ?? '(record)', reason: record.reason, message: record.reason });
    } catch (error) {
      this.log.error('could not record the invalid article', { key: record.key, reason: describeError(error) });
    }
  }

  // ---- feeds ----

  /** Rebuilds every feed from the stored records, reading only what the feeds show. */
  async republish(): Promise<PublishOutcome> {
    await this.rememberConfig();
    // Every feed that has a state, a live article or a takedown: O(feeds) listings, never the archive.
    const found = await Promise.all([STATE, INDEX, TOMBS].map((root) => this.store.listPrefixes(`${root}sections/`)));
    const paths = new Set(['', ...found.flat().map((p) => p.slice(p.indexOf('sections/')))]);
    const written: string[] = [];
    const cache: RecordCache = new Map();
    for (const path of [...paths].sort()) written.push(...(await this.updateFeed(path, { touched: [], forced: false, full: true }, cache)));
    this.log.info('republished', { feeds: paths.size, written });
    return { status: written.length > 0 ? 'published' : 'unchanged', written };
  }

  /**
   * Brings one feed's state up to date with the records by compare-and-swap, then writes its files.
   * `touched`: records whose entries this writer sets (read after the state, on every attempt).
   * `forced`: write the state even if nothing changed (writers of a record do, see the header).
   * `full`: re-read every entry and rebuild both windows from the index (republish).
   */
  private async updateFeed(path: string, how: { touched: readonly string[]; forced: boolean; full: boolean }, cache: RecordCache): Promise<string[]> {
    const key = stateKey(path);
    let committed: { etag: string; previousFiles: Record<string, string> | null; rendered: Rendered } | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts && !committed; attempt++) {
      const current = await this.store.get(key);
      let state: FeedState;
      try {
        state = current ? parseState(current.body, key) : emptyState(path);
      } catch (error) {
        // Derived data: an unreadable state (after a retry, in case the read was torn) is rebuilt.
        if (attempt < 3) {
          await this.sleep(backoffMs(attempt));
          continue;
        }
        this.log.error('unreadable feed state rebuilt from the index', { key, reason: describeError(error) });
        state = emptyState(path);
      }
      const before = content(state);
      const previousFiles = state.files;
      const ids = union(how.touched, how.full ? [...state.items.map((a) => a.id), ...state.deleted.map((d) => d.id)] : []);
      const fresh = new Map<string, StoredRecord | null>();
      await mapLimited(ids, READ_CONCURRENCY, async (id) => fresh.set(id, await this.readRecord(id, cache)));
      for (const id of ids) placeEntry(state, id, entryOf(fresh.get(id) ?? null, path), this.limits);
      const refill = how.full ? { items: true, deleted: true } : windowsToRefill(state, this.limits);
      if (refill.items) await this.refillWindow('live', state, fresh, cache);
      if (refill.deleted) await this.refillWindow('tomb', state, fresh, cache);
      nameSection(state);
      const rendered = this.render(state);
      state.files = rendered.hashes;
      const unchanged = current !== null && before === content(state) && stable(previousFiles) === stable(state.files);
      if (unchanged && !how.forced) {
        committed = { etag: current.etag, previousFiles: null, rendered };
        break;
      }
      state.revision += 1;
      try {
        const etag = await this.store.put(key, stable(state), { contentType: 'application/json', ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
        committed = { etag, previousFiles: current ? previousFiles : {}, rendered };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.sleep(backoffMs(attempt));
      }
    }
    if (!committed) throw new StoreError(key, `gave up after ${this.maxAttempts} concurrent updates`);
    return this.writeCommitted(key, committed);
  }

  /**
   * Rebuilds a window from the index: markers in order, each checked against its record (read now). A
   * marker no revision can want again is deleted on the way.
   */
  private async refillWindow(kind: MarkerKind, state: FeedState, fresh: Map<string, StoredRecord | null>, cache: RecordCache): Promise<void> {
    const path = state.path;
    const max = kind === 'live' ? this.limits.keep : DELETED_KEPT;
    const prefix = markerPrefix(kind, path);
    const items: Article[] = [];
    const tombs: FeedState['deleted'] = [];
    const count = () => (kind === 'live' ? items.length : tombs.length);
    let after: string | undefined;
    let exhausted = false;
    while (count() < max && !exhausted) {
      const page = max - count() + 10;
      const keys = await this.store.list(prefix, page, after);
      exhausted = keys.length < page;
      after = keys[keys.length - 1];
      const markers = keys.map((k) => parseMarker(kind, path, k)).filter((m) => m !== null);
      const records = await mapLimited(markers, READ_CONCURRENCY, async (m) => {
        const record = fresh.has(m.id) ? (fresh.get(m.id) ?? null) : await this.readRecord(m.id, cache);
        fresh.set(m.id, record);
        return record;
      });
      const stale: string[] = [];
      markers.forEach((marker, i) => {
        const record = records[i] ?? null;
        if (wantedMarkers(record).includes(marker.key)) {
          const entry = entryOf(record, path);
          if (entry?.kind === 'item' && kind === 'live') items.push(entry.article);
          if (entry?.kind === 'tomb' && kind === 'tomb') tombs.push(tombstoneOf(entry.article, entry.when));
        } else if (isValidRecord(record) && marker.revision <= record.revision) {
          stale.push(marker.key);
        }
      });
      await Promise.all(stale.map((k) => this.store.delete(k)));
    }
    const freshIds = new Set(fresh.keys());
    if (kind === 'live') {
      ({ list: state.items, complete: state.itemsComplete } = refilled(state.items, items, freshIds, exhausted, max, compareNewestFirst, (a) => a.id));
    } else {
      ({ list: state.deleted, complete: state.deletedComplete } = refilled(state.deleted, tombs, freshIds, exhausted, max, compareDeleted, (d) => d.id));
    }
  }

  /** Writes the committed state's files; if another writer committed since, writes the newer state's too. */
  private async writeCommitted(key: string, committed: { etag: string; previousFiles: Record<string, string> | null; rendered: Rendered }): Promise<string[]> {
    const written = new Set<string>();
    let { etag, rendered, previousFiles } = committed;
    for (let round = 1; round <= this.maxAttempts; round++) {
      for (const file of await this.writeFiles(rendered, previousFiles)) written.add(file);
      const head = await this.store.head(key);
      if (!head || head.etag === etag) return [...written].sort();
      const latest = await this.store.get(key);
      if (!latest) return [...written].sort();
      try {
        rendered = this.render(parseState(latest.body, key));
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        await this.sleep(backoffMs(round));
        continue;
      }
      etag = latest.etag;
      previousFiles = null;
    }
    throw new StoreError(key, `state kept moving after ${this.maxAttempts} rounds of writing`);
  }

  private render(state: FeedState): Rendered {
    const spec = { ...feedSpec(this.config.site, sectionName(state)), path: state.path, deleted: state.deleted };
    // Checked file by file just before it is written (checking costs as much as rendering).
    const files = renderFeed(spec, state.items.slice(0, this.config.site.limits.items), this.config.site, { check: false });
    return { files, hashes: Object.fromEntries(files.map((f) => [f.path, sha256(f.body)])) };
  }

  /**
   * Puts each file that differs from what is stored. After a commit, a file whose hash changed from the
   * previous state's is put at once; any other is compared with the stored object's hash (a HEAD), so a
   * retry after a failed write always repairs the files.
   */
  private async writeFiles({ files, hashes }: Rendered, previous: Record<string, string> | null): Promise<string[]> {
    const written: string[] = [];
    await Promise.all(
      files.map(async (file) => {
        const hash = hashes[file.path] as string;
        const key = this.config.feedPrefix + file.path;
        if (!previous || previous[file.path] === hash) {
          const head = await this.store.head(key);
          if (head?.metadata.sha256 === hash) return;
        }
        // Nothing unchecked is ever written: a failing feed leaves the published one as it was.
        checkFeed(file.path, file.body);
        await this.store.put(key, file.body, { contentType: file.contentType, cacheControl: this.config.cacheControl, metadata: { sha256: hash } });
        written.push(file.path);
      }),
    );
    return written.sort();
  }

  // ---- the site configuration the store was published with ----

  /** Stores the configuration in use (once per instance), so a later run without one can use it. */
  private rememberConfig(): Promise<void> {
    this.configRemembered ??= (async () => {
      const value = stable({ site: this.config.site, feedPrefix: this.config.feedPrefix, cacheControl: this.config.cacheControl });
      const stored = await this.store.get(siteConfigKey);
      if (stored?.body.toString('utf8') !== value) await this.store.put(siteConfigKey, value, { contentType: 'application/json' });
    })();
    this.configRemembered.catch(() => {
      this.configRemembered = undefined;
    });
    return this.configRemembered;
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    await this.store.put(key, stable(value), { contentType: 'application/json' });
  }
}
