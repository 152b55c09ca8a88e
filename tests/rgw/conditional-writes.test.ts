/**
 * Compare-and-swap on a server nobody here wrote (Ceph RGW), through the project's own S3ObjectStore:
 * what the s3rver proxy only imitates. Needs a running RGW (`npm run test:rgw` starts one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObjectStore, PreconditionFailedError } from '../../src/storage/object-store.js';
import { startRgw } from '../support/rgw.js';
import type { S3Harness } from '../support/s3.js';

let rgw: S3Harness;

beforeAll(async () => {
  rgw = await startRgw();
});

afterAll(async () => {
  await rgw?.stop();
});

/** Settles every promise; losers' errors kept, for checking that each is a lost race and nothing else. */
async function settle<T>(work: Promise<T>[]): Promise<{ value?: T; error?: unknown }[]> {
  return (await Promise.allSettled(work)).map((r) => (r.status === 'fulfilled' ? { value: r.value } : { error: r.reason }));
}

describe('conditional writes on Ceph RGW', () => {
  it('If-None-Match "*" on an existing key is refused and leaves the object', async () => {
    const store = rgw.store();
    await store.put('inm/first.json', '{"v":1}', { ifNoneMatch: '*', contentType: 'application/json' });
    await expect(store.put('inm/first.json', '{"v":2}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    const stored = await store.get('inm/first.json');
    expect(stored?.body.toString()).toBe('{"v":1}');
    expect(stored?.contentType).toBe('application/json');
  });

  it('If-Match with a stale ETag is refused; with the current one (as S3 returns it, quoted) it writes', async () => {
    const store = rgw.store();
    const stale = await store.put('im/state.json', 'one');
    const current = await store.put('im/state.json', 'two');
    expect(current).not.toBe(stale);
    await expect(store.put('im/state.json', 'lost', { ifMatch: stale })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await store.get('im/state.json'))?.body.toString()).toBe('two');

    // RGW refuses a quoted ETag: the store learns that on the first 412 (PUT, HEAD, PUT unquoted)...
    rgw.resetCounts();
    const third = await store.put('im/state.json', 'three', { ifMatch: current });
    expect(rgw.counts).toEqual({ put: 2, head: 1 });
    // ...and from then on sends it unquoted at once, and a stale one is one refused PUT.
    rgw.resetCounts();
    await store.put('im/state.json', 'four', { ifMatch: third });
    await expect(store.put('im/state.json', 'lost', { ifMatch: third })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(rgw.counts).toEqual({ put: 2 });
    expect((await store.get('im/state.json'))?.body.toString()).toBe('four');
  });

  /** Rounds of 20 writers putting with the same ETag; returns how many losers' answers were still a 5xx. */
  async function race(key: string, writers: ObjectStore[]): Promise<number> {
    const reader = rgw.store();
    let etag = await reader.put(key, 'round-start');
    let fromServerErrors = 0;
    for (let round = 0; round < 20; round++) {
      const expected = etag;
      const outcomes = await settle(writers.map((w, i) => w.put(key, `round ${round} writer ${i}`, { ifMatch: expected })));
      const winners = outcomes.flatMap((o, i) => (o.error === undefined ? [i] : []));
      expect(winners, `round ${round}`).toHaveLength(1);
      // Every loser lost the race cleanly: RGW's 500s for losers never leak out as errors.
      for (const o of outcomes) {
        if (o.error === undefined) continue;
        expect(o.error).toBeInstanceOf(PreconditionFailedError);
        if (((o.error as Error).cause as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 500) fromServerErrors += 1;
      }
      const stored = await reader.get(key);
      expect(stored?.body.toString()).toBe(`round ${round} writer ${winners[0]}`);
      expect(stored?.etag).toBe(outcomes[winners[0]!]!.value);
      etag = stored!.etag;
    }
    return fromServerErrors;
  }

  it('20 concurrent If-Match writers, each its own store: exactly one wins each round, and its body is stored', async () => {
    // One store per writer, as separate Lambda containers have; new ones learn RGW's ETag form mid-race.
    await race('race/own.json', Array.from({ length: 20 }, () => rgw.store()));
  });

  it('20 concurrent If-Match writers sharing one store: the same, after its SDK retries of 500s run out', async () => {
    const shared = rgw.store();
    const fromServerErrors = await race('race/shared.json', Array.from({ length: 20 }, () => shared));
    // RGW answers about half of its losers 500. One client's retry quota (the SDK's token bucket) soon runs
    // out, so many losers end on a 500 that the store has to recognise as a lost race (measured: ~270/380).
    expect(fromServerErrors).toBeGreaterThan(0);
  });

  it('a CAS counter incremented by 30 concurrent read-modify-write loops ends at exactly 30', async () => {
    const key = 'cas/counter';
    await rgw.store().put(key, '0', { ifNoneMatch: '*' });
    let lostRaces = 0;
    const increment = async (store: ObjectStore) => {
      for (let attempt = 1; ; attempt++) {
        const current = await store.get(key);
        if (!current) throw new Error('counter vanished');
        try {
          await store.put(key, String(Number(current.body.toString()) + 1), { ifMatch: current.etag });
          return;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError) || attempt >= 200) throw error;
          lostRaces += 1;
          // Jittered backoff so 30 loops do not stay in lock-step.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 5)));
        }
      }
    };
    await Promise.all(Array.from({ length: 30 }, () => increment(rgw.store())));
    expect((await rgw.store().get(key))?.body.toString()).toBe('30');
    // The loops really raced: with 30 at once, most increments lost at least once.
    expect(lostRaces).toBeGreaterThan(29);
  });
});

describe('reads on Ceph RGW', () => {
  it('get and head of a missing key are null', async () => {
    const store = rgw.store();
    expect(await store.get('missing/nothing.json')).toBeNull();
    expect(await store.head('missing/nothing.json')).toBeNull();
  });

  it('ranged get returns the bytes asked for; head gives size and metadata', async () => {
    const store = rgw.store();
    const body = Buffer.from('0123456789abcdefghij');
    const etag = await store.put('range/blob.bin', body, { contentType: 'application/octet-stream', metadata: { source: 'wire' } });
    const part = await store.get('range/blob.bin', { start: 5, end: 9 });
    expect(part?.body.toString()).toBe('56789');
    expect(part?.etag).toBe(etag);
    const head = await store.head('range/blob.bin');
    expect(head).toMatchObject({ etag, size: 20, contentType: 'application/octet-stream', metadata: { source: 'wire' } });
  });

  it('a range from 0 beyond the end reads the whole object; of an empty object, nothing, with its ETag', async () => {
    const store = rgw.store();
    const etag = await store.put('range/small.md', 'short');
    expect(await store.get('range/small.md', { start: 0, end: 2 * 1024 * 1024 })).toMatchObject({ body: Buffer.from('short'), etag });
    const empty = await store.put('range/empty.md', '');
    const read = await store.get('range/empty.md', { start: 0, end: 2 * 1024 * 1024 });
    expect(read?.body.length).toBe(0);
    expect(read?.etag).toBe(empty);
  });

  it('list and listPrefixes see what was written, in order', async () => {
    const store = rgw.store();
    await Promise.all(['ls/b/2', 'ls/a/1', 'ls/a/0', 'ls/c'].map((k) => store.put(k, k)));
    expect(await store.list('ls/', 10)).toEqual(['ls/a/0', 'ls/a/1', 'ls/b/2', 'ls/c']);
    expect(await store.list('ls/', 2)).toEqual(['ls/a/0', 'ls/a/1']);
    expect(await store.list('ls/', 10, 'ls/a/1')).toEqual(['ls/b/2', 'ls/c']);
    expect(await store.listPrefixes('ls/')).toEqual(['ls/a/', 'ls/b/']);
  });
});
