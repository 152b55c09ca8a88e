/**
 * Second adversarial pass over the RFC 5005 archives kept by the engine (src/engine/archives.ts,
 * src/engine/feeds.ts), looking where tests/adversarial-archives.test.ts did not:
 *
 * - the paged bit (ArchiveIndex.paged, Archives.markPaged): months crossing one and two pages while another
 *   writer changes them, a writer that dies between a month's commit and its markPaged, a change of
 *   archivePageItems with a republish;
 * - owed months (clearOwed) left by writers that die between the feed state's commit and the settle, with
 *   only other operations after them (no retry);
 * - archives turned off (purgeArchive) while writers of the old configuration publish and take down, then on
 *   again;
 * - renderedWith: a republish after the site's title changes re-renders every archive document;
 * - the current documents' shared count under byte budgets (JSON much larger than XML, lean items);
 * - declared feeds (site feeds with partner profiles, a tag feed) beside the archives;
 * - the window's edge (limit + 1 items, no slack);
 * - records' pendingMonths through failed feed updates;
 * - cost: one publish into a month of 2,000 archived articles, and what a writer leaves owed;
 * - an import that changes stories already archived (another section, another month);
 * - a feed state that cannot be read or is gone (derived data, rebuilt from the index).
 *
 * The invariant (problemsOf, as in the first pass) once every writer is done: for the site and every section,
 * a walk from rss.xml, atom.xml and feed.json along prev-archive (JSON: next_url) meets every live article of
 * the scope exactly once, newest first, and no withdrawn one; the three current documents carry the same
 * articles; every archive document is well-formed, marked, links its current document, and its links are
 * symmetric; and (withdrawnAnywhere) no archive document anywhere in the bucket, linked or not, shows an
 * article that is not live. The invariant, the store and the engine are shared with the first pass
 * (tests/support/archive-invariant.ts).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../bench/generate.js';
import type { Article } from '../src/article.js';
import type { MemoryObjectStore } from '../src/storage/memory-store.js';
import type { Syndicator } from '../src/syndicator.js';
import { parseXml } from './helpers.js';
import { ARCHIVE_DOC, articleMaker, body, ChaosStore, docAt, engineMaker, type Format, formatOfName, idOfUrl, lambda, liveRecords, NAMES, noProblems, type Op, pick, problemsOf, readDoc, run, SECTIONS, when, withdrawnAnywhere } from './support/archive-invariant.js';
import { InjectedFault, on, type Operation } from './support/gated-store.js';

// ---- the engine, articles and stores ----

/** An engine on a store (tests/support/archive-invariant.ts): one item carried unless said, no hub pinged. */
const engine = engineMaker({ items: 1, backoffSeed: 7_000, pinger: null });
/** A story (no tags unless said). */
const art = articleMaker({ tags: [] });

/** Runs an operation once; a failure (an injected fault) is swallowed: the Lambda died, and is not retried. */
async function dies(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return null;
  } catch (error) {
    return error;
  }
}

/** The feed state of a scope, as stored. */
const feedState = (store: MemoryObjectStore, path = '') => JSON.parse(store.objects.get(`state/${path || 'site/'}state.json`)?.body.toString('utf8') ?? 'null');
/** A month's state, as stored. */
const monthState = (store: MemoryObjectStore, month: string, path = '') => JSON.parse(store.objects.get(`state/${path || 'site/'}archive/${month}.json`)?.body.toString('utf8') ?? 'null');

// ---- the tests ----

const FEED_STATE = 'state/site/state.json';
const JAN_STATE = 'state/site/archive/2024-01.json';

describe('the paged bit: a month crossing one and two pages while another writer changes it', () => {
  /**
   * The site only (no section), pages of one, one item carried, no slack. December holds d; January holds
   * `january`; f (February) is carried.
   */
  async function base(january: string[]) {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0, pageItems: 1 });
    await syndicator.publishArticle(art('d', '2023-12-15T00:00:00Z', null));
    for (const id of january) await syndicator.publishArticle(art(id, `2024-01-${id.slice(1).padStart(2, '0')}T00:00:00Z`, null));
    await syndicator.publishArticle(art('f', '2024-02-10T00:00:00Z', null));
    noProblems(problemsOf(store));
    return { store, syndicator };
  }

  /**
   * Holds `first`'s markPaged (its read of the feed state right after its commit of January) until `second`
   * has read January and the feed state and is about to commit January; then lets `first` finish, then
   * `second`. `first` changes January's page count one way, `second` back.
   */
  async function interleave(store: ChaosStore, first: () => Promise<unknown>, second: () => Promise<unknown>) {
    let committed = false;
    store.observers.push((op, key, phase) => {
      if (op === 'put' && key === JAN_STATE && phase === 'after') committed = true;
    });
    const markPaged = store.hold((op, key) => committed && op === 'get' && key === FEED_STATE);
    const a = first();
    await markPaged.reached;
    const monthPut = store.hold(on('put', JAN_STATE));
    const b = second();
    await monthPut.reached;
    markPaged.release();
    await a;
    monthPut.release();
    await b;
  }

  it('grown to two pages by one writer while another takes it back to one: the older month does not link an empty page', async () => {
    const { store, syndicator } = await base(['a3']);
    // A publishes a10 into January (two pages now); its markPaged reads the feed state and January, while
    // B, which read January as A left it, takes a3 down (one page again) and commits January after A's markPaged.
    await interleave(
      store,
      () => syndicator.publishArticle(art('a10', '2024-01-10T00:00:00Z', null)),
      () => syndicator.unpublishId('a3', '2024-03-01T00:00:00Z'),
    );
    const january = monthState(store, '2024-01');
    const paged = feedState(store).archive.paged ?? [];
    const december = docAt(store, 'archive/2023-12/rss.xml');
    // January has one page, so December's next-archive must name archive/2024-01/ (not the emptied -1 page).
    expect({ januaryEntries: january.entries.map((e: Article) => e.id), paged, decemberNext: december.next, problems: problemsOf(store) }).toEqual({
      januaryEntries: ['a10'],
      paged: [],
      decemberNext: 'archive/2024-01/rss.xml',
      problems: [],
    });
  });

  it('taken back to one page by one writer while another grows it to two again: the older month links its oldest page', async () => {
    const { store, syndicator } = await base(['a3', 'a10']);
    expect(feedState(store).archive.paged).toEqual(['2024-01']);
    // A takes a3 down (one page); B publishes a20 into January (two pages) and commits after A's markPaged.
    await interleave(
      store,
      () => syndicator.unpublishId('a3', '2024-03-01T00:00:00Z'),
      () => syndicator.publishArticle(art('a20', '2024-01-20T00:00:00Z', null)),
    );
    const january = monthState(store, '2024-01');
    const paged = feedState(store).archive.paged ?? [];
    const december = docAt(store, 'archive/2023-12/rss.xml');
    expect({ januaryEntries: january.entries.map((e: Article) => e.id), paged, decemberNext: december.next, problems: problemsOf(store) }).toEqual({
      januaryEntries: ['a20', 'a10'],
      paged: ['2024-01'],
      decemberNext: 'archive/2024-01-1/rss.xml',
      problems: [],
    });
  });
});

