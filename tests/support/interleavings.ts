/**
 * Model-based concurrency runs over the in-memory store, with fast-check's scheduler choosing the order
 * in which pending store requests happen. A scenario is a newsroom's uploads and deletes of incoming keys
 * (each reported by an S3 event, some delivered twice), direct publishes and takedowns, and republishes,
 * all at once, with injected failures: a request that fails before reaching the store, or one that did
 * its work and then failed (a lost answer, a Lambda that died right after that write). Failed events are
 * retried as Lambda does (three attempts), then redriven from the failed-events queue once faults stop.
 * Afterwards the invariants of docs/decisions.md are checked:
 *   I1 every feed's files are its committed state's rendering, and the state is what the records imply;
 *   I2 every item has a valid live record (a withdrawn article is never an item);
 *   I3 the records are what some serial order of the same operations gives (tests/support/record-model.ts);
 *   I4 a republish never writes a record (so it can neither remove a live article nor restore a withdrawn one);
 *   I5 an invalid stored record or a refused event blocks nothing else, and is recorded.
 * Used by tests/interleavings.test.ts (a short run) and tests/reliability/long.ts (20,000+ interleavings).
 */
import fc from 'fast-check';
import { type Article, compareNewestFirst } from '../../src/article.js';
import { renderFeed } from '../../src/build.js';
import { ArticleError, ConflictError, FeedCheckError } from '../../src/errors.js';
import { compareDeleted, DELETED_SHOWN, isLean, itemsNeeded, leanArticle, parseState, sectionName, tombstoneOf, weightOf } from '../../src/feed-state.js';
import { markerKey } from '../../src/layout.js';
import { memoryLogger } from '../../src/log.js';
import { readArticle } from '../../src/read/index.js';
import { entryOf, isValidRecord, parseRecord, type StoredRecord } from '../../src/records.js';
import { feedPathsOf, isDefaultScope, scopeKind, scopeName } from '../../src/scopes.js';
import { monthOf } from '../../src/archive.js';
import { walk } from './archive-walk.js';
import { scopeSpec } from '../../src/select.js';
import { declaredScopes, parseSiteConfig, scopeBudget } from '../../src/site.js';
import { fitToBudget } from '../../src/render/content.js';
import { MemoryObjectStore } from '../../src/storage/memory-store.js';
import type { ObjectHead, ObjectStore, PutOptions, StoredObject } from '../../src/storage/object-store.js';
import { Syndicator } from '../../src/syndicator.js';
import { mulberry32 } from '../../bench/generate.js';
import { emptyModel, type ModelOp, type ModelState, projection, reachableOutcomes } from './record-model.js';

// Budgets small enough that long variants are cut to their item budget and a window of them goes past
// the byte budget (lean items, read again when they come back inside: src/feed-state.ts).
// Declared feeds too: an MSN feed of the site (its takedowns kept as expired items), and a tag feed
// showing more items than the site's files (version 1 of a story is tagged, version 0 is not).
export const SITE = parseSiteConfig(
  {
    title: 'Model Daily',
    url: 'https://news.test.example/',
    limits: { items: 2, feedBytes: 12_000, itemChars: 6_000 },
    feeds: [
      { path: 'partners/msn/', format: 'rss', profile: 'msn' },
      { path: 'topics/x/', format: 'json', scope: { tag: 'X' }, items: 3 },
    ],
    // The news sitemap: the site's window also holds every article within a day of the newest, at most 3
    // (more than the site's files show), refilled from the index when a takedown moves its horizon back.
    newsSitemap: { days: 1, maxItems: 3 },
    // RFC 5005 archives of the site and each section (src/engine/archives.ts), a page an article, so a
    // month of two has pages and the month before links its oldest.
    archives: true,
    archivePageItems: 1,
  },
  'model',
);
// No slack: the site's window keeps 2 items, so the news sitemap's 3 must come from its recent part.
const SLACK = 0;
const CLOCK = () => new Date('2024-07-01T00:00:00Z');

// ---- scenarios ----

export interface Variant {
  id: 'a' | 'b' | 'c';
  section: 'World' | 'Sport' | '国际' | null;
  day: number;
  title: number;
  /** Takes article a's URL (a collision unless the id is a). */
  urlOfA: boolean;
  /** Content the reader refuses. */
  invalid: boolean;
  /** About 12,000 characters of body: over the item budget, and three of them over a feed's byte budget. */
  long?: boolean;
}

