/**
 * What the adversarial reviews of the RFC 5005 archives (tests/adversarial-archives.test.ts and
 * tests/adversarial-archives-2.test.ts) share: seeded determinism, a store that interleaves and fails, the
 * engine and articles they run, and the invariant checked once every writer is done (problemsOf).
 *
 * The invariant: for the site and every section, a walk from each current document (rss.xml, atom.xml,
 * feed.json) along prev-archive (JSON: next_url) meets every live article of the scope exactly once, newest
 * first, and no withdrawn one; the three current documents carry the same articles; every archive document
 * of the scope is well-formed, marked fh:archive, links the current document, holds only live articles of
 * its scope and month, none of them twice anywhere in the scope, and its prev-archive/next-archive links are
 * symmetric; and (withdrawnAnywhere) no archive document anywhere in the bucket, linked or not, shows an
 * article that is not live.
 */
import { expect } from 'vitest';
import { mulberry32 } from '../../bench/generate.js';
import { monthOf } from '../../src/archive.js';
import { type Article, compareNewestFirst } from '../../src/article.js';
import { checkFeed } from '../../src/check.js';
import { memoryLogger } from '../../src/log.js';
import { isValidRecord, parseRecord } from '../../src/records.js';
import { scopePath } from '../../src/scopes.js';
import { MemoryObjectStore } from '../../src/storage/memory-store.js';
import type { PutOptions } from '../../src/storage/object-store.js';
import { Syndicator } from '../../src/syndicator.js';
import { makeArticle, makeSite, parseXml } from '../helpers.js';
import { type CallMatcher, InjectedFault, type Operation } from './gated-store.js';

// ---- determinism ----

/** One turn of the event loop: what every delay here is counted in (no timers, so runs repeat). */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A seeded pick from `list`. */
export const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

// ---- a store that interleaves and fails ----

interface Rule {
  match: CallMatcher;
  kind: 'hold' | 'fail-before' | 'fail-after';
  remaining: number;
  reached?: () => void;
  open?: Promise<void>;
}

/**
 * The in-memory store (real compare-and-swap) that interleaves and fails. With `seed`, each request is
 * delayed a few seeded turns of the event loop so concurrent operations interleave (`slowRate`: some far
 * more, a flaky network), and with `faultRate` a request fails before it reaches the store or after it did
 * its work (a lost answer, a Lambda that died right after a write), at most `faultBudget` times. By hand: a
 * call matching a hold waits before it reaches the store until released; a call matching a fault throws
 * before it reaches the store or after it did its work. Observers see every call before and after it runs
 * (so a matcher can depend on what came before); `calls` lists them all.
 */
export class ChaosStore extends MemoryObjectStore {
  private rules: Rule[] = [];
  readonly calls: { op: Operation; key: string }[] = [];
  readonly observers: ((op: Operation, key: string, phase: 'before' | 'after') => void)[] = [];
  private readonly random: (() => number) | null;
  /** Share of requests that are slow (up to `slowTicks` turns of the event loop, where the others take a few). */
  slowRate = 0;
  slowTicks = 50;
  /** Only these requests are ever slow (default: any). */
  slowOps: readonly string[] | null = null;
  faultRate = 0;
  faultBudget = Number.POSITIVE_INFINITY;
  faults = 0;

  constructor(seed?: number) {
    super();
    this.random = seed === undefined ? null : mulberry32(seed);
  }

