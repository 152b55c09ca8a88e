/**
 * `npm run bench`: every figure of docs/BENCHMARKS.md, side by side, each the median of several runs with
 * min and max. Sizes from BENCH_SIZES (default 1000,10000,100000). BENCH_ONLY picks sections: rendering,
 * reading, worst (reading linearity on bench/pathological.ts), folder, stores, cold, trips (requests and
 * sequential round trips of one publish), archives (bench/archives.ts), handler (warm publish through the
 * bundled handler), memory
 * (publish, takedown and republish under 256 MB of heap on 100,000 articles with 2 MB articles in every
 * feed: bench/memory.ts; its archive, 4.2 GB, takes about 12 minutes to build the first time). Results:
 * .bench-out/results.json and a markdown summary on stdout. Not a test: these machines are shared, so read
 * medians and ratios.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Article } from '../src/article.js';
import { renderSelected } from '../src/build.js';
import { memoryLogger } from '../src/log.js';
import { readArticle } from '../src/read/index.js';
import { renderAtom } from '../src/render/atom.js';
import { renderJsonFeed } from '../src/render/json.js';
import { renderRss } from '../src/render/rss.js';
import { feedSpec } from '../src/select.js';
import { parseSiteConfig } from '../src/site.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import type { ObjectStore } from '../src/storage/object-store.js';
import { Syndicator } from '../src/syndicator.js';
import { startS3 } from '../tests/support/s3.js';
import { coldStart } from './cold-start.js';
import { feedAlone } from './feed-alone.js';
import { floorAtom, floorJson, floorRss } from './floor.js';
import { generateArchive, generateArticle, writeArchive } from './generate.js';
import { fmt, fmtStats, type Stats, stats, time } from './stats.js';
import { linearity, measureWorst, worstTable } from './worst.js';
import { warmHandler } from './handler.js';
import { EVERYTHING_ON, publishRoundTrips, roundTripRows } from './round-trips.js';
import { archiveRows } from './archives.js';

const root = join(import.meta.dirname, '..');
const work = join(root, '.bench-out');
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const s3Sizes = (process.env.BENCH_S3_SIZES ?? '1000,10000').split(',').map(Number);
const site = parseSiteConfig({ title: 'Bench Daily', url: 'https://news.example.com/', publisher: 'Bench Daily', limits: { items: 50 } }, 'bench');
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, sizes };
const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};

function parse(n: number, offset = 0): Article[] {
  const articles: Article[] = [];
  for (let i = offset; i < offset + n; i++) {
    const g = generateArticle(i);
    articles.push(readArticle(`${g.name}.md`, g.text, {}).article);
  }
  return articles;
}

async function rendering(): Promise<void> {
  const articles = parse(50);
  const spec = feedSpec(site, null);
  // Content HTML is kept per article object (rendered once for the three formats of a feed): every call
  // gets fresh copies, as a publish does (it parses the feed's state anew), so no contender reuses it.
  const fresh = () => articles.map((a) => ({ ...a }));
  const contenders: Record<string, Record<string, () => string>> = {
    rss: {
      ours: () => renderRss(spec, fresh(), site),
      feed: () => feedAlone(spec, fresh(), site).rss2(),
      feedExt: () => feedAlone(spec, fresh(), site, true).rss2(),
      floor: () => floorRss(spec, fresh(), site),
    },
    atom: { ours: () => renderAtom(spec, fresh(), site), feed: () => feedAlone(spec, fresh(), site).atom1(), floor: () => floorAtom(spec, fresh(), site) },
    json: { ours: () => renderJsonFeed(spec, fresh(), site), feed: () => feedAlone(spec, fresh(), site).json1(), floor: () => floorJson(spec, fresh(), site) },
  };
  const rows: Record<string, Record<string, Stats>> = {};
  say('## Rendering (one feed of 50 items; ms per feed, median (min–max) of 15)');
  say('| format | ours | feed alone | feed + the same extensions | floor (template strings) | ours / feed | ours / feed + ext | ours / floor | ours, items/s | KB out: ours / feed / floor |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [format, fns] of Object.entries(contenders)) {
    rows[format] = {};
    // Interleave contenders round by round so machine noise falls on all of them alike.
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((name) => [name, [] as number[]]));
    for (const fn of Object.values(fns)) fn();
    for (let round = 0; round < 15; round++) {
      for (const [name, fn] of Object.entries(fns)) {
        const t = process.hrtime.bigint();
        for (let k = 0; k < 5; k++) fn();
        (samples[name] as number[]).push(Number(process.hrtime.bigint() - t) / 5e6);
      }
    }
    for (const name of Object.keys(samples)) (rows[format] as Record<string, Stats>)[name] = stats(samples[name] as number[]);
    const r = rows[format] as Record<string, Stats>;
    const ours = r.ours as Stats;
    const kb = ['ours', 'feed', 'floor'].map((name) => fmt(Buffer.byteLength((fns[name] as () => string)()) / 1024, 0)).join(' / ');
    const ext = r.feedExt;
    say(
      `| ${format} | ${fmtStats(ours, 2)} | ${fmtStats(r.feed as Stats, 2)} | ${ext ? fmtStats(ext, 2) : 'n/a (feed drops them)'} | ${fmtStats(r.floor as Stats, 2)} | ${fmt(ours.median / (r.feed as Stats).median, 2)}x | ${ext ? `${fmt(ours.median / ext.median, 2)}x` : 'n/a'} | ${fmt(ours.median / (r.floor as Stats).median, 2)}x | ${fmt((50 / ours.median) * 1000, 0)} | ${kb} |`,
    );
  }
  // The whole job for one feed, as published: three formats plus the output check of each.
  const whole = await time(() => renderSelected([{ spec, articles: fresh() }], site), 15, 2);
  const floors = await time(() => {
    const list = fresh();
    floorRss(spec, list, site);
    floorAtom(spec, list, site);
    floorJson(spec, list, site);
  }, 15, 2);
  const floorSum = ['rss', 'atom', 'json'].reduce((sum, f) => sum + ((rows[f] as Record<string, Stats>).floor as Stats).median, 0);
  say(
    `\nAll three formats with their output checks (what a publish renders per feed): ${fmtStats(whole, 2)} ms: **${fmt(whole.median / floorSum, 2)}x** the sum of the three floors above (${fmt(floorSum, 2)} ms; issue 9: at most 2.5x), ${fmt(whole.median / floors.median, 2)}x the three floors run together on one copy (content HTML rendered once: ${fmtStats(floors, 2)} ms).`,
  );
  results.rendering = { ...rows, wholeWithChecks: whole, floors, floorSum };
}

async function reading(): Promise<void> {
  const texts = Array.from(generateArchive(2000), (g) => ({ name: `${g.name}.md`, text: g.text }));
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
  const ms = await time(() => {
    for (const t of texts) readArticle(t.name, t.text, {});
  }, 5);
  const mbPerS = stats([bytes / 1e6 / (ms.min / 1000), bytes / 1e6 / (ms.median / 1000), bytes / 1e6 / (ms.max / 1000)]);
  say(`\n## Raw-article reading\n2,000 generated articles, ${fmt(bytes / 1e6, 2)} MB: ${fmtStats(ms, 0)} ms per pass; **${fmt(mbPerS.median, 1)} MB/s** (${fmt(mbPerS.min, 1)}–${fmt(mbPerS.max, 1)}).`);
  results.reading = { bytes, ms, mbPerS, cold: await coldReading(texts) };
}

/**
 * The same 2,000 articles read once by a fresh process (bench/cold-read.ts, bundled as a handler is), as
 * it reads them (the raw reader's own check) and with ArticleSchema run on each article as well (the
 * second schema pass it used to take), in turn, 11 times each; free to use both cores (V8 optimises on a
 * second thread), and pinned to one.
 */
