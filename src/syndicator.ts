/**
 * The publishing core over an ObjectStore: keeps every feed's state and its published files in step as
 * articles arrive, change and are taken down. Layout of the bucket (prefixes are fixed; feeds go under
 * the configured feed prefix):
 *
 *   incoming/<name>                     what the newsroom drops in (triggers publish/unpublish)
 *   articles/<id>.json                  the normalised article (the store)
 *   sources/<hash of key>.json          incoming key -> article id, last event sequencer, removed flag
 *   index/<feed>/<inverted time>-<id>   empty markers: listing a feed's prefix gives its newest first
 *   state/<feed>/state.json             a feed's newest articles (limit + slack), takedowns, file hashes
 *   errors/<key>.json                   why an incoming article could not be published
 *   <feed prefix><feed>rss.xml|atom.xml|feed.json
 *
 * Concurrency: a feed's state object is the only thing two publishes both change. It is updated by
 * compare-and-swap (If-Match / If-None-Match) with bounded, jittered retries, so no update is lost. Its
 * files are rendered from the state that was committed, and each writer checks afterwards that the state
 * has not moved on; if it has, it renders and writes the newer state too, so the last files written are
 * always those of the last committed state. Replays are detected (same article) and re-verify the files.
 */
import { createHash } from 'node:crypto';
import { type Article, ArticleSchema, compareNewestFirst } from './article.js';
import { type OutputFile, renderFeed } from './build.js';
import { checkFeed } from './check.js';
import { ArticleError, describeError, FeedCheckError, StoreError } from './errors.js';
import type { Logger } from './log.js';
import { describePhotos, type PhotoLocation } from './photos.js';
import { readArticle } from './read/index.js';
import { entryId } from './render/feed-model.js';
import { type DeletedEntry, feedPathsOf, feedSpec } from './select.js';
import type { SiteConfig } from './site.js';
import { type ObjectStore, PreconditionFailedError } from './storage/object-store.js';

export const INCOMING_PREFIX = 'incoming/';
const ARTICLES = 'articles/';
const SOURCES = 'sources/';
const INDEX = 'index/';
const STATE = 'state/';
const ERRORS = 'errors/';
/** Takedowns remembered per feed (Atom tombstones, JSON `deleted`). */
const DELETED_KEPT = 50;

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
}

interface FeedState {
  format: 1;
  path: string;
  section: string | null;
  items: Article[];
  deleted: DeletedEntry[];
  /** sha256 of each file rendered from this state. */
  files: Record<string, string>;
}

interface Rendered {
  files: OutputFile[];
  hashes: Record<string, string>;
  /** Whether the files passed the output check already. */
  checked: boolean;
}

interface ArticleRecord {
  article: Article;
  source: { key: string; sequencer: string | null } | null;
}

interface SourceRecord {
  key: string;
  id: string | null;
  sequencer: string | null;
  removed: boolean;
  error: boolean;
}

