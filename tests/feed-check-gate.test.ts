/** A feed that fails its output check is never published: the previous version stays, the error is recorded. */
import { describe, expect, it, vi } from 'vitest';
import { FeedCheckError } from '../src/errors.js';
import { memoryLogger } from '../src/log.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { makeArticle, makeSite } from './helpers.js';

// Stand in for a renderer bug: any feed mentioning POISON fails the check, as malformed XML would.
vi.mock('../src/check.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/check.js')>();
  return {
    ...real,
    checkFeed: (path: string, body: string) => {
      if (body.includes('POISON')) throw new FeedCheckError(path, 'not well-formed XML: simulated');
      real.checkFeed(path, body);
    },
  };
});

describe('the output check gate', () => {
  it('keeps the previous feeds and state, and records the error for an incoming article', async () => {
    const store = new MemoryObjectStore();
    const log = memoryLogger();
    const syndicator = new Syndicator(store, { site: makeSite(), feedPrefix: 'feeds/', cacheControl: 'no-cache' }, log);
    await syndicator.publishArticle(makeArticle({ id: 'fine', title: 'Fine story' }));
    const snapshot = new Map([...store.objects].filter(([k]) => k.startsWith('feeds/') || k.startsWith('state/')).map(([k, v]) => [k, v.body.toString()]));

    await store.put('incoming/poison.md', '---\nid: poison\npublished: 2024-05-01T00:00:00Z\n---\nPOISON in the body.\n');
    const outcome = await syndicator.publishObject('incoming/poison.md', '01');
    expect(outcome.status).toBe('rejected');
    for (const [key, body] of snapshot) expect(store.objects.get(key)?.body.toString(), key).toBe(body);
    expect(JSON.parse(store.objects.get('errors/incoming/poison.md.json')?.body.toString() ?? '{}')).toMatchObject({ field: '(feed check)' });
    expect(log.lines.some((l) => l.message === 'article rejected' && l.key === 'incoming/poison.md')).toBe(true);
  });
});

describe('a refused article leaves nothing behind (the store never holds what the feeds refuse)', () => {
  it('no record, no index marker, no URL binding; a republish (every deploy) still works', async () => {
    const store = new MemoryObjectStore();
    const syndicator = new Syndicator(store, { site: makeSite(), feedPrefix: 'feeds/', cacheControl: 'no-cache' }, memoryLogger());
    await syndicator.publishArticle(makeArticle({ id: 'fine', title: 'Fine story' }));
    await store.put('incoming/poison.md', '---\nid: poison\nurl: https://news.test.example/poison\nsection: World\npublished: 2024-05-01T00:00:00Z\n---\nPOISON in the body.\n');
    expect((await syndicator.publishObject('incoming/poison.md', '01')).status).toBe('rejected');
    const keys = [...store.objects.keys()];
    expect(keys.filter((k) => k.includes('poison') && !k.startsWith('incoming/') && !k.startsWith('errors/') && !k.startsWith('sources/'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('urls/')).length).toBeLessThanOrEqual(1);
    for (const key of keys.filter((k) => k.startsWith('urls/'))) expect(store.objects.get(key)?.body.toString()).not.toMatch(/"state":"(claimed|bound)","at":".*","owner":"incoming\/poison.md"/);
    await expect(syndicator.republish()).resolves.toMatchObject({ status: expect.any(String) });
    await expect(syndicator.publishArticle(makeArticle({ id: 'later', title: 'Later story' }))).resolves.toMatchObject({ status: 'published' });
  });
});
