/**
 * Adversarial review of the RFC 5005 archives kept by the engine (src/engine/archives.ts, src/engine/feeds.ts):
 * concurrent publishes, takedowns, corrections across months and sections and republishes; several
 * Lambdas on one store; injected store failures with the operation retried as Lambda would; small limits,
 * no slack, byte budgets; archives switched on for a store that has articles, off and on again; hostile text.
 *
 * The invariant checked once all writers are done (problemsOf): for the site and every section, a walk from
 * each current document (rss.xml, atom.xml, feed.json) along prev-archive (JSON: next_url) meets every live
 * article of the scope exactly once, newest first, and no withdrawn one; the three current documents carry
 * the same articles; every archive document of the scope is well-formed, marked fh:archive, links the
 * current document, holds only live articles of its scope and month, none of them twice anywhere in the
 * scope, and its prev-archive/next-archive links are symmetric; and no archive document anywhere in the
 * bucket, linked or not, shows an article that is not live (withdrawnAnywhere). The records themselves are
 * checked against what the operations imply (nothing published lost, nothing withdrawn resurrected).
 *
 * The invariant, the store and the engine are shared with tests/adversarial-archives-2.test.ts
 * (tests/support/archive-invariant.ts).
 */
import { decodeHTML } from 'entities';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../bench/generate.js';
import { monthOf } from '../src/archive.js';
import type { Article } from '../src/article.js';
import { memoryLogger } from '../src/log.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { stripXmlForbidden } from '../src/text.js';
import { makeSite, parseXml } from './helpers.js';
import { ARTICLE_URL, articleMaker, ChaosStore, type EngineOptions, engineMaker, FEED_URL, idOfUrl, lambda, liveRecords, noProblems, type Op, pick, problemsOf, readDoc, run, SECTIONS, tick, when } from './support/archive-invariant.js';
import { type Gate, GatedStore, on } from './support/gated-store.js';

// ---- determinism ----