describe('the paged bit: a writer that dies around markPaged', () => {
  async function base() {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0, pageItems: 1 });
    await syndicator.publishArticle(art('d', '2023-12-15T00:00:00Z', null));
    await syndicator.publishArticle(art('a3', '2024-01-03T00:00:00Z', null));
    await syndicator.publishArticle(art('f', '2024-02-10T00:00:00Z', null));
    noProblems(problemsOf(store));
    return { store, syndicator };
  }

  /** Fails the first call matching `match` made after January's month state was committed. */
  function failAfterJanuary(store: ChaosStore, match: (op: Operation, key: string) => boolean, after = false) {
    let committed = false;
    store.observers.push((op, key, phase) => {
      if (op === 'put' && key === JAN_STATE && phase === 'after') committed = true;
    });
    store.fail((op, key) => committed && match(op, key), { after });
  }

  const afterwards: [string, (s: Syndicator) => Promise<unknown>][] = [
    ['retried as Lambda would', (s) => lambda(() => s.publishArticle(art('a10', '2024-01-10T00:00:00Z', null)))],
    ['not retried; a correction of the carried story runs next', (s) => s.publishArticle(art('f', '2024-02-10T00:00:00Z', null, { title: 'f, corrected' }))],
    ['not retried; a takedown in December runs next', (s) => s.unpublishId('d', '2024-03-01T00:00:00Z')],
  ];

  for (const [label, next] of afterwards) {
    it(`dies after committing January (two pages now), before telling the feed state: ${label}`, async () => {
      const { store, syndicator } = await base();
      failAfterJanuary(store, (op, key) => op === 'get' && key === FEED_STATE);
      const died = await dies(() => syndicator.publishArticle(art('a10', '2024-01-10T00:00:00Z', null)));
      expect(died).toBeInstanceOf(InjectedFault);
      expect(monthState(store, '2024-01').entries.length).toBe(2);
      await next(syndicator);
      const live = liveRecords(store);
      const decemberNext = live.has('d') ? docAt(store, 'archive/2023-12/rss.xml').next : 'archive/2024-01-1/rss.xml';
      expect({ paged: feedState(store).archive.paged ?? [], decemberNext, problems: problemsOf(store) }).toEqual({ paged: ['2024-01'], decemberNext: 'archive/2024-01-1/rss.xml', problems: [] });
    });
  }

  it('dies after telling the feed state January has pages, before relinking December; only other writers run', async () => {
    const { store, syndicator } = await base();
    // The feed state's put that lists January as paged succeeds; the Lambda dies right after it.
    failAfterJanuary(store, (op, key) => op === 'put' && key === FEED_STATE, true);
    const died = await dies(() => syndicator.publishArticle(art('a10', '2024-01-10T00:00:00Z', null)));
    expect(died).toBeInstanceOf(InjectedFault);
    expect(feedState(store).archive.paged).toEqual(['2024-01']);
    // December still names archive/2024-01/ (it has not been relinked yet).
    expect(docAt(store, 'archive/2023-12/rss.xml').next).toBe('archive/2024-01/rss.xml');
    await syndicator.publishArticle(art('f', '2024-02-10T00:00:00Z', null, { title: 'f, corrected' }));
    expect(docAt(store, 'archive/2023-12/rss.xml').next).toBe('archive/2024-01-1/rss.xml');
    noProblems(problemsOf(store));
  });
});

describe('the paged bit under concurrent writers and configuration changes', () => {
  /** Days in December to March: months next to each other, each crossing one and two pages often. */
  const dayIn = (random: () => number) => new Date(Date.UTC(2023, 11, 1) + Math.floor(random() * 120) * 86_400_000 + Math.floor(random() * 86_400) * 1000).toISOString().replace(/\.000Z$/, 'Z');

  function batch(random: () => number, live: Map<string, Article>, count: number, tag: string): Op[] {
    const ops: Op[] = [];
    for (let i = 0; i < count; i++) {
      const roll = random();
      const ids = [...live.keys()].sort();
      if (roll < 0.35 || ids.length === 0) {
        ops.push({ kind: 'publish', article: art(`${tag}${i}`, dayIn(random), random() < 0.5 ? null : 'World') });
      } else if (roll < 0.6) {
        const old = live.get(pick(random, ids)) as Article;
        const published = dayIn(random);
        ops.push({ kind: 'publish', article: { ...old, published, updated: published, title: `${old.title} (moved ${tag}${i})` } });
      } else if (roll < 0.92) {
        ops.push({ kind: 'takedown', id: pick(random, ids) });
      } else {
        ops.push({ kind: 'republish' });
      }
    }
    return ops;
  }

  for (const [seed, pageItems] of [
    [2_001, 1],
    [2_002, 2],
    [2_003, 1],
  ] as [number, number][]) {
    it(`a flaky network, pages of ${pageItems}, months next to each other filled and emptied at once (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const lambdas = [0, 1, 2].map(() => engine(store, { items: 1, slack: 0, pageItems }));
      const live = new Map<string, Article>();
      for (let i = 0; i < 10; i++) {
        const article = art(`b${i}`, dayIn(random), random() < 0.5 ? null : 'World');
        await (lambdas[0] as Syndicator).publishArticle(article);
        live.set(article.id, article);
      }
      noProblems(problemsOf(store));
      store.slowRate = 0.1;
      store.slowTicks = 120;
      for (const round of ['p', 'q', 'r']) {
        const ops = batch(random, live, 14, round);
        await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
        // Which of several operations on one id won does not matter here: the records say.
        for (const [id, article] of liveRecords(store)) live.set(id, article);
        for (const id of [...live.keys()]) if (!liveRecords(store).has(id)) live.delete(id);
        noProblems(problemsOf(store), `round ${round}: `);
      }
    });
  }

  it('archivePageItems changed with a republish (3, then 1, then 2, then 500): every month re-paged and relinked', async () => {
    const store = new ChaosStore();
    const articles = Array.from({ length: 30 }, (_, i) => art(`c${String(i).padStart(2, '0')}`, new Date(Date.UTC(2023, 10, 1) + i * 4 * 86_400_000).toISOString().replace(/\.000Z$/, 'Z'), i % 2 ? 'World' : null));
    const three = engine(store, { items: 1, slack: 0, pageItems: 3 });
    for (const article of articles) await three.publishArticle(article);
    noProblems(problemsOf(store));
    for (const pageItems of [1, 2, 500]) {
      await engine(store, { items: 1, slack: 0, pageItems }).republish();
      noProblems(problemsOf(store), `pages of ${pageItems}: `);
      const paged = feedState(store).archive.paged ?? [];
      const months = feedState(store).archive.months as string[];
      for (const month of months) {
        const count = monthState(store, month).entries.length;
        expect(paged.includes(month), `${month} (${count} entries, pages of ${pageItems})`).toBe(count > pageItems);
      }
    }
  });

  for (const seed of [2_101, 2_102]) {
    it(`archivePageItems changed while writers of the new configuration publish and take down (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const old = engine(store, { items: 1, slack: 0, pageItems: 4 });
      const live = new Map<string, Article>();
      for (let i = 0; i < 24; i++) {
        const article = art(`e${String(i).padStart(2, '0')}`, dayIn(random), random() < 0.5 ? null : 'World');
        await old.publishArticle(article);
        live.set(article.id, article);
      }
      const next = [0, 1].map(() => engine(store, { items: 1, slack: 0, pageItems: 1 }));
      store.slowRate = 0.08;
      store.slowTicks = 100;
      const ops = batch(random, live, 12, 'n').filter((op) => op.kind !== 'republish');
      await Promise.all([lambda(() => (next[0] as Syndicator).republish()), ...ops.map((op, i) => lambda(() => run(next[i % 2] as Syndicator, op)))]);
      noProblems(problemsOf(store));
    });
  }
});

