/** What every part of the engine shares: the store, the log, the clock, and how to wait and retry. */
import { createHash } from 'node:crypto';
import type { Logger } from '../log.js';
import type { StoredRecord } from '../records.js';
import type { DeclaredScopes } from '../scopes.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface Engine {
  store: ObjectStore;
  log: Logger;
  /** The wall clock (tests pass their own). */
  clock: () => Date;
  /** Waits between compare-and-swap attempts (tests exploring interleavings pass their own). */
  sleep: (ms: number) => Promise<void>;
  /** Compare-and-swap attempts before giving up (the event is then retried by Lambda). */
  maxAttempts: number;
  /** The tag and author scopes the site declares: an article is indexed under these (and site, section). */
  declared: DeclaredScopes;
  /** The site keeps RFC 5005 archives: records note the archive months a revision leaves. */
  archives?: boolean;
}

/**
 * Records read during one operation, with their ETags: a later read that finds the same ETag is a HEAD.
 * A record read for a feed is kept without its article's content (`contentless`), so an operation that
 * reads thousands of long articles holds none of them.
 */
export type RecordCache = Map<string, { etag: string; record: StoredRecord; contentless?: true }>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const stable = (value: unknown) => JSON.stringify(value);
export const union = (...lists: readonly (readonly string[])[]) => [...new Set(lists.flat())];

/** Full jitter: a random wait up to 10 ms doubling per attempt, at most 400 ms. */
export const backoffMs = (attempt: number) => Math.floor(Math.random() * Math.min(400, 10 * 2 ** attempt));
export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
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

/** `work` on `items` a batch of `size` at a time, in order: what a batch holds is let go before the next. */
export async function inBatches<T>(items: readonly T[], size: number, work: (batch: readonly T[], start: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await work(items.slice(start, start + size), start);
}

export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<string> {
  return store.put(key, stable(value), { contentType: 'application/json' });
}
