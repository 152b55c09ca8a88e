/**
 * The reliability scenario: many publishes and takedowns through the real handlers against s3rver behind
 * the fault-injecting proxy, with Lambda's retry policy for async events (3 attempts, then the
 * failed-events queue), then a check of everything the bucket says, with faults switched off.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { checkJsonFeed, checkXml } from '../../src/check.js';
import { s3Created, s3Removed } from './events.js';
import type { Handlers } from './handlers.js';
import type { Faults, S3Harness } from './s3.js';

export interface ScenarioOptions {
  publishes: number;
  takedowns: number;
  sections: number;
  concurrency: number;
  faults: Faults | null;
  /** Attempts per event, as Lambda's async invocation: 1 + maximumRetryAttempts (2). */
  attempts?: number;
  /**
   * The handlers keep RFC 5005 archives (ARCHIVES=on): a feed's articles are those a walk from feed.json
   * along next_url meets, each exactly once (one met twice is a problem).
   */
  archives?: boolean;
}

export interface ScenarioReport {
  events: number;
  attemptsMax: number;
  retriedEvents: number;
  failedEvents: { key: string; kind: 'publish' | 'takedown'; reason: string }[];
  /** After the faults: the failed-events queue redriven, then every article exactly where it belongs. */
  afterRedrive: { redriven: number; problems: string[]; errorsLeft: number };
  requests: Record<string, number>;
  problems: string[];
  published: number;
  withdrawn: number;
  seconds: number;
}

const pad = (n: number) => String(n).padStart(4, '0');

function articleText(i: number, sections: number): string {
  const section = `Section ${i % sections}`;
  const minute = String(i % 60).padStart(2, '0');
  const hour = String(Math.floor(i / 60) % 24).padStart(2, '0');
  const day = String((Math.floor(i / 1440) % 28) + 1).padStart(2, '0');
  return `---\nid: story-${pad(i)}\nurl: https://news.test.example/story-${pad(i)}\nsection: ${section}\npublished: 2024-03-${day}T${hour}:${minute}:00Z\n---\nA caption for photo ${i}, March 1, 2024.\n(PHOTOGRAPHER ${i} / AGENCY)\nBEIJING - Story ${i} opens with its lead paragraph.\nThe second paragraph of story ${i}.\n(Xinhua)\n`;
}

async function withRetries(run: () => Promise<unknown>, attempts: number): Promise<{ attempts: number; error?: unknown }> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await run();
      return { attempts: attempt };
    } catch (error) {
      last = error;
    }
  }
  return { attempts, error: last };
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

