/**
 * Counting round trips to a store: a wrapper around any ObjectStore that adds a small fixed latency to
 * every request (so requests that could overlap visibly do, and ones that wait for each other visibly do
 * not), counts requests by kind, and measures sequential round trips.
 *
 * Round trips: every request takes a place in one order of events (its start, its end). A request's depth
 * is 1 + the greatest depth of the requests that had ended before it started (1 when none had); the round
 * trips of a run are its greatest depth: the longest chain of requests each started after the previous one
 * finished. Since depths only grow as requests end, the greatest depth ended so far is all a new request
 * needs, and following each request's deepest predecessor back gives one critical path.
 */
import type { ObjectHead, ObjectStore, PutOptions, StoredObject } from '../../src/storage/object-store.js';

export type RequestKind = 'get' | 'head' | 'put' | 'delete' | 'list';

export interface RequestRecord {
  /** Order in which the request started, from 0. */
  index: number;
  kind: RequestKind;
  /** What a log line says about it: `GET state/feed.json`, `PUT feeds/rss.xml (if-match)`. */
  label: string;
  key: string;
  /** Positions in the one order of starts and ends. */
  start: number;
  end: number | null;
  /** 1 + the greatest depth among requests that had ended before this one started. */
  depth: number;
  /** The deepest request that had ended before this one started (the previous step of its chain). */
  after: RequestRecord | null;
  /** Name of what it threw (a lost compare-and-swap: PreconditionFailedError), if it failed. */
  failed?: string;
}

export interface RoundTripSummary {
  counts: Record<RequestKind, number>;
  total: number;
  roundTrips: number;
  /** One longest chain, first request first. */
  criticalPath: string[];
  /** Requests by depth: levels[d - 1] holds those of depth d, in start order. */
  levels: string[][];
}

const labelOf = (r: RequestRecord) => (r.failed ? `${r.label} -> ${r.failed}` : r.label);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RoundTripStore implements ObjectStore {
  readonly name: string;
  private events = 0;
  private records: RequestRecord[] = [];
  /** The deepest request that has ended so far (a request starting now follows it). */
  private deepestEnded: RequestRecord | null = null;

  constructor(
    readonly inner: ObjectStore,
    /** Added to every request, in ms, before it reaches the inner store. 0: no wait (a microtask still). */
    readonly latencyMs = 2,
  ) {
    this.name = inner.name;
  }

  /** Forgets every request recorded so far. Requests still in flight are dropped from the record. */
  reset(): void {
    this.records = [];
    this.deepestEnded = null;
  }

  get requests(): readonly RequestRecord[] {
    return this.records;
  }

  counts(): Record<RequestKind, number> {
    const counts: Record<RequestKind, number> = { get: 0, head: 0, put: 0, delete: 0, list: 0 };
    for (const r of this.records) counts[r.kind] += 1;
    return counts;
  }

  total(): number {
    return this.records.length;
  }

  roundTrips(): number {
    return this.records.reduce((max, r) => Math.max(max, r.depth), 0);
  }

  criticalPath(): RequestRecord[] {
    let last: RequestRecord | null = null;
    for (const r of this.records) if (!last || r.depth > last.depth) last = r;
    const path: RequestRecord[] = [];
    for (let r = last; r; r = r.after) path.unshift(r);
    return path;
  }

  summary(): RoundTripSummary {
    const levels: string[][] = Array.from({ length: this.roundTrips() }, () => []);
    for (const r of this.records) levels[r.depth - 1]?.push(labelOf(r));
    return { counts: this.counts(), total: this.total(), roundTrips: this.roundTrips(), criticalPath: this.criticalPath().map(labelOf), levels };
  }

  private async track<T>(kind: RequestKind, key: string, label: string, work: () => Promise<T>): Promise<T> {
    const after = this.deepestEnded;
    const record: RequestRecord = { index: this.records.length, kind, key, label, start: this.events++, end: null, depth: (after?.depth ?? 0) + 1, after };
    const records = this.records;
    records.push(record);
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      return await work();
    } catch (error) {
      record.failed = (error as Error)?.name ?? 'Error';
      throw error;
    } finally {
      record.end = this.events++;
      // A request from before a reset() does not count towards the chains after it.
      if (records === this.records && (!this.deepestEnded || record.depth > this.deepestEnded.depth)) this.deepestEnded = record;
    }
  }

  get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null> {
    return this.track('get', key, `GET ${key}${range ? ` (bytes ${range.start}-${range.end})` : ''}`, () => this.inner.get(key, range));
  }

  head(key: string): Promise<ObjectHead | null> {
    return this.track('head', key, `HEAD ${key}`, () => this.inner.head(key));
  }

  put(key: string, body: string | Buffer, options?: PutOptions): Promise<string> {
    const condition = options?.ifNoneMatch ? ' (if-none-match)' : options?.ifMatch !== undefined ? ' (if-match)' : '';
    return this.track('put', key, `PUT ${key}${condition}`, () => this.inner.put(key, body, options));
  }

  delete(key: string): Promise<void> {
    return this.track('delete', key, `DELETE ${key}`, () => this.inner.delete(key));
  }

  list(prefix: string, limit: number, startAfter?: string): Promise<string[]> {
    return this.track('list', prefix, `LIST ${prefix}${startAfter !== undefined ? ` after ${startAfter}` : ''}`, () => this.inner.list(prefix, limit, startAfter));
  }

  listPrefixes(prefix: string): Promise<string[]> {
    return this.track('list', prefix, `LIST ${prefix} (prefixes)`, () => this.inner.listPrefixes(prefix));
  }
}

/** `GET 9, PUT 7` from counts by kind, leaving out kinds with none. */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind.toUpperCase()} ${n}`)
    .join(', ');
}