async function coldReading(texts: readonly { name: string; text: string }[]): Promise<Record<string, Stats>> {
  const textsFile = join(work, 'cold-read-texts.json');
  writeFileSync(textsFile, JSON.stringify(texts));
  const bundle = join(work, 'cold-read.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'cold-read.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  const run = (pinned: boolean, schema: boolean): number => {
    const args = [bundle, textsFile, ...(schema ? ['--schema'] : [])];
    const child = pinned ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`cold reading failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}').mbPerS;
  };
  const runs: Record<'ours' | 'withSchema' | 'oursOneCore' | 'withSchemaOneCore', number[]> = { ours: [], withSchema: [], oursOneCore: [], withSchemaOneCore: [] };
  for (let i = 0; i < 11; i++) {
    runs.ours.push(run(false, false));
    runs.withSchema.push(run(false, true));
    runs.oursOneCore.push(run(true, false));
    runs.withSchemaOneCore.push(run(true, true));
  }
  const cold = { ours: stats(runs.ours), withSchema: stats(runs.withSchema), oursOneCore: stats(runs.oursOneCore), withSchemaOneCore: stats(runs.withSchemaOneCore) };
  const row = (label: string, a: Stats, b: Stats) => `| ${label} | ${fmtStats(a, 1)} | ${fmtStats(b, 1)} | ${fmt(a.median / b.median, 2)} |`;
  say('\nFrom a cold process, its first 2,000 articles (MB/s, median of 11; issue 9: at least 20):');
  say('| process | as read (own check) | with ArticleSchema on each article as well | ratio |');
  say('| --- | --- | --- | --- |');
  say(row('fresh node, both cores', cold.ours, cold.withSchema));
  say(row('fresh node pinned to one core', cold.oursOneCore, cold.withSchemaOneCore));
  return cold;
}

/** Reading linearity (issue 9): every worst case of bench/pathological.ts at 10 KB to the 2 MB limit. */
function worst(): void {
  const rows = measureWorst(readArticle);
  say('\n## Reading linearity: worst cases at 10 KB to 2 MB (ms per MB, median of 7; bench/pathological.ts)');
  for (const line of worstTable(rows)) say(line);
  results.worst = { rows, ratio2MbTo10Kb: linearity(rows) };
}

async function archive(n: number): Promise<string> {
  const dir = join(work, `archive-${n}`);
  const marker = join(dir, '.complete');
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    await writeArchive(dir, n);
    writeFileSync(marker, '');
  }
  return dir;
}

async function folderRepublish(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: root, stdio: 'ignore' });
  say('\n## Full republish from a folder (`syndicate build`, one core, fresh process)');
  say('| articles | archive MB | wall s, median (min–max) | peak RSS MB | feed files | bytes written |');
  say('| --- | --- | --- | --- | --- | --- |');
  const rows: unknown[] = [];
  for (const n of sizes) {
    const dir = await archive(n);
    const mb = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0) / 1e6;
    const runs = n >= 100_000 ? 1 : 3;
    const walls: number[] = [];
    const rss: number[] = [];
    let written = { files: 0, bytes: 0 };
    for (let r = 0; r < runs; r++) {
      const outDir = join(work, `public-${n}`);
      rmSync(outDir, { recursive: true, force: true });
      const child = spawnSync('taskset', ['-c', '0', process.execPath, join(root, 'bench/child-build.mjs'), 'build', dir, '--out', outDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
      if (result.code !== 0) throw new Error(`build of ${n} failed: ${child.stderr}`);
      walls.push(result.ms / 1000);
      rss.push(result.maxRssMb);
      const files: string[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name));
      };
      walk(outDir);
      written = { files: files.length, bytes: files.reduce((s, f) => s + statSync(f).size, 0) };
    }
    const wall = stats(walls);
    const peak = stats(rss);
    rows.push({ n, mb, wall, peak, written });
    say(`| ${n.toLocaleString('en')} | ${fmt(mb, 1)} | ${fmtStats(wall, 2)} | ${fmt(peak.median, 0)} | ${written.files} | ${written.bytes.toLocaleString('en')} |`);
  }
  results.folderRepublish = rows;
}

function requestsOf(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k.toUpperCase()} ${v}`)
    .join(', ');
}

async function storeScenarios(kind: 's3rver' | 'memory', n: number): Promise<Record<string, unknown>> {
  const harness = kind === 's3rver' ? await startS3() : null;
  const memory = kind === 'memory' ? new MemoryObjectStore() : null;
  const store: ObjectStore = harness ? harness.store() : (memory as MemoryObjectStore);
  const counts = (): Record<string, number> => (harness ? { ...harness.counts } : { ...(memory as MemoryObjectStore).requests });
  const reset = () => (harness ? harness.resetCounts() : Object.assign((memory as MemoryObjectStore).requests, { get: 0, head: 0, put: 0, delete: 0, list: 0 }));
  const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', clock: () => new Date('2031-02-01T00:00:00Z') }, memoryLogger());
  try {
    // Load the archive (not measured), then one full republish builds every feed from nothing.
    await syndicator.importArticles(
      (function* () {
        for (const g of generateArchive(n)) yield readArticle(`${g.name}.md`, g.text, {}).article;
      })(),
      kind === 's3rver' ? 8 : 1,
    );
    reset();
    const rssBefore = process.memoryUsage().rss;
    const t0 = process.hrtime.bigint();
    const full = await syndicator.republish();
    const fullMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const fullCounts = counts();
    const fullBytes = (await Promise.all(full.written.map(async (f) => (await store.head(`feeds/${f}`))?.size ?? 0))).reduce((a, b) => a + b, 0);

    reset();
    const t1 = process.hrtime.bigint();
    const unchanged = await syndicator.republish();
    const unchangedMs = Number(process.hrtime.bigint() - t1) / 1e6;
    const unchangedCounts = counts();

    // Incremental publishes of new articles (each newest, so every feed it is in changes).
    const incremental: { ms: number; requests: number; feedPuts: number; counts: Record<string, number> }[] = [];
    for (let k = 0; k < 5; k++) {
      const g = generateArticle(n + k);
      const article = { ...readArticle(`${g.name}.md`, g.text, {}).article, published: `2031-01-0${k + 1}T00:00:00Z`, updated: `2031-01-0${k + 1}T00:00:00Z` };
      reset();
      const t = process.hrtime.bigint();
      const outcome = await syndicator.publishArticle(article);
      const c = counts();
      incremental.push({ ms: Number(process.hrtime.bigint() - t) / 1e6, requests: Object.values(c).reduce((a, b) => a + b, 0), feedPuts: outcome.written.length, counts: c });
    }
    return {
      kind,
      n,
      full: { ms: fullMs, requests: Object.values(fullCounts).reduce((a, b) => a + b, 0), counts: fullCounts, files: full.written.length, bytes: fullBytes, rssGrowthMb: (process.memoryUsage().rss - rssBefore) / 1e6 },
      unchanged: { ms: unchangedMs, requests: Object.values(unchangedCounts).reduce((a, b) => a + b, 0), counts: unchangedCounts, written: unchanged.written.length },
      incremental: { ms: stats(incremental.map((i) => i.ms)), requests: stats(incremental.map((i) => i.requests)), feedPuts: stats(incremental.map((i) => i.feedPuts)), sample: incremental[0]?.counts },
    };
  } finally {
    await harness?.stop();
  }
}

async function s3Scenarios(): Promise<void> {
  const rows: Record<string, any>[] = [];
  for (const n of s3Sizes) rows.push(await storeScenarios('s3rver', n));
  for (const n of sizes) rows.push(await storeScenarios('memory', n));
  say('\n## Republish and incremental publish against a store (s3rver on 127.0.0.1; in-memory store for request counts at 100k)');
  say('| store | articles | full republish ms | its requests | feed files written | bytes | unchanged republish: requests, objects written | incremental publish ms | its requests (of which feed PUTs) |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    say(
      `| ${r.kind} | ${r.n.toLocaleString('en')} | ${fmt(r.full.ms, 0)} | ${r.full.requests} (${requestsOf(r.full.counts)}) | ${r.full.files} | ${r.full.bytes.toLocaleString('en')} | ${r.unchanged.requests} (${requestsOf(r.unchanged.counts)}), ${r.unchanged.written} | ${fmtStats(r.incremental.ms, 1)} | ${fmt(r.incremental.requests.median, 0)} (${fmt(r.incremental.feedPuts.median, 0)}): ${requestsOf(r.incremental.sample)} |`,
    );
  }
  results.stores = rows;
}