export type Mutation = { kind: 'put'; variant: Variant; twice: boolean } | { kind: 'delete'; twice: boolean };
export type DirectOp = { kind: 'publish'; variant: Variant } | { kind: 'takedown'; id: 'a' | 'b' | 'c' };

export interface Scenario {
  /** Articles published (directly, one by one) before the concurrent part. */
  before: Variant[];
  /** Uploads and deletes of incoming/k<i>.md, in order per key. */
  keys: Mutation[][];
  direct: DirectOp[];
  republishes: number;
  /** An invalid record (article z) with an index marker, planted before. */
  poisoned: boolean;
  faults: { rate: number; seed: number };
}

const variant: fc.Arbitrary<Variant> = fc.record({
  id: fc.constantFrom('a' as const, 'b' as const, 'c' as const),
  section: fc.constantFrom('World' as const, 'Sport' as const, '国际' as const, null),
  day: fc.integer({ min: 1, max: 3 }),
  title: fc.integer({ min: 0, max: 1 }),
  urlOfA: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  invalid: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  long: fc.integer({ min: 0, max: 9 }).map((n) => n < 4),
});

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), variant, twice: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), twice: fc.boolean() }) },
);

const directOp: fc.Arbitrary<DirectOp> = fc.oneof(
  fc.record({ kind: fc.constant('publish' as const), variant: variant.map((v) => ({ ...v, invalid: false })) }),
  fc.record({ kind: fc.constant('takedown' as const), id: fc.constantFrom('a' as const, 'b' as const, 'c' as const) }),
);