describe('owed months left by a writer that dies between the feed state commit and the settle, no retry', () => {
  async function base(store: ChaosStore, syndicator: Syndicator) {
    // Three months of the site, World and Sport; two carried by the site, one by each section.
    const articles = Array.from({ length: 12 }, (_, i) => art(`o${String(i).padStart(2, '0')}`, when(i * 2), i % 2 ? 'World' : 'Sport'));
    for (const article of articles) await syndicator.publishArticle(article);
    noProblems(problemsOf(store));
    return articles;
  }

  const cases: { label: string; dying: Op; fault: string; others: Op[] }[] = [
    {
      label: 'a new story (the site and World move their boundary), then a takedown in Sport',
      dying: { kind: 'publish', article: art('z', when(40), 'World') },
      fault: 'state/site/archive/',
      others: [{ kind: 'takedown', id: 'o02' }],
    },
    {
      label: "a new story dies settling World's month, then a correction of an old World story",
      dying: { kind: 'publish', article: art('z', when(40), 'World') },
      fault: 'state/sections/world/archive/',
      others: [{ kind: 'publish', article: art('o01', when(2), 'World', { title: 'o01, corrected' }) }],
    },
    {
      label: 'a takedown of the newest story (an archived one comes back), then a new Sport story',
      dying: { kind: 'takedown', id: 'o11' },
      fault: 'state/site/archive/',
      others: [{ kind: 'publish', article: art('y', when(1), 'Sport') }],
    },
    {
      label: 'a correction moving an archived story two months on, then a takedown elsewhere in World',
      dying: { kind: 'publish', article: art('o03', when(15), 'World', { title: 'o03 moved' }) },
      fault: 'state/site/archive/',
      others: [{ kind: 'takedown', id: 'o05' }],
    },
  ];

  for (const { label, dying, fault, others } of cases) {
    it(label, async () => {
      const store = new ChaosStore();
      const syndicator = engine(store, { items: 2, slack: 0 });
      await base(store, syndicator);
      const path = fault.slice('state/'.length, -'archive/'.length);
      store.fail(on('put', fault));
      const died = await dies(() => run(syndicator, dying));
      expect(died).toBeInstanceOf(InjectedFault);
      // The feed state was committed (it owes the month), its settle died.
      const owed = feedState(store, path === 'site/' ? '' : path).archive.owed;
      expect(Object.keys(owed).length).toBeGreaterThan(0);
      for (const op of others) await run(syndicator, op);
      noProblems(problemsOf(store));
    });
  }

  for (const seed of [3_001, 3_002]) {
    it(`a seeded mix where month commits fail and nothing is retried, then one write to every scope (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const lambdas = [0, 1].map(() => engine(store, { items: 1, slack: 0, pageItems: 2 }));
      const articles = Array.from({ length: 16 }, (_, i) => art(`r${String(i).padStart(2, '0')}`, when(Math.floor(random() * 40)), pick(random, SECTIONS)));
      for (const article of articles) await (lambdas[0] as Syndicator).publishArticle(article);
      noProblems(problemsOf(store));
      // Month commits (and only they) fail now and then, before or after reaching the store; each operation
      // runs once. Records and feed states are all written, so what a dead writer owes is in its feed state.
      let deaths = 0;
      const ops: Op[] = Array.from({ length: 16 }, (_, i) => {
        const roll = random();
        if (roll < 0.4) return { kind: 'publish', article: art(`s${i}`, when(Math.floor(random() * 50)), pick(random, SECTIONS)) };
        if (roll < 0.7) {
          const old = pick(random, articles);
          const published = when(Math.floor(random() * 50));
          return { kind: 'publish', article: { ...old, published, updated: published, title: `${old.title} (moved ${i})` } };
        }
        return { kind: 'takedown', id: pick(random, articles).id };
      });
      store.observers.push((op, key, phase) => {
        if (phase === 'before' && op === 'put' && /^state\/.*archive\//.test(key) && random() < 0.25) {
          deaths += 1;
          store.fail((o, k) => o === op && k === key, { after: random() < 0.5 });
        }
      });
      // Operations on one record in turn (their records must all be written); the others at once.
      const byId = new Map<string, Op[]>();
      for (const op of ops) {
        const id = op.kind === 'publish' ? op.article.id : op.kind === 'takedown' ? op.id : '';
        byId.set(id, [...(byId.get(id) ?? []), op]);
      }
      await Promise.all(
        [...byId.values()].map(async (list) => {
          for (const op of list) {
            // The record's own write must land (a takedown whose record is not written was not made).
            await dies(() => run(pick(random, lambdas), op));
          }
        }),
      );
      store.observers.length = 0;
      expect(deaths).toBeGreaterThan(0);
      // Records whose feed updates never committed are what Lambda's retry is for, not this test: every
      // operation's record change is retried here, the feed updates of the others are left as they died.
      // Then one new story in every section (each writes its section's and the site's feed state).
      for (const [i, section] of SECTIONS.entries()) await (lambdas[1] as Syndicator).publishArticle(art(`late${i}`, when(3 + i), section));
      noProblems(problemsOf(store));
    });
  }
});

describe('archives turned off (purgeArchive) while writers of the old configuration run, then on again', () => {
  const WORLD_STATE = 'state/sections/world/state.json';

  it('a writer of the old configuration re-creates the archive between the purge of the feed state and the emptying of its months', async () => {
    const store = new ChaosStore();
    // A small section: its window (2 shown and 3 of slack) holds every story it has.
    const options = { items: 2, slack: 3 };
    const on = engine(store, options);
    const stories = ['2024-01-10', '2024-02-10', '2024-03-10', '2024-04-10'].map((d, i) => art(`w${i + 1}`, `${d}T00:00:00Z`, 'World'));
    for (const story of stories) await on.publishArticle(story);
    noProblems(problemsOf(store));
    expect(docAt(store, 'sections/world/archive/2024-01/rss.xml').ids).toEqual(['w1']);
    // The republish of the configuration without archives: the section's purge (its put of the feed state
    // without the archive) goes through; its emptying of the months waits.
    let purged = false;
    const off = engine(store, { ...options, archives: false });
    store.observers.push((op, key, phase) => {
      if (op === 'put' && key === WORLD_STATE && phase === 'after' && !purged) purged = feedState(store, 'sections/world/').archive === undefined;
    });
    let holding = true;
    const emptying = store.hold((op, key) => holding && purged && op === 'get' && key.startsWith('state/sections/world/archive/'), 10);
    const republished = off.republish();
    await emptying.reached;
    holding = false;
    expect(feedState(store, 'sections/world/').archive).toBeUndefined();
    // Meanwhile a Lambda of the old version (archives on) publishes a World story.
    await on.publishArticle(art('w5', '2024-05-10T00:00:00Z', 'World'));
    emptying.release();
    await republished;
    noProblems(withdrawnAnywhere(store), 'archives off: ');
    // Archives on again, with its republish: every story of the section is met once.
    await engine(store, options).republish();
    noProblems(problemsOf(store));
  });

  for (const seed of [4_001, 4_002]) {
    it(`old-configuration writers publish and take down while the republish that turns archives off runs; then on again (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const store = new ChaosStore(seed);
      const options = { items: 1 + (seed % 2), slack: seed % 2 ? 0 : 2 };
      const old = [0, 1].map(() => engine(store, options));
      const articles = Array.from({ length: 18 }, (_, i) => art(`u${String(i).padStart(2, '0')}`, when(Math.floor(random() * 40)), pick(random, SECTIONS)));
      for (const article of articles) await (old[0] as Syndicator).publishArticle(article);
      noProblems(problemsOf(store));
      const off = engine(store, { ...options, archives: false });
      store.slowRate = 0.08;
      store.slowTicks = 120;
      const ops: [Syndicator, Op][] = Array.from({ length: 14 }, (_, i) => {
        const writer = random() < 0.7 ? pick(random, old) : off;
        const roll = random();
        if (roll < 0.35) return [writer, { kind: 'publish', article: art(`v${i}`, when(Math.floor(random() * 48)), pick(random, SECTIONS)) }];
        if (roll < 0.55) {
          const story = pick(random, articles);
          const published = when(Math.floor(random() * 48));
          return [writer, { kind: 'publish', article: { ...story, published, updated: published, title: `${story.title} (moved ${i})` } }];
        }
        return [writer, { kind: 'takedown', id: pick(random, articles).id }];
      });
      await Promise.all([lambda(() => off.republish()), ...ops.map(([writer, op]) => lambda(() => run(writer, op)))]);
      store.slowRate = 0;
      noProblems(withdrawnAnywhere(store), 'archives off, writers done: ');
      // One more republish without archives (no writer running): every archive document is empty.
      await off.republish();
      const shown = [...store.objects].filter(([k]) => ARCHIVE_DOC.test(k)).flatMap(([k, o]) => readDoc(o.body.toString('utf8'), formatOfName(k.slice(k.lastIndexOf('/') + 1))).ids.map((id) => `${k}: ${id}`));
      expect(shown.slice(0, 10)).toEqual([]);
      // Then on again.
      await engine(store, options).republish();
      noProblems(problemsOf(store));
    });
  }
});

