/**
 * Issue 9's memory budget: a publish, a takedown and a full republish each fit in 256 MB of heap on an
 * archive of 100,000 articles with 2 MB articles filling the window of every feed.
 *
 *   npx tsx bench/memory.ts setup DIR            builds the archive in a folder store (once; minutes)
 *   node --max-old-space-size=256 --import tsx bench/memory.ts run DIR OP [SRC]
 *                                                one operation (publish | takedown | republish) in this
 *                                                process, with the engine of SRC (default this checkout's
 *                                                src/), printing one JSON line: ms, peak heap sampled every
 *                                                2 ms, peak RSS, and the outcome
 *
 * The folder store keeps the archive on disk, so the heap holds only what the engine itself holds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateArchive, generateArticle } from './generate.js';

export const ARCHIVE = 100_000;
/** Articles of 2 MB: a window's worth (limit 50 + slack 10) for each of the 20 sections. */
export const BIG_PER_SECTION = 60;
export const BIG_BYTES = 2_000_000;

type Article = import('../src/article.js').Article;

async function engine(src: string) {
  const [{ Syndicator }, { FolderObjectStore }, { parseSiteConfig }, { readArticle }, { memoryLogger }] = await Promise.all([
    import(pathToFileURL(join(src, 'syndicator.ts')).href),
    import(pathToFileURL(join(src, 'storage/folder-store.ts')).href),
    import(pathToFileURL(join(src, 'site.ts')).href),
    import(pathToFileURL(join(src, 'read/index.ts')).href),
    import(pathToFileURL(join(src, 'log.ts')).href),
  ]);
  return { Syndicator, FolderObjectStore, parseSiteConfig, readArticle, memoryLogger };
}

/** Article `index` of the archive, grown to 2 MB of body: 200 paragraphs of 10,000 characters. */
export function bigArticle(read: (name: string, text: string) => Article, index: number, published: string): Article {
  const g = generateArticle(index);
  const article = read(`${g.name}.md`, g.text);
  const words = article.paragraphs.join(' ');
  const paragraph = (i: number) => `${i}: ${words.repeat(Math.ceil(10_000 / (words.length + 1)))}`.slice(0, 10_000);
  return { ...article, published, updated: published, paragraphs: Array.from({ length: BIG_BYTES / 10_000 }, (_, i) => paragraph(i)) };
}

async function open(dir: string, src: string) {
  const e = await engine(src);
  const site = e.parseSiteConfig({ title: 'Bench Daily', url: 'https://news.example.com/', publisher: 'Bench Daily', limits: { items: 50 } }, 'bench');
  const store = new e.FolderObjectStore(dir);
  const syndicator = new e.Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', clock: () => new Date('2031-06-01T00:00:00Z') }, e.memoryLogger());
  const read = (name: string, text: string) => e.readArticle(name, text, {}).article as Article;
  return { syndicator, read };
}

async function setup(dir: string): Promise<void> {
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return;
  const { syndicator, read } = await open(dir, resolve(import.meta.dirname, '../src'));
  const t0 = Date.now();
  await syndicator.importArticles(
    (function* () {
      for (const g of generateArchive(ARCHIVE)) yield read(`${g.name}.md`, g.text);
    })(),
    16,
  );
  console.error(`stored ${ARCHIVE} articles in ${Date.now() - t0} ms`);
  // 2 MB articles, newer than the archive, until every section has a window of them.
  const perSection = new Map<string, number>();
  const big: number[] = [];
  for (let index = ARCHIVE; perSection.size < 20 || [...perSection.values()].some((n) => n < BIG_PER_SECTION); index++) {
    const section = generateArticle(index).expected.section;
    if ((perSection.get(section) ?? 0) >= BIG_PER_SECTION) continue;
    perSection.set(section, (perSection.get(section) ?? 0) + 1);
    big.push(index);
  }
  await syndicator.importArticles(
    (function* () {
      for (const [k, index] of big.entries()) yield bigArticle(read, index, new Date(Date.parse('2031-01-01T00:00:00Z') + k * 60_000).toISOString());
    })(),
    4,
  );
  console.error(`stored ${big.length} articles of 2 MB in ${Date.now() - t0} ms`);
  await syndicator.republish();
  console.error(`republished in ${Date.now() - t0} ms`);
  writeFileSync(marker, JSON.stringify({ archive: ARCHIVE, big: big.length }));
}

async function run(dir: string, op: string, src: string): Promise<void> {
  let peakHeap = 0;
  const sample = () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 2);
  const { syndicator, read } = await open(dir, src);
  const t0 = process.hrtime.bigint();
  let outcome: { written: string[] };
  // A new article each run (a taken-down id stays down), named for the takedown that follows.
  const last = join(dir, '.last-published');
  if (op === 'publish') {
    const index = 900_000 + (Math.floor(Date.now() / 1000) % 90_000);
    writeFileSync(last, `bench-${index}`);
    outcome = await syndicator.publishArticle(bigArticle(read, index, '2031-05-01T00:00:00Z'));
  } else if (op === 'takedown') {
    outcome = await syndicator.unpublishId(readFileSync(last, 'utf8'), '2031-05-02T00:00:00Z');
  } else if (op === 'republish') {
    outcome = await syndicator.republish();
  } else {
    throw new Error(`unknown operation ${op}`);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  sample();
  clearInterval(timer);
  console.log(JSON.stringify({ op, ms, peakHeapMb: peakHeap / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024, written: outcome.written.length }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [command, dir, op, src] = process.argv.slice(2);
  if (command === 'setup' && dir) await setup(resolve(dir));
  else if (command === 'run' && dir && op) await run(resolve(dir), op, resolve(src ?? join(import.meta.dirname, '../src')));
  else {
    console.error('usage: memory.ts setup DIR | run DIR publish|takedown|republish [SRC]');
    process.exit(2);
  }
}
