/**
 * Warm publish through the bundled handler (issue 9, section 3: median at most 90 ms against local s3rver),
 * side by side with a minimal handler that does one PutObject.
 *
 * The publish handler is bundled as serverless.yml bundles it (bench/cold-start.ts bundleHandler: esbuild,
 * minified, ESM, node20, the AWS SDK left to the runtime) and imported once in this process, with the
 * environment a deployment gives it, pointed at s3rver (tests/support/s3.ts, through its proxy, which
 * enforces conditional writes as S3 does and counts requests). The bucket holds an archive already
 * published. Each invocation gets an S3 ObjectCreated event for a new article just uploaded under
 * incoming/ (a new id, newer than everything, with a section: the site feed and a section feed change),
 * as S3 sends it (key, size, ETag, sequencer, eventTime). The minimal handler gets the same kind of event
 * and does one PutObject with a client configured as the handler's is (same endpoint, region, retries,
 * timeouts: src/storage/s3-store.ts s3ClientConfig). Warm-up invocations of both first (loading the SDK,
 * the first connection, the stored site config), then A B A B, so machine noise falls on both alike.
 * s3rver runs in this process by default, as in the tests: its own work on each request (and the
 * proxy's) is then in both timings, on the same event loop as the handler. `server: 'child'` runs it in a
 * child process instead, closer to a Lambda and S3 on other machines; the CPU time the handler's process
 * spends per publish is then the handler's own.
 *
 *   NODE_OPTIONS=--openssl-legacy-provider npx tsx bench/handler.ts [runs] [archive]   (both set-ups)
 */
import { fork, spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { S3Event } from 'aws-lambda';
import { createRuntime } from '../src/lambda/runtime.js';
import { memoryLogger } from '../src/log.js';
import { readArticle } from '../src/read/index.js';
import { s3ClientConfig } from '../src/storage/s3-store.js';
import { s3Created } from '../tests/support/events.js';
import { makeHarness, type S3Harness, startS3 } from '../tests/support/s3.js';
import { bundleHandler } from './cold-start.js';
import { generateArchive, sectionSlug } from './generate.js';
import { newArticleText } from './round-trips.js';
import { fmt, fmtStats, type Stats, stats } from './stats.js';

export interface WarmHandlerOptions {
  /** Timed invocations of each handler (default 20). */
  runs?: number;
  /** Untimed invocations of each first (default 3). */
  warmup?: number;
  /** Articles published before the first invocation (default 300). */
  archive?: number;
  /** Where s3rver (and the test proxy) run: in this process (default, as in the tests) or a child process. */
  server?: 'in-process' | 'child';
}

export interface WarmHandlerResult {
  ours: Stats;
  minimal: Stats;
  ratio: number;
  rows: string[];
  /** S3 requests one publish made, as the proxy saw them (retries included), median of the timed runs. */
  requests: Stats;
  /** The requests of the last timed publish, by kind. */
  requestsByKind: Record<string, number>;
  /** CPU time of this process per publish (user + system), ms; with s3rver in it, its share too. */
  cpu: Stats;
}

/** s3rver behind the test proxy, in this process or another; counts as the proxy saw them. */
interface Server {
  harness: S3Harness;
  resetCounts(): Promise<void>;
  counts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** s3rver pages listings with DES, which OpenSSL 3 has only in its legacy provider (else: 500 on a truncated page). */
function hasLegacyProvider(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

async function inProcessServer(): Promise<Server> {
  if (!hasLegacyProvider()) throw new Error('s3rver in this process needs node --openssl-legacy-provider (NODE_OPTIONS=--openssl-legacy-provider, as `npm run bench` sets), or server: "child"');
  const harness = await startS3();
  return { harness, resetCounts: async () => harness.resetCounts(), counts: async () => ({ ...harness.counts }), stop: () => harness.stop() };
}

type ChildMessage = { type: 'ready'; endpoint: string; directEndpoint: string; bucket: string } | { type: 'reset' } | { type: 'counts'; counts: Record<string, number> } | { type: 'stopped' };

/** This file again, as `--serve-s3`: startS3() in a child, answering reset, counts and stop over IPC. */
async function childServer(): Promise<Server> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-s3'], { execArgv: [...process.execArgv, '--openssl-legacy-provider'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const answer = <T extends ChildMessage['type']>(type: T, request?: string): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the s3rver child exited (${code}) waiting for ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (request) child.send(request);
    });
  const ready = await answer('ready');
  const harness = makeHarness({
    endpoint: ready.endpoint,
    directEndpoint: ready.directEndpoint,
    bucket: ready.bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop: async () => {
      await answer('stopped', 'stop');
    },
  });
  return { harness, resetCounts: async () => void (await answer('reset', 'reset')), counts: async () => (await answer('counts', 'counts')).counts, stop: () => harness.stop() };
}