describe('renderedWith: a republish after the site configuration changed renders every archive document again', () => {
  /** Archive documents anywhere whose title does not name `title` (or still names `old`). */
  function staleTitles(store: MemoryObjectStore, title: string, old: string): string[] {
    const stale: string[] = [];
    for (const [key, object] of store.objects) {
      const match = ARCHIVE_DOC.exec(key);
      if (!match) continue;
      const doc = readDoc(object.body.toString('utf8'), formatOfName(match[3] as string));
      if (!doc.title.includes(title) || doc.title.includes(old)) stale.push(`${key}: "${doc.title}"`);
    }
    return stale.sort();
  }

  it('a new site title reaches every archive document: pages in use, months emptied, pages a month no longer needs', async () => {
    const store = new ChaosStore();
    const before = engine(store, { items: 1, slack: 0, pageItems: 1, title: 'Old Daily' });
    // December: one story, taken down later (an emptied month). January: three pages, then one (its -1 and
    // -2 pages no longer needed, written empty). February: one story. March: carried.
    const stories = [
      art('d1', '2023-12-05T00:00:00Z', 'World'),
      art('j1', '2024-01-05T00:00:00Z', 'World'),
      art('j2', '2024-01-10T00:00:00Z', 'Sport'),
      art('j3', '2024-01-15T00:00:00Z', 'World'),
      art('f1', '2024-02-05T00:00:00Z', 'Sport'),
      art('m1', '2024-03-05T00:00:00Z', 'World'),
    ];
    for (const story of stories) await before.publishArticle(story);
    for (const id of ['d1', 'j1', 'j2']) await before.unpublishId(id, '2024-04-01T00:00:00Z');
    noProblems(problemsOf(store));
    expect(store.objects.has('feeds/archive/2024-01-2/rss.xml')).toBe(true);
    expect(staleTitles(store, 'Old Daily', 'New Herald')).toEqual([]);
    const after = engine(store, { items: 1, slack: 0, pageItems: 1, title: 'New Herald' });
    await after.republish();
    noProblems(problemsOf(store));
    expect(staleTitles(store, 'New Herald', 'Old Daily')).toEqual([]);
    // And nothing else moved: a publish and a takedown afterwards keep the invariant.
    await after.publishArticle(art('j4', '2024-01-20T00:00:00Z', 'World'));
    await after.unpublishId('f1', '2024-04-02T00:00:00Z');
    noProblems(problemsOf(store));
    expect(staleTitles(store, 'New Herald', 'Old Daily')).toEqual([]);
  });

  it('a republish with the new title at the same time as writers of the new configuration: every archive document has the new title', async () => {
    const store = new ChaosStore(5_001);
    const random = mulberry32(5_001);
    const before = engine(store, { items: 1, slack: 0, pageItems: 2, title: 'Old Daily' });
    const articles = Array.from({ length: 20 }, (_, i) => art(`t${String(i).padStart(2, '0')}`, when(Math.floor(random() * 40)), pick(random, SECTIONS)));
    for (const article of articles) await before.publishArticle(article);
    const after = [0, 1].map(() => engine(store, { items: 1, slack: 0, pageItems: 2, title: 'New Herald' }));
    store.slowRate = 0.08;
    const ops: Op[] = [
      { kind: 'publish', article: art('n1', when(45), 'World') },
      { kind: 'takedown', id: 't03' },
      { kind: 'publish', article: { ...(articles[5] as Article), published: when(2), updated: when(2), title: 't05 moved' } },
      { kind: 'takedown', id: 't11' },
      { kind: 'publish', article: art('n2', when(1), 'Sport') },
    ];
    await Promise.all([lambda(() => (after[0] as Syndicator).republish()), ...ops.map((op) => lambda(() => run(after[1] as Syndicator, op)))]);
    noProblems(problemsOf(store));
    expect(staleTitles(store, 'New Herald', 'Old Daily')).toEqual([]);
  });

  it('a writer of the old title finishing after the new title\'s republish (a deploy overlap): its months are rendered again by the next writer of the new one', async () => {
    const store = new ChaosStore();
    const before = engine(store, { items: 1, slack: 0, title: 'Old Daily' });
    for (const [i, month] of ['2023-11', '2023-12', '2024-01', '2024-02'].entries()) await before.publishArticle(art(`k${i}`, `${month}-10T00:00:00Z`, null));
    const after = engine(store, { items: 1, slack: 0, title: 'New Herald' });
    await after.republish();
    expect(staleTitles(store, 'New Herald', 'Old Daily')).toEqual([]);
    // A Lambda of the old version, in flight during the deploy, corrects a November story after the republish...
    await before.publishArticle(art('k0', '2023-11-10T00:00:00Z', null, { title: 'k0, corrected' }));
    // ...then the new version publishes the newest story and takes one down. No one republishes again.
    await after.publishArticle(art('k9', '2024-03-10T00:00:00Z', null));
    await after.unpublishId('k1', '2024-04-01T00:00:00Z');
    noProblems(problemsOf(store));
    expect(staleTitles(store, 'New Herald', 'Old Daily')).toEqual([]);
  });
});