  /** Holds the next call (or the next `times` calls) matching `match` until released. */
  hold(match: CallMatcher, times = 1): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const open = new Promise<void>((r) => {
      release = r;
    });
    const hit = new Promise<void>((r) => {
      reached = r;
    });
    this.rules.push({ match, kind: 'hold', remaining: times, reached, open });
    return { reached: hit, release };
  }

  /** The next `times` calls matching `match` throw: before reaching the store, or `after` it did the work. */
  fail(match: CallMatcher, options: { after?: boolean; times?: number } = {}): void {
    this.rules.push({ match, kind: options.after ? 'fail-after' : 'fail-before', remaining: options.times ?? 1 });
  }

  /** The seeded delay and fault of a call: throws a fault before it, or says whether to fail after it. */
  private async chaos(op: Operation, key: string, random: () => number): Promise<boolean> {
    const ticks = Math.floor(random() * 4);
    for (let i = 0; i < ticks; i++) await tick();
    if (this.slowRate > 0 && (this.slowOps === null || this.slowOps.includes(op)) && random() < this.slowRate) {
      const slow = 1 + Math.floor(random() * this.slowTicks);
      for (let i = 0; i < slow; i++) await tick();
    }
    if (this.faultRate > 0 && this.faults < this.faultBudget && random() < this.faultRate) {
      this.faults += 1;
      if (random() < 0.5) throw new InjectedFault(`injected failure before ${op} ${key}`);
      return true;
    }
    return false;
  }

  private async around<T>(op: Operation, key: string, work: () => Promise<T>): Promise<T> {
    this.calls.push({ op, key });
    let failAfter = this.random ? await this.chaos(op, key, this.random) : false;
    for (const observe of this.observers) observe(op, key, 'before');
    const rule = this.rules.find((r) => r.remaining > 0 && r.match(op, key));
    if (rule) {
      rule.remaining -= 1;
      if (rule.kind === 'hold') {
        rule.reached?.();
        await rule.open;
      } else if (rule.kind === 'fail-before') {
        throw new InjectedFault(`injected failure before ${op} ${key}`);
      } else {
        failAfter = true;
      }
    }
    const result = await work();
    for (const observe of this.observers) observe(op, key, 'after');
    if (failAfter) throw new InjectedFault(`injected failure after ${op} ${key}`);
    return result;
  }

  override get(key: string, range?: { start: number; end: number }) {
    return this.around('get', key, () => super.get(key, range));
  }
  override head(key: string) {
    return this.around('head', key, () => super.head(key));
  }
  override put(key: string, body: string | Buffer, options?: PutOptions) {
    return this.around('put', key, () => super.put(key, body, options));
  }
  override delete(key: string) {
    return this.around('delete', key, () => super.delete(key));
  }
  override list(prefix: string, limit: number, startAfter?: string) {
    return this.around('list', prefix, () => super.list(prefix, limit, startAfter));
  }
  override listPrefixes(prefix: string) {
    return this.around('listPrefixes', prefix, () => super.listPrefixes(prefix));
  }
}

/** Runs an operation as Lambda would: retried until it succeeds (any failure is retried). */
export async function lambda<T>(run: () => Promise<T>, attempts = 80): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await run();
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`still failing after ${attempts} attempts: ${(last as Error)?.message ?? String(last)}`);
}

// ---- the engine and articles ----

/** What an engine's site and limits are (archives on unless said). */
export interface EngineOptions {
  archives?: boolean;
  items?: number;
  slack?: number;
  feedBytes?: number;
  itemChars?: number;
  /** The site's news sitemap: its window then also holds every story within `days` of the newest. */
  newsSitemap?: { days: number; maxItems: number };
  /** Articles per archive page (site.archivePageItems): a month with more is cut into pages. */
  pageItems?: number;
  title?: string;
  /** Declared feeds (src/site.ts DeclaredFeedSchema). */
  feeds?: unknown[];
  /** Per-scope budgets (limits.feeds). */
  scopeBudgets?: Record<string, { feedBytes?: number; itemChars?: number }>;
}

/** A test file's own defaults for its engines. */
export interface EngineDefaults {
  /** Items carried when `items` is not said. */
  items: number;
  /** The n-th engine made on a store backs off with the seed `backoffSeed + n`. */
  backoffSeed: number;
  /** `null`: no WebSub hub is ever pinged (unsaid: the engine's own default). */
  pinger?: null;
}

/**
 * Makes the function that makes an engine (a Syndicator, feeds under feeds/) on a store: each engine gets
 * its own seeded backoff, counted in turns of the event loop, so a run depends on its seeds alone.
 */
