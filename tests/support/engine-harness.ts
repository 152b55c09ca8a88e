/**
 * One store, several Syndicators over it (each a Lambda invocation or CLI process with its own gates and
 * faults, tests/support/gated-store.ts), and what the tests read back: the ids each feed shows (checked
 * to agree across RSS, Atom and JSON Feed), its tombstones, the records. Shared by tests/integrity.test.ts
 * and tests/engine.test.ts.
 */
import { expect } from 'vitest';
import type { Article } from '../../src/article.js';
import { memoryLogger } from '../../src/log.js';
import { parseRecord } from '../../src/records.js';
import { MemoryObjectStore } from '../../src/storage/memory-store.js';
import { Syndicator, type SyndicatorConfig } from '../../src/syndicator.js';
import { makeArticle, makeSite, parseXml } from '../helpers.js';
import { type Gate, GatedStore } from './gated-store.js';

export const WHEN = '2024-06-01T00:00:00Z';
export const NOW = new Date('2024-07-01T00:00:00Z');

export function engineSetup(options: { limit?: number; slack?: number } = {}) {
  const store = new MemoryObjectStore();
  const log = memoryLogger();
  const config: SyndicatorConfig = {
    site: makeSite({ limits: { items: options.limit ?? 5 } }),
    feedPrefix: 'feeds/',
    cacheControl: 'no-cache',
    slack: options.slack ?? 2,
    clock: () => NOW,
    sleep: async () => undefined,
  };
  /** One Lambda invocation (or CLI process): its own gates and faults over the shared store. */
  const lambda = (overrides: Partial<SyndicatorConfig> = {}) => {
    const gated = new GatedStore(store);
    return { gated, syndicator: new Syndicator(gated, { ...config, ...overrides }, log) };
  };
  const main = lambda();
  const body = (path: string) => store.objects.get(`feeds/${path}`)?.body.toString('utf8') ?? null;
  /** Item ids of a feed (tombstones are not items), checked to agree across the three formats. */
  const ids = (dir = ''): string[] => {
    const json = body(`${dir}feed.json`);
    const rss = body(`${dir}rss.xml`);
    const atom = body(`${dir}atom.xml`);
    const idOf = (entryId: string) => entryId.replace('https://news.test.example/', '');
    const fromJson = json ? JSON.parse(json).items.map((i: any) => i._syndicate.article_id) : [];
    const fromRss = rss ? [parseXml(rss).rss.channel.item ?? []].flat().map((i: any) => idOf(i.guid['#text'] ?? i.guid)) : [];
    const fromAtom = atom ? [parseXml(atom).feed.entry ?? []].flat().map((e: any) => idOf(e.id)) : [];
    expect(fromRss, `${dir}rss.xml vs feed.json`).toEqual(fromJson);
    expect(fromAtom, `${dir}atom.xml vs feed.json`).toEqual(fromJson);
    return fromJson;
  };
  const tombstones = (dir = ''): string[] => (JSON.parse(body(`${dir}feed.json`) ?? '{"_syndicate":{"deleted":[]}}')._syndicate.deleted as { id: string }[]).map((d) => d.id);
  /** The stored record as JSON, as it is (null if none). */
  const stored = (id: string) => {
    const object = store.objects.get(`articles/${id}.json`);
    return object ? JSON.parse(object.body.toString('utf8')) : null;
  };
  /** The record as any fresh reader parses it. */
  const parsed = (id: string) => {
    const bytes = store.objects.get(`articles/${id}.json`)?.body ?? null;
    return bytes ? parseRecord(id, bytes) : null;
  };
  /** Live in the store: a record that says so (a withdrawn record keeps the article for its tombstone). */
  const live = (id: string) => {
    const record = stored(id);
    return record !== null && (record.status === undefined || record.status === 'live');
  };
  return { store, log, config, lambda, syndicator: main.syndicator, gated: main.gated, ids, tombstones, stored, parsed, live, body };
}

export const day = (n: number) => `2024-05-${String(n).padStart(2, '0')}T08:00:00Z`;

export function story(id: string, n: number, extra: Partial<Article> = {}): Article {
  return makeArticle({ id, url: `https://news.test.example/${id}`, published: day(n), updated: day(n), section: 'World', photos: [], ...extra });
}

export function storyText(id: string, n: number, extra = ''): string {
  return `---\nid: ${id}\nurl: https://news.test.example/${id}\nsection: World\npublished: ${day(n)}\n${extra}---\nBEIJING - Story ${id} opens here.\nSecond paragraph of ${id}.\n`;
}

/**
 * Starts `first`, lets it run until it reaches `gate` (or finishes without reaching it: the code under test
 * may not make that request at all), runs `second` to the end, then releases `first` and waits for it.
 */
export async function interleave(first: () => Promise<unknown>, gate: Gate, second: () => Promise<unknown>): Promise<unknown> {
  const running = first();
  running.catch(() => undefined);
  await Promise.race([gate.reached, running]);
  await second();
  gate.release();
  return running;
}