describe('the current documents carry the same articles under byte budgets', () => {
  /** A story whose JSON is far larger than its XML: backslashes cost two bytes in JSON, twice over (content and _syndicate.quotes). */
  const jsonHeavy = (id: string, published: string, section: string | null, n = 2_000) =>
    art(id, published, section, { quotes: Array.from({ length: Math.ceil(n / 1_000) }, (_, i) => ({ text: `${'\\'.repeat(Math.min(1_000, n - i * 1_000))} ${id}`, speaker: null, role: null })) });
  const sizes = (store: MemoryObjectStore, scope = '') => Object.fromEntries((['rss', 'atom', 'json'] as Format[]).map((f) => [f, Buffer.byteLength(body(store, `${scope}${NAMES[f]}`) ?? '')]));
  const carried = (store: MemoryObjectStore, scope = '') => (['rss', 'atom', 'json'] as Format[]).map((f) => docAt(store, `${scope}${NAMES[f]}`).ids);

  it('a story whose JSON is much larger than its XML, at the boundary: the three carry the same, the rest is one link away', async () => {
    const store = new ChaosStore();
    const feedBytes = 12_000;
    const syndicator = engine(store, { items: 4, slack: 0, feedBytes, itemChars: 5_000 });
    const model = new Map<string, Article>();
    const step = async (op: Op, label: string) => {
      await run(syndicator, op);
      if (op.kind === 'publish') model.set(op.article.id, op.article);
      if (op.kind === 'takedown') model.delete(op.id);
      noProblems(problemsOf(store), `${label}: `);
      for (const [format, size] of Object.entries(sizes(store))) expect(size, `${label}: ${format}`).toBeLessThanOrEqual(feedBytes);
      const [rss, atom, json] = carried(store);
      expect({ atom, json }, label).toEqual({ atom: rss, json: rss });
    };
    for (let i = 0; i < 6; i++) await step({ kind: 'publish', article: art(`p${i}`, when(i * 4), i % 2 ? 'World' : 'Sport') }, `p${i}`);
    expect(carried(store)[0]).toEqual(['p5', 'p4', 'p3', 'p2']);
    // The heavy story arrives second newest: JSON cannot carry it and two more; XML could carry all four.
    await step({ kind: 'publish', article: jsonHeavy('big', when(22), 'World') }, 'big');
    const json = JSON.parse(body(store, 'feed.json') as string);
    expect(json.items.length).toBeLessThan(4);
    // (XML alone would carry all four: its file is far from its budget.)
    expect(sizes(store).rss).toBeLessThan(feedBytes / 2);
    // It is there, in every format (the boundary falls after it or before it, the same in all three).
    // Then it grows (fewer carried), shrinks (more carried), moves into the archive and back, and goes.
    await step({ kind: 'publish', article: jsonHeavy('big', when(22), 'World', 2_400) }, 'bigger');
    await step({ kind: 'publish', article: art('big', when(22), 'World', { title: 'big, slimmed' }) }, 'slimmed');
    await step({ kind: 'publish', article: jsonHeavy('big', when(2), 'World', 2_400) }, 'heavy and archived');
    await step({ kind: 'publish', article: jsonHeavy('big', when(30), 'World', 2_400) }, 'heavy and newest');
    await step({ kind: 'publish', article: jsonHeavy('big2', when(29), 'Sport', 2_400) }, 'two heavy');
    await step({ kind: 'takedown', id: 'big' }, 'big down');
    await step({ kind: 'takedown', id: 'big2' }, 'big2 down');
    expect(carried(store)[0]).toEqual(['p5', 'p4', 'p3', 'p2']);
  });

  it('a section with a budget of its own, lean items past it, takedowns bringing them back inside', async () => {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 5, slack: 3, scopeBudgets: { 'sections/world': { feedBytes: 10_000, itemChars: 4_000 } } });
    const long = (id: string, i: number) => art(id, when(i), 'World', { paragraphs: [`${id} ${'lorem ipsum dolor '.repeat(170)}`] });
    const stories = Array.from({ length: 14 }, (_, i) => long(`l${String(i).padStart(2, '0')}`, i * 2));
    for (const story of stories) await syndicator.publishArticle(story);
    noProblems(problemsOf(store));
    // The site carries five; World fewer (its budget), and its state keeps the rest of its window lean.
    expect(docAt(store, 'rss.xml').ids.length).toBe(5);
    const world = docAt(store, 'sections/world/rss.xml').ids;
    expect(world.length).toBeLessThan(5);
    expect(feedState(store, 'sections/world/').items.some((item: { lean?: number }) => item.lean !== undefined)).toBe(true);
    // Take the carried ones down one by one (lean ones come inside the budget and are read again), then at once.
    for (const id of world.slice(0, 2)) {
      await syndicator.unpublishId(id, '2024-06-01T00:00:00Z');
      noProblems(problemsOf(store), `${id} down: `);
    }
    const next = docAt(store, 'sections/world/rss.xml').ids;
    await Promise.all([...next.map((id) => syndicator.unpublishId(id, '2024-06-01T00:00:00Z')), syndicator.publishArticle(long('l99', 3))]);
    noProblems(problemsOf(store));
    for (const size of Object.values(sizes(store, 'sections/world/'))) expect(size).toBeLessThanOrEqual(10_000);
  });

  it('concurrent corrections changing sizes at the boundary, on a flaky network', async () => {
    const store = new ChaosStore(6_001);
    const random = mulberry32(6_001);
    const lambdas = [0, 1].map(() => engine(store, { items: 3, slack: 1, feedBytes: 12_000, itemChars: 5_000 }));
    const ids = Array.from({ length: 10 }, (_, i) => `q${i}`);
    for (const [i, id] of ids.entries()) await (lambdas[0] as Syndicator).publishArticle(i % 3 === 0 ? jsonHeavy(id, when(i * 3), 'World') : art(id, when(i * 3), 'Sport'));
    noProblems(problemsOf(store));
    store.slowRate = 0.1;
    store.slowTicks = 100;
    const ops: Op[] = ids.slice(4).flatMap((id, k) => {
      const i = k + 4;
      const roll = random();
      if (roll < 0.4) return [{ kind: 'publish', article: jsonHeavy(id, when(i * 3), 'World', 1_000 + Math.floor(random() * 1_500)) } as Op];
      if (roll < 0.7) return [{ kind: 'publish', article: art(id, when(i * 3), 'Sport', { title: `${id} slim` }) } as Op];
      return [{ kind: 'takedown', id } as Op];
    });
    await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
    noProblems(problemsOf(store));
    for (const size of Object.values(sizes(store))) expect(size).toBeLessThanOrEqual(12_000);
  });
});