export function engineMaker(defaults: EngineDefaults): (store: MemoryObjectStore, options?: EngineOptions) => Syndicator {
  /** Engines made per store. */
  const instances = new WeakMap<object, number>();
  return (store, options = {}) => {
    const n = (instances.get(store) ?? 0) + 1;
    instances.set(store, n);
    const backoff = mulberry32(defaults.backoffSeed + n);
    const limits = {
      items: options.items ?? defaults.items,
      ...(options.feedBytes ? { feedBytes: options.feedBytes } : {}),
      ...(options.itemChars ? { itemChars: options.itemChars } : {}),
      ...(options.scopeBudgets ? { feeds: options.scopeBudgets } : {}),
    };
    const site = makeSite({
      archives: options.archives ?? true,
      limits,
      ...(options.newsSitemap ? { newsSitemap: options.newsSitemap } : {}),
      ...(options.pageItems ? { archivePageItems: options.pageItems } : {}),
      ...(options.title ? { title: options.title } : {}),
      ...(options.feeds ? { feeds: options.feeds } : {}),
    });
    return new Syndicator(
      store,
      {
        site,
        feedPrefix: 'feeds/',
        cacheControl: 'public, max-age=300',
        slack: options.slack ?? 0,
        ...(defaults.pinger === null ? { pinger: null } : {}),
        // Backoff in turns of the event loop, seeded (the engine's own is Math.random milliseconds): runs are
        // quick and repeatable. A give-up after too many conflicts is retried like any failure.
        sleep: async () => {
          const turns = 1 + Math.floor(backoff() * 40);
          for (let i = 0; i < turns; i++) await tick();
        },
      },
      memoryLogger(),
    );
  };
}

export const ARTICLE_URL = 'https://news.test.example/a/';
export const FEED_URL = 'https://news.test.example/feeds/';

/** Step `i` after 2023-09-01, 4.5 days apart: 48 steps cover about seven months (to April 2024). */
export const when = (i: number) => new Date(Date.UTC(2023, 8, 1) + i * 4.5 * 86_400_000).toISOString().replace(/\.000Z$/, 'Z');

/**
 * Makes the function that makes a story: `art(id, published, section, extra)`, at ARTICLE_URL + id, no
 * photos, quotes or related stories; `defaults` (a test file's own, e.g. no tags) under `extra`.
 */
export function articleMaker(defaults: Partial<Article> = {}): (id: string, published: string, section: string | null, extra?: Partial<Article>) => Article {
  return (id, published, section, extra = {}) =>
    makeArticle({ id, url: `${ARTICLE_URL}${id}`, title: `Story ${id}`, summary: `The summary of ${id}.`, published, updated: published, section, photos: [], quotes: [], related: [], ...defaults, ...extra });
}

/** The sections problemsOf checks unless told otherwise. */
export const SECTIONS = ['World', 'Sport', 'Science'];

// ---- reading the documents ----

export type Format = 'rss' | 'atom' | 'json';
/** Each format's document name. */
export const NAMES: Record<Format, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

/** What the invariant reads of a feed document: its articles' ids, in order, its marks and its links (paths under feeds/). */
export interface Doc {
  ids: string[];
  archive: boolean;
  title: string;
  current?: string;
  prev?: string;
  next?: string;
}

/** The article id of an article URL (`?url` for anything else). */
export const idOfUrl = (url: unknown) => (typeof url === 'string' && url.startsWith(ARTICLE_URL) ? url.slice(ARTICLE_URL.length) : `?${String(url)}`);
/** The path under feeds/ of a link (`?href` for anything else). */
export const pathOf = (href: string | undefined) => (href === undefined ? undefined : href.startsWith(FEED_URL) ? href.slice(FEED_URL.length) : `?${href}`);
/** The text of an XML element as parsed (a string, or an object with #text). */
export const textOf = (value: unknown): string => (typeof value === 'string' ? value : value && typeof value === 'object' && '#text' in value ? String((value as Record<string, unknown>)['#text']) : String(value));

/** Reads a feed document of `format`. */
export function readDoc(body: string, format: Format): Doc {
  if (format === 'json') {
    const feed = JSON.parse(body);
    const s = feed._syndicate ?? {};
    return { ids: feed.items.map((i: { _syndicate: { article_id: string } }) => i._syndicate.article_id), archive: s.archive === true, title: feed.title, current: pathOf(s.current), prev: pathOf(feed.next_url), next: pathOf(s.next_archive) };
  }
  const xml = parseXml(body);
  const root = format === 'rss' ? xml.rss.channel : xml.feed;
  const links = [format === 'rss' ? (root['atom:link'] ?? []) : (root.link ?? [])].flat() as Record<string, string>[];
  const rel = (name: string) => pathOf(links.find((l) => l['@rel'] === name)?.['@href']);
  const ids = format === 'rss' ? [root.item ?? []].flat().map((i: Record<string, unknown>) => idOfUrl(i.link)) : [root.entry ?? []].flat().map((e: Record<string, unknown>) => idOfUrl(e.id));
  return { ids, archive: root['fh:archive'] !== undefined, title: textOf(root.title), current: rel('current'), prev: rel('prev-archive'), next: rel('next-archive') };
}

