/**
 * The store's invariants (docs/decisions.md, I1-I5) over random interleavings of publishes, edits, takedowns
 * by key and by id, republishes, replayed and out-of-order events, with injected failures, explored by
 * fast-check's scheduler. A short run here; `npm run reliability` runs 20,000+ (docs/RELIABILITY.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../src/log.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { articleText, checkInvariants, runScenario, scenarioArbitrary, SITE } from './support/interleavings.js';
import { emptyModel, reachableOutcomes, step } from './support/record-model.js';
import { readArticle } from '../src/read/index.js';

const RUNS = Number(process.env.INTERLEAVING_RUNS ?? 120);
// To replay a failure: INTERLEAVING_SEED and INTERLEAVING_PATH from fast-check's report.
const REPLAY = process.env.INTERLEAVING_SEED ? { seed: Number(process.env.INTERLEAVING_SEED), path: process.env.INTERLEAVING_PATH, endOnFailure: true } : {};

describe('random interleavings with injected failures', () => {
  it(`I1-I5 hold (${RUNS} scenarios, one schedule each)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, fc.scheduler(), async (scenario, s) => {
        const result = await runScenario(scenario, s);
        expect(result.problems).toEqual([]);
      }),
      { numRuns: RUNS, verbose: 1, ...REPLAY },
    );
  }, Math.max(120_000, RUNS * 100));
});

describe('the checks themselves', () => {
  const article = (id: string, title: string) => readArticle(`${id}.md`, articleText({ id: id as 'a', section: 'World', day: 1, title: 0, urlOfA: false, invalid: false }).replace(/title: .*/, `title: ${title}`), {}).article;

  it('report a feed that shows a ghost, or misses an article, as I1', async () => {
    const store = new MemoryObjectStore();
    const syndicator = new Syndicator(store, { site: SITE, feedPrefix: 'feeds/', cacheControl: 'no-cache', slack: 1 }, memoryLogger());
    await syndicator.publishArticle(article('a', 'Alpha'));
    await syndicator.publishArticle(article('b', 'Beta'));
    expect(await checkInvariants(store, { calls: new Map(), answered: new Map() }, emptyModel(), [], [], false)).toEqual(expect.arrayContaining([expect.stringMatching(/^I3/)]));
    // A feed file that lost an item, and a state that kept a withdrawn one.
    const json = JSON.parse(store.objects.get('feeds/feed.json')?.body.toString() ?? '{}');
    json.items.pop();
    await store.put('feeds/feed.json', JSON.stringify(json));
    await store.put('articles/b.json', (store.objects.get('articles/b.json')?.body.toString() ?? '').replace('"status":"live"', '"status":"withdrawn"').replace('"withdrawn":null', '"withdrawn":{"when":"2024-06-01T00:00:00Z","by":"editor"}'));
    const problems = await checkInvariants(store, { calls: new Map([['republish#1', ['put articles/a.json']]]), answered: new Map() }, emptyModel(), [], [], false);
    expect(problems.some((p) => p.startsWith('I1 feed.json'))).toBe(true);
    expect(problems.some((p) => p.startsWith('I1 site: state shows'))).toBe(true);
    expect(problems.some((p) => p.startsWith('I2 feeds/sections/world/feed.json shows b'))).toBe(true);
    expect(problems.some((p) => p.startsWith('I4 republish#1 wrote put articles/a.json'))).toBe(true);
  });

  it('the serial-order model reaches both outcomes of a publish racing a takedown, and only those', () => {
    const a = article('a', 'Alpha');
    const outcomes = reachableOutcomes(
      emptyModel(),
      [
        { kind: 'publish', article: a },
        { kind: 'takedown', id: 'a', when: '2024-06-01T00:00:00Z' },
      ],
      [[], []],
    );
    expect([...outcomes].map((o) => JSON.parse(o).a?.live).sort()).toEqual([false, true]);
    const state = emptyModel();
    step(state, { kind: 'takedown', id: 'a', when: '2024-06-01T00:00:00Z' });
    expect(state.records).toEqual({});
  });
});