export interface PublishOutcome {
  status: 'published' | 'unchanged' | 'withdrawn' | 'stale' | 'gone' | 'rejected' | 'not-found';
  id?: string;
  /** Feed files written (relative to the feed prefix). */
  written: string[];
  reason?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const feedDir = (path: string) => path || 'site/';
const stateKey = (path: string) => `${STATE}${feedDir(path)}state.json`;
const markerPrefix = (path: string) => `${INDEX}${feedDir(path)}`;
const articleKey = (id: string) => `${ARTICLES}${id}.json`;
const sourceKey = (key: string) => `${SOURCES}${sha256(key).slice(0, 40)}.json`;
/** errors/ mirrors the incoming key, made safe. */
export const errorKey = (key: string) => `${ERRORS}${key.replace(/[^A-Za-z0-9._/-]/g, '_').replace(/\.\.+/g, '_')}.json`;

/** Lexicographic order of markers is newest first: 13 digits of (max - published ms), then the id. */
export function markerKey(path: string, article: Pick<Article, 'id' | 'published'>): string {
  const inverted = Math.max(0, 9_999_999_999_999 - Math.max(0, Date.parse(article.published)));
  return `${markerPrefix(path)}${String(inverted).padStart(13, '0')}-${article.id}`;
}

/** S3 sequencers are hex strings; the greater value is the later event. */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toUpperCase().padStart(width, '0');
  const pb = b.toUpperCase().padStart(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Full jitter: a random wait up to 10 ms doubling per attempt, at most 400 ms. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.floor(Math.random() * Math.min(400, 10 * 2 ** attempt));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Syndicator {
  private readonly slack: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly config: SyndicatorConfig,
    private readonly log: Logger,
  ) {
    this.slack = config.slack ?? 10;
    this.maxAttempts = config.maxAttempts ?? 25;
  }

  // ---- incoming objects (S3 events) ----

  /** An object was created under incoming/: read it, publish it, remember where it came from. */
  async publishObject(key: string, sequencer: string | null): Promise<PublishOutcome> {
    return this.recordingFailures(key, () => this.publishObjectNow(key, sequencer));
  }

  /** An object under incoming/ was deleted: a takedown of the article it held. */
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
      // The flag first, the record second: a record is never left without the flag that clears it.
      try {
        const source = await this.readJson<SourceRecord>(sourceKey(key));
        if (!source?.error) await this.putJson(sourceKey(key), source ? { ...source, error: true } : ({ key, id: null, sequencer: null, removed: true, error: true } satisfies SourceRecord));
        await this.putJson(errorKey(key), { key, field: '(service)', reason, transient: true, message: `${key}: ${reason}` });
      } catch {
        // S3 is failing: the event itself, retried and then in the failed-events queue, is the record.
      }
      throw error;
    }
  }

  private async publishObjectNow(key: string, sequencer: string | null): Promise<PublishOutcome> {
    const source = await this.readJson<SourceRecord>(sourceKey(key));
    if (source && sequencer && source.sequencer && compareSequencers(sequencer, source.sequencer) < 0) {
      this.log.info('stale event ignored', { key, sequencer, latest: source.sequencer });
      return { status: 'stale', written: [] };
    }
    const object = await this.store.get(key);
    if (!object) {
      this.log.info('object already gone', { key });
      return { status: 'gone', written: [] };
    }
    let article: Article;
    try {
      const name = key.slice(key.lastIndexOf('/') + 1);
      const result = readArticle(name, object.body, { source: key, receivedAt: object.lastModified, defaultLanguage: this.config.site.language });
      for (const w of result.warnings) this.log.warn('derived metadata', { key, field: w.field, detail: w.message });
      article = result.article;
    } catch (error) {
      if (!(error instanceof ArticleError)) throw error;
      await this.recordError(key, error);
      await this.putJson(sourceKey(key), { key, id: source?.id ?? null, sequencer, removed: source?.removed ?? true, error: true } satisfies SourceRecord);
      return { status: 'rejected', written: [], reason: error.message };
    }
    const written: string[] = [];
    if (source?.id && !source.removed && source.id !== article.id) {
      // The file now says it is another article: the old one leaves the feeds.
      written.push(...(await this.unpublishId(source.id, object.lastModified.toISOString())).written);
    }
    // Remember key -> id before any feed changes: if this event then fails half way, a takedown of the
    // file can still find the article it put in a feed.
    const mapping: SourceRecord = { key, id: article.id, sequencer, removed: false, error: source?.error ?? false };
    if (stableJson(mapping) !== stableJson(source)) await this.putJson(sourceKey(key), mapping);
    let outcome: PublishOutcome;
    try {
      outcome = await this.publishArticle(article, { key, sequencer });
    } catch (error) {
      // A feed that fails its check is never published; retrying would fail the same way.
      if (!(error instanceof FeedCheckError)) throw error;
      await this.recordError(key, { field: '(feed check)', reason: error.message });
      await this.putJson(sourceKey(key), { ...mapping, error: true });
      return { status: 'rejected', id: article.id, written, reason: error.message };
    }
    if (mapping.error) {
      await this.store.delete(errorKey(key));
      await this.putJson(sourceKey(key), { ...mapping, error: false });
    }
    return { ...outcome, written: [...written, ...outcome.written] };
  }

  private async unpublishObjectNow(key: string, sequencer: string | null, when: string): Promise<PublishOutcome> {
    const source = await this.readJson<SourceRecord>(sourceKey(key));
    if (source && sequencer && source.sequencer && compareSequencers(sequencer, source.sequencer) < 0) {
      this.log.info('stale event ignored', { key, sequencer, latest: source.sequencer });
      return { status: 'stale', written: [] };
    }
    if (source?.error) await this.store.delete(errorKey(key));
    if (!source?.id || source.removed) {
      // Remember the takedown, so an older create event arriving late cannot bring the article back.
      await this.putJson(sourceKey(key), { key, id: source?.id ?? null, sequencer, removed: true, error: false } satisfies SourceRecord);
      return { status: source?.id ? 'withdrawn' : 'not-found', written: [] };
    }
    const outcome = await this.unpublishId(source.id, when);
    await this.putJson(sourceKey(key), { key, id: source.id, sequencer, removed: true, error: false } satisfies SourceRecord);
    return outcome;
  }

  private async recordError(key: string, error: { field: string; reason: string; message?: string }): Promise<void> {
    this.log.error('article rejected', { key, field: error.field, reason: error.reason });
    await this.putJson(errorKey(key), { key, field: error.field, reason: error.reason, message: error.message ?? `${key}: ${error.field}: ${error.reason}` });
  }

  // ---- articles ----

  /** Stores the article and brings every feed it is (or was) in up to date. */
  async publishArticle(input: Article, source: ArticleRecord['source'] = null): Promise<PublishOutcome> {
    const old = await this.readRecord(input.id);
    const article: Article = { ...input, photos: await describePhotos(input.photos, this.store, this.config.photos, old?.article.photos ?? []) };
    article.photos.forEach((photo, i) => {
      const given = input.photos[i]?.url;
      if (given && photo.url === null) this.log.warn('photo not in the bucket; published without it', { id: input.id, url: given });
    });
    const replay = old !== null && stableJson(old.article) === stableJson(article);
    const newFeeds = feedPathsOf(article);
    const oldFeeds = old ? feedPathsOf(old.article) : [];
    if (!replay) await this.storeRecord(article, source, old);
    const written: string[] = [];
    for (const path of union(newFeeds, oldFeeds)) {
      const inFeed = newFeeds.includes(path);
      written.push(
        ...(await this.updateFeed(
          path,
          (state) => {
            state.items = state.items.filter((a) => a.id !== article.id);
            state.deleted = state.deleted.filter((d) => d.id !== article.id);
            if (inFeed) state.items.push(article);
          },
          replay,
        )),
      );
    }
    this.log.info(replay ? 'article unchanged' : 'article published', { id: article.id, feeds: union(newFeeds, oldFeeds), written });
    return { status: replay ? 'unchanged' : 'published', id: article.id, written };
  }

  /**
   * Stores the article record and its index markers. Markers first, record second, stale markers last:
   * a crash anywhere leaves a state a replay repairs.
   */
  private async storeRecord(article: Article, source: ArticleRecord['source'], old: ArticleRecord | null): Promise<void> {
    const newMarkers = feedPathsOf(article).map((p) => markerKey(p, article));
    const oldMarkers = old ? feedPathsOf(old.article).map((p) => markerKey(p, old.article)) : [];
    await Promise.all(newMarkers.filter((m) => !oldMarkers.includes(m)).map((m) => this.store.put(m, '')));
    await this.putJson(articleKey(article.id), { article, source } satisfies ArticleRecord);
    await Promise.all(oldMarkers.filter((m) => !newMarkers.includes(m)).map((m) => this.store.delete(m)));
  }

  /**
   * Stores articles without touching any feed (markers and records only), `concurrency` at a time: for
   * loading an archive, followed by one republish. Photo metadata is not looked up.
   */
  async importArticles(articles: Iterable<Article>, concurrency = 16): Promise<number> {
    const iterator = articles[Symbol.iterator]();
    let stored = 0;
    const worker = async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const article = next.value;
        await this.storeRecord(article, null, await this.readRecord(article.id));
        stored += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return stored;
  }

  /** A takedown: the article leaves its feeds, which say so where the format allows it. */
  async unpublishId(id: string, when: string): Promise<PublishOutcome> {
    const old = await this.readRecord(id);
    if (!old) return { status: 'not-found', id, written: [] };
    const feeds = feedPathsOf(old.article);
    await Promise.all(feeds.map((p) => this.store.delete(markerKey(p, old.article))));
    const deleted: DeletedEntry = { id, entryId: entryId(old.article), when: new Date(when).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const written: string[] = [];
    for (const path of feeds) {
      written.push(
        ...(await this.updateFeed(path, (state) => {
          state.items = state.items.filter((a) => a.id !== id);
          if (!state.deleted.some((d) => d.id === id)) state.deleted.unshift(deleted);
        })),
      );
    }
    await this.store.delete(articleKey(id));
    this.log.info('article withdrawn', { id, feeds, written });
    return { status: 'withdrawn', id, written };
  }

  // ---- feeds ----

  /** Rebuilds every feed from the stored articles, reading only what the feeds show. */
  async republish(): Promise<PublishOutcome> {
    // Every feed that has a state or any article: O(feeds) listings, never the archive.
    const sections = [...(await this.store.listPrefixes(`${STATE}sections/`)), ...(await this.store.listPrefixes(`${INDEX}sections/`))];
    const paths = new Set(['', ...sections.map((p) => p.slice(p.indexOf('sections/')))]);
    const written: string[] = [];
    for (const path of [...paths].sort()) {
      const items = await this.newestFromIndex(path, this.config.site.limits.items + this.slack);
      written.push(
        ...(await this.updateFeed(
          path,
          (state) => {
            state.items = items;
          },
          true,
        )),
      );
    }
    this.log.info('republished', { feeds: paths.size, written });
    return { status: written.length > 0 ? 'published' : 'unchanged', written };
  }

  /** The newest articles of a feed, from its index markers: O(limit) reads, never the archive. */
  private async newestFromIndex(path: string, count: number, skip: ReadonlySet<string> = new Set()): Promise<Article[]> {
    const markers = await this.store.list(markerPrefix(path), count + skip.size);
    const ids = markers.map((m) => m.slice(m.indexOf('-', markerPrefix(path).length) + 1)).filter((id) => !skip.has(id));
    const records = await Promise.all(ids.map((id) => this.readRecord(id)));
    const articles: Article[] = [];
    records.forEach((record, i) => {
      // A marker left behind by a crash or an older version of the article is ignored.
      if (record && markerKey(path, record.article) === markers.find((m) => m.endsWith(`-${ids[i]}`))) articles.push(record.article);
    });
    return articles.slice(0, count);
  }

  /**
   * Changes one feed's state by compare-and-swap, then writes the feed's files that changed. With
   * `verify`, files are compared with what is actually stored rather than with the state's record.
   */
  private async updateFeed(path: string, change: (state: FeedState) => void, verify = false): Promise<string[]> {
    const key = stateKey(path);
    let committed: { state: FeedState; etag: string; previousFiles: Record<string, string>; rendered: Rendered } | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts && !committed; attempt++) {
      const current = await this.store.get(key);
      let state: FeedState;
      try {
        state = current ? parseState(current.body, key) : { format: 1, path, section: null, items: [], deleted: [], files: {} };
      } catch (error) {
        // A torn read (some S3 emulators are not atomic) is retried like a lost race; a lasting one throws.
        if (attempt === this.maxAttempts) throw error;
        await backoff(attempt);
        continue;
      }
      const next: FeedState = structuredClone(state);
      change(next);
      await this.normalise(next, path, state);
      // The first attempt checks the feeds with this article in them before anything is committed; a
      // retry after a lost race differs only by other writers' articles, so its files are checked when
      // they are written instead (checking costs as much as rendering, and races repeat it).
      const rendered = this.render(next, attempt === 1);
      next.files = rendered.hashes;
      if (current && stableJson(next) === stableJson(state)) {
        committed = { state: next, etag: current.etag, previousFiles: state.files, rendered };
        break;
      }
      try {
        const etag = await this.store.put(key, stableJson(next), {
          contentType: 'application/json',
          ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }),
        });
        committed = { state: next, etag, previousFiles: current ? state.files : {}, rendered };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await backoff(attempt);
      }
    }
    if (!committed) throw new StoreError(key, `gave up after ${this.maxAttempts} concurrent updates`);

    // Write the files of the committed state; if another writer committed since, write theirs too.
    const written = new Set<string>();
    let { etag, rendered } = committed;
    let baseline: Record<string, string> | null = verify ? null : committed.previousFiles;
    for (let round = 1; round <= this.maxAttempts; round++) {
      for (const file of await this.writeFiles(rendered, baseline)) written.add(file);
      const head = await this.store.head(key);
      if (!head || head.etag === etag) return [...written].sort();
      const latest = await this.store.get(key);
      if (!latest) return [...written].sort();
      try {
        rendered = this.render(parseState(latest.body, key));
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        await backoff(round);
        continue;
      }
      etag = latest.etag;
      baseline = null;
    }
    throw new StoreError(key, `state kept moving after ${this.maxAttempts} rounds of writing`);
  }

  /** Sorts, trims and, when takedowns left the feed short, refills from the index. */
  private async normalise(state: FeedState, path: string, before: FeedState): Promise<void> {
    const keep = this.config.site.limits.items + this.slack;
    state.items.sort(compareNewestFirst);
    const removed = before.items.some((a) => !state.items.some((b) => b.id === a.id));
    if (removed && state.items.length < this.config.site.limits.items) {
      const present = new Set(state.items.map((a) => a.id));
      const deleted = new Set(state.deleted.map((d) => d.id));
      const more = await this.newestFromIndex(path, keep, present);
      state.items.push(...more.filter((a) => !present.has(a.id) && !deleted.has(a.id)));
      state.items.sort(compareNewestFirst);
    }
    state.items = state.items.slice(0, keep);
    state.deleted = state.deleted.slice(0, DELETED_KEPT);
    // A section feed is named after its newest article's section (names may differ only in case).
    if (path !== '') state.section = state.items[0]?.section ?? state.section;
  }

  private render(state: FeedState, check = false): Rendered {
    const spec = { ...feedSpec(this.config.site, state.path === '' ? null : state.section), path: state.path, deleted: state.deleted };
    const files = renderFeed(spec, state.items.slice(0, this.config.site.limits.items), this.config.site, { check });
    return { files, hashes: Object.fromEntries(files.map((f) => [f.path, sha256(f.body)])), checked: check };
  }

  /** Puts each file whose hash differs from the baseline (or, without one, from the stored object). */
  private async writeFiles({ files, hashes, checked }: Rendered, baseline: Record<string, string> | null): Promise<string[]> {
    const written: string[] = [];
    await Promise.all(
      files.map(async (file) => {
        const hash = hashes[file.path] as string;
        const key = this.config.feedPrefix + file.path;
        if (baseline) {
          if (baseline[file.path] === hash) return;
        } else {
          const head = await this.store.head(key);
          if (head?.metadata.sha256 === hash) return;
        }
        // Nothing unchecked is ever written: a failing feed leaves the published one as it was.
        if (!checked) checkFeed(file.path, file.body);
        await this.store.put(key, file.body, { contentType: file.contentType, cacheControl: this.config.cacheControl, metadata: { sha256: hash } });
        written.push(file.path);
      }),
    );
    return written.sort();
  }

  // ---- records ----

  private async readRecord(id: string): Promise<ArticleRecord | null> {
    const record = await this.readJson<ArticleRecord>(articleKey(id));
    if (!record) return null;
    const parsed = ArticleSchema.safeParse(record.article);
    if (!parsed.success) throw new StoreError(articleKey(id), `stored article is invalid: ${describeError(parsed.error)}`);
    return { article: parsed.data, source: record.source ?? null };
  }

  private async readJson<T>(key: string): Promise<T | null> {
    const object = await this.store.get(key);
    if (!object) return null;
    try {
      return JSON.parse(object.body.toString('utf8')) as T;
    } catch (cause) {
      throw new StoreError(key, 'is not valid JSON', { cause });
    }
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    await this.store.put(key, stableJson(value), { contentType: 'application/json' });
  }
}

function parseState(body: Buffer, key: string): FeedState {
  try {
    const state = JSON.parse(body.toString('utf8')) as FeedState;
    if (state.format !== 1 || !Array.isArray(state.items)) throw new Error('unknown format');
    return { ...state, deleted: state.deleted ?? [], files: state.files ?? {} };
  } catch (cause) {
    throw new StoreError(key, 'feed state is unreadable', { cause });
  }
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