/** The format of a document name (rss.xml, atom.xml, feed.json). */
export const formatOfName = (name: string): Format => (name === 'feed.json' ? 'json' : name === 'rss.xml' ? 'rss' : 'atom');
/** The stored text of the document at `path` under feeds/, if any. */
export const body = (store: MemoryObjectStore, path: string) => store.objects.get(`feeds/${path}`)?.body.toString('utf8');
/** The stored document at `path` under feeds/, read. */
export const docAt = (store: MemoryObjectStore, path: string) => readDoc(body(store, path) as string, formatOfName(path.slice(path.lastIndexOf('/') + 1)));

// ---- the invariant ----

/** The live articles the stored records say, by id. */
export function liveRecords(store: MemoryObjectStore): Map<string, Article> {
  const live = new Map<string, Article>();
  for (const [key, object] of store.objects) {
    if (!key.startsWith('articles/') || !key.endsWith('.json')) continue;
    const id = key.slice('articles/'.length, -'.json'.length);
    const record = parseRecord(id, object.body);
    if (isValidRecord(record) && record.status === 'live' && record.article) live.set(id, record.article);
  }
  return live;
}

/** Whether `article` belongs to the scope at `scope` ('' the site, else a section's path). */
export const inScope = (article: Article, scope: string) => scope === '' || (article.section !== null && scopePath({ section: article.section }) === scope);

/** Every archive document in the bucket (any scope, linked or not). */
export const ARCHIVE_DOC = /^feeds\/(.*?)archive\/(\d{4}-\d{2}(?:-\d+)?)\/(rss\.xml|atom\.xml|feed\.json)$/;

/** Archive documents anywhere in the bucket showing an article that is not live (a takedown that stayed). */
export function withdrawnAnywhere(store: MemoryObjectStore): string[] {
  const live = liveRecords(store);
  const problems: string[] = [];
  for (const [key, object] of store.objects) {
    const match = ARCHIVE_DOC.exec(key);
    if (!match) continue;
    const doc = readDoc(object.body.toString('utf8'), formatOfName(match[3] as string));
    for (const id of doc.ids) if (!live.has(id)) problems.push(`${key}: shows ${id}, which is not live`);
  }
  return problems;
}