/** Small enough for the serial-order oracle to explore every order; large enough to collide. */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({
    before: fc.array(variant.map((v) => ({ ...v, invalid: false, urlOfA: false })), { maxLength: 2 }),
    keys: fc.array(fc.array(mutation, { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
    direct: fc.array(directOp, { maxLength: 2 }),
    republishes: fc.integer({ min: 0, max: 1 }),
    poisoned: fc.boolean(),
    faults: fc.record({ rate: fc.constantFrom(0, 0.05, 0.15), seed: fc.integer() }),
  })
  .filter((s) => s.keys.flat().reduce((n, m) => n + (m.twice ? 3 : 2), 0) + s.direct.length <= 12);

export function articleText(v: Variant): string {
  const url = v.urlOfA ? 'https://news.test.example/a' : `https://news.test.example/${v.id}`;
  // Day 1 is in April, days 2 and 3 in May: an edit can move a story across archive months.
  const date = v.invalid ? '2024-02-30' : v.day === 1 ? '2024-04-30T08:00:00Z' : `2024-05-0${v.day - 1}T08:00:00Z`;
  const long = v.long ? Array.from({ length: 3 }, (_, i) => `\nLong paragraph ${i} of ${v.id}: ${'words of the story '.repeat(220)}`).join('\n') : '';
  return `---\nid: ${v.id}\nurl: ${url}\n${v.section ? `section: ${v.section}\n` : ''}${v.title === 1 ? 'tags: [x]\n' : ''}published: ${date}\ntitle: Story ${v.id} version ${v.title} of day ${v.day}\n---\nBEIJING - Story ${v.id} opens here.\nIts second paragraph.\n${long}`;
}

function articleOf(v: Variant): Article | null {
  if (v.invalid) return null;
  return readArticle(`${v.id}.md`, articleText(v), { receivedAt: new Date(0) }).article;
}

// ---- a store whose every request waits for the scheduler, with injected failures ----

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

class ScheduledStore {
  faultsOn = true;
  /** Requests by who made them (I4, I5); `answered`: those whose answer the caller got. */
  readonly callsBy = new Map<string, string[]>();
  readonly answeredBy = new Map<string, string[]>();
  private readonly random: () => number;

  constructor(
    readonly inner: MemoryObjectStore,
    private readonly s: fc.Scheduler,
    private readonly rate: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  async call<T>(who: string, op: string, key: string, work: () => Promise<T>): Promise<T> {
    await this.s.schedule(Promise.resolve(), `${who} ${op} ${key}`);
    const calls = this.callsBy.get(who) ?? [];
    calls.push(`${op} ${key}`);
    this.callsBy.set(who, calls);
    const fault = this.faultsOn && this.random() < this.rate ? (this.random() < 0.5 ? 'before' : 'after') : null;
    if (fault === 'before') throw new InjectedFault(`${op} ${key} failed`);
    const result = await work();
    if (fault === 'after') throw new InjectedFault(`${op} ${key} done, then the answer was lost`);
    this.answeredBy.set(who, [...(this.answeredBy.get(who) ?? []), `${op} ${key}`]);
    return result;
  }

  view(who: string): ObjectStore {
    const inner = this.inner;
    const call = <T>(op: string, key: string, work: () => Promise<T>) => this.call(who, op, key, work);
    return {
      name: `memory (${who})`,
      get: (key: string, range?: { start: number; end: number }): Promise<StoredObject | null> => call('get', key, () => inner.get(key, range)),
      head: (key: string): Promise<ObjectHead | null> => call('head', key, () => inner.head(key)),
      put: (key: string, body: string | Buffer, options?: PutOptions) => call('put', key, () => inner.put(key, body, options)),
      delete: (key: string) => call('delete', key, () => inner.delete(key)),
      list: (prefix: string, limit: number, startAfter?: string) => call('list', prefix, () => inner.list(prefix, limit, startAfter)),
      listPrefixes: (prefix: string) => call('listPrefixes', prefix, () => inner.listPrefixes(prefix)),
    };
  }
}

// ---- running a scenario ----

export interface RunResult {
  store: ObjectStore;
  /** Events and requests that failed all three attempts and were redriven afterwards. */
  redriven: number;
  attempts: number;
  faultsInjected: number;
  problems: string[];
}

const PERMANENT = (error: unknown) => error instanceof ConflictError || error instanceof ArticleError || error instanceof FeedCheckError;

/**
 * Where a scenario runs: under fast-check's scheduler over the in-memory store with injected faults, or
 * (`realConcurrency`) over any store, e.g. Ceph RGW, with the runtime's own interleaving and no faults.
 */
interface Driver {
  /** A point where other tasks may run. */
  tick(label: string): Promise<void>;
  /** Waits until nothing is pending. */
  idle(): Promise<void>;
  /** The store as one Lambda invocation sees it. */
  view(who: string): ObjectStore;
  faultsOff(): void;
  calls: Map<string, string[]>;
  answered: Map<string, string[]>;
}

export async function runScenario(scenario: Scenario, s: fc.Scheduler): Promise<RunResult> {
  const store = new MemoryObjectStore();
  const scheduled = new ScheduledStore(store, s, scenario.faults.rate, scenario.faults.seed);
  const driver: Driver = {
    tick: (label) => s.schedule(Promise.resolve(), label).then(() => undefined),
    idle: () => s.waitIdle(),
    view: (who) => scheduled.view(who),
    faultsOff: () => {
      scheduled.faultsOn = false;
    },
    calls: scheduled.callsBy,
    answered: scheduled.answeredBy,
  };
  return runWith(scenario, store, driver);
}

/** The same scenario with real concurrency over `store` (which must be empty), no injected faults. */
export async function runConcurrently(scenario: Scenario, store: ObjectStore): Promise<RunResult> {
  const driver: Driver = {
    tick: () => new Promise((resolve) => setImmediate(resolve)),
    idle: async () => undefined,
    view: () => store,
    faultsOff: () => undefined,
    calls: new Map(),
    answered: new Map(),
  };
  return runWith({ ...scenario, faults: { rate: 0, seed: 0 } }, store, driver);
}

async function runWith(scenario: Scenario, store: ObjectStore, driver: Driver): Promise<RunResult> {
  const log = memoryLogger();
  const config = { site: SITE, feedPrefix: 'feeds/', cacheControl: 'no-cache', slack: SLACK, clock: CLOCK, maxAttempts: 40 };

  // Before: a few articles published one by one, and perhaps a record someone broke by hand.
  const setup = new Syndicator(store, { ...config, sleep: async () => undefined }, log);
  for (const v of scenario.before) await setup.publishArticle(articleOf(v) as Article).catch((e) => (PERMANENT(e) ? undefined : Promise.reject(e)));
  if (scenario.poisoned) {
    await store.put('articles/z.json', JSON.stringify({ format: 2, id: 'z', revision: 1, status: 'live', article: { id: 'z', title: 'Broken' } }));
    await store.put(markerKey('live', '', '2024-05-09T00:00:00Z', 'z', 1), '');
  }
  const initial: ModelState = emptyModel(await recordsOf(store));
  for (const key of await store.list('urls/', 1000)) {
    const bound = JSON.parse((await store.get(key))?.body.toString('utf8') ?? '{}');
    if (bound.state !== 'free') initial.urls[bound.url] = bound.id;
  }

  let invocation = 0;
  const lambda = (kind: string) => {
    const who = `${kind}#${++invocation}`;
    return new Syndicator(driver.view(who), { ...config, sleep: () => driver.tick(`${who} backoff`) }, log);
  };

  const ops: ModelOp[] = [];
  const after: number[][] = [];
  const queue: { label: string; run: () => Promise<unknown> }[] = [];
  const running: Promise<unknown>[] = [];
  const result: RunResult = { store, redriven: 0, attempts: 0, faultsInjected: 0, problems: [] };

  /**
   * Lambda's asynchronous invocation: three attempts, then the failed-events queue. `retried` is called
   * for every attempt after the first (a client's retry of an HTTP request is a request of its own).
   */
  const invoke = (label: string, run: () => Promise<unknown>, retried?: () => void) => {
    const task = (async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        await driver.tick(`${label} attempt ${attempt}`);
        result.attempts += 1;
        if (attempt > 1) retried?.();
        try {
          await run();
          return;
        } catch (error) {
          if (PERMANENT(error)) return;
          if (!(error instanceof InjectedFault)) {
            // The engine's own failures (a race lost too often) are retried like faults, but never a bug.
            if (!/gave up|kept moving|in flight/.test(String((error as Error).message))) throw error;
          } else result.faultsInjected += 1;
        }
      }
      queue.push({ label, run: async () => {
        retried?.();
        await run();
      } });
    })();
    running.push(task);
  };

  let sequence = 0x100;
  const nextSequencer = () => (sequence++).toString(16).toUpperCase().padStart(16, '0');
  const eventTime = (sequencer: string) => new Date(Date.UTC(2024, 5, 1) + Number.parseInt(sequencer, 16) * 1000).toISOString();

  scenario.keys.forEach((mutations, k) => {
    const key = `incoming/k${k}.md`;
    running.push(
      (async () => {
        let previousMutation: number | null = null;
        for (const [m, mutation] of mutations.entries()) {
          await driver.tick(`newsroom ${mutation.kind} ${key} #${m}`);
          const sequencer = nextSequencer();
          const mutationIndex = ops.length;
          if (mutation.kind === 'put') {
            const etag = await store.put(key, articleText(mutation.variant));
            ops.push({ kind: 'put', key, etag, article: articleOf(mutation.variant) });
            after.push(previousMutation === null ? [] : [previousMutation]);
            for (let n = 0; n < (mutation.twice ? 2 : 1); n++) {
              ops.push({ kind: 'created', key, sequencer, etag });
              after.push([mutationIndex]);
              invoke(`created ${key} ${sequencer}`, () => lambda('publish').publishObject(key, sequencer, { etag, eventTime: eventTime(sequencer) }));
            }
          } else {
            await store.delete(key);
            ops.push({ kind: 'delete', key });
            after.push(previousMutation === null ? [] : [previousMutation]);
            for (let n = 0; n < (mutation.twice ? 2 : 1); n++) {
              ops.push({ kind: 'removed', key, sequencer, when: eventTime(sequencer) });
              after.push([mutationIndex]);
              invoke(`removed ${key} ${sequencer}`, () => lambda('unpublish').unpublishObject(key, sequencer, eventTime(sequencer)));
            }
          }
          previousMutation = mutationIndex;
        }
      })(),
    );
  });
  for (const op of scenario.direct) {
    const modelOp: ModelOp = op.kind === 'publish' ? { kind: 'publish', article: articleOf(op.variant) as Article } : { kind: 'takedown', id: op.id, when: '2024-06-15T00:00:00.000Z' };
    const request = () => {
      ops.push(modelOp);
      after.push([]);
    };
    request();
    if (modelOp.kind === 'publish') invoke(`publish ${modelOp.article.id}`, () => lambda('api').publishArticle(modelOp.article), request);
    else invoke(`takedown ${modelOp.id}`, () => lambda('api').unpublishId(modelOp.id, modelOp.when), request);
  }
  for (let r = 0; r < scenario.republishes; r++) invoke('republish', () => lambda('republish').republish());

  await driver.idle();
  for (let settled = 0; settled < running.length; ) {
    const batch = running.slice(settled);
    settled = running.length;
    await Promise.all(batch);
    await driver.idle();
  }

  // The failed-events queue, redriven by an operator once S3 is healthy: one after another, and once more
  // for any that failed again (one may have waited for another's URL claim still in the queue).
  driver.faultsOff();
  for (let pass = 1; pass <= 3 && queue.length > 0; pass++) {
    for (const item of queue.splice(0)) {
      result.redriven += 1;
      const done = (async () => {
        try {
          await item.run();
        } catch (error) {
          if (PERMANENT(error)) return;
          if (pass === 3) result.problems.push(`redrive of ${item.label} failed: ${(error as Error).message}`);
          else queue.push(item);
        }
      })();
      await driver.idle();
      await done;
    }
  }

  result.problems.push(...(await checkInvariants(store, { calls: driver.calls, answered: driver.answered }, initial, ops, after, scenario.poisoned)));
  return result;
}

async function recordsOf(store: ObjectStore): Promise<Record<string, StoredRecord>> {
  const records: Record<string, StoredRecord> = {};
  for (const key of await store.list('articles/', 10_000)) {
    const id = key.slice('articles/'.length, -'.json'.length);
    const object = await store.get(key);
    if (object) records[id] = parseRecord(id, object.body);
  }
  return records;
}

// ---- the invariants ----

/** I1-I5 over a quiet store; returns what does not hold. */
export async function checkInvariants(store: ObjectStore, log: { calls: Map<string, string[]>; answered: Map<string, string[]> }, initial: ModelState, ops: ModelOp[], after: number[][], poisoned: boolean): Promise<string[]> {
  const problems: string[] = [];
  const records = await recordsOf(store);
  const texts = new Map<string, string>();
  for (const prefix of ['feeds/', 'state/']) {
    for (const key of await store.list(prefix, 10_000)) texts.set(key, (await store.get(key))?.body.toString('utf8') ?? '');
  }
  const text = (key: string) => texts.get(key) ?? null;

  // I1, I2: each feed's state and files are what the records imply.
  const paths = new Set<string>(['']);
  for (const record of Object.values(records)) if (isValidRecord(record) && record.article) for (const p of feedPathsOf(record.article, declaredScopes(SITE))) paths.add(p);
  for (const root of ['sections/', 'tags/']) for (const key of await store.list(`state/${root}`, 1000)) if (key.endsWith('/state.json')) paths.add(key.slice('state/'.length, -'state.json'.length));
  for (const path of [...paths].sort()) {
    const inScope = Object.entries(records).map(([, r]) => entryOf(r, path));
    const items = inScope.flatMap((e) => (e?.kind === 'item' ? [e.article] : [])).sort(compareNewestFirst);
    const deleted = inScope.flatMap((e) => (e?.kind === 'tomb' ? [tombstoneOf(e.article, e.when)] : [])).sort(compareDeleted).slice(0, DELETED_SHOWN);
    const stateText = text(`state/${path || 'site/'}state.json`);
    if (!stateText) {
      if (items.length > 0 || deleted.length > 0) problems.push(`I1 ${path || 'site'}: no feed state, yet ${items.length} live and ${deleted.length} withdrawn articles belong to it`);
      continue;
    }
    const state = parseState(Buffer.from(stateText), path);
    const budget = scopeBudget(SITE, path);
    const shown = state.items.slice(0, budget.items);
    const expected = items.slice(0, budget.items);
    // Each item as the feed keeps it: cut to its item budget, and lean once past its byte budget.
    let weight = 0;
    const kept = expected.map((a) => {
      const fitted = fitToBudget(a, SITE.publisher, budget.itemChars);
      weight += weightOf(fitted);
      return weight > budget.feedBytes ? leanArticle(fitted) : fitted;
    });
    if (JSON.stringify(shown) !== JSON.stringify(kept)) {
      const show = (list: Article[]) => list.map((a) => `${a.id}:${a.title}${isLean(a) ? ' (lean)' : ''}`);
      problems.push(`I1 ${path || 'site'}: state shows [${show(shown)}], records imply [${show(kept)}]`);
    }
    if (JSON.stringify(state.deleted.slice(0, DELETED_SHOWN)) !== JSON.stringify(deleted)) {
      problems.push(`I1 ${path || 'site'}: tombstones [${state.deleted.map((d) => d.id)}], records imply [${deleted.map((d) => d.id)}]`);
    }
    const named = expected[0] ? scopeName(expected[0], path) : scopeKind(path) === 'section' ? deleted[0]?.section : undefined;
    if (path !== '' && named && state.section !== named) problems.push(`I1 ${path}: named ${state.section}, its newest article or takedown says ${named}`);
    const spec = { ...scopeSpec(SITE, path, sectionName(state)), deleted };
    // The news sitemap's part of the site's window: the same articles as the records imply (lean or not).
    let recent: Article[] | undefined;
    if (path === '' && SITE.newsSitemap) {
      const limits = { limit: budget.items, keep: budget.items + SLACK, recent: { days: SITE.newsSitemap.days, cap: SITE.newsSitemap.maxItems } };
      recent = items.slice(0, itemsNeeded(items, limits));
      const held = state.items.slice(0, itemsNeeded(state.items, limits)).map((a) => `${a.id}:${a.title}:${a.published}`);
      const implied = recent.map((a) => `${a.id}:${a.title}:${a.published}`);
      if (JSON.stringify(held) !== JSON.stringify(implied)) problems.push(`I1 news sitemap: state holds [${held}], records imply [${implied}]`);
    }
    // With archives, a site or section feed's files carry the same articles and link the month of the next.
    const archive = isDefaultScope(path) ? { monthAt: (k: number) => (items[k] ? monthOf(items[k]) : null), link: true } : undefined;
    for (const file of renderFeed(spec, expected, SITE, { check: false, ...(recent ? { recent } : {}), ...(archive ? { archive } : {}) })) {
      const stored = text(`feeds/${file.path}`);
      if (stored !== file.body) problems.push(`I1 ${file.path}: ${stored === null ? 'missing' : 'differs from the rendering of what the records imply'}`);
    }
    // A1: a walk from each current document through the archive meets every live article once, newest first.
    if (archive) {
      const files = { get: (p: string) => text(`feeds/${p}`) ?? undefined };
      for (const [name, format] of [['rss.xml', 'rss'], ['atom.xml', 'atom'], ['feed.json', 'json']] as const) {
        let met: string[];
        try {
          met = walk(files, `${path}${name}`, format, SITE.feedUrl).ids;
        } catch (error) {
          problems.push(`A1 ${path}${name}: ${(error as Error).message}`);
          continue;
        }
        const want = items.map((a) => (format === 'json' ? a.id : (a.url ?? '')));
        if (JSON.stringify(met) !== JSON.stringify(want)) problems.push(`A1 ${path}${name}: the walk meets [${met}], records imply [${want}]`);
      }
    }
  }
  for (const key of await store.list('feeds/', 1000)) {
    if (!key.endsWith('feed.json')) continue;
    for (const item of JSON.parse(text(key) ?? '{"items":[]}').items as { _syndicate: { article_id: string } }[]) {
      const record = records[item._syndicate.article_id] ?? null;
      if (!isValidRecord(record) || record.status !== 'live') problems.push(`I2 ${key} shows ${item._syndicate.article_id}, whose record is ${record ? ('invalid' in record ? 'invalid' : record.status) : 'missing'}`);
    }
  }

  // I3: some serial order of the same operations ends with these records.
  const outcomes = reachableOutcomes(initial, ops, after);
  const actual = projection(records);
  if (!outcomes.has(actual)) problems.push(`I3 records ${actual} are not what any serial order gives: ${[...outcomes].slice(0, 4).join(' | ')}`);

  // I4: a republish writes feed states, files and stale markers, never a record.
  for (const [who, calls] of log.calls) {
    if (!who.startsWith('republish')) continue;
    for (const call of calls) if (/^(put|delete) (articles|urls|sources)\//.test(call)) problems.push(`I4 ${who} wrote ${call}`);
  }

  // I5: the broken record is kept out of every feed, and whoever read it tried to report it (the report is
  // best effort: an injected fault may eat it, the next reader tries again). That it blocked nothing is the
  // redrive above succeeding and I1-I3 holding for the others.
  if (poisoned) {
    for (const [who, answered] of log.answered) {
      if (answered.includes('get articles/z.json') && !log.calls.get(who)?.includes('put errors/articles/z.json')) problems.push(`I5 ${who} read the invalid record articles/z.json but did not report it under errors/`);
    }
    for (const key of await store.list('feeds/', 1000)) if (key.endsWith('.json') && text(key)?.includes('"article_id":"z"')) problems.push(`I5 ${key} shows the invalid article z`);
  }
  return problems;
}