describe('declared feeds beside the archives', () => {
  const FEEDS = [
    { path: 'partners/msn/', format: 'rss', profile: 'msn' },
    { path: 'partners/flipboard/', format: 'json', profile: 'flipboard' },
    { path: 'topics/climate/', format: 'atom', scope: { tag: 'Climate' } },
    { path: 'partners/world/', format: 'rss', scope: { section: 'World' }, items: 6 },
  ];

  it('site, section and tag feeds declared: no archive of their own, and takedowns reach them and the archive', async () => {
    const store = new ChaosStore(7_001);
    const random = mulberry32(7_001);
    const lambdas = [0, 1].map(() => engine(store, { items: 2, slack: 1, feeds: FEEDS }));
    const stories = Array.from({ length: 40 }, (_, i) =>
      art(`g${String(i).padStart(2, '0')}`, when(i), pick(random, SECTIONS), { title: `A story long enough for MSN number ${i}`, tags: random() < 0.4 ? ['Climate'] : [] }),
    );
    for (const story of stories) await (lambdas[0] as Syndicator).publishArticle(story);
    noProblems(problemsOf(store));
    // The flipboard feed (site scope, 30 items at least) carries 30; the site's own files carry two, linking the rest.
    expect(JSON.parse(body(store, 'partners/flipboard/feed.json') as string).items.length).toBe(30);
    expect(docAt(store, 'rss.xml').ids.length).toBe(2);
    // Takedowns of carried, archived, and tagged stories; corrections; new stories: at once.
    store.slowRate = 0.1;
    const down = ['g39', 'g38', 'g30', 'g12', 'g03', ...stories.filter((s) => s.tags.includes('Climate')).slice(0, 3).map((s) => s.id)];
    const ops: Op[] = [
      ...[...new Set(down)].map((id) => ({ kind: 'takedown', id }) as Op),
      { kind: 'publish', article: { ...(stories[20] as Article), published: when(2), updated: when(2), title: 'A story moved to September for MSN' } },
      { kind: 'publish', article: art('g40', when(41), 'World', { title: 'The newest story long enough for MSN', tags: ['Climate'] }) },
      { kind: 'republish' },
    ];
    await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
    noProblems(problemsOf(store));
    const live = liveRecords(store);
    // Archive documents only under the site's and the sections' folders.
    const elsewhere = [...store.objects.keys()].filter((k) => ARCHIVE_DOC.test(k) && !/^feeds\/(sections\/[^/]+\/)?archive\//.test(k));
    expect(elsewhere).toEqual([]);
    // The declared feeds show no withdrawn story as live (MSN keeps it as an expired item).
    const msn = [parseXml(body(store, 'partners/msn/rss.xml') as string).rss.channel.item ?? []].flat() as Record<string, unknown>[];
    for (const item of msn) {
      const id = idOfUrl(item.link);
      if (!live.has(id)) expect(String(item['dcterms:valid'] ?? ''), `msn shows ${id}`).toMatch(/^end=/);
    }
    for (const path of ['partners/flipboard/feed.json', 'topics/climate/atom.xml', 'partners/world/rss.xml']) {
      for (const id of docAt(store, path).ids) expect(live.has(id), `${path} shows ${id}`).toBe(true);
    }
    expect(docAt(store, 'topics/climate/atom.xml').ids.length).toBeGreaterThan(0);
    // A declared feed links no archive.
    for (const path of ['partners/msn/rss.xml', 'partners/flipboard/feed.json', 'topics/climate/atom.xml', 'partners/world/rss.xml']) expect(docAt(store, path).prev, path).toBeUndefined();
  });
});

describe('the window at its edge: limit + 1 items, no slack', () => {
  it('takedowns of the first archived story (the limit + 1th), of the last carried one, and of the next, one at a time', async () => {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 2, slack: 0 });
    const stories = Array.from({ length: 7 }, (_, i) => art(`x${i}`, when(i * 6), 'World'));
    for (const story of stories) await syndicator.publishArticle(story);
    // The window holds exactly three (two carried and the first archived, whose month the files link).
    expect(feedState(store, 'sections/world/').items.map((a: Article) => a.id)).toEqual(['x6', 'x5', 'x4']);
    noProblems(problemsOf(store));
    for (const id of ['x4', 'x5', 'x3', 'x6']) {
      await syndicator.unpublishId(id, '2024-06-01T00:00:00Z');
      noProblems(problemsOf(store), `${id} down: `);
    }
    // Down to two stories, then one, then none; then back.
    for (const id of ['x2', 'x1', 'x0']) {
      await syndicator.unpublishId(id, '2024-06-01T00:00:00Z');
      noProblems(problemsOf(store), `${id} down: `);
    }
    for (const id of ['x0', 'x4', 'x2']) {
      await syndicator.publishArticle({ ...(stories[Number(id.slice(1))] as Article), title: `${id} back` });
      noProblems(problemsOf(store), `${id} back: `);
    }
  });

  for (const seed of [8_001, 8_002, 8_003]) {
    it(`at once: the limit + 1th taken down, the newest taken down, a newer story, a story older than all (seed ${seed})`, async () => {
      const store = new ChaosStore(seed);
      const random = mulberry32(seed);
      const lambdas = [0, 1, 2].map(() => engine(store, { items: 2, slack: 0 }));
      const stories = Array.from({ length: 7 }, (_, i) => art(`y${i}`, when(i * 6), i % 2 ? 'World' : null));
      for (const story of stories) await (lambdas[0] as Syndicator).publishArticle(story);
      store.slowRate = 0.15;
      store.slowTicks = 80;
      const ops: Op[] = [
        { kind: 'takedown', id: 'y4' },
        { kind: 'takedown', id: 'y6' },
        { kind: 'publish', article: art('y7', when(40), random() < 0.5 ? 'World' : null) },
        { kind: 'publish', article: art('y8', when(0), 'World') },
        { kind: 'takedown', id: 'y5' },
      ];
      await Promise.all(ops.map((op) => lambda(() => run(pick(random, lambdas), op))));
      noProblems(problemsOf(store));
    });
  }
});