export async function runScenario(s3: S3Harness, handlers: Handlers, options: ScenarioOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const attempts = options.attempts ?? 3;
  // The newsroom's own uploads and deletes go straight to the store: the faults are the service's.
  const direct = s3.directClient();
  const keys = Array.from({ length: options.publishes }, (_, i) => `incoming/story-${pad(i)}.md`);
  const takedowns = new Set(keys.filter((_, i) => i % Math.max(1, Math.floor(options.publishes / options.takedowns)) === 0).slice(0, options.takedowns));
  let sequence = 0x1000;
  const nextSequencer = () => (sequence++).toString(16).toUpperCase().padStart(16, '0');

  const report: ScenarioReport = {
    events: 0,
    attemptsMax: 0,
    retriedEvents: 0,
    failedEvents: [],
    afterRedrive: { redriven: 0, problems: [], errorsLeft: 0 },
    requests: {},
    problems: [],
    published: 0,
    withdrawn: 0,
    seconds: 0,
  };
  const queue: { kind: 'publish' | 'takedown'; event: unknown }[] = [];
  const record = (key: string, kind: 'publish' | 'takedown', event: unknown, outcome: { attempts: number; error?: unknown }) => {
    report.events += 1;
    report.attemptsMax = Math.max(report.attemptsMax, outcome.attempts);
    if (outcome.attempts > 1) report.retriedEvents += 1;
    if (outcome.error) {
      report.failedEvents.push({ key, kind, reason: String((outcome.error as Error).message ?? outcome.error) });
      queue.push({ kind, event });
    }
  };

  s3.resetCounts();
  s3.faults = options.faults;
  await pool(keys, options.concurrency, async (key) => {
    const i = Number(key.match(/(\d+)\.md$/)?.[1]);
    await direct.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: articleText(i, options.sections) }));
    const created = s3Created(s3.bucket, key, nextSequencer());
    record(key, 'publish', created, await withRetries(() => handlers.publish(created), attempts));
    if (takedowns.has(key)) {
      await direct.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
      const removed = s3Removed(s3.bucket, key, nextSequencer(), '2024-04-01T00:00:00.000Z');
      record(key, 'takedown', removed, await withRetries(() => handlers.unpublish(removed), attempts));
    }
  });
  s3.faults = null;
  report.requests = { ...s3.counts };

  // What the bucket says, checked with faults off.
  const store = s3.store();
  const failed = new Set(report.failedEvents.map((f) => f.key));
  const feedItems = async (path: string): Promise<string[]> => {
    const json = await store.get(`feeds/${path}feed.json`);
    if (!json) return [];
    const text = json.body.toString('utf8');
    checkJsonFeed(path, text);
    for (const format of ['rss.xml', 'atom.xml']) {
      const xml = await store.get(`feeds/${path}${format}`);
      if (!xml) report.problems.push(`${path}${format} missing while feed.json exists`);
      else checkXml(`${path}${format}`, xml.body.toString('utf8'));
    }
    const ids: string[] = JSON.parse(text).items.map((item: { _syndicate: { article_id: string } }) => item._syndicate.article_id);
    if (!options.archives) return ids;
    // The archive: every page along next_url (JSON Feed's link to the next older document).
    let next: string | undefined = JSON.parse(text).next_url;
    for (let pages = 0; next && pages < 10_000; pages++) {
      const page = await store.get(`feeds/${decodeURI(new URL(next).pathname.slice('/feeds/'.length))}`);
      if (!page) {
        report.problems.push(`${path}: ${next} is linked but not written`);
        break;
      }
      const doc = JSON.parse(page.body.toString('utf8'));
      ids.push(...doc.items.map((item: { _syndicate: { article_id: string } }) => item._syndicate.article_id));
      next = doc.next_url;
    }
    for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) report.problems.push(`${path}: the walk meets ${id} more than once`);
    return ids;
  };
  const siteItems = await feedItems('');
  for (const id of siteItems) if (!(await store.head(`articles/${id}.json`))) report.problems.push(`site feed shows ${id}, which is not stored`);
  for (let s = 0; s < options.sections; s++) {
    const path = `sections/section-${s}/`;
    const items = await feedItems(path);
    for (const id of items) if (!(await store.head(`articles/${id}.json`))) report.problems.push(`${path} shows ${id}, which is not stored`);
    for (const key of keys.filter((_, i) => i % options.sections === s)) {
      const id = key.slice('incoming/'.length, -'.md'.length);
      const shown = items.includes(id);
      const error = await store.get(`errors/${key}.json`);
      if (takedowns.has(key)) {
        if (shown && !failed.has(key)) report.problems.push(`${id} was taken down but is still in ${path}`);

        if (!shown) report.withdrawn += 1;
      } else if (shown) {
        report.published += 1;
      } else if (!error && !failed.has(key)) {
        // A failed event is recorded in the failed-events queue even when S3 was too sick to take an errors/ record.
        report.problems.push(`${id} is neither in ${path} nor recorded under errors/ or in the failed-events queue`);
      }
      // Photos: every enclosure in the feeds points at a URL the article gave (none are invented).
    }
  }
  // Redrive the failed-events queue, as an operator would once S3 is healthy, in the order they failed.
  for (const item of queue) {
    if (item.kind === 'publish') await handlers.publish(item.event as never);
    else await handlers.unpublish(item.event as never);
    report.afterRedrive.redriven += 1;
  }
  for (let s = 0; s < options.sections; s++) {
    const path = `sections/section-${s}/`;
    const items = await feedItems(path);
    for (const key of keys.filter((_, i) => i % options.sections === s)) {
      const id = key.slice('incoming/'.length, -'.md'.length);
      if (takedowns.has(key) === items.includes(id)) report.afterRedrive.problems.push(`${id}: ${takedowns.has(key) ? 'still shown after its takedown' : 'missing from its feed'}`);
    }
  }
  report.afterRedrive.errorsLeft = (await store.list('errors/', 10_000)).length;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
