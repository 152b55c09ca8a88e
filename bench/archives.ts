/**
 * What RFC 5005 archives cost the engine (issue 11), against the in-memory store (CPU and bytes, not
 * network): a publish that pushes one article into a busy month reads and writes that month's state
 * (every article of the month) and renders its newest page (at most archivePageItems, 500), so the sizes
 * default to months whose newest page holds the same 250 articles (250, 1,250, 4,250): what grows with the
 * month is the state alone (docs/decisions.md). Turning archives on backfills every stored article once.
 * Both are measured at growing sizes to show they grow linearly, no worse.
 *
 *   npx tsx bench/archives.ts        prints the tables
 */
import type { Article } from '../src/article.js';
import { memoryLogger } from '../src/log.js';
import { readArticle } from '../src/read/index.js';
import { parseSiteConfig } from '../src/site.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import type { PutOptions } from '../src/storage/object-store.js';
import { Syndicator } from '../src/syndicator.js';
import { generateArticle } from './generate.js';
import { fmt, fmtStats, type Stats, stats } from './stats.js';

const MONTH_START = Date.UTC(2030, 4, 1);
const MONTH_MS = 30 * 24 * 3600_000;

/** A memory store that counts what is put (requests and bytes). */
class CountingStore extends MemoryObjectStore {
  puts = 0;
  bytes = 0;
  override async put(key: string, body: string | Buffer, options: PutOptions = {}): Promise<string> {
    this.puts += 1;
    this.bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    return super.put(key, body, options);
  }
}

/** Generated article `i`, published at `time` (ms), with no section (so one scope: the site's). */
function article(i: number, time: number): Article {
  const g = generateArticle(i);
  const date = new Date(time).toISOString();
  const text = g.text.replace(/^published: .*$/m, `published: ${date}`).replace(/^updated: .*\n/m, '').replace(/^section: .*\n/m, '');
  return readArticle(`${g.name}.md`, text, {}).article;
}

function syndicator(store: MemoryObjectStore, archives: boolean): Syndicator {
  const site = parseSiteConfig({ title: 'Bench Daily', url: 'https://news.example.com/', publisher: 'Bench Daily', limits: { items: 50 }, archives }, 'bench');
  return new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', clock: () => new Date('2030-07-01T00:00:00Z') }, memoryLogger());
}

export interface MonthCost {
  month: number;
  ms: Stats;
  puts: number;
  kbWritten: number;
}

/**
 * `month` articles archived in one month (and 50 newer in the current files), then `runs` publishes of a
 * new newest article, each pushing the oldest carried one into that month: ms, PUTs and KB per publish.
 */
export async function publishIntoBusyMonth(month: number, runs = 9): Promise<MonthCost> {
  const store = new CountingStore();
  const s = syndicator(store, true);
  const step = MONTH_MS / (month + 50 + runs + 1);
  await s.importArticles(
    (function* () {
      for (let i = 0; i < month + 50; i++) yield article(i, MONTH_START + i * step);
    })(),
  );
  await s.republish();
  const times: number[] = [];
  let puts = 0;
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const next = article(month + 50 + r, MONTH_START + (month + 50 + r) * step);
    store.puts = 0;
    store.bytes = 0;
    const start = process.hrtime.bigint();
    await s.publishArticle(next);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    puts += store.puts;
    bytes += store.bytes;
  }
  return { month, ms: stats(times), puts: puts / runs, kbWritten: bytes / runs / 1024 };
}

export interface BackfillCost {
  articles: number;
  ms: number;
  /** Archive pages written (RSS). */
  pages: number;
  peakHeapMb: number;
}

/** `n` articles over 12 months published without archives, then a republish with them on: the backfill. */
export async function backfill(n: number): Promise<BackfillCost> {
  const store = new MemoryObjectStore();
  const off = syndicator(store, false);
  const step = (12 * MONTH_MS) / n;
  await off.importArticles(
    (function* () {
      for (let i = 0; i < n; i++) yield article(i, MONTH_START - 12 * MONTH_MS + i * step);
    })(),
  );
  await off.republish();
  global.gc?.();
  let peak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  const start = process.hrtime.bigint();
  await syndicator(store, true).republish();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  const pages = [...store.objects.keys()].filter((k) => /^feeds\/archive\/[\d-]+\/rss\.xml$/.test(k)).length;
  return { articles: n, ms, pages, peakHeapMb: peak / 1e6 };
}

export async function archiveRows(monthSizes = [250, 1250, 4250], backfillSizes = [1000, 4000, 16000]): Promise<{ rows: string[]; publish: MonthCost[]; backfill: BackfillCost[] }> {
  const publish: MonthCost[] = [];
  // A first round not counted: the code paths warm (compiled) before the first size is timed.
  await publishIntoBusyMonth(100, 3);
  for (const m of monthSizes) publish.push(await publishIntoBusyMonth(m));
  const fills: BackfillCost[] = [];
  for (const n of backfillSizes) fills.push(await backfill(n));
  const base = publish[0] as MonthCost;
  const rows = [
    '| articles in the month | publish ms, median (min–max) | ms per 1,000 in the month | PUTs | KB written |',
    '| --- | --- | --- | --- | --- |',
    ...publish.map((p) => `| ${p.month.toLocaleString('en')} | ${fmtStats(p.ms, 1)} | ${fmt((p.ms.median / p.month) * 1000, 1)} | ${fmt(p.puts, 0)} | ${fmt(p.kbWritten, 0)} |`),
    '',
    `Growth: ${publish.map((p) => `${fmt(p.ms.median / base.ms.median, 2)}x for ${fmt(p.month / base.month, 0)}x the month`).join(', ')}.`,
    '',
    '| articles stored before archives were on | backfill (republish) ms | ms per 1,000 articles | archive pages | peak heap MB (the in-memory bucket included) |',
    '| --- | --- | --- | --- | --- |',
    ...fills.map((f) => `| ${f.articles.toLocaleString('en')} | ${fmt(f.ms, 0)} | ${fmt((f.ms / f.articles) * 1000, 0)} | ${f.pages} | ${fmt(f.peakHeapMb, 0)} |`),
  ];
  return { rows, publish, backfill: fills };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.env.BENCH_MONTHS ?? '250,1250,4250').split(',').map(Number);
  const fills = (process.env.BENCH_BACKFILL ?? '1000,4000,16000').split(',').map(Number);
  for (const line of (await archiveRows(sizes, fills)).rows) console.log(line);
}