describe("records' pendingMonths through failed feed updates", () => {
  async function base() {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    for (const [i, month] of ['2023-11', '2024-01', '2024-03', '2024-05', '2024-06'].entries()) await syndicator.publishArticle(art(`m${i}`, `${month}-20T00:00:00Z`, i % 2 ? 'World' : 'Sport'));
    await syndicator.publishArticle(art('x', '2024-01-05T00:00:00Z', 'World'));
    noProblems(problemsOf(store));
    return { store, syndicator };
  }
  const x = (published: string, section = 'World', title = `x of ${published.slice(0, 7)}`) => art('x', published, section, { title });

  const crashes: [string, (store: ChaosStore) => void][] = [
    ["the site's feed state put fails", (store) => store.fail(on('put', FEED_STATE))],
    ['the Lambda dies right after the record is written', (store) => store.fail(on('put', 'articles/x.json'), { after: true })],
    ["the site's month commit fails (after its feed state commit)", (store) => store.fail(on('put', 'state/site/archive/'))],
  ];

  for (const [label, crash] of crashes) {
    it(`moved twice in a row (January to March, then to May), the first ${label}; then the first retried`, async () => {
      const { store, syndicator } = await base();
      crash(store);
      expect(await dies(() => syndicator.publishArticle(x('2024-03-05T00:00:00Z')))).toBeInstanceOf(InjectedFault);
      // Another correction (not a retry) moves it on.
      await syndicator.publishArticle(x('2024-05-05T00:00:00Z'));
      noProblems(problemsOf(store), 'second correction: ');
      // Then Lambda retries the first one's event: it is March again.
      await lambda(() => syndicator.publishArticle(x('2024-03-05T00:00:00Z')));
      noProblems(problemsOf(store), 'first retried: ');
      expect(liveRecords(store).get('x')?.published).toBe('2024-03-05T00:00:00Z');
      const record = JSON.parse(store.objects.get('articles/x.json')?.body.toString('utf8') as string);
      expect(record.pendingMonths ?? []).toEqual([]);
    });
  }

  it('moved across months and sections, each move failing once and retried, a takedown between', async () => {
    const { store, syndicator } = await base();
    store.fail(on('put', 'state/sections/sport/state.json'));
    await lambda(() => syndicator.publishArticle(x('2024-03-05T00:00:00Z', 'Sport')));
    noProblems(problemsOf(store));
    store.fail(on('put', 'state/sections/world/archive/'));
    store.fail(on('put', 'state/site/archive/'), { after: true });
    await lambda(() => syndicator.publishArticle(x('2023-11-05T00:00:00Z', 'World')));
    noProblems(problemsOf(store));
    store.fail(on('put', 'articles/x.json'), { after: true });
    await lambda(() => syndicator.unpublishId('x', '2024-06-25T00:00:00Z'));
    noProblems(problemsOf(store));
    store.fail(on('put', FEED_STATE));
    await lambda(() => syndicator.publishArticle(x('2024-05-05T00:00:00Z', 'Sport', 'x is back')));
    noProblems(problemsOf(store));
  });
});