async function serveS3(): Promise<void> {
  const s3 = await startS3();
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', async (request: string) => {
    if (request === 'reset') {
      s3.resetCounts();
      send({ type: 'reset' });
    } else if (request === 'counts') send({ type: 'counts', counts: { ...s3.counts } });
    else if (request === 'stop') {
      await s3.stop();
      send({ type: 'stopped' });
      process.disconnect();
    }
  });
  // The parent went away without a stop: do not outlive it.
  process.on('disconnect', () => void s3.stop().finally(() => process.exit(0)));
  send({ type: 'ready', endpoint: s3.endpoint, directEndpoint: s3.directEndpoint, bucket: s3.bucket });
}

type Handler = (event: S3Event) => Promise<unknown>;

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Sets variables for the handler's container, returns how to put the process's back. */
function useEnv(env: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** The handler's JSON log lines (Lambda sends them to CloudWatch) are made but not printed. */
function quietConsole(): () => void {
  const original = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const drop = () => undefined;
  Object.assign(console, { log: drop, info: drop, warn: drop, error: drop });
  return () => Object.assign(console, original);
}

export async function warmHandler(options: WarmHandlerOptions = {}): Promise<WarmHandlerResult> {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 3;
  const archive = options.archive ?? 300;
  const where = options.server ?? 'in-process';
  const file = await bundleHandler('publish');
  const server = where === 'child' ? await childServer() : await inProcessServer();
  const s3 = server.harness;
  // No concurrent writers here: the proxy's answers to losers of a race never come into play.
  const env = s3.env({ SITE_URL: 'https://news.example.com/', SITE_TITLE: 'Bench Daily', SITE_PUBLISHER: 'Bench Daily', FEED_ITEMS: '50', CACHE_CONTROL: 'public, max-age=300' });
  const restoreEnv = useEnv(env);
  const restoreConsole = quietConsole();
  try {
    // The archive, published with the configuration the handler reads (not measured).
    const seed = createRuntime(env, memoryLogger());
    await seed.syndicator.importArticles(
      (function* () {
        for (const g of generateArchive(archive)) yield readArticle(`${g.name}.md`, g.text, {}).article;
      })(),
      8,
    );
    await seed.syndicator.republish();

    // A fresh instance of the bundle each call (its runtime reads the environment once per container).
    const ours = (await import(`${pathToFileURL(file).href}?bench=${Date.now()}`)).handler as Handler;
    const sdk = await import('@aws-sdk/client-s3');
    // As src/lambda/runtime.ts configures the handler's client.
    const client = new sdk.S3Client(s3ClientConfig({ endpoint: env.S3_ENDPOINT, region: env.AWS_REGION, timeoutMs: 5_000 }));
    const minimal: Handler = async (event) => {
      const record = event.Records[0];
      if (!record) throw new Error('no record');
      await client.send(
        new sdk.PutObjectCommand({ Bucket: record.s3.bucket.name, Key: 'feeds/minimal.json', Body: Buffer.from(JSON.stringify({ key: record.s3.object.key, at: record.eventTime })), ContentType: 'application/json' }),
      );
      return { processed: 1, refused: [] };
    };

    // The newsroom's uploads go straight to s3rver (not the service's requests), each newer than the last.
    const uploader = s3.directClient();
    const base = Date.now() - 3_600_000;
    let next = 0;
    const upload = async (): Promise<{ event: S3Event; id: string; section: string }> => {
      const i = next++;
      const raw = newArticleText(archive + i, new Date(base + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      const key = `incoming/${raw.name}`;
      const put = await uploader.send(new sdk.PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: Buffer.from(raw.text), ContentType: 'text/markdown' }));
      const event = s3Created(s3.bucket, key, `0055AED6DC${(0x10000000 + i).toString(16).toUpperCase()}`, { etag: put.ETag ?? '', eventTime: new Date().toISOString() }) as S3Event;
      (event.Records[0] as S3Event['Records'][number]).s3.object.size = Buffer.byteLength(raw.text);
      const article = readArticle(raw.name, raw.text, {}).article;
      return { event, id: article.id, section: article.section ?? '' };
    };
    const invoke = async (handler: Handler, event: S3Event): Promise<number> => {
      const start = process.hrtime.bigint();
      const result = (await handler(event)) as { processed?: number; refused?: unknown[] };
      const ms = elapsedMs(start);
      if (result.processed !== 1 || (result.refused?.length ?? 0) > 0) throw new Error(`unexpected answer: ${JSON.stringify(result)}`);
      return ms;
    };

    const published: { id: string; section: string }[] = [];
    for (let i = 0; i < warmup; i++) {
      const { event, ...article } = await upload();
      await invoke(ours, event);
      published.push(article);
      await invoke(minimal, event);
    }
    const oursMs: number[] = [];
    const minimalMs: number[] = [];
    const requests: number[] = [];
    const cpu: number[] = [];
    let requestsByKind: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const { event, ...article } = await upload();
      await server.resetCounts();
      const cpuBefore = process.cpuUsage();
      oursMs.push(await invoke(ours, event));
      const cpuUsed = process.cpuUsage(cpuBefore);
      cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
      requestsByKind = await server.counts();
      requests.push(Object.values(requestsByKind).reduce((a, b) => a + b, 0));
      published.push(article);
      minimalMs.push(await invoke(minimal, event));
    }

    // Every publish reached its feeds: the newest 50 are all in the site feed, the last in its section's.
    const site = (await s3.store().get('feeds/rss.xml'))?.body.toString('utf8') ?? '';
    const missing = published.slice(-50).filter((a) => !site.includes(a.id));
    if (missing.length > 0) throw new Error(`not in feeds/rss.xml: ${missing.map((a) => a.id).join(', ')}`);
    const last = published[published.length - 1];
    const sectionFeed = last ? ((await s3.store().get(`feeds/sections/${sectionSlug(last.section)}/rss.xml`))?.body.toString('utf8') ?? '') : '';
    if (!last || !sectionFeed.includes(last.id)) throw new Error(`${last?.id} is not in its section's feed (${last?.section})`);
    const errors = await s3.store().list('errors/', 10);
    if (errors.length > 0) throw new Error(`publishes recorded errors: ${errors.join(', ')}`);

    const oursStats = stats(oursMs);
    const minimalStats = stats(minimalMs);
    const ratio = oursStats.median / minimalStats.median;
    const requestStats = stats(requests);
    const cpuStats = stats(cpu);
    const place = where === 'child' ? 'in a child process' : 'in this process';
    const kinds = Object.entries(requestsByKind)
      .map(([kind, n]) => `${kind.toUpperCase()} ${n}`)
      .join(', ');
    const rows = [
      `Warm publish through the bundled handler (${statSync(file).size.toLocaleString('en')} bytes) against s3rver on 127.0.0.1 (${place}, behind the test proxy), an archive of ${archive} published; each run a new newest article with a section (last: ${last?.id}, ${last?.section}); ms, median (min–max) of ${runs}, after ${warmup} warm-up runs, interleaved:`,
      `| handler (s3rver ${place}) | ms per invocation | CPU ms of the handler's process${where === 'child' ? '' : ' (s3rver’s included)'} | S3 requests |`,
      '| --- | --- | --- | --- |',
      `| publish (bundled, S3 ObjectCreated) | **${fmtStats(oursStats)}** | ${fmtStats(cpuStats)} | ${fmt(requestStats.median, 0)} (${kinds}) |`,
      `| minimal: one PutObject, same client settings | ${fmtStats(minimalStats)} | | 1 |`,
      `| ratio publish / minimal | **${fmt(ratio, 1)}x** | | |`,
      `Issue 9: median at most 90 ms (was 189): ${oursStats.median <= 90 ? 'met' : `missed by ${fmt(oursStats.median - 90, 0)} ms`}.`,
    ];
    return { ours: oursStats, minimal: minimalStats, ratio, rows, requests: requestStats, requestsByKind, cpu: cpuStats };
  } finally {
    restoreConsole();
    restoreEnv();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--serve-s3')) await serveS3();
  else if (!hasLegacyProvider()) {
    // `npx tsx bench/handler.ts` as it is: once more, with the provider s3rver needs.
    const again = spawnSync(process.execPath, [...process.execArgv, '--openssl-legacy-provider', ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exitCode = again.status ?? 1;
  } else {
    const [runs, archive] = process.argv.slice(2).map(Number);
    for (const server of ['in-process', 'child'] as const) {
      const result = await warmHandler({ server, ...(runs ? { runs } : {}), ...(archive ? { archive } : {}) });
      for (const row of result.rows) console.log(row);
      console.log();
    }
  }
}
