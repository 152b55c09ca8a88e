/**
 * The publishing engine over an ObjectStore: what the handlers and the CLI call. The parts live in
 * src/engine/ (records, sources, URL bindings, feeds); the decisions in src/records.ts and
 * src/feed-state.ts; the bucket layout in src/layout.ts. What it guarantees, and how, is docs/decisions.md
 * ("The store: invariants, and how the design holds them"):
 *
 * - The article record is the source of truth, changed only by compare-and-swap. A takedown is a state
 *   of the record, never a deletion.
 * - A feed's entries come from records read after the feed's state; writers of a record always write
 *   its feeds' states, so whatever the interleaving, each state ends as what the records imply.
 * - Nothing is stored that the feeds would refuse; what cannot be read is quarantined and reported.
 */
import { type Article, ArticleSchema } from './article.js';
import { isFeedFile, renderFeed } from './build.js';
import { announce, type HubPinger, httpPinger } from './websub.js';
import { backoffMs, type Engine, putJson, type RecordCache, realSleep, sha256, stable, union } from './engine/common.js';
import { Feeds } from './engine/feeds.js';
import { type RecordChange, RecordStore } from './engine/record-store.js';
import { isStaleEvent, type SourceRecord, Sources, withRecent } from './engine/sources.js';
import { UrlBindings } from './engine/url-bindings.js';
import { ArticleError, ConflictError, describeError, FeedCheckError, StoreError } from './errors.js';
import { errorKey, siteConfigKey, sourceKey } from './layout.js';
import type { Logger } from './log.js';
import { describePhotos, type PhotoLocation } from './photos.js';
import { MAX_ARTICLE_BYTES, readArticle } from './read/index.js';
import {
  type Decision,
  decidePublish,
  decideWithdrawByEditor,
  decideWithdrawByKey,
  feedsToReconcile,
  isValidRecord,
  type Owner,
  type PublishInput,
  type StoredRecord,
} from './records.js';
import { type DeclaredScopes, feedPathsOf, isDefaultScope, scopeKind, scopeName, scopePath, scopeSlug } from './scopes.js';
import { scopeSpec } from './select.js';
import { declaredScopes, parseSiteConfig, type SiteConfig, siteConfigInput } from './site.js';
import type { ObjectStore } from './storage/object-store.js';

export { errorKey } from './layout.js';
export { compareSequencers } from './records.js';

export interface SyndicatorConfig {
  site: SiteConfig;
  /** Where feed files go in the bucket, e.g. `feeds/`. */
  feedPrefix: string;
  cacheControl: string;
  photos?: PhotoLocation;
  /** Articles kept in a feed's state beyond its limit, so a takedown rarely needs a refill. */
  slack?: number;
  /** Cache-Control of archive months that have a newer one (default: a year, immutable). */
  archiveCacheControl?: string;
  /** Compare-and-swap attempts before giving up (the event is then retried by Lambda). */
  maxAttempts?: number;
  /** The wall clock, for refusing dates in the future (tests pass their own). */
  clock?: () => Date;
  /** Waits between compare-and-swap attempts (tests exploring interleavings pass their own). */
  sleep?: (ms: number) => Promise<void>;
  /** Tells the site's WebSub hubs of changed feed files (default: an HTTP POST; null: never). */
  pinger?: HubPinger | null;
}

export interface PublishOutcome {
  status: 'published' | 'unchanged' | 'withdrawn' | 'stale' | 'gone' | 'superseded' | 'rejected' | 'not-found' | 'not-owner';
  id?: string;
  /** Feed files written (relative to the feed prefix). */
  written: string[];
  reason?: string;
}

/** Dates further ahead than this are refused: they would pin the feed's date for as long. */
const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;

const unquote = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');
/** Refused for good (another owner, a collision, a feed that fails its check): recorded, never retried. */
const isRefusal = (error: unknown) => error instanceof ArticleError || error instanceof ConflictError || error instanceof FeedCheckError;

