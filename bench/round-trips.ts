/**
 * Requests and sequential round trips of one publish (issue 9, section 3: at most 13 requests in at most 6
 * round trips for a publish that updates the site and section feeds). Against the in-memory store behind
 * RoundTripStore (tests/support/round-trips.ts: 2 ms a request, so what can overlap does), on an archive
 * of a few hundred articles already published, in a warm instance (the site config already remembered):
 *  - direct: publishArticle of a new newest article with a section (the HTTP API's and the CLI's path);
 *  - event: publishObject of a new newest raw article under incoming/ (the S3 ObjectCreated path).
 *
 *   npx tsx bench/round-trips.ts        prints the counts, the critical path and the requests by depth
 */
import type { Article } from '../src/article.js';
import { memoryLogger } from '../src/log.js';
import { readArticle } from '../src/read/index.js';
import { parseSiteConfig } from '../src/site.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { Syndicator } from '../src/syndicator.js';
import { describeCounts, RoundTripStore, type RoundTripSummary } from '../tests/support/round-trips.js';
import { generateArchive, generateArticle } from './generate.js';

export { RoundTripStore } from '../tests/support/round-trips.js';

export interface PublishRoundTrips extends RoundTripSummary {
  status: string;
  id: string;
  section: string | null;
  /** Feed files written, relative to the feed prefix. */
  written: string[];
  /** WebSub pings sent (HTTP requests to hubs, not to the store). */
  pings?: number;
}

export interface RoundTripOptions {
  /** Articles already published (default 300). */
  archive?: number;
  /** Latency added to every request, in ms (default 2). */
  latencyMs?: number;
  /** More of the site config (declared feeds, the news sitemap, hubs): what a publish then costs. */
  site?: Record<string, unknown>;
}

/**
 * Everything issues 10 and 11 add to a publish: a WebSub hub, the news sitemap, RFC 5005 archives, and two
 * partner feeds of the site (MSN RSS, Google News Atom) and one of the section the new articles are in.
 */
export const EVERYTHING_ON = {
  hubs: ['https://hub.example.com/'],
  newsSitemap: {},
  archives: true,
  feeds: [
    { path: 'partners/msn/', format: 'rss', profile: 'msn' },
    { path: 'partners/google-news/', format: 'atom', profile: 'google-news' },
    { path: 'partners/flipboard/', format: 'rss', profile: 'flipboard', scope: { section: 'World' } },
  ],
};

const CLOCK = new Date('2031-02-01T00:00:00Z');

/** Article `index` of the generated archive as raw text, dated `date` (newer than the whole archive). */
export function newArticleText(index: number, date: string): { name: string; text: string } {
  const g = generateArticle(index);
  const text = g.text.replace(/^published: .*$/m, `published: ${date}`).replace(/^updated: .*\n/m, '');
  return { name: `${g.name}.md`, text };
}

function newArticle(index: number, date: string): Article {
  const { name, text } = newArticleText(index, date);
  return readArticle(name, text, {}).article;
}

function result(store: RoundTripStore, outcome: { status: string; written: string[] }, article: Article): PublishRoundTrips {
  return { status: outcome.status, id: article.id, section: article.section ?? null, written: outcome.written, ...store.summary() };
}

export async function publishRoundTrips(options: RoundTripOptions = {}): Promise<{ direct: PublishRoundTrips; event: PublishRoundTrips }> {
  const n = options.archive ?? 300;
  const memory = new MemoryObjectStore();
  const store = new RoundTripStore(memory, options.latencyMs ?? 2);
  const site = parseSiteConfig({ title: 'Bench Daily', url: 'https://news.example.com/', publisher: 'Bench Daily', limits: { items: 50 }, ...options.site }, 'bench');
  // A hub ping is an HTTP request of its own (not to S3): counted as `pings`, after the files are written.
  const pinger = async () => {
    pings += 1;
    await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 2));
  };
  let pings = 0;
  const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300', clock: () => CLOCK, pinger }, memoryLogger());
  // The archive, stored and published (not measured).
  await syndicator.importArticles(
    (function* () {
      for (const g of generateArchive(n)) yield readArticle(`${g.name}.md`, g.text, {}).article;
    })(),
  );
  await syndicator.republish();
  // One publish first, as a warm container has done: what is done once per instance is not counted.
  await syndicator.publishArticle(newArticle(n, '2031-01-01T00:00:00Z'));

  const direct = newArticle(n + 1, '2031-01-02T00:00:00Z');
  store.reset();
  pings = 0;
  const directOutcome = await syndicator.publishArticle(direct);
  const directResult = { ...result(store, directOutcome, direct), pings };

  // The newsroom's upload goes straight to the store (not one of the service's requests).
  const raw = newArticleText(n + 2, '2031-01-03T00:00:00Z');
  const key = `incoming/${raw.name}`;
  const etag = await memory.put(key, raw.text, { contentType: 'text/markdown' });
  const event = readArticle(raw.name, raw.text, {}).article;
  store.reset();
  pings = 0;
  const eventOutcome = await syndicator.publishObject(key, '0055AED6DCD90281E5', { etag, eventTime: '2031-01-03T00:00:01.000Z', size: Buffer.byteLength(raw.text) });
  const eventResult = { ...result(store, eventOutcome, event), pings };
  return { direct: directResult, event: eventResult };
}

/** Lines for the bench's output. */
export function roundTripRows(r: { direct: PublishRoundTrips; event: PublishRoundTrips }): string[] {
  const rows = [
    '| path | status | feed files written | requests | by kind | sequential round trips |',
    '| --- | --- | --- | --- | --- | --- |',
    ...(['direct', 'event'] as const).map((name) => {
      const p = r[name];
      return `| ${name === 'direct' ? 'publishArticle (HTTP API, CLI)' : 'publishObject (S3 event)'} | ${p.status} | ${p.written.length} | **${p.total}** | ${describeCounts(p.counts)} | **${p.roundTrips}** |`;
    }),
  ];
  for (const name of ['direct', 'event'] as const) {
    const p = r[name];
    rows.push('', `${name}: ${p.id} (section ${p.section ?? 'none'}); critical path, ${p.criticalPath.length} round trips:`);
    rows.push(...p.criticalPath.map((label, i) => `  ${i + 1}. ${label}`));
    rows.push(`${name}: every request by depth (one line: requests with the same longest chain before them):`);
    rows.push(...p.levels.map((level, i) => `  ${i + 1}: ${level.join(' | ')}`));
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of roundTripRows(await publishRoundTrips())) console.log(line);
  console.log('\nWith a hub, the news sitemap, archives and three partner feeds (EVERYTHING_ON):');
  const everything = await publishRoundTrips({ site: EVERYTHING_ON });
  for (const line of roundTripRows(everything)) console.log(line);
  console.log(`pings: direct ${everything.direct.pings}, event ${everything.event.pings}`);
}