function shuffled<T>(random: () => number, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// ---- the engine and articles ----

/** An engine on a store (tests/support/archive-invariant.ts): two items carried unless said. */
const engine = engineMaker({ items: 2, backoffSeed: 9_000 });
const art = articleMaker();

// ---- what the operations imply for the records ----

/** The record state each id may end in: `null` withdrawn, else the live version (published, section, title). */
class Model {
  readonly live = new Map<string, Article>();
  readonly withdrawn = new Set<string>();

  apply(op: Op): void {
    if (op.kind === 'publish') {
      this.live.set(op.article.id, op.article);
      this.withdrawn.delete(op.article.id);
    } else if (op.kind === 'takedown' && this.live.has(op.id)) {
      this.live.delete(op.id);
      this.withdrawn.add(op.id);
    }
  }

  /** Applies a batch run at once: an id changed by one operation ends as it says; by several, as any of them. */
  applyConcurrent(ops: readonly Op[]): Map<string, Set<string>> {
    const byId = new Map<string, Op[]>();
    for (const op of ops) {
      if (op.kind === 'republish') continue;
      const id = op.kind === 'publish' ? op.article.id : op.id;
      byId.set(id, [...(byId.get(id) ?? []), op]);
    }
    const ambiguous = new Map<string, Set<string>>();
    for (const [id, list] of byId) {
      if (list.length === 1) {
        this.apply(list[0] as Op);
        continue;
      }
      const outcomes = new Set<string>();
      for (const op of list) outcomes.add(op.kind === 'publish' ? Model.key(op.article) : 'withdrawn');
      ambiguous.set(id, outcomes);
      this.live.delete(id);
      this.withdrawn.delete(id);
    }
    return ambiguous;
  }

  static key(article: Article): string {
    return JSON.stringify([article.published, article.section, article.title]);
  }

  /** What the store's records say against what the operations imply. */
  problems(store: MemoryObjectStore, ambiguous: Map<string, Set<string>> = new Map()): string[] {
    const live = liveRecords(store);
    const problems: string[] = [];
    for (const [id, article] of this.live) {
      const stored = live.get(id);
      if (!stored) problems.push(`${id}: published, but its record is not live`);
      else if (Model.key(stored) !== Model.key(article)) problems.push(`${id}: record says ${Model.key(stored)}, last publish ${Model.key(article)}`);
    }
    for (const id of this.withdrawn) if (live.has(id)) problems.push(`${id}: withdrawn, but its record is live again`);
    for (const [id, outcomes] of ambiguous) {
      const stored = live.get(id);
      const outcome = stored ? Model.key(stored) : 'withdrawn';
      if (!outcomes.has(outcome)) problems.push(`${id}: ends as ${outcome}, none of ${[...outcomes].join(' | ')}`);
    }
    return problems;
  }
}

/**
 * A story; with `heavy` (a share of stories), one whose summary is ampersands and angle brackets (five
 * bytes each in XML, one in JSON) and whose body is long: with a byte budget, the formats fit fewer.
 */
function story(random: () => number, id: string, published: string, section: string | null, heavy = 0): Article {
  if (random() >= heavy) return art(id, published, section);
  return art(id, published, section, { summary: `${'&<'.repeat(200 + Math.floor(random() * 2000))} ${id}`, paragraphs: [`Body of ${id}: ${'lorem ipsum '.repeat(100 + Math.floor(random() * 400))}`] });
}

/** A seeded base of articles over seven months and three sections (and some with none). */
function baseArticles(random: () => number, count: number, prefix = 'b', heavy = 0): Article[] {
  return Array.from({ length: count }, (_, i) => story(random, `${prefix}${String(i).padStart(2, '0')}`, when(Math.floor(random() * 48)), random() < 0.15 ? null : pick(random, SECTIONS), heavy));
}

/**
 * A seeded batch of concurrent operations on `model`'s articles: new stories, corrections that move an
 * article to another month (or section, or both), takedowns, republishes of withdrawn stories, and
 * republishes, some of them on the same article or its neighbours in time.
 */
function randomBatch(random: () => number, model: Model, count: number, tag: string, heavy = 0): Op[] {
  const ops: Op[] = [];
  const liveIds = () => [...model.live.keys()].sort();
  for (let i = 0; i < count; i++) {
    const roll = random();
    const ids = liveIds();
    if (roll < 0.2 || ids.length === 0) {
      ops.push({ kind: 'publish', article: story(random, `n${tag}${i}`, when(Math.floor(random() * 52)), random() < 0.1 ? null : pick(random, SECTIONS), heavy) });
    } else if (roll < 0.45) {
      const old = model.live.get(pick(random, ids)) as Article;
      const shift = Math.floor(random() * 24) - 12;
      const published = new Date(Math.max(0, Date.parse(old.published) + shift * 4.5 * 86_400_000)).toISOString().replace(/\.000Z$/, 'Z');
      ops.push({ kind: 'publish', article: { ...old, published, updated: published, title: `${old.title} (moved ${tag}${i})` } });
    } else if (roll < 0.6) {
      const old = model.live.get(pick(random, ids)) as Article;
      const section = pick(random, [...SECTIONS.filter((s) => s !== old.section), null]);
      ops.push({ kind: 'publish', article: { ...old, section, title: `${old.title} (section ${tag}${i})` } });
    } else if (roll < 0.85) {
      ops.push({ kind: 'takedown', id: pick(random, ids) });
    } else if (roll < 0.93 && model.withdrawn.size > 0) {
      const id = pick(random, [...model.withdrawn].sort());
      ops.push({ kind: 'publish', article: art(id, when(Math.floor(random() * 48)), pick(random, SECTIONS), { title: `Story ${id} (back ${tag}${i})` }) });
    } else {
      ops.push({ kind: 'republish' });
    }
  }
  return ops;
}

/** More seeds for a longer run: ADV_ARCHIVE_SEEDS=50 npx vitest run tests/adversarial-archives.test.ts */
const EXTRA_SEEDS = Number(process.env.ADV_ARCHIVE_SEEDS ?? 0);
const seeds = (...base: number[]) => [...base, ...Array.from({ length: EXTRA_SEEDS }, (_, i) => (base[0] as number) * 1000 + i)];

/** Limits varied by seed: 1 to 3 items, no slack or some, and every fifth seed byte budgets with heavy stories. */
function limitsOf(seed: number): { options: EngineOptions; heavy: number } {
  const budget = seed % 5 === 0;
  return { options: { items: 1 + (seed % 3), slack: [0, 0, 1, 3][seed % 4] as number, ...(budget ? { feedBytes: 10_000, itemChars: 5_000 } : {}) }, heavy: budget ? 0.4 : 0 };
}

// ---- the tests ----

describe('archives under concurrent writers', () => {
  it('publishes at once into a fresh store: the site and each section link an archive holding the rest', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    // Six stories over three months, all published at once.
    const articles = Array.from({ length: 6 }, (_, i) => art(`f${i}`, when(i * 7), i % 2 === 0 ? 'World' : 'Sport'));
    await Promise.all(articles.map((a) => syndicator.publishArticle(a)));
    noProblems(problemsOf(store));
  });

  /**
   * Holds every writer's first reads of feed states under `prefix` until the records of `ids` are all
   * stored: the first state of the scope is then written by a writer that finds the others' markers in
   * the index already (what a slower first Lambda meets).
   */
  function holdStatesUntilStored(inner: MemoryObjectStore, gated: GatedStore, prefix: string, ids: readonly string[], count: number): Promise<void> {
    const gates: Gate[] = Array.from({ length: count }, () => gated.hold(on('get', prefix)));
    return (async () => {
      while (!ids.every((id) => inner.objects.has(`articles/${id}.json`))) await tick();
      for (const gate of gates) gate.release();
    })();
  }

  it('publishes at once into a fresh store, the first feed state written after every record: the archive is linked', async () => {
    const inner = new MemoryObjectStore();
    const store = new GatedStore(inner);
    const syndicator = new Syndicator(store, { site: makeSite({ archives: true, limits: { items: 1 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 0 }, memoryLogger());
    const articles = Array.from({ length: 6 }, (_, i) => art(`g${i}`, when(i * 7), i % 2 === 0 ? 'World' : 'Sport'));
    const released = holdStatesUntilStored(inner, store, 'state/', articles.map((a) => a.id), 40);
    await Promise.all([...articles.map((a) => syndicator.publishArticle(a)), released]);
    // (The interleaving happened: the site's first state was written after every record.)
    const firstState = store.calls.findIndex((c) => c.op === 'put' && c.key === 'state/site/state.json');
    for (const a of articles) expect(store.calls.findIndex((c) => c.op === 'put' && c.key === `articles/${a.id}.json`)).toBeLessThan(firstState);
    noProblems(problemsOf(inner));
  });

  it('stories moved at once into a new section, its first state written after every record: its archive is linked', async () => {
    const inner = new MemoryObjectStore();
    const store = new GatedStore(inner);
    const syndicator = new Syndicator(store, { site: makeSite({ archives: true, limits: { items: 1 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 0 }, memoryLogger());
    const articles = Array.from({ length: 6 }, (_, i) => art(`m${i}`, when(i * 6), 'World'));
    for (const a of articles) await syndicator.publishArticle(a);
    noProblems(problemsOf(inner));
    const moved = articles.slice(0, 5).map((a) => ({ ...a, section: 'Science', title: `${a.title} (science)` }));
    // The corrections' records are stored (revision 2) before the new section's first state is read.
    const stored = (id: string) => (JSON.parse(inner.objects.get(`articles/${id}.json`)?.body.toString('utf8') ?? '{}') as { revision?: number }).revision === 2;
    const gates: Gate[] = Array.from({ length: 20 }, () => store.hold(on('get', 'state/sections/science/')));
    const released = (async () => {
      while (!moved.every((a) => stored(a.id))) await tick();
      for (const gate of gates) gate.release();
    })();
    await Promise.all([...moved.map((a) => syndicator.publishArticle(a)), released]);
    noProblems(problemsOf(inner));
  });

  for (const seed of seeds(10, 11, 12, 13)) {
    it(`a seeded mix of publishes, corrections, section changes, takedowns and republishes at once (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const { options, heavy } = limitsOf(seed);
      const syndicator = engine(store, options);
      const model = new Model();
      for (const article of baseArticles(random, 24, 'b', heavy)) {
        await syndicator.publishArticle(article);
        model.apply({ kind: 'publish', article });
      }
      for (const id of shuffled(random, [...model.live.keys()]).slice(0, 3)) {
        await syndicator.unpublishId(id, '2024-05-01T00:00:00Z');
        model.apply({ kind: 'takedown', id });
      }
      noProblems(problemsOf(store));
      const ops = randomBatch(random, model, 30, 'x', heavy);
      await Promise.all(ops.map((op) => lambda(() => run(syndicator, op))));
      const ambiguous = model.applyConcurrent(ops);
      noProblems(model.problems(store, ambiguous));
      noProblems(problemsOf(store));
      // A republish afterwards changes no walk.
      await syndicator.republish();
      noProblems(problemsOf(store));
    });
  }

  for (const seed of seeds(21, 22)) {
    it(`several Lambdas (Syndicator instances) on one store, two rounds of concurrent operations (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const { options, heavy } = limitsOf(seed);
      const lambdas = [engine(store, options), engine(store, options), engine(store, options)];
      const model = new Model();
      const base = baseArticles(random, 20, 'l', heavy);
      // The base itself arrives at once, spread over the instances.
      await Promise.all(base.map((article, i) => lambda(() => (lambdas[i % 3] as Syndicator).publishArticle(article))));
      for (const article of base) model.apply({ kind: 'publish', article });
      noProblems(problemsOf(store));
      for (const round of ['p', 'q']) {
        const ops = randomBatch(random, model, 24, round, heavy);
        await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
        const ambiguous = model.applyConcurrent(ops);
        noProblems(model.problems(store, ambiguous));
        noProblems(problemsOf(store));
      }
    });
  }

  for (const seed of seeds(61_005, 61_008)) {
    it(`a flaky network (some requests far slower than others): publishes and takedowns of the newest stories at once (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      store.slowRate = 0.06;
      store.slowTicks = 300;
      const lambdas = [0, 1, 2].map(() => engine(store, { items: 1, slack: 0 }));
      const model = new Model();
      for (const article of baseArticles(random, 10, 'h')) {
        await (lambdas[0] as Syndicator).publishArticle(article);
        model.apply({ kind: 'publish', article });
      }
      // Stories newer than all others come and go at once (an editor takes one down as soon as it is
      // stored): each moves the current files' boundary one way and then back, so the newest archived
      // stories cross it back and forth while their month is being settled.
      const stored = async (id: string) => {
        while (!store.objects.has(`articles/${id}.json`)) await tick();
      };
      for (let wave = 0; wave < 4; wave++) {
        const ops: Op[] = [];
        const runs: Promise<unknown>[] = [];
        for (let i = 0; i < 3; i++) {
          const article = art(`hot${wave}${i}`, when(60 + wave * 3 + i), pick(random, SECTIONS));
          ops.push({ kind: 'publish', article });
          runs.push(lambda(() => run(pick(random, lambdas), { kind: 'publish', article })));
          if (random() < 0.6) {
            ops.push({ kind: 'takedown', id: article.id });
            runs.push(stored(article.id).then(() => lambda(() => run(pick(random, lambdas), { kind: 'takedown', id: article.id }))));
          }
        }
        await Promise.all(runs);
        for (const op of ops) model.apply(op);
      }
      noProblems(model.problems(store));
      noProblems(problemsOf(store));
    });
  }

  it('a flaky network: a story published and taken down at once, over and over, never leaves an archived story twice or nowhere', async () => {
    const trials = 30 + EXTRA_SEEDS * 10;
    const failures: string[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const random = mulberry32(700 + trial);
      const store = new ChaosStore(700 + trial);
      const [a, b] = [engine(store, { items: 1, slack: 0 }), engine(store, { items: 1, slack: 0 })] as [Syndicator, Syndicator];
      await a.publishArticle(art('w', '2024-01-05T00:00:00Z', null));
      await a.publishArticle(art('x', '2024-01-20T00:00:00Z', null));
      store.slowRate = 0.3;
      store.slowTicks = 150;
      // Uploads are what a flaky network slows most.
      store.slowOps = ['put'];
      // An editor takes the story down as soon as it is stored (two events, two Lambdas).
      const z = art('z', `2024-02-${String(1 + Math.floor(random() * 27)).padStart(2, '0')}T00:00:00Z`, null);
      const published = lambda(() => a.publishArticle(z));
      while (!store.objects.has('articles/z.json')) await tick();
      await Promise.all([published, lambda(() => b.unpublishId('z', '2024-03-01T00:00:00Z'))]);
      store.slowRate = 0;
      const problems = problemsOf(store);
      if (problems.length > 0) failures.push(`trial ${trial}: ${problems[0]}`);
    }
    expect(failures).toEqual([]);
  });

  it('republishes from two instances at the same time as corrections and takedowns of the same and neighbouring articles', async () => {
    for (const seed of seeds(41, 42, 43)) {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const a = engine(store, { items: 2, slack: 0 });
      const b = engine(store, { items: 2, slack: 0 });
      // Neighbours: one a day apart across a month boundary (Oct 31 / Nov 1 / Nov 2).
      const articles = [
        art('k0', '2023-10-30T12:00:00Z', 'World'),
        art('k1', '2023-10-31T12:00:00Z', 'World'),
        art('k2', '2023-11-01T12:00:00Z', 'World'),
        art('k3', '2023-11-02T12:00:00Z', 'Sport'),
        art('k4', '2023-11-03T12:00:00Z', 'World'),
        art('k5', '2023-12-20T12:00:00Z', 'Sport'),
        art('k6', '2024-01-05T12:00:00Z', 'World'),
        art('k7', '2024-01-06T12:00:00Z', 'World'),
      ];
      const model = new Model();
      for (const article of articles) {
        await a.publishArticle(article);
        model.apply({ kind: 'publish', article });
      }
      const ops: [Syndicator, Op][] = shuffled(random, [
        [a, { kind: 'republish' }],
        [b, { kind: 'republish' }],
        // k1 crosses into November (ahead of k2), k2 back into October; k4 changes section; k3 comes down.
        [a, { kind: 'publish', article: { ...(articles[1] as Article), published: '2023-11-01T18:00:00Z', updated: '2023-11-01T18:00:00Z', title: 'k1 moved' } }],
        [b, { kind: 'publish', article: { ...(articles[2] as Article), published: '2023-10-29T12:00:00Z', updated: '2023-10-29T12:00:00Z', title: 'k2 moved' } }],
        [a, { kind: 'publish', article: { ...(articles[4] as Article), section: 'Sport', title: 'k4 to sport' } }],
        [b, { kind: 'takedown', id: 'k3' }],
        // The newest (carried) one comes down: an archived one comes back to the current files.
        [a, { kind: 'takedown', id: 'k7' }],
        [b, { kind: 'republish' }],
      ] as [Syndicator, Op][]);
      await Promise.all(ops.map(([s, op]) => lambda(() => run(s, op))));
      const ambiguous = model.applyConcurrent(ops.map(([, op]) => op));
      noProblems(model.problems(store, ambiguous));
      noProblems(problemsOf(store));
    }
  });
});

describe('archives: hand-picked interleavings of two writers settling one month', () => {
  const gatedEngine = (store: GatedStore) =>
    new Syndicator(store, { site: makeSite({ archives: true, limits: { items: 1 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 0 }, memoryLogger());

  it('a writer that read the feed state before another moved the boundary back does not put an article into the month the other left alone', async () => {
    const inner = new MemoryObjectStore();
    const store = new GatedStore(inner);
    const syndicator = gatedEngine(store);
    // No section: only the site's archive. W is archived in January; X is carried.
    await syndicator.publishArticle(art('w', '2024-01-05T00:00:00Z', null));
    await syndicator.publishArticle(art('x', '2024-01-20T00:00:00Z', null));
    noProblems(problemsOf(inner));
    // A publishes Z (February): X leaves the current files, so A puts X into January, but its put waits
    // (it has read January's state and the feed state that does not carry X).
    const held = store.hold(on('put', 'state/site/archive/2024-01.json'));
    const a = syndicator.publishArticle(art('z', '2024-02-10T00:00:00Z', null));
    await held.reached;
    // Meanwhile B takes Z down: X is carried again. B settles January from the same month state: X is not
    // there, as B's feed state wants, so B writes nothing.
    await syndicator.unpublishId('z', '2024-03-01T00:00:00Z');
    // A's put now succeeds (January has not changed since A read it).
    held.release();
    await a;
    const carried = readDoc(inner.objects.get('feeds/feed.json')?.body.toString('utf8') as string, 'json').ids;
    expect(carried).toEqual(['x']);
    // X is in the current files and in January: the walk meets it twice. (A republish afterwards, too.)
    const settled = problemsOf(inner);
    await syndicator.republish();
    expect({ settled, republished: problemsOf(inner) }).toEqual({ settled: [], republished: [] });
  });

  it('a writer that read the feed state before another moved the boundary on does not take out an article the other found in place', async () => {
    const inner = new MemoryObjectStore();
    const store = new GatedStore(inner);
    const syndicator = gatedEngine(store);
    await syndicator.publishArticle(art('w', '2024-01-05T00:00:00Z', null));
    await syndicator.publishArticle(art('x', '2024-01-20T00:00:00Z', null));
    // Z pushes X into January; then Z's takedown brings X back to the current files, and its writer's
    // put to January (taking X out) waits.
    await syndicator.publishArticle(art('z', '2024-02-10T00:00:00Z', null));
    const held = store.hold(on('put', 'state/site/archive/2024-01.json'));
    const t = syndicator.unpublishId('z', '2024-03-01T00:00:00Z');
    await held.reached;
    // Meanwhile Q publishes a newer story: X leaves the current files again. Q settles January from the
    // month state that still holds X, as Q's feed state wants, so Q writes nothing.
    await syndicator.publishArticle(art('q', '2024-02-20T00:00:00Z', null));
    held.release();
    await t;
    expect(readDoc(inner.objects.get('feeds/feed.json')?.body.toString('utf8') as string, 'json').ids).toEqual(['q']);
    // X is in neither the current files nor January: the walk misses it. (A republish afterwards, too.)
    const settled = problemsOf(inner);
    await syndicator.republish();
    expect({ settled, republished: problemsOf(inner) }).toEqual({ settled: [], republished: [] });
  });
  it('a takedown made while the correction that moved the article is still settling its new month stays down', async () => {
    const inner = new MemoryObjectStore();
    const store = new GatedStore(inner);
    const syndicator = gatedEngine(store);
    await syndicator.publishArticle(art('w', '2024-01-05T00:00:00Z', null));
    await syndicator.publishArticle(art('x', '2024-02-10T00:00:00Z', null));
    await syndicator.publishArticle(art('y', '2024-03-01T00:00:00Z', null));
    noProblems(problemsOf(inner));
    // A correction moves X from February to January; its put to January (adding X) waits.
    const held = store.hold(on('put', 'state/site/archive/2024-01.json'));
    const correction = syndicator.publishArticle(art('x', '2024-01-20T00:00:00Z', null, { title: 'x, redated' }));
    await held.reached;
    // Meanwhile an editor takes X down. Its writer settles January: X is not there, as the record
    // (withdrawn) wants, so it writes nothing there.
    await syndicator.unpublishId('x', '2024-03-05T00:00:00Z');
    held.release();
    await correction;
    expect(liveRecords(inner).has('x')).toBe(false);
    const january = inner.objects.get('feeds/archive/2024-01/feed.json')?.body.toString('utf8') as string;
    const settled = { problems: problemsOf(inner), januaryShows: readDoc(january, 'json').ids };
    await syndicator.republish();
    await syndicator.republish();
    const republished = { problems: problemsOf(inner), januaryShows: readDoc(inner.objects.get('feeds/archive/2024-01/feed.json')?.body.toString('utf8') as string, 'json').ids };
    expect({ settled, republished }).toEqual({ settled: { problems: [], januaryShows: ['w'] }, republished: { problems: [], januaryShows: ['w'] } });
  });
});

describe('archives across configuration changes and imports', () => {
  for (const seed of seeds(81, 82)) {
    it(`a deploy that changes the limits while writers of both versions run, then the new version's republish (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const old = engine(store, { items: 1, slack: 0 });
      const model = new Model();
      for (const article of baseArticles(random, 18, 'd')) {
        await old.publishArticle(article);
        model.apply({ kind: 'publish', article });
      }
      const next = engine(store, { items: 3, slack: 1 });
      const ops = randomBatch(random, model, 20, 'v').filter((op) => op.kind !== 'republish');
      await Promise.all([...ops.map((op, i) => lambda(() => run(i % 2 === 0 ? old : next, op))), lambda(() => next.republish())]);
      const ambiguous = model.applyConcurrent(ops);
      noProblems(model.problems(store, ambiguous));
      await next.republish();
      noProblems(problemsOf(store));
    });
  }

  for (const seed of seeds(91, 92)) {
    it(`the site's news sitemap widens its window; a seeded concurrent mix keeps the archive whole (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const lambdas = [0, 1].map(() => engine(store, { items: 1, slack: 0, newsSitemap: { days: 2, maxItems: 4 } }));
      const model = new Model();
      // Six hours apart around a month's end: the recent part holds several stories of two months.
      const dense = Array.from({ length: 20 }, (_, i) => art(`j${String(i).padStart(2, '0')}`, new Date(Date.UTC(2024, 0, 28) + Math.floor(random() * 40) * 6 * 3_600_000).toISOString(), pick(random, SECTIONS)));
      for (const article of dense) {
        await (lambdas[0] as Syndicator).publishArticle(article);
        model.apply({ kind: 'publish', article });
      }
      const ops = randomBatch(random, model, 24, 'w');
      await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
      const ambiguous = model.applyConcurrent(ops);
      noProblems(model.problems(store, ambiguous));
      noProblems(problemsOf(store));
    });
  }

  it('an import into a store that has an archive, with failures and publishes at the same time, then a republish', async () => {
    const store = new ChaosStore(95);
    const syndicator = engine(store, { items: 2, slack: 0 });
    for (let i = 0; i < 10; i++) await syndicator.publishArticle(art(`i${i}`, when(i * 4 + 20), SECTIONS[i % 3] as string));
    const imported = Array.from({ length: 30 }, (_, i) => art(`imp${String(i).padStart(2, '0')}`, when(i * 2), SECTIONS[i % 3] as string));
    store.faultRate = 0.02;
    store.faultBudget = 30;
    await Promise.all([
      lambda(() => syndicator.importArticles(imported, 4)),
      lambda(() => syndicator.publishArticle(art('i10', when(70), 'World'))),
      lambda(() => syndicator.unpublishId('i3', '2024-05-01T00:00:00Z')),
      lambda(() => syndicator.publishArticle({ ...art('i5', when(1), 'Sport'), title: 'i5 backdated' })),
    ]);
    await lambda(() => syndicator.republish());
    store.faultRate = 0;
    noProblems(problemsOf(store));
  });
});

describe('archives under injected store failures, operations retried as Lambda does', () => {
  for (const seed of seeds(30, 31, 32, 33)) {
    it(`every operation eventually succeeds and the archive holds (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const { options, heavy } = limitsOf(seed);
      const lambdas = [engine(store, options), engine(store, options)];
      const model = new Model();
      store.faultRate = 0.02;
      store.faultBudget = 80;
      const base = baseArticles(random, 16, 'e', heavy);
      for (const [i, article] of base.entries()) {
        await lambda(() => (lambdas[i % 2] as Syndicator).publishArticle(article));
        model.apply({ kind: 'publish', article });
      }
      const ops = randomBatch(random, model, 24, 'y', heavy);
      await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
      store.faultRate = 0;
      expect(store.faults).toBeGreaterThan(0);
      const ambiguous = model.applyConcurrent(ops);
      noProblems(model.problems(store, ambiguous));
      noProblems(problemsOf(store));
    });
  }

  it('takedowns stay down through republishes that fail and are retried, at the same time as neighbours change', async () => {
    const store = new ChaosStore(51);
    const a = engine(store, { items: 2, slack: 1 });
    const b = engine(store, { items: 2, slack: 1 });
    const articles = Array.from({ length: 18 }, (_, i) => art(`t${String(i).padStart(2, '0')}`, when(i * 2), SECTIONS[i % 3] as string));
    for (const article of articles) await a.publishArticle(article);
    // Every article of one month, some archived ones and the newest (carried) one come down.
    const month = monthOf(articles[4] as Article);
    const down = articles.filter((x, i) => monthOf(x) === month || i === 1 || i === 9 || i === 17).map((x) => x.id);
    for (const id of down) await a.unpublishId(id, '2024-05-01T00:00:00Z');
    noProblems(problemsOf(store));
    store.faultRate = 0.03;
    store.faultBudget = 60;
    const neighbour = articles.find((x) => !down.includes(x.id) && monthOf(x) > month) as Article;
    await Promise.all([
      lambda(() => a.republish()),
      lambda(() => b.republish()),
      lambda(() => b.publishArticle({ ...neighbour, published: `${month}-15T00:00:00Z`, updated: `${month}-15T00:00:00Z`, title: 'moved into the emptied month' })),
      lambda(() => a.republish()),
    ]);
    store.faultRate = 0;
    const live = liveRecords(store);
    for (const id of down) expect(live.has(id), id).toBe(false);
    noProblems(problemsOf(store));
    for (const [key, object] of store.objects) {
      if (!/^feeds\/(.*\/)?archive\//.test(key)) continue;
      const body = object.body.toString('utf8');
      for (const id of down) expect(body.includes(`${ARTICLE_URL}${id}<`) || body.includes(`"${id}"`), `${key} shows ${id}`).toBe(false);
    }
  });
});

describe('archives with small limits, no slack, many months', () => {
  it('one item, no slack: the invariant holds after every operation, from 1970-01-01 on, months emptied and refilled', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    const model = new Model();
    const step = async (op: Op) => {
      await run(syndicator, op);
      model.apply(op);
      noProblems(model.problems(store));
      const problems = problemsOf(store);
      expect(problems.slice(0, 10), `after ${JSON.stringify(op).slice(0, 160)}`).toEqual([]);
    };
    const epoch = art('epoch', '1970-01-01T00:00:00Z', 'World', { title: 'The epoch story' });
    const stories = [0, 9, 3, 14, 20, 6, 1, 27, 12].map((d) => art(`d${d}`, when(d), SECTIONS[d % 3] as string));
    // Out of order, the epoch story in the middle.
    for (const article of [...stories.slice(0, 4), epoch, ...stories.slice(4)]) await step({ kind: 'publish', article });
    // Empty the epoch's month (its only story), then the month of d3 and d1 (Sep 2023 holds d0, d1, d3, d6).
    await step({ kind: 'takedown', id: 'epoch' });
    for (const id of ['d0', 'd1', 'd3', 'd6']) await step({ kind: 'takedown', id });
    await step({ kind: 'republish' });
    // Refill: a story back into the emptied month, one back to 1970, the epoch story republished.
    await step({ kind: 'publish', article: art('d3', when(3), 'Sport', { title: 'd3 again' }) });
    await step({ kind: 'publish', article: art('late', '1970-01-31T23:59:59Z', null, { title: 'Late January 1970' }) });
    await step({ kind: 'publish', article: { ...epoch, title: 'The epoch story, restored' } });
    // The newest (carried) story moves back to 1970, an old one becomes the newest, a section changes.
    await step({ kind: 'publish', article: { ...(stories[7] as Article), published: '1970-01-15T00:00:00Z', updated: '1970-01-15T00:00:00Z', title: 'd27 to 1970' } });
    await step({ kind: 'publish', article: { ...(stories[2] as Article), published: when(40), updated: when(40), title: 'd3 to the front' } });
    await step({ kind: 'publish', article: { ...(stories[4] as Article), section: 'Science', title: 'd20 to science' } });
    await step({ kind: 'takedown', id: 'd3' });
    await step({ kind: 'republish' });
    expect(store.objects.has('feeds/archive/1970-01/rss.xml')).toBe(true);
  });

  it('limits change with a republish (3, then 1, then 3 items): articles cross the boundary both ways', async () => {
    const store = new MemoryObjectStore();
    const articles = Array.from({ length: 14 }, (_, i) => art(`c${String(i).padStart(2, '0')}`, when(i * 3), SECTIONS[i % 2] as string));
    const three = engine(store, { items: 3, slack: 0 });
    for (const article of articles) await three.publishArticle(article);
    noProblems(problemsOf(store));
    await engine(store, { items: 1, slack: 0 }).republish();
    noProblems(problemsOf(store));
    await engine(store, { items: 3, slack: 2 }).republish();
    noProblems(problemsOf(store));
  });
});

describe('archives whose months are cut into pages (archivePageItems)', () => {
  for (const [seed, pageItems] of [[101_000, 1], [102, 2], [103, 3], ...Array.from({ length: EXTRA_SEEDS }, (_, i) => [101_100 + i, 1 + (i % 3)])] as [number, number][]) {
    it(`a seeded concurrent mix on pages of ${pageItems}: pages are added and emptied, and the walk meets every story once (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const lambdas = [0, 1].map(() => engine(store, { items: 1 + (seed % 2), slack: 0, pageItems }));
      const model = new Model();
      for (const article of baseArticles(random, 24, 'p')) {
        await (lambdas[0] as Syndicator).publishArticle(article);
        model.apply({ kind: 'publish', article });
      }
      noProblems(problemsOf(store));
      for (const round of ['a', 'b']) {
        const ops = randomBatch(random, model, 20, round);
        await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
        const ambiguous = model.applyConcurrent(ops);
        noProblems(model.problems(store, ambiguous));
        noProblems(problemsOf(store));
      }
    });
  }

  it('pages of two, one operation at a time: a month grows to several pages, shrinks to one and empties, its neighbours relinked each time', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(store, { items: 1, slack: 0, pageItems: 2 });
    const model = new Model();
    const step = async (op: Op) => {
      await run(syndicator, op);
      model.apply(op);
      noProblems(model.problems(store));
      expect(problemsOf(store).slice(0, 10), `after ${JSON.stringify(op).slice(0, 160)}`).toEqual([]);
    };
    // December and February around a January that fills up, out of order.
    await step({ kind: 'publish', article: art('dec', '2023-12-15T00:00:00Z', 'World') });
    await step({ kind: 'publish', article: art('feb', '2024-02-15T00:00:00Z', 'World') });
    await step({ kind: 'publish', article: art('mar', '2024-03-15T00:00:00Z', 'Sport') });
    for (const day of [20, 3, 11, 27, 7, 15]) await step({ kind: 'publish', article: art(`jan${day}`, `2024-01-${String(day).padStart(2, '0')}T00:00:00Z`, day % 2 ? 'World' : 'Sport') });
    expect([...store.objects.keys()].filter((k) => /^feeds\/archive\/2024-01-\d+\/feed\.json$/.test(k)).length).toBeGreaterThanOrEqual(2);
    // Shrink January page by page, from the middle, the oldest and the newest end.
    for (const id of ['jan11', 'jan3', 'jan27', 'jan7']) await step({ kind: 'takedown', id });
    // Then move the rest out (corrections to February and December), and fill it again.
    await step({ kind: 'publish', article: art('jan15', '2024-02-01T00:00:00Z', 'World', { title: 'jan15 to February' }) });
    await step({ kind: 'publish', article: art('jan20', '2023-12-31T23:59:59Z', 'World', { title: 'jan20 to December' }) });
    for (const day of [5, 6, 9]) await step({ kind: 'publish', article: art(`jan${day}`, `2024-01-0${day}T00:00:00Z`, 'World') });
    await step({ kind: 'republish' });
  });

  it('a writer checking the pages the last writer changed, slow to do so, does not put back a page a newer writer emptied', async () => {
    const inner = new MemoryObjectStore();
    const store = new GatedStore(inner);
    const syndicator = new Syndicator(store, { site: makeSite({ archives: true, archivePageItems: 1, limits: { items: 1 } }), feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', slack: 0 }, memoryLogger());
    // January holds a2 (its newest page, archive/2024-01/) and a1 (its page archive/2024-01-1/); f is carried.
    await syndicator.publishArticle(art('a1', '2024-01-03T00:00:00Z', null));
    await syndicator.publishArticle(art('a2', '2024-01-10T00:00:00Z', null));
    await syndicator.publishArticle(art('f', '2024-02-10T00:00:00Z', null));
    expect(readDoc(inner.objects.get('feeds/archive/2024-01-1/rss.xml')?.body.toString('utf8') as string, 'rss').ids).toEqual(['a1']);
    noProblems(problemsOf(inner));
    // Z publishes a December story: January's links change, so Z settles January. It first checks the pages
    // January's last writer changed (both); its look at archive/2024-01-1/rss.xml is slow.
    const held = store.hold(on('head', 'feeds/archive/2024-01-1/rss.xml'));
    const z = syndicator.publishArticle(art('d', '2023-12-20T00:00:00Z', null));
    await held.reached;
    // Meanwhile a1 is taken down (January's second page is no longer needed: written empty), then a2 is
    // corrected (only January's newest page changes).
    await syndicator.unpublishId('a1', '2024-03-01T00:00:00Z');
    await syndicator.publishArticle(art('a2', '2024-01-10T00:00:00Z', null, { title: 'a2, corrected' }));
    expect(readDoc(inner.objects.get('feeds/archive/2024-01-1/rss.xml')?.body.toString('utf8') as string, 'rss').ids).toEqual([]);
    // Z's check finds the page differs from what January said when Z read it, and puts that back.
    held.release();
    await z;
    expect(liveRecords(inner).has('a1')).toBe(false);
    const page = (name: string) => readDoc(inner.objects.get(`feeds/archive/2024-01-1/${name}`)?.body.toString('utf8') as string, name === 'feed.json' ? 'json' : name === 'rss.xml' ? 'rss' : 'atom').ids;
    expect({ rss: page('rss.xml'), atom: page('atom.xml'), json: page('feed.json'), problems: problemsOf(inner) }).toEqual({ rss: [], atom: [], json: [], problems: [] });
  });

  it('pages of one, with failures retried: every page of a month is linked both ways', async () => {
    const store = new ChaosStore(104);
    const lambdas = [0, 1].map(() => engine(store, { items: 1, slack: 0, pageItems: 1 }));
    const random = mulberry32(104);
    const model = new Model();
    for (const article of baseArticles(random, 14, 'o')) {
      await (lambdas[0] as Syndicator).publishArticle(article);
      model.apply({ kind: 'publish', article });
    }
    store.faultRate = 0.02;
    store.faultBudget = 40;
    const ops = randomBatch(random, model, 16, 'f');
    await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
    store.faultRate = 0;
    const ambiguous = model.applyConcurrent(ops);
    noProblems(model.problems(store, ambiguous));
    noProblems(problemsOf(store));
  });
});

describe('archives with byte budgets', () => {
  // Ampersands cost five bytes in XML and one in JSON: the XML files carry fewer of these items.
  const heavy = (id: string, published: string, n: number) =>
    art(id, published, 'World', { summary: `${'&<'.repeat(n)} summary ${id}`, paragraphs: [`Body of ${id}: ${'lorem ipsum '.repeat(300)}`] });

  it('every format carries the same items, and a walk meets every article once in each', async () => {
    const store = new ChaosStore(61);
    const syndicator = engine(store, { items: 3, slack: 1, feedBytes: 10_000, itemChars: 5_000 });
    const model = new Model();
    const articles = Array.from({ length: 14 }, (_, i) => (i % 3 === 0 ? heavy(`h${i}`, when(i * 3), 400 + i * 60) : art(`h${i}`, when(i * 3), 'World')));
    for (const article of articles) {
      await syndicator.publishArticle(article);
      model.apply({ kind: 'publish', article });
    }
    noProblems(problemsOf(store));
    // Corrections that change an item's size (not its date) move the boundary; others at once.
    const ops: Op[] = [
      { kind: 'publish', article: heavy('h13', when(39), 900) },
      { kind: 'publish', article: art('h12', when(36), 'World', { title: 'h12, slimmed' }) },
      { kind: 'publish', article: heavy('h11', when(33), 700) },
      { kind: 'takedown', id: 'h10' },
      { kind: 'republish' },
    ];
    await Promise.all(ops.map((op) => lambda(() => run(syndicator, op))));
    const ambiguous = model.applyConcurrent(ops);
    noProblems(model.problems(store, ambiguous));
    noProblems(problemsOf(store));
  });

  it('an article no XML file can carry: the current files carry nothing, and the archive holds it', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(store, { items: 2, slack: 0, feedBytes: 10_000, itemChars: 5_000 });
    for (let i = 0; i < 5; i++) await syndicator.publishArticle(art(`g${i}`, when(i * 5), 'World'));
    // 5,000 ampersands: 25,000 bytes of summary in each XML file, 5,000 in JSON.
    await syndicator.publishArticle(art('giant', when(30), 'World', { summary: '&'.repeat(5000), title: `${'<&>'.repeat(333)}!` }));
    noProblems(problemsOf(store));
    const json = JSON.parse(store.objects.get('feeds/feed.json')?.body.toString('utf8') as string);
    expect(json.next_url).toBe(`${FEED_URL}archive/${monthOf({ published: when(30) })}/feed.json`);
    await syndicator.unpublishId('giant', '2024-05-01T00:00:00Z');
    noProblems(problemsOf(store));
  });
});

describe('archives switched on and off', () => {
  it('turned on for a store that has articles: a republish at the same time as publishes, takedowns and corrections', async () => {
    const store = new ChaosStore(71);
    const off = engine(store, { archives: false, items: 2, slack: 1 });
    const model = new Model();
    const random = mulberry32(71);
    for (const article of baseArticles(random, 22, 'o')) {
      await off.publishArticle(article);
      model.apply({ kind: 'publish', article });
    }
    for (const id of ['o03', 'o11', 'o19']) {
      await off.unpublishId(id, '2024-05-01T00:00:00Z');
      model.apply({ kind: 'takedown', id });
    }
    const moved = { ...(model.live.get('o05') as Article), published: '2023-08-15T00:00:00Z', updated: '2023-08-15T00:00:00Z', title: 'o05 moved while off' };
    await off.publishArticle(moved);
    model.apply({ kind: 'publish', article: moved });
    expect(store.objects.get('feeds/rss.xml')?.body.toString('utf8')).not.toContain('prev-archive');
    const on = [engine(store, { items: 2, slack: 1 }), engine(store, { items: 2, slack: 1 })];
    const ops = randomBatch(random, model, 14, 'z');
    await Promise.all([lambda(() => (on[0] as Syndicator).republish()), ...ops.map((op, i) => lambda(() => run(on[i % 2] as Syndicator, op)))]);
    const ambiguous = model.applyConcurrent(ops);
    noProblems(model.problems(store, ambiguous));
    // Writers done, but the republish may have raced them: what one more republish leaves must hold.
    await (on[1] as Syndicator).republish();
    noProblems(problemsOf(store));
  });

  it('turned on for a store that has articles, with failures: the republish is retried until it succeeds', async () => {
    const store = new ChaosStore(72);
    const off = engine(store, { archives: false, items: 1, slack: 0 });
    const articles = Array.from({ length: 12 }, (_, i) => art(`r${String(i).padStart(2, '0')}`, when(i * 4), SECTIONS[i % 3] as string));
    for (const article of articles) await off.publishArticle(article);
    await off.unpublishId('r04', '2024-05-01T00:00:00Z');
    store.faultRate = 0.04;
    store.faultBudget = 40;
    await lambda(() => engine(store, { items: 1, slack: 0 }).republish());
    store.faultRate = 0;
    noProblems(problemsOf(store));
  });

  it('turned off, then on again: takedowns, corrections and section changes made while off are in the archive once a republish has run', async () => {
    const store = new MemoryObjectStore();
    const on = engine(store, { items: 2, slack: 0 });
    const articles = Array.from({ length: 16 }, (_, i) => art(`w${String(i).padStart(2, '0')}`, when(i * 3), SECTIONS[i % 3] as string));
    for (const article of articles) await on.publishArticle(article);
    noProblems(problemsOf(store));
    const off = engine(store, { archives: false, items: 2, slack: 0 });
    await off.unpublishId('w02', '2024-05-01T00:00:00Z');
    await off.unpublishId('w15', '2024-05-01T00:00:00Z');
    await off.publishArticle({ ...(articles[4] as Article), published: when(44), updated: when(44), title: 'w04 to the front' });
    await off.publishArticle({ ...(articles[6] as Article), published: '2023-06-01T00:00:00Z', updated: '2023-06-01T00:00:00Z', title: 'w06 to June' });
    await off.publishArticle({ ...(articles[7] as Article), section: 'Science', title: 'w07 to science' });
    await off.publishArticle(art('w16', when(20), 'World'));
    await off.republish();
    const again = engine(store, { items: 2, slack: 0 });
    await again.publishArticle(art('w17', when(5), 'Sport'));
    await again.republish();
    noProblems(problemsOf(store));
    // And back off and on once more, with nothing changed meanwhile.
    await engine(store, { archives: false, items: 2, slack: 0 }).republish();
    await engine(store, { items: 2, slack: 0 }).republish();
    noProblems(problemsOf(store));
  });

  it('a writer still running the configuration without archives after the switch-on republish (a deploy overlap) leaves the archive linked', async () => {
    const store = new MemoryObjectStore();
    const off = engine(store, { archives: false, items: 1, slack: 0 });
    const articles = Array.from({ length: 8 }, (_, i) => art(`u${i}`, when(i * 5), 'World'));
    for (const article of articles) await off.publishArticle(article);
    const on = engine(store, { items: 1, slack: 0 });
    await on.republish();
    noProblems(problemsOf(store));
    // An invocation of the old version, in flight during the deploy, finishes after the republish...
    await off.publishArticle(art('u8', when(41), 'World'));
    // ...then the new version goes on publishing. Every writer is done; no one was told to republish again.
    await on.publishArticle(art('u9', when(42), 'Sport'));
    await on.unpublishId('u0', '2024-05-01T00:00:00Z');
    noProblems(problemsOf(store));
  });

  it('a takedown while archives are off does not stay in the public archive documents', async () => {
    const store = new MemoryObjectStore();
    const on = engine(store, { items: 1, slack: 0 });
    const articles = Array.from({ length: 8 }, (_, i) => art(`v${i}`, when(i * 5), 'World'));
    for (const article of articles) await on.publishArticle(article);
    const archived = `feeds/archive/${monthOf(articles[1] as Article)}/rss.xml`;
    expect(store.objects.get(archived)?.body.toString('utf8')).toContain(`${ARTICLE_URL}v1<`);
    const off = engine(store, { archives: false, items: 1, slack: 0 });
    await off.unpublishId('v1', '2024-05-01T00:00:00Z');
    await off.republish();
    // The document is still in the bucket, at its public address, cached for a year.
    for (const [key, object] of store.objects) {
      if (key.startsWith('feeds/') && key.includes('archive/')) expect(object.body.toString('utf8').includes('/a/v1<') || object.body.toString('utf8').includes('"v1"'), `${key} still shows v1`).toBe(false);
    }
  });
});

describe('hostile text in archive documents', () => {
  it('section names that slug alike (emoji, punctuation, case) share one scope and one archive', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    const names = ['🙂', 'Section', '---', 'SECTION', '\u0007section\u0007', 'Archive'];
    for (const [i, name] of names.entries()) await syndicator.publishArticle(art(`s${i}`, when(i * 6), name));
    await syndicator.publishArticle(art('s9', when(2), 'section'));
    await syndicator.unpublishId('s1', '2024-05-01T00:00:00Z');
    noProblems(problemsOf(store, names));
    expect(store.objects.has('feeds/sections/section/rss.xml')).toBe(true);
    expect(store.objects.has('feeds/sections/archive/rss.xml')).toBe(true);
  });

  it('markup, control characters and 5,000-character summaries: every archive document is well-formed and carries the text escaped', async () => {
    const store = new MemoryObjectStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    const nasty = [
      '<script>alert(1)</script> & ]]> <![CDATA[x]]> <!-- c --> &amp; &#0; \u0001\u0008\u000B\u001F\uFFFE\uFFFF \uD800 lone',
      '"quotes" \'apos\' </title></item></channel></rss> {"json": true} \u2028\u2029 \u0085 \u200B',
      '𝕌𝕟𝕚𝕔𝕠𝕕𝕖 emoji 🙂 RTL \u202Eevil\u202C ZWJ 👩‍👩‍👧 combining e\u0301',
    ];
    const long = (i: number) => `${nasty[i % 3]} ${'<b>&amp;</b> \u0002 ž 🙂 '.repeat(400)}`.slice(0, 5000);
    const articles = Array.from({ length: 7 }, (_, i) =>
      art(`x${i}`, when(i * 6), i % 2 === 0 ? '<World & "Friends">' : 'Sport\u0007', {
        title: `${nasty[i % 3]} title ${i}`.slice(0, 1000),
        summary: long(i),
        dateline: '<b>BEIJING</b> & ]]>',
        authors: ['<Jane> & "Joe"'],
      }),
    );
    for (const article of articles) await syndicator.publishArticle(article);
    const problems = problemsOf(store, ['<World & "Friends">', 'Sport\u0007']);
    noProblems(problems);
    // The texts, as each archive document carries them: escaped, only the characters XML cannot carry gone.
    const docs = [...store.objects.entries()].filter(([k]) => /archive\/\d{4}-\d{2}\//.test(k));
    expect(docs.length).toBeGreaterThanOrEqual(6);
    for (const [key, object] of docs) {
      const body = object.body.toString('utf8');
      if (key.endsWith('.json')) {
        const feed = JSON.parse(body);
        for (const item of feed.items) {
          const article = articles.find((a) => a.id === item._syndicate.article_id) as Article;
          expect(item.title, key).toBe(article.title);
          expect(item.content_html, key).not.toMatch(/<script|<b>/);
          expect(item.content_html, key).toContain('&lt;b&gt;');
        }
      } else {
        // Plain text in JSON; in XML, no markup of the text is ever markup of the document.
        expect(body, key).not.toMatch(/<script|<b>|<\/title><\/item>/);
        const root = key.endsWith('rss.xml') ? parseXml(body).rss.channel : parseXml(body).feed;
        for (const entry of [key.endsWith('rss.xml') ? (root.item ?? []) : (root.entry ?? [])].flat()) {
          const id = idOfUrl(key.endsWith('rss.xml') ? entry.link : entry.id);
          const article = articles.find((a) => a.id === id) as Article;
          const title = typeof entry.title === 'string' ? entry.title : entry.title['#text'];
          // RSS titles are HTML-escaped text (in CDATA); Atom's are type="text".
          expect(key.endsWith('rss.xml') ? decodeHTML(title) : title, key).toBe(stripXmlForbidden(article.title));
        }
      }
    }
    // A takedown of one of them leaves no trace of its text in the archive.
    await syndicator.unpublishId('x2', '2024-05-01T00:00:00Z');
    noProblems(problemsOf(store, ['<World & "Friends">', 'Sport\u0007']));
  });
});