/** Everything wrong with the archives of the site and of `sections` (see the header). */
export function problemsOf(store: MemoryObjectStore, sections: readonly string[] = SECTIONS): string[] {
  const live = liveRecords(store);
  const files = (path: string) => body(store, path);
  const problems: string[] = [...withdrawnAnywhere(store)];
  const scopes = ['', ...new Set(sections.map((s) => scopePath({ section: s })))];
  for (const scope of scopes) {
    const articles = [...live.values()].filter((a) => inScope(a, scope)).sort(compareNewestFirst);
    const want = articles.map((a) => a.id);
    const byId = new Map(articles.map((a) => [a.id, a]));
    const carriedBy: Partial<Record<Format, string[]>> = {};
    // Every archive document of the scope, parsed once per format.
    const archiveDocs = new Map<string, Doc>();
    for (const key of [...store.objects.keys()].filter((k) => k.startsWith(`feeds/${scope}archive/`)).sort()) {
      const path = key.slice('feeds/'.length);
      // A month's newest page is archive/YYYY-MM/, its older ones archive/YYYY-MM-n/ (src/archive.ts).
      const match = /^archive\/((\d{4}-\d{2})(?:-[1-9]\d*)?)\/(rss\.xml|atom\.xml|feed\.json)$/.exec(path.slice(scope.length));
      if (!match) {
        problems.push(`${path}: not an archive document's name`);
        continue;
      }
      const [, page, month] = match as unknown as [string, string, string, string];
      const format = formatOfName(match[3] as string);
      const text = files(path) as string;
      try {
        checkFeed(path, text);
      } catch (error) {
        problems.push(`${path}: ill-formed: ${(error as Error).message.slice(0, 200)}`);
        continue;
      }
      const doc = readDoc(text, format);
      archiveDocs.set(path, doc);
      if (!doc.archive) problems.push(`${path}: not marked fh:archive`);
      if (doc.current !== `${scope}${NAMES[format]}`) problems.push(`${path}: links current ${doc.current}`);
      for (const id of doc.ids) {
        const article = byId.get(id);
        if (!article) problems.push(`${path}: holds ${id}, not a live article of the scope`);
        else if (monthOf(article) !== month) problems.push(`${path}: holds ${id}, published ${article.published}`);
      }
      for (const name of Object.values(NAMES)) if (!files(`${scope}archive/${page}/${name}`)) problems.push(`${scope}archive/${page}/: no ${name}`);
    }
    // Links between archive documents are symmetric.
    for (const [path, doc] of archiveDocs) {
      if (doc.prev !== undefined) {
        const older = archiveDocs.get(doc.prev);
        if (!older) problems.push(`${path}: prev-archive ${doc.prev} is not an archive document`);
        else if (older.next !== path) problems.push(`${path}: prev-archive ${doc.prev}, whose next-archive is ${older.next}`);
      }
      if (doc.next !== undefined) {
        const newer = archiveDocs.get(doc.next);
        if (!newer) problems.push(`${path}: next-archive ${doc.next} is not an archive document`);
        else if (newer.prev !== path) problems.push(`${path}: next-archive ${doc.next}, whose prev-archive is ${newer.prev}`);
      }
    }
    for (const format of ['rss', 'atom', 'json'] as Format[]) {
      const start = `${scope}${NAMES[format]}`;
      const startBody = files(start);
      if (startBody === undefined) {
        if (want.length > 0) problems.push(`${start}: missing, while the scope has ${want.length} live articles`);
        continue;
      }
      // Nothing twice anywhere in the scope (current document and every archive document of the format).
      const seen = new Map<string, string>();
      const met: string[] = [];
      const visited = new Set<string>();
      let path: string | undefined = start;
      while (path !== undefined) {
        if (visited.has(path)) {
          problems.push(`${start}: the walk loops at ${path}`);
          break;
        }
        visited.add(path);
        const text = files(path);
        if (text === undefined) {
          problems.push(`${start}: the walk reaches ${path}, which is not written`);
          break;
        }
        let doc: Doc;
        if (path === start) {
          try {
            checkFeed(path, text);
          } catch (error) {
            problems.push(`${path}: ill-formed: ${(error as Error).message.slice(0, 200)}`);
            break;
          }
          doc = readDoc(text, format);
          if (doc.archive) problems.push(`${path}: the current document is marked fh:archive`);
          if (doc.next !== undefined) problems.push(`${path}: the current document has a next-archive`);
          carriedBy[format] = doc.ids;
        } else {
          const archived = archiveDocs.get(path);
          if (!archived) {
            problems.push(`${start}: the walk reaches ${path}, which is not an archive document of the scope`);
            break;
          }
          doc = archived;
        }
        met.push(...doc.ids);
        path = doc.prev;
      }
      for (const [path, doc] of [[start, readDoc(startBody, format)] as const, ...[...archiveDocs].filter(([p]) => p.endsWith(NAMES[format]))]) {
        for (const id of doc.ids) {
          const other = seen.get(id);
          if (other !== undefined) problems.push(`${id} is in both ${other} and ${path}`);
          seen.set(id, path);
        }
      }
      if (JSON.stringify(met) !== JSON.stringify(want)) problems.push(`${start}: the walk meets [${met.join(' ')}]; the records imply [${want.join(' ')}]`);
    }
    const [rss, atom, json] = [carriedBy.rss, carriedBy.atom, carriedBy.json].map((ids) => JSON.stringify(ids ?? null));
    if (rss !== atom || rss !== json) problems.push(`${scope || '(site)'}: the current documents carry different articles: rss ${rss}, atom ${atom}, json ${json}`);
  }
  return problems;
}

/** Expects no problems (the first 25 shown, `label` before their count). */
export const noProblems = (problems: string[], label = '') => expect(problems.slice(0, 25), `${label}${problems.length} problems`).toEqual([]);

// ---- operations ----

export type Op = { kind: 'publish'; article: Article } | { kind: 'takedown'; id: string } | { kind: 'republish' };

/** Runs an operation on an engine (a takedown dated 2024-06-01). */
export function run(syndicator: Syndicator, op: Op): Promise<unknown> {
  if (op.kind === 'publish') return syndicator.publishArticle(op.article);
  if (op.kind === 'takedown') return syndicator.unpublishId(op.id, '2024-06-01T00:00:00Z');
  return syndicator.republish();
}
