/**
 * Reliability, short runs (the long ones: `npm run reliability`, figures in docs/RELIABILITY.md):
 * injected S3 faults, racing publishes and takedowns, replays.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { quietConsole } from './helpers.js';
import { loadHandlers } from './support/handlers.js';
import { runScenario } from './support/reliability.js';
import { startS3, type S3Harness } from './support/s3.js';

let s3: S3Harness;

beforeEach(async () => {
  quietConsole();
  s3 = await startS3();
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await s3.stop();
});

describe('with 20% of S3 requests failing (500, 503 SlowDown, connection reset)', () => {
  it('keeps every feed complete and valid; every article is in its feeds or recorded in errors/; retries are bounded', async () => {
    const handlers = await loadHandlers(s3.env({ FEED_ITEMS: '60' }));
    const report = await runScenario(s3, handlers, { publishes: 40, takedowns: 8, sections: 2, concurrency: 6, faults: { rate: 0.2, kinds: ['500', '503', 'reset'], seed: 7 } });
    expect(report.problems).toEqual([]);
    expect(report.afterRedrive.problems).toEqual([]);
    expect(report.afterRedrive.errorsLeft).toBe(0);
    expect(report.attemptsMax).toBeLessThanOrEqual(3);
    expect(report.published + report.withdrawn + report.failedEvents.length).toBeGreaterThanOrEqual(40);
    expect(report.withdrawn).toBeGreaterThanOrEqual(8 - report.failedEvents.filter((f) => f.kind === 'takedown').length);
    // The faults really happened: some events needed Lambda's retry or the SDK's.
    expect(report.requests.put ?? 0).toBeGreaterThan(0);
  });
});

describe('with archives on (small feeds, pages of 3) and 20% of S3 requests failing', () => {
  it('a walk from each feed.json meets every live article once: nothing lost, none twice, no takedown, before and after the redrive', async () => {
    const handlers = await loadHandlers(s3.env({ FEED_ITEMS: '4', ARCHIVES: 'on', ARCHIVE_PAGE_ITEMS: '3' }));
    const report = await runScenario(s3, handlers, { publishes: 30, takedowns: 6, sections: 2, concurrency: 6, faults: { rate: 0.2, kinds: ['500', '503', 'reset'], seed: 11 }, archives: true });
    expect(report.problems).toEqual([]);
    expect(report.afterRedrive.problems).toEqual([]);
    expect(report.published + report.withdrawn + report.failedEvents.length).toBeGreaterThanOrEqual(30);
    // The archive was there to walk: more articles than a feed file shows.
    expect(report.published).toBeGreaterThan(8);
    const archived = (await s3.store().list('feeds/sections/section-0/archive/', 1000)).length;
    expect(archived).toBeGreaterThan(0);
  });
});

describe('races', () => {
  it('50 concurrent publishes and 10 takedowns on one section leave exactly the expected articles', async () => {
    const handlers = await loadHandlers(s3.env({ FEED_ITEMS: '60' }));
    const report = await runScenario(s3, handlers, { publishes: 50, takedowns: 10, sections: 1, concurrency: 50, faults: null });
    // No faults: an event fails only by losing 25 compare-and-swaps in each of Lambda's 3 attempts to the
    // other writers, which on a slow machine (wider windows between read and write) some do. They go to
    // the failed-events queue, and the redrive (as an operator would) settles them: what must hold is that
    // nothing is lost, resurrected or misplaced, before and after.
    for (const failed of report.failedEvents) expect(failed.reason).toMatch(/gave up after \d+ concurrent updates/);
    expect(report.failedEvents.length).toBeLessThanOrEqual(30);
    expect(report.problems).toEqual([]);
    expect(report.afterRedrive.problems).toEqual([]);
    expect(report.afterRedrive.redriven).toBe(report.failedEvents.length);
    expect(report.afterRedrive.errorsLeft).toBe(0);
    const feed = JSON.parse((await s3.store().get('feeds/sections/section-0/feed.json'))?.body.toString() ?? '{}');
    expect(feed.items).toHaveLength(40);
    expect(feed._syndicate.deleted).toHaveLength(10);
    // A correctness test, not a timing one: 50 writers racing on one state take about 25 s alone and four
    // times that on a busy machine.
  }, 300_000);
});
