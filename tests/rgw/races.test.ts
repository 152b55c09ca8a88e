/**
 * The race suite on Ceph RGW, whose compare-and-swap nobody here wrote: the same random scenarios as
 * tests/interleavings.test.ts (publishes, edits, takedowns by key and by id, republishes, replayed events,
 * creates and deletes of one key, collisions), run with real concurrency against RGW, checked for I1-I3 and
 * I5; and the handlers' race of many publishes and takedowns on one section.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietConsole } from '../helpers.js';
import { runConcurrently, scenarioArbitrary } from '../support/interleavings.js';
import { loadHandlers } from '../support/handlers.js';
import { runScenario as runHandlerScenario } from '../support/reliability.js';
import { startRgw } from '../support/rgw.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('random scenarios, all at once, on RGW', () => {
  it('I1-I3 and I5 hold', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const rgw = await startRgw();
        try {
          const result = await runConcurrently(scenario, rgw.store());
          expect(result.problems).toEqual([]);
        } finally {
          await rgw.stop();
        }
      }),
      { numRuns: Number(process.env.RGW_SCENARIOS ?? 60) },
    );
  }, 300_000);
});

describe('the handlers on RGW', () => {
  it('40 publishes and 8 takedowns at once on one section leave exactly the expected articles', async () => {
    quietConsole();
    const rgw = await startRgw();
    try {
      const handlers = await loadHandlers(rgw.env({ FEED_ITEMS: '50' }));
      const report = await runHandlerScenario(rgw, handlers, { publishes: 40, takedowns: 8, sections: 1, concurrency: 40, faults: null });
      expect(report.failedEvents).toEqual([]);
      expect(report.problems).toEqual([]);
      expect(report.published).toBe(32);
      expect(report.withdrawn).toBe(8);
      const feed = JSON.parse((await rgw.store().get('feeds/sections/section-0/feed.json'))?.body.toString() ?? '{}');
      expect(feed.items).toHaveLength(32);
      expect(feed._syndicate.deleted).toHaveLength(8);
    } finally {
      await rgw.stop();
    }
  }, 300_000);
});