async function coldStarts(): Promise<void> {
  say('\n## Cold start (bundled as serverless.yml bundles; import in a fresh node, minus bare node; median of 20)');
  say('| handler | bundle KB | zipped KB | import ms (min–max) | bare node ms | over bare ms |');
  say('| --- | --- | --- | --- | --- | --- |');
  const rows = [];
  for (const name of ['publish', 'unpublish', 'republish']) {
    const r = await coldStart(name);
    rows.push(r);
    say(`| ${name} | ${fmt(r.bytes / 1024, 0)} | ${fmt(r.zippedBytes / 1024, 0)} | ${fmtStats(r.importMs, 0)} | ${fmt(r.bareMs.median, 0)} | ${fmt(r.overBareMs, 0)} |`);
  }
  // What the first request adds: loading the AWS SDK (left to the runtime, loaded on first use).
  const sdk: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 20; i++) {
    for (const [list, args] of [
      [bare, ['-e', '']],
      [sdk, ['--input-type=module', '-e', "await import('@aws-sdk/client-s3')"]],
    ] as const) {
      const t = process.hrtime.bigint();
      spawnSync(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' } });
      list.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const sdkOver = stats(sdk).median - stats(bare).median;
  say(`\nLoading @aws-sdk/client-s3 (first S3 request of a container): ${fmt(sdkOver, 0)} ms over bare node.`);
  results.coldStart = { handlers: rows, sdkOverBareMs: sdkOver };
}

mkdirSync(work, { recursive: true });
async function trips(): Promise<void> {
  const measured = await publishRoundTrips();
  say('\n## The publish path: requests and sequential round trips (2 ms per request, archive of 300)');
  for (const row of roundTripRows(measured)) say(row);
  results.trips = { direct: { total: measured.direct.total, roundTrips: measured.direct.roundTrips, counts: measured.direct.counts }, event: { total: measured.event.total, roundTrips: measured.event.roundTrips, counts: measured.event.counts } };
  // Issues 10 and 11: a hub, the news sitemap and partner feeds on.
  const everything = await publishRoundTrips({ site: EVERYTHING_ON });
  say('\n### The same with a WebSub hub, the news sitemap and three partner feeds (bench/round-trips.ts EVERYTHING_ON)');
  for (const row of roundTripRows(everything)) say(row);
  say(`WebSub pings (HTTP requests to the hub, after the files): direct ${everything.direct.pings}, event ${everything.event.pings}`);
  results.tripsEverythingOn = { direct: { total: everything.direct.total, roundTrips: everything.direct.roundTrips, pings: everything.direct.pings }, event: { total: everything.event.total, roundTrips: everything.event.roundTrips, pings: everything.event.pings } };
}

async function handler(): Promise<void> {
  const measured = await warmHandler();
  say('\n## Warm publish through the bundled handler (s3rver on 127.0.0.1, beside a one-PutObject handler)');
  for (const row of measured.rows) say(row);
  results.handler = { ours: measured.ours, minimal: measured.minimal, ratio: measured.ratio };
}

/** RFC 5005 archives: a publish into a busy month, and the backfill when they are turned on (bench/archives.ts). */
async function archives(): Promise<void> {
  const measured = await archiveRows();
  say('\n## RFC 5005 archives: a publish into a busy month, and the backfill (in-memory store; bench/archives.ts)');
  for (const row of measured.rows) say(row);
  results.archives = { publish: measured.publish, backfill: measured.backfill };
}

/** Each operation in its own process with 256 MB of heap, on the archive bench/memory.ts builds once. */
function memory(): void {
  const dir = join(work, 'memory-archive');
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/memory.ts'), 'setup', dir], { cwd: root, stdio: 'inherit' });
  say('\n## Memory per invocation (256 MB of heap; 100,000 articles, 2 MB articles filling all 21 feeds)');
  say('| operation | exit | peak heap MB (sampled) | peak RSS MB | ms |');
  say('| --- | --- | --- | --- | --- |');
  const rows: unknown[] = [];
  for (const op of ['publish', 'takedown', 'republish']) {
    const child = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', join(root, 'bench/memory.ts'), 'run', dir, op], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    const result = child.status === 0 ? JSON.parse(line) : null;
    rows.push({ op, status: child.status, ...result });
    say(`| ${op} | ${child.status === 0 ? 0 : `${child.status ?? child.signal} (${/heap out of memory/.test(child.stderr) ? 'out of memory' : 'failed'})`} | ${result ? fmt(result.peakHeapMb, 0) : '–'} | ${result ? fmt(result.maxRssMb, 0) : '–'} | ${result ? fmt(result.ms, 0) : '–'} |`);
  }
  results.memory = rows;
}

const only = (process.env.BENCH_ONLY ?? 'rendering,reading,worst,folder,stores,cold,trips,archives,handler,memory').split(',');
say(`# Benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${process.arch}`);
if (only.includes('rendering')) await rendering();
if (only.includes('reading')) await reading();
if (only.includes('worst')) worst();
if (only.includes('folder')) await folderRepublish();
if (only.includes('stores')) await s3Scenarios();
if (only.includes('cold')) await coldStarts();
if (only.includes('trips')) await trips();
if (only.includes('archives')) await archives();
if (only.includes('handler')) await handler();
if (only.includes('memory')) memory();
writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
writeFileSync(join(work, 'results.md'), `${out.join('\n')}\n`);
console.log(`\nwrote ${join(work, 'results.json')} and results.md`);