describe('cost: one publish into a month of 2,000 archived articles', () => {
  it('writes one page of the month and reads a handful of records', async () => {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    // 2,002 stories in January 2024, twenty minutes apart: one carried, 2,001 archived (five pages of 500:
    // the newest holds one).
    const minute = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 20 * 60_000).toISOString().replace(/\.000Z$/, 'Z');
    const stories = Array.from({ length: 2_002 }, (_, i) => art(`c${String(i).padStart(4, '0')}`, minute(i), null));
    await syndicator.importArticles(stories, 16);
    await syndicator.republish();
    const january = monthState(store, '2024-01');
    expect(january.entries.length).toBe(2_001);
    expect(feedState(store).archive.paged).toEqual(['2024-01']);
    expect(readDoc(body(store, 'archive/2024-01-1/feed.json') as string, 'json').ids.length).toBe(500);
    expect(Object.keys(feedState(store).archive.owed)).toEqual([]);
    // A new story, newest of all (January still): the one it pushes out goes to the newest page.
    const from = store.calls.length;
    await syndicator.publishArticle(art('c9999', minute(2_100), null));
    const calls = store.calls.slice(from);
    const archivePuts = calls.filter((c) => c.op === 'put' && ARCHIVE_DOC.test(c.key)).map((c) => c.key);
    const recordReads = calls.filter((c) => (c.op === 'get' || c.op === 'head') && c.key.startsWith('articles/')).map((c) => c.key);
    const monthPuts = calls.filter((c) => c.op === 'put' && c.key === JAN_STATE).length;
    expect({ archivePuts: archivePuts.sort(), recordReads: recordReads.length <= 6 ? 'a handful' : recordReads, monthPuts }).toEqual({
      archivePuts: ['feeds/archive/2024-01/atom.xml', 'feeds/archive/2024-01/feed.json', 'feeds/archive/2024-01/rss.xml'],
      recordReads: 'a handful',
      monthPuts: 1,
    });
    expect(monthState(store, '2024-01').entries.length).toBe(2_002);
    noProblems(problemsOf(store, []));
    // Nothing is left owed, so the next writer does not settle January again.
    expect(feedState(store).archive.owed).toEqual({});
    // A republish with nothing changed reads the window, not the archive.
    const before = store.calls.length;
    await syndicator.republish();
    const republished = store.calls.slice(before);
    expect({
      monthReads: republished.filter((c) => c.key === JAN_STATE).length,
      // (The window is rebuilt from the index: a listing page of its keep and ten more.)
      recordReads: republished.filter((c) => c.key.startsWith('articles/')).length <= 20 ? 'the window' : republished.filter((c) => c.key.startsWith('articles/')).length,
      archivePuts: republished.filter((c) => c.op === 'put' && ARCHIVE_DOC.test(c.key)).length,
    }).toEqual({ monthReads: 0, recordReads: 'the window', archivePuts: 0 });
  });
});

describe('cost: what a writer that changed the paged bit leaves owed', () => {
  it('a publish that gives January its second page leaves nothing owed: a later takedown in December does not settle January again', async () => {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0, pageItems: 3 });
    await syndicator.publishArticle(art('d', '2023-12-15T00:00:00Z', null));
    for (const day of [3, 6, 9]) await syndicator.publishArticle(art(`a${day}`, `2024-01-0${day}T00:00:00Z`, null));
    await syndicator.publishArticle(art('f', '2024-02-10T00:00:00Z', null));
    expect(Object.keys(feedState(store).archive.owed)).toEqual([]);
    await syndicator.publishArticle(art('a12', '2024-01-12T00:00:00Z', null));
    expect(feedState(store).archive.paged).toEqual(['2024-01']);
    noProblems(problemsOf(store, []));
    const owedAfterPaging = feedState(store).archive.owed;
    const from = store.calls.length;
    await syndicator.unpublishId('d', '2024-03-01T00:00:00Z');
    const januaryWrites = store.calls.slice(from).filter((c) => c.op === 'put' && c.key === JAN_STATE).length;
    noProblems(problemsOf(store, []));
    expect({ owedAfterPaging, januaryWrites }).toEqual({ owedAfterPaging: {}, januaryWrites: 0 });
  });
});

describe('an import that changes stories already archived, then the republish that follows it', () => {
  it('stories moved to another section (or none) or another month by the import leave their old archive', async () => {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    const stories = Array.from({ length: 10 }, (_, i) => art(`i${i}`, when(i * 4), i % 2 ? 'World' : 'Sport'));
    for (const story of stories) await syndicator.publishArticle(story);
    noProblems(problemsOf(store));
    // Loading an archive again, with corrections: i1 (World, archived) is Sport now, i3 (World) has no
    // section, i4 (Sport) moved a month back, i5 (World) is Science; and older stories new to the store.
    const imported = [
      { ...(stories[1] as Article), section: 'Sport', title: 'i1 to Sport' },
      { ...(stories[3] as Article), section: null, title: 'i3 to no section' },
      { ...(stories[4] as Article), published: when(9), updated: when(9), title: 'i4 moved back' },
      { ...(stories[5] as Article), section: 'Science', title: 'i5 to Science' },
      // (None of them in World: nothing the import stores is in World now.)
      ...Array.from({ length: 6 }, (_, i) => art(`old${i}`, when(i), i % 2 ? 'Sport' : 'Science')),
    ];
    const { stored } = await syndicator.importArticles(imported, 4);
    expect(stored).toBe(imported.length);
    await syndicator.republish();
    noProblems(problemsOf(store));
  });
});

describe("a feed state that is lost or cannot be read (derived data, rebuilt from the index)", () => {
  async function base() {
    const store = new ChaosStore();
    const syndicator = engine(store, { items: 1, slack: 0 });
    // One story a month, January to April (April carried); a is January's only story.
    for (const [id, month] of [['a', '2024-01'], ['b', '2024-02'], ['c', '2024-03'], ['d', '2024-04']]) await syndicator.publishArticle(art(id as string, `${month}-05T00:00:00Z`, null));
    noProblems(problemsOf(store, []));
    return { store, syndicator };
  }

  const losses: [string, (store: ChaosStore) => Promise<void>][] = [
    ['cannot be read', async (store) => void (await store.put(FEED_STATE, '{"format":2,"items":'))],
    ['is gone', (store) => store.delete(FEED_STATE)],
  ];

  for (const [label, lose] of losses) {
    it(`the site's feed state ${label}: a takedown in a month it no longer lists, then a republish`, async () => {
      const { store, syndicator } = await base();
      await lose(store);
      // The next writer rebuilds the state from the index (its window: the two newest).
      await syndicator.publishArticle(art('e', '2024-05-05T00:00:00Z', null));
      // January's only story is taken down, then the republish that repairs the archive.
      await syndicator.unpublishId('a', '2024-06-01T00:00:00Z');
      await syndicator.republish();
      noProblems(problemsOf(store, []));
    });
  }
});