export class Syndicator {
  private readonly engine: Engine;
  private readonly records: RecordStore;
  private readonly sources: Sources;
  private readonly urls: UrlBindings;
  private readonly feeds: Feeds;
  private configRemembered: Promise<void> | undefined;
  /**
   * The tag and author scopes the configuration stored before this instance's declared (null: none
   * stored, or unreadable): a scope declared now but not then was not indexed meanwhile.
   */
  private previouslyDeclared: DeclaredScopes | null = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly config: SyndicatorConfig,
    private readonly log: Logger,
  ) {
    this.engine = { store, log, clock: config.clock ?? (() => new Date()), sleep: config.sleep ?? realSleep, maxAttempts: config.maxAttempts ?? 25, declared: declaredScopes(config.site), archives: config.site.archives };
    this.records = new RecordStore(this.engine);
    this.sources = new Sources(this.engine);
    this.urls = new UrlBindings(this.engine, this.records, this.sources);
    this.feeds = new Feeds(this.engine, { site: config.site, feedPrefix: config.feedPrefix, cacheControl: config.cacheControl, slack: config.slack ?? 10, ...(config.archiveCacheControl ? { archiveCacheControl: config.archiveCacheControl } : {}) }, this.records);
  }

  private get clock(): () => Date {
    return this.engine.clock;
  }

  // ---- incoming objects (S3 events) ----

  /**
   * An object was created under incoming/: read it, publish it, remember which article the key supplies.
   * `etag` (from the event) makes an event whose object was replaced since a no-op: the newer event acts.
   */
  async publishObject(key: string, sequencer: string | null, options: { etag?: string; eventTime?: string; size?: number } = {}): Promise<PublishOutcome> {
    return this.announced(this.recordingFailures(key, () => this.publishObjectNow(key, sequencer, options)));
  }

  /** An object under incoming/ was deleted: a takedown of the article it supplied, if it still owns it. */
  async unpublishObject(key: string, sequencer: string | null, when: string): Promise<PublishOutcome> {
    return this.announced(this.recordingFailures(key, () => this.unpublishObjectNow(key, sequencer, when)));
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
        await putJson(this.store, errorKey(key), { key, field: '(service)', reason, transient: true, message: `${key}: ${reason}` });
      } catch {
        // S3 is failing: the event itself, retried and then in the failed-events queue, is the record.
      }
      throw error;
    }
  }

  private async publishObjectNow(key: string, sequencer: string | null, options: { etag?: string; eventTime?: string; size?: number }): Promise<PublishOutcome> {
    let read: { article: Article; idFromUrl: boolean; receivedAt: Date; source: SourceRecord; firstReceived: boolean } | undefined;
    // Too big by the event's own word: refused without reading it. Otherwise at most the limit and one
    // byte more is read, which tells a too-big object without holding it.
    // (Empty by the event's word: nothing to read either.)
    const tooBig = options.size !== undefined && options.size > MAX_ARTICLE_BYTES;
    const unread = tooBig || options.size === 0;
    for (let attempt = 1; !read; attempt++) {
      // The object is read beside the key's source record (a stale event just drops it).
      const reading = unread ? null : this.store.get(key, { start: 0, end: MAX_ARTICLE_BYTES });
      reading?.catch(() => undefined);
      const source = await this.sources.read(key);
      const previous = source.record;
      if (previous && isStaleEvent(sequencer, previous.sequencer)) {
        this.log.info('stale event ignored', { key, sequencer, latest: previous.sequencer });
        return this.finishEarlierAttempt(key, sequencer, previous, 'stale');
      }
      if (source.legacy && previous?.id && !previous.removed && previous.sequencer === sequencer) {
        const taken = await this.legacyTakedown(key, previous);
        if (taken) return taken;
      }
      const object = reading === null ? { body: Buffer.alloc(0), etag: options.etag ?? '', lastModified: new Date(0) } : await reading;
      if (!object) {
        this.log.info('object already gone', { key });
        return this.finishEarlierAttempt(key, sequencer, previous, 'gone');
      }
      if (options.etag && unquote(object.etag) !== unquote(options.etag)) {
        this.log.info('object replaced since this event; the newer event publishes it', { key });
        return this.finishEarlierAttempt(key, sequencer, previous, 'superseded');
      }
      let article: Article;
      let idFromUrl: boolean;
      let firstReceived = false;
      try {
        if (tooBig || object.body.length > MAX_ARTICLE_BYTES) {
          const size = tooBig ? `${options.size} bytes` : `more than ${MAX_ARTICLE_BYTES} bytes`;
          throw new ArticleError(key, '(size)', `${size} is over the limit of ${MAX_ARTICLE_BYTES} bytes for one article`);
        }
        const name = key.slice(key.lastIndexOf('/') + 1);
        const result = readArticle(name, object.body, { source: key, receivedAt: object.lastModified, defaultLanguage: this.config.site.language });
        for (const w of result.warnings) this.log.warn('derived metadata', { key, field: w.field, detail: w.message });
        if (result.draft) {
          // A draft is not published: the key says nothing is live, as if it were deleted (a later upload
          // without `draft: true`, a newer event, publishes it).
          this.log.info('draft: not published; what the key published before is withdrawn', { key });
          return this.unpublishObjectNow(key, sequencer, options.eventTime ?? object.lastModified.toISOString());
        }
        article = result.article;
        firstReceived = result.dateReceived === true;
        idFromUrl = article.url !== null && result.warnings.some((w) => w.field === 'id');
      } catch (error) {
        if (!(error instanceof ArticleError)) throw error;
        // The key's newer content is refused; what it published before stays, and older events are stale.
        const kept = withRecent(previous, { format: 2, key, sequencer, id: previous?.id ?? null, removed: previous?.removed ?? true, supersedes: previous?.supersedes ?? [] }, []);
        if (!(await this.sources.write(key, source, kept))) continue;
        await this.recordError(key, error);
        return { status: 'rejected', written: [], reason: error.message };
      }
      const supersedes = previous && previous.sequencer === sequencer ? previous.supersedes : await this.stillOwed(key, previous, article.id);
      const next = withRecent(previous, { format: 2, key, sequencer, id: article.id, removed: false, supersedes }, [article.id, ...supersedes]);
      if (await this.sources.write(key, source, next)) {
        read = { article, idFromUrl, receivedAt: object.lastModified, source: next, firstReceived };
        break;
      }
      if (attempt >= this.engine.maxAttempts) throw new StoreError(sourceKey(key), `gave up after ${this.engine.maxAttempts} concurrent updates`);
      await this.engine.sleep(backoffMs(attempt));
    }
    const { article, idFromUrl, receivedAt, source, firstReceived } = read;
    const written: string[] = [];
    for (const id of source.supersedes.filter((i) => i !== article.id)) {
      // The file now says it is another article: the ones it supplied before leave the feeds.
      written.push(...(await this.withdrawForKey(id, key, sequencer, options.eventTime ?? receivedAt.toISOString())).written);
    }
    let outcome: PublishOutcome;
    try {
      outcome = await this.publish(article, { owner: { kind: 'object', key }, sequencer, idFromUrl, source: key, firstReceived });
    } catch (error) {
      // Refused for good (another owner, a collision, a feed that fails its check): recorded, not retried.
      if (!isRefusal(error)) throw error;
      await this.recordError(key, error instanceof FeedCheckError ? { field: '(feed check)', reason: error.message } : error);
      return { status: 'rejected', id: article.id, written, reason: error.message };
    }
    // A newer event of this key may have run while this one was in flight, and found nothing of ours to
    // withdraw then: if the key has moved on to another article (or was deleted), withdraw this one now.
    const latest = (await this.sources.read(key)).record;
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
      const source = await this.sources.read(key);
      previous = source.record;
      if (previous && isStaleEvent(sequencer, previous.sequencer)) {
        this.log.info('stale event ignored', { key, sequencer, latest: previous.sequencer });
        return this.finishEarlierAttempt(key, sequencer, previous, 'stale');
      }
      // Remember the removal first: an older create arriving late is then stale.
      const ids = union(previous?.id ? [previous.id] : [], previous?.supersedes ?? []);
      const next = withRecent(previous, { format: 2, key, sequencer, id: previous?.id ?? null, removed: true, supersedes: previous?.supersedes ?? [] }, ids);
      if (await this.sources.write(key, source, next)) break;
      if (attempt >= this.engine.maxAttempts) throw new StoreError(sourceKey(key), `gave up after ${this.engine.maxAttempts} concurrent updates`);
      await this.engine.sleep(backoffMs(attempt));
    }
    const ids = union(previous?.id ? [previous.id] : [], previous?.supersedes ?? []);
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
   * The first store design deleted a record on an editor's takedown. A replay of the create event that
   * published it, met after the upgrade (the key's source record is of that design, the record is gone),
   * must not bring it back: the takedown is written as this design writes it.
   */
  private async legacyTakedown(key: string, previous: SourceRecord): Promise<PublishOutcome | null> {
    const id = previous.id as string;
    const cache: RecordCache = new Map();
    if ((await this.records.read(id, cache)) !== null) return null;
    const owner: Owner = { kind: 'object', key };
    const when = this.clock().toISOString();
    const outcome = await this.changeAndReconcile(
      id,
      (current) =>
        current === null ? { write: { format: 2, id, status: 'withdrawn', article: null, owner, sequencer: previous.sequencer, withdrawn: { when, by: 'editor' }, photos: [] }, status: 'withdrawn', reconcile: true } : { write: null, status: 'stale', reconcile: false },
      cache,
    );
    this.log.info('replay of an event whose article an editor took down before the upgrade: it stays down', { key, id });
    return outcome.status === 'withdrawn' ? outcome : null;
  }

  /**
   * The articles this key supplied before (its last article, and those its earlier events still owed a
   * withdrawal) that are still live and its own, or not stored yet (an older event of the key may be about
   * to store it: the withdrawal leaves a placeholder that makes it stale): the event that now names `id`
   * withdraws them.
   */
  private async stillOwed(key: string, previous: SourceRecord | null, id: string): Promise<string[]> {
    const candidates = union(previous?.id ? [previous.id] : [], previous?.supersedes ?? []).filter((i) => i !== id);
    const owed: string[] = [];
    for (const candidate of candidates) {
      const record = await this.records.read(candidate, new Map());
      if (record === null || (isValidRecord(record) && record.status === 'live' && record.owner.kind === 'object' && record.owner.key === key)) owed.push(candidate);
    }
    return owed;
  }

  /**
   * An event that has nothing left to do (older than the key's last, or its object replaced or gone
   * since). But if it is the retry of an attempt that wrote a record and died before the feeds, that
   * record (still as this event left it) is brought into its feeds now, as a replay would: a newer event
   * that was refused, or that only deleted the file, may never touch it.
   */
  private async finishEarlierAttempt(key: string, sequencer: string | null, latest: SourceRecord | null, status: 'stale' | 'gone' | 'superseded'): Promise<PublishOutcome> {
    if (sequencer === null || latest === null) return { status, written: [] };
    const written: string[] = [];
    // The articles it changed, as the key remembers them; and the key's current one (if this event still
    // wrote it last, a newer event that refused its content did not touch it).
    const ids = union(latest.recent.find((r) => r.sequencer === sequencer)?.ids ?? [], latest.id ? [latest.id] : []);
    for (const id of ids) {
      const cache: RecordCache = new Map();
      const record = await this.records.read(id, cache);
      if (!isValidRecord(record) || record.owner.kind !== 'object' || record.owner.key !== key || record.sequencer !== sequencer) continue;
      if (record.status === 'live' && (latest.removed || latest.id !== id)) {
        // Written by this event after a newer one had found nothing of ours to withdraw: withdrawn now.
        written.push(...(await this.withdrawForKey(id, key, latest.sequencer, this.clock().toISOString())).written);
      } else {
        written.push(...(await this.reconcileAfter(id, { write: null, status: 'unchanged', reconcile: true }, record, record, cache)).written);
      }
    }
    return { status, written: union(written).sort() };
  }

  /** An event for `key` that the handler refused (malformed): recorded under errors/ beside the key's other errors. */
  async recordRefusal(key: string, field: string, reason: string): Promise<void> {
    await this.recordError(key, { field, reason, message: `${key}: ${reason}` });
  }

  private async recordError(key: string, error: { field: string; reason: string; message?: string }): Promise<void> {
    this.log.error('article rejected', { key, field: error.field, reason: error.reason });
    await putJson(this.store, errorKey(key), { key, field: error.field, reason: error.reason, message: error.message ?? `${key}: ${error.field}: ${error.reason}` });
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
    return this.announced(this.publish(article, { owner: { kind: 'direct' }, sequencer: null, idFromUrl: options.idFromUrl ?? false, source: options.source ?? `article ${article.id}` }));
  }

  /** An editor's takedown by id: the article leaves its feeds (tombstones where the format has them). */
  async unpublishId(id: string, when: string): Promise<PublishOutcome> {
    return this.announced(this.changeAndReconcile(id, (current) => decideWithdrawByEditor(current, this.takedownTime(when)), new Map()));
  }

  /** After feed files were written: the site's WebSub hubs are told of them (and of what they missed). */
  private async announced(operation: Promise<PublishOutcome>): Promise<PublishOutcome> {
    const outcome = await operation;
    const { site } = this.config;
    if (this.config.pinger !== null && site.hubs.length > 0) {
      const topics = outcome.written.filter(isFeedFile).map((file) => new URL(file, site.feedUrl).toString());
      await announce(topics, { hubs: site.hubs, pinger: this.config.pinger ?? httpPinger() }, this.store, this.log);
    }
    return outcome;
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
    const scopes = new Set<string>();
    const worker = async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const article = next.value;
        try {
          const result = await this.storeArticle(article, { owner: { kind: 'direct' }, sequencer: null, idFromUrl: false, source: `article ${article.id}` }, new Map());
          await result.settled;
          stored += 1;
          // Its scopes now and those an earlier version was in (it may have left one for another).
          for (const path of union(feedsToReconcile(result.after, this.engine.declared), feedsToReconcile(result.before, this.engine.declared))) if (isDefaultScope(path)) scopes.add(path);
        } catch (error) {
          if (!isRefusal(error)) throw error;
          refused.push({ id: article.id, reason: error.message });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    // Stored without their feeds' updates: the archives of their scopes are backfilled by the republish
    // that follows an import (until then their current files link no archive).
    if (this.config.site.archives && stored > 0) await this.feeds.archivesOwedBackfill([...scopes].sort(), new Map());
    return { stored, refused };
  }

  private async publish(input: Article, options: { owner: Owner; sequencer: string | null; idFromUrl: boolean; source: string; firstReceived?: boolean }): Promise<PublishOutcome> {
    const cache: RecordCache = new Map();
    const { decision, before, after, settled } = await this.storeArticle(input, options, cache);
    // The URL's binding is settled while the feeds are updated (no feed reads it): both awaited, the first
    // failure thrown (a retry finds its own claim and settles it again).
    const [reconciled, bound] = await Promise.allSettled([this.reconcileAfter(input.id, decision, before, after, cache), settled]);
    if (reconciled.status === 'rejected') throw reconciled.reason;
    if (bound.status === 'rejected') throw bound.reason;
    return reconciled.value;
  }

  /** Checks, claims the URL and changes the record; no feed is touched. */
  private async storeArticle(input: Article, options: { owner: Owner; sequencer: string | null; idFromUrl: boolean; source: string; describe?: boolean; firstReceived?: boolean }, cache: RecordCache) {
    this.refuseDates(input, options.source);
    // The URL's binding is read beside the record: a new article's claim needs it next.
    const binding = input.url ? this.urls.prefetch(input.url) : undefined;
    // The configuration is stored before any record is written under it (once per instance, beside the
    // reads): a later republish tells from it which tag and author scopes were not indexed meanwhile.
    const remembered = this.rememberConfig();
    remembered.catch(() => undefined);
    const current = await this.records.read(input.id, cache);
    const { photos, probes } = await describePhotos(input.photos, this.store, this.config.photos, isValidRecord(current) ? current.photos : []);
    photos.forEach((photo, i) => {
      const given = input.photos[i]?.url;
      if (given && photo.url === null) this.log.warn('photo not in the bucket; published without it', { id: input.id, url: given });
    });
    // Dated by its arrival (it gives no date): the date its record has, the first arrival's, stays (issue 12).
    const first = options.firstReceived && isValidRecord(current) ? current.article?.published : undefined;
    const dates = first ? { published: first, updated: Date.parse(input.updated) > Date.parse(first) ? input.updated : first } : {};
    const parsed = ArticleSchema.safeParse({ ...input, ...dates, photos });
    if (!parsed.success) throw new ArticleError(options.source, 'photos', `the bucket's photo metadata is invalid: ${describeError(parsed.error)}`);
    const article = parsed.data;
    const publishInput = { article, owner: options.owner, sequencer: options.sequencer, photos: probes, idFromUrl: options.idFromUrl };
    // Refuse early, before anything is stored: the id's owner, a derived id's collision, the feeds' check.
    // The same for every attempt of this publish (a retry finds its own claim), different for any other.
    const token = sha256(stable([options.owner, options.sequencer, article])).slice(0, 24);
    let early: Decision;
    try {
      early = await this.decidePublishNow(current, publishInput, options.source);
      if (early.write) this.checkAlone(article);
    } catch (error) {
      // An earlier attempt of this publish may have claimed the URL before the record changed under it.
      if (article.url) await this.urls.settle(article.url, token, false);
      throw error;
    }
    if (!early.write && article.url) await this.urls.settle(article.url, token, false);
    const ownerName = options.owner.kind === 'object' ? options.owner.key : 'direct';
    const claim = early.write && article.url ? await this.urls.claim(article.url, article.id, ownerName, options.sequencer, token, options.source, binding) : null;
    const url = claim ? article.url : null;
    let result: RecordChange;
    try {
      await remembered;
      result = await this.records.change(article.id, (record) => this.decidePublishNow(record, publishInput, options.source), cache, current);
    } catch (error) {
      if (url && claim && (error instanceof ConflictError || error instanceof ArticleError)) await this.urls.settle(url, token, false, claim);
      throw error;
    }
    const settled = url && claim ? this.urls.settle(url, token, isValidRecord(result.after) && result.after.id === article.id && result.after.article?.url === url, claim) : Promise.resolve();
    if (result.decision.write) this.log.info('article stored', { id: article.id, revision: isValidRecord(result.after) ? result.after.revision : null });
    return { ...result, settled };
  }

  /**
   * The article's own feeds rendered with it alone, and checked: a feed that would refuse it refuses it
   * now. Its section's (or the site's) files, and every declared feed it would be in (partners shape
   * their files).
   */
  private checkAlone(article: Article): void {
    const { site } = this.config;
    const paths = feedPathsOf(article, this.engine.declared);
    const plain = article.section ? scopePath({ section: article.section }) : '';
    for (const path of paths) {
      if (path !== plain && !site.feeds.some((feed) => feed.scopePath === path)) continue;
      renderFeed(scopeSpec(site, path, scopeName(article, path)), [article], site, { check: true });
    }
  }

  /** Dates the feeds cannot carry: far ahead (they would pin the feed's date), or before 1970 (the index's order starts there). */
  private refuseDates(article: Article, source: string): void {
    const limit = this.clock().getTime() + FUTURE_TOLERANCE_MS;
    for (const field of ['published', 'updated'] as const) {
      if (Date.parse(article[field]) > limit) throw new ArticleError(source, field, `${article[field]} is more than a day in the future; a feed's date is its newest article's`);
    }
    if (Date.parse(article.published) < 0) throw new ArticleError(source, 'published', `${article.published} is before 1970, where the feeds' index begins`);
  }

  private takedownTime(when: string): string {
    const time = Date.parse(when);
    if (Number.isNaN(time)) throw new ArticleError('takedown', 'when', `"${when}" is not a date`);
    // A takedown dated in the future would pin the feed's date: it happens now at the latest.
    return new Date(Math.min(time, this.clock().getTime())).toISOString();
  }

  /**
   * decidePublish, with what it needs from the keys read now (after the record): an event whose key has
   * since applied a newer one is stale, whatever the record says (that newer event decided on what it
   * found: nothing older may come after it); and whether the record's owning key has moved on.
   */
  private async decidePublishNow(record: StoredRecord | null, input: PublishInput, source: string): Promise<Decision> {
    const { owner, sequencer } = input;
    if (owner.kind === 'object' && sequencer !== null && (await this.sources.newerThan(owner.key, sequencer))) return { write: null, status: 'stale', reconcile: false };
    return decidePublish(record, { ...input, ownerMovedOn: await this.ownerMovedOn(record, owner) }, source);
  }

  /** Whether the key owning this record has applied a newer event that no longer supplies it (see records.ts). */
  private async ownerMovedOn(record: StoredRecord | null, claimant: Owner): Promise<boolean> {
    if (!isValidRecord(record) || record.owner.kind !== 'object' || (claimant.kind === 'object' && claimant.key === record.owner.key)) return false;
    return this.sources.movedOn(record.owner.key, record.sequencer, record.id);
  }

  // ---- records and their feeds ----

  private async changeAndReconcile(id: string, decide: (current: StoredRecord | null) => Decision | Promise<Decision>, cache: RecordCache): Promise<PublishOutcome> {
    await this.rememberConfig();
    const { decision, before, after } = await this.records.change(id, decide, cache);
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
    const { declared } = this.engine;
    const feeds = union(feedsToReconcile(after, declared), before && !isValidRecord(before) ? feedsToReconcile(before, declared) : []).sort();
    // The feeds are independent (each its own compare-and-swap): updated side by side, all of them tried
    // even when one fails, so a retry has the least left to do.
    const months = isValidRecord(after) ? (after.pendingMonths ?? []) : [];
    const updates = await Promise.allSettled(feeds.map((path) => this.feeds.update(path, { touched: [id], forced: true, full: false, ...(months.length > 0 ? { months } : {}) }, cache)));
    const failed = updates.find((u): u is PromiseRejectedResult => u.status === 'rejected');
    if (failed) throw failed.reason;
    const written = updates.flatMap((u) => (u.status === 'fulfilled' ? u.value : []));
    if (isValidRecord(after) && (after.pending.length > 0 || months.length > 0)) await this.records.settlePending(after, cache);
    this.log.info(`article ${decision.status}`, { id, feeds, written });
    return { status: decision.status, id, written: written.sort() };
  }

  // ---- feeds ----

  /** Rebuilds every feed from the stored records, reading only what the feeds show. */
  async republish(): Promise<PublishOutcome> {
    await this.rememberConfig();
    const paths = await this.feeds.paths();
    const written: string[] = [];
    const cache: RecordCache = new Map();
    const previous = this.previouslyDeclared;
    for (const path of paths) {
      const kind = scopeKind(path);
      const slug = scopeSlug(path);
      // Declared now, not in the configuration stored before: articles stored meanwhile have no marker here.
      const redeclared = previous !== null && (kind === 'tag' ? !previous.tags.has(slug) : kind === 'author' ? !previous.authors.has(slug) : false);
      written.push(...(await this.feeds.republish(path, cache, { reindex: redeclared })));
    }
    // Every declared scope is indexed now: the stored configuration is this one.
    this.previouslyDeclared = this.engine.declared;
    this.log.info('republished', { feeds: paths.length, written });
    // Also tells hubs what an earlier ping could not.
    return this.announced(Promise.resolve({ status: written.length > 0 ? 'published' : 'unchanged', written }));
  }

  // ---- the site configuration the store was published with ----

  /** Stores the configuration in use (once per instance), so a later run without one can use it. */
  private rememberConfig(): Promise<void> {
    this.configRemembered ??= (async () => {
      const value = stable({ site: siteConfigInput(this.config.site), feedPrefix: this.config.feedPrefix, cacheControl: this.config.cacheControl });
      const stored = await this.store.get(siteConfigKey);
      try {
        this.previouslyDeclared = stored ? declaredScopes(parseSiteConfig((JSON.parse(stored.body.toString('utf8')) as { site?: unknown }).site ?? {}, siteConfigKey)) : null;
      } catch {
        this.previouslyDeclared = null;
      }
      if (stored?.body.toString('utf8') !== value) await this.store.put(siteConfigKey, value, { contentType: 'application/json' });
    })();
    this.configRemembered.catch(() => {
      this.configRemembered = undefined;
    });
    return this.configRemembered;
  }

}
