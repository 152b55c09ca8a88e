/**
 * urls/<hash of url>.json: a URL belongs to the first article published with it, for good. It is that
 * article's entry id in every reader, so another article with the same URL would be the same entry (and a
 * tombstone for one would hide the other). The binding is claimed before the record is written, then bound
 * or, if the publish is refused, released, so a publish that loses never keeps the URL from another. A
 * claim in flight is waited for. It is taken over only when its publisher provably will not come back (an
 * event its key has since moved past, fenced first so it cannot store its article), never on a clock: a claim older than URL_CLAIM_LEASE_MS is
 * treated as the URL's (the other article is refused, clearly), so two articles never share a URL even if
 * clocks disagree or a publisher paused; the claimant, or another publish of the same id, can finish it.
 */
import { ConflictError, StoreError } from '../errors.js';
import { urlKey } from '../layout.js';
import { decideFence, isValidRecord } from '../records.js';
import { PreconditionFailedError, type StoredObject } from '../storage/object-store.js';
import { backoffMs, type Engine, stable } from './common.js';
import type { RecordStore } from './record-store.js';
import type { Sources } from './sources.js';

/** A URL claim older than this belongs to a publish that died or stalled (a Lambda runs 29 s at most). */
const URL_CLAIM_LEASE_MS = 5 * 60 * 1000;

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

/** A claim a publish holds: the binding as written, and its ETag. */
export interface Claim {
  etag: string;
  binding: UrlBinding;
}

function parseBinding(body: Buffer, url: string): UrlBinding | null {
  try {
    const value = JSON.parse(body.toString('utf8')) as Partial<UrlBinding>;
    if (value.url !== url || typeof value.id !== 'string') return null;
    const state = value.state === 'claimed' || value.state === 'free' ? value.state : 'bound';
    const at = typeof value.at === 'string' ? value.at : new Date(0).toISOString();
    const optional = {
      ...(typeof value.token === 'string' ? { token: value.token } : {}),
      ...(typeof value.owner === 'string' ? { owner: value.owner } : {}),
      ...(typeof value.sequencer === 'string' ? { sequencer: value.sequencer } : {}),
    };
    return { url, id: value.id, state, at, ...optional };
  } catch {
    return null; // unreadable: treated as free, and replaced by compare-and-swap
  }
}

/** A binding read started ahead of its claim: the object, null when there is none, undefined if it failed. */
export interface Prefetched {
  url: string;
  object: Promise<StoredObject | null | undefined>;
}

export class UrlBindings {
  constructor(
    private readonly engine: Engine,
    private readonly records: RecordStore,
    private readonly sources: Sources,
  ) {}

  /** Whether the record of `id` holds `url`: then the URL is that article's, whatever the binding says. */
  private async holds(id: string, url: string): Promise<boolean> {
    const record = await this.records.read(id, new Map());
    return isValidRecord(record) && record.article?.url === url;
  }

  /**
   * Claims `url` for `id`; null when it is already the id's. Throws ConflictError when it is another
   * article's. `owner` and `sequencer` say who claims; `token` is the same for every attempt of one publish.
   */
  async claim(url: string, id: string, owner: string, sequencer: string | null, token: string, source: string, read?: Prefetched): Promise<Claim | null> {
    const { store, clock, maxAttempts } = this.engine;
    const key = urlKey(url);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // The first read may have been started earlier (beside the record's); a stale one only costs a retry.
      const early = attempt === 1 && read?.url === url ? await read.object : undefined;
      const object = early !== undefined ? early : await store.get(key);
      const binding = object ? parseBinding(object.body, url) : null;
      let take = binding === null || binding.state === 'free';
      if (binding?.id === id) {
        if (binding.state === 'bound') return null;
        if (object && binding.state === 'claimed' && binding.token === token) return { etag: object.etag, binding };
        if (await this.holds(id, url)) return null;
        // Another publish of this id from the same source (an older event of the same key): take it over.
        if (binding.state === 'claimed' && binding.owner === owner) take = true;
      } else if (binding && (binding.state === 'bound' || (await this.holds(binding.id, url)))) {
        throw new ConflictError(source, 'url', `${url} is the URL of article "${binding.id}"; an article's URL is its id in every feed reader, so it cannot be given to another`);
      } else if (binding?.state === 'claimed' && clock().getTime() - Date.parse(binding.at) >= URL_CLAIM_LEASE_MS) {
        throw new ConflictError(source, 'url', `${url} was claimed by article "${binding.id}" (${binding.at}), whose publish did not finish; publish that article again, or give this one another URL`);
      }
      if (!take && binding?.state === 'claimed' && binding.owner && binding.owner !== 'direct' && binding.sequencer) {
        // An event its key has since moved past: stale, it will never come back to settle its claim. It
        // may still be about to store its article, so that is fenced first.
        const latest = await this.sources.newerThan(binding.owner, binding.sequencer);
        if (latest) {
          const owner = binding.owner;
          await this.records.change(binding.id, (current) => decideFence(current, binding.id, owner, latest), new Map());
          take = true;
        }
      }
      if (!take) {
        await this.engine.sleep(backoffMs(attempt));
        continue;
      }
      try {
        const next: UrlBinding = { url, id, state: 'claimed', at: clock().toISOString(), owner, sequencer, token };
        const etag = await store.put(key, stable(next), { contentType: 'application/json', ...(object ? { ifMatch: object.etag } : { ifNoneMatch: '*' }) });
        return { etag, binding: next };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.engine.sleep(backoffMs(attempt));
      }
    }
    throw new StoreError(key, `another publish of ${url} is in flight; try again`);
  }

  /** Starts reading a URL's binding ahead of a claim; a failed read leaves the claim to read it itself. */
  prefetch(url: string): Prefetched {
    return { url, object: this.engine.store.get(urlKey(url)).catch(() => undefined) };
  }

  /**
   * After the record was written (or refused): the claim with this token becomes the binding, or is
   * released, unless the claimed id's record holds the URL after all (another publish of it committed).
   */
  async settle(url: string, token: string, keep: boolean, claim?: Claim): Promise<void> {
    const { store, maxAttempts } = this.engine;
    const key = urlKey(url);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Our own claim, as we wrote it: no need to read it back unless someone changed it since.
      const object = attempt === 1 && claim ? { etag: claim.etag, body: Buffer.from(stable(claim.binding)) } : await store.get(key);
      const binding = object ? parseBinding(object.body, url) : null;
      if (!object || !binding || binding.token !== token || binding.state !== 'claimed') return;
      const bound = keep || (await this.holds(binding.id, url));
      try {
        await store.put(key, stable({ ...binding, state: bound ? 'bound' : 'free' }), { contentType: 'application/json', ifMatch: object.etag });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        await this.engine.sleep(backoffMs(attempt));
      }
    }
  }
}
