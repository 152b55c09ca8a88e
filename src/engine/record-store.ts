/**
 * Reading and changing article records (articles/<id>.json) by compare-and-swap, with the index markers
 * each revision wants: written before the record, and those no revision can want again deleted after it,
 * so a record is never without its markers. What a change is, src/records.ts decides.
 */
import { withoutContent } from '../article.js';
import { StoreError, describeError } from '../errors.js';
import { articleKey, recordErrorKey } from '../layout.js';
import { type ArticleRecord, type Decision, isValidRecord, parseRecord, pendingAfter, pendingMonthsAfter, type StoredRecord, wantedMarkers } from '../records.js';
import { PreconditionFailedError } from '../storage/object-store.js';
import { backoffMs, type Engine, putJson, type RecordCache, stable, union } from './common.js';

export interface RecordChange {
  decision: Decision;
  before: StoredRecord | null;
  after: StoredRecord | null;
}

export class RecordStore {
  constructor(private readonly engine: Engine) {}

  /**
   * Reads a record (a HEAD when this operation read it before and its ETag has not moved). `forFeed`: the
   * caller uses the article at once and keeps nothing, so the cache keeps the record without its content.
   */
  async read(id: string, cache: RecordCache, options: { forFeed?: boolean } = {}): Promise<StoredRecord | null> {
    const { store } = this.engine;
    const key = articleKey(id);
    const cached = cache.get(id);
    if (cached && !cached.contentless) {
      const head = await store.head(key);
      if (!head) {
        cache.delete(id);
        return null;
      }
      if (head.etag === cached.etag) return cached.record;
    }
    const object = await store.get(key);
    if (!object) {
      cache.delete(id);
      return null;
    }
    const record = parseRecord(id, object.body);
    if (!isValidRecord(record) && cache.get(id)?.etag !== object.etag) await this.quarantine(id, record);
    if (options.forFeed && isValidRecord(record) && record.article) {
      cache.set(id, { etag: object.etag, record: { ...record, article: withoutContent(record.article) }, contentless: true });
    } else {
      cache.set(id, { etag: object.etag, record });
    }
    return record;
  }

  /** Changes one record by compare-and-swap, deciding again on every attempt from what is stored then. */
  async change(id: string, decide: (current: StoredRecord | null) => Decision | Promise<Decision>, cache: RecordCache, known?: StoredRecord | null): Promise<RecordChange> {
    const { store, maxAttempts } = this.engine;
    const key = articleKey(id);
    const orphans = new Set<string>();
    let current = known !== undefined ? known : await this.read(id, cache);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const decision = await decide(current);
      if (!decision.write) return { decision, before: current, after: current };
      const revision = (isValidRecord(current) ? current.revision : current ? (current.revision ?? 0) : 0) + 1;
      const months = this.engine.archives ? pendingMonthsAfter(current, decision.write) : [];
      const next: ArticleRecord = { ...decision.write, revision, pending: pendingAfter(current, decision.write, this.engine.declared), ...(months.length > 0 ? { pendingMonths: months } : {}) };
      // Never store what this module could not read back (it would be quarantined at once).
      const readBack = parseRecord(id, Buffer.from(stable(next)));
      if (!isValidRecord(readBack)) throw new StoreError(key, `refusing to write a record that would not read back: ${readBack.reason}`);
      const had = wantedMarkers(current, this.engine.declared);
      const wanted = wantedMarkers(next, this.engine.declared);
      await Promise.all(wanted.filter((m) => !had.includes(m)).map((m) => store.put(m, '')));
      const etag = cache.get(id)?.etag;
      try {
        const newEtag = await store.put(key, stable(next), { contentType: 'application/json', ...(current && etag ? { ifMatch: etag } : { ifNoneMatch: '*' }) });
        cache.set(id, { etag: newEtag, record: next });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        // The markers just written are wanted by no revision now: deleted once a revision is committed.
        for (const m of wanted) if (!had.includes(m)) orphans.add(m);
        await this.engine.sleep(backoffMs(attempt));
        current = await this.read(id, cache);
        continue;
      }
      const stale = union(had, [...orphans]).filter((m) => !wanted.includes(m));
      await Promise.all(stale.map((m) => store.delete(m)));
      if (current && !isValidRecord(current)) await store.delete(recordErrorKey(id));
      return { decision, before: current, after: next };
    }
    throw new StoreError(key, `gave up after ${maxAttempts} concurrent updates`);
  }

  /**
   * Every feed the record owed is up to date: forget them, if the record is still this one (a newer
   * revision carries them on). Same revision: the markers it wants do not change.
   */
  async settlePending(record: ArticleRecord, cache: RecordCache): Promise<void> {
    const cached = cache.get(record.id);
    if (!cached || cached.record !== record) return;
    try {
      const { pendingMonths: _settled, ...rest } = record;
      const settled = { ...rest, pending: [] };
      const etag = await this.engine.store.put(articleKey(record.id), stable(settled), { contentType: 'application/json', ifMatch: cached.etag });
      cache.set(record.id, { etag, record: settled });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  /** An invalid record is never an item; it is reported (log, errors/articles/<id>.json) and left for a person. */
  private async quarantine(id: string, record: Extract<StoredRecord, { invalid: true }>): Promise<void> {
    const { log, store } = this.engine;
    log.error('stored article is invalid; it is left out of every feed', { key: record.key, reason: record.reason });
    try {
      await putJson(store, recordErrorKey(id), { key: record.key, field: record.reason.split(': ')[1] ?? '(record)', reason: record.reason, message: record.reason });
    } catch (error) {
      log.error('could not record the invalid article', { key: record.key, reason: describeError(error) });
    }
  }
}
