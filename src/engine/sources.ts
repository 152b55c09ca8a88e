/**
 * sources/<hash of key>.json: which article an incoming key supplies, and the S3 sequencer of the last
 * event applied for it, changed by compare-and-swap. Events of one key are ordered by sequencer: an older
 * one than the last applied is stale.
 */
import { describeError } from '../errors.js';
import { sourceKey } from '../layout.js';
import { compareSequencers } from '../records.js';
import { PreconditionFailedError } from '../storage/object-store.js';
import { type Engine, stable } from './common.js';

export interface SourceRecord {
  format: 2;
  key: string;
  /** The S3 sequencer of the last event applied for this key. */
  sequencer: string | null;
  /** The article the key supplies (or supplied, when removed). */
  id: string | null;
  removed: boolean;
  /**
   * Articles the key supplied before it said it was `id`, still owed a withdrawal by the event that
   * changed it (carried on until one of the key's events finds them withdrawn).
   */
  supersedes: string[];
  /**
   * The articles each of the key's last events changes, newest first: a retry of an event that wrote a
   * record and died before updating the feeds finds them here, even after a newer event of the key.
   */
  recent: { sequencer: string; ids: string[] }[];
}

export interface ReadSource {
  record: SourceRecord | null;
  etag: string | null;
  /** Written by the first store design (no format): its takedowns deleted the article's record. */
  legacy?: boolean;
}

/** Events remembered per key in `recent`: a Lambda retry comes within minutes, a handful of events later. */
const RECENT_EVENTS = 10;

/** The next source record, with this event's articles first in `recent`. */
export function withRecent(previous: SourceRecord | null, next: Omit<SourceRecord, 'recent'>, ids: readonly string[]): SourceRecord {
  const earlier = (previous?.recent ?? []).filter((r) => r.sequencer !== next.sequencer);
  // An event that changes no article (a refused upload) takes no place among the remembered ones.
  if (next.sequencer === null || ids.length === 0) return { ...next, recent: earlier };
  return { ...next, recent: [{ sequencer: next.sequencer, ids: [...new Set(ids)] }, ...earlier].slice(0, RECENT_EVENTS) };
}

/** An event older than the last one applied (null: no order known, never stale). */
export function isStaleEvent(sequencer: string | null, latest: string | null): boolean {
  return sequencer !== null && latest !== null && compareSequencers(sequencer, latest) < 0;
}

export class Sources {
  constructor(private readonly engine: Engine) {}

  async read(key: string): Promise<ReadSource> {
    const object = await this.engine.store.get(sourceKey(key));
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
        // Written as one id (or null) before it was a list.
        supersedes: Array.isArray(value.supersedes) ? value.supersedes.filter((i): i is string => typeof i === 'string') : typeof value.supersedes === 'string' ? [value.supersedes] : [],
        recent: Array.isArray(value.recent) ? value.recent.filter((r) => typeof r?.sequencer === 'string' && Array.isArray(r.ids) && r.ids.every((i) => typeof i === 'string')) : [],
      };
      return { record, etag: object.etag, ...((value as { format?: unknown }).format === undefined ? { legacy: true } : {}) };
    } catch (cause) {
      // Only ordering is lost: the record is written again (compare-and-swap on this ETag).
      this.engine.log.error('unreadable sources/ record replaced', { key, sourceKey: sourceKey(key), reason: describeError(cause) });
      return { record: null, etag: object.etag };
    }
  }

  /** Writes the key's source record by compare-and-swap; false when another event changed it first. */
  async write(key: string, current: ReadSource, next: SourceRecord): Promise<boolean> {
    if (current.record && stable(current.record) === stable(next)) return true;
    try {
      await this.engine.store.put(sourceKey(key), stable(next), { contentType: 'application/json', ...(current.etag ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return false;
      throw error;
    }
  }

  /** The key's last event applied, if it is newer than `sequencer` (null: it is not, or nothing is known). */
  async newerThan(key: string, sequencer: string): Promise<string | null> {
    const latest = (await this.read(key)).record?.sequencer ?? null;
    return latest !== null && compareSequencers(latest, sequencer) > 0 ? latest : null;
  }

  /** Whether `key` has applied an event newer than `sequencer` that no longer supplies `id`. */
  async movedOn(key: string, sequencer: string | null, id: string): Promise<boolean> {
    const source = (await this.read(key)).record;
    return source !== null && source.sequencer !== null && sequencer !== null && compareSequencers(source.sequencer, sequencer) > 0 && (source.removed || source.id !== id);
  }
}
