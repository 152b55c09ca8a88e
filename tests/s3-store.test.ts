/**
 * S3ObjectStore against a tiny local HTTP server that answers the way particular real servers do: Ceph RGW
 * (refuses a quoted If-Match ETag, answers some losers of a race 500), AWS (quoted ETags, 403 for a
 * missing key the role may not list). No AWS: each quirk on its own, with every request seen. Last, the
 * s3rver proxy's imitation of real servers' answers to losers of a race, and the store coping with them.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PreconditionFailedError } from '../src/storage/object-store.js';
import { S3AccessDeniedError, S3ObjectStore, s3ClientConfig } from '../src/storage/s3-store.js';
import { type S3Harness, startS3 } from './support/s3.js';

interface Seen {
  method: string;
  key: string;
  ifMatch?: string;
  ifNoneMatch?: string;
}

interface Mimic {
  /** 'rgw': If-Match compared as sent, so a quoted ETag never matches; 'aws': quotes ignored. */
  ifMatch: 'rgw' | 'aws';
  /** Answer 403 instead of 404 for a missing key (AWS without s3:ListBucket). */
  missingIs403: boolean;
  /** What the next conditional PUTs answer before their condition is looked at. */
  nextPuts: ('500' | '409')[];
  /** Runs right after a forced answer: another writer acting between our attempts. */
  afterForced?: () => void;
  objects: Map<string, { body: Buffer; etag: string }>;
  seen: Seen[];
}

let server: Server;
let mimic: Mimic;
let endpoint: string;

const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');

function error(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

function handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
  const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/').slice(2).join('/'));
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  mimic.seen.push({ method: req.method ?? '', key, ifMatch, ifNoneMatch });
  const current = mimic.objects.get(key);
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (!current) return mimic.missingIs403 ? error(res, 403, 'AccessDenied') : error(res, 404, 'NoSuchKey');
    res.writeHead(200, { etag: `"${current.etag}"`, 'content-length': current.body.length, 'last-modified': new Date().toUTCString() });
    return void res.end(req.method === 'GET' ? current.body : undefined);
  }
  if (req.method !== 'PUT') return error(res, 501, 'NotImplemented');
  const forced = ifMatch !== undefined || ifNoneMatch !== undefined ? mimic.nextPuts.shift() : undefined;
  if (forced) {
    error(res, Number(forced), forced === '500' ? 'UnknownError' : 'ConditionalRequestConflict');
    return mimic.afterForced?.();
  }
  const wanted = ifMatch === undefined ? undefined : mimic.ifMatch === 'rgw' ? ifMatch : ifMatch.replace(/^"(.*)"$/, '$1');
  if ((ifNoneMatch === '*' && current) || (wanted !== undefined && wanted !== current?.etag)) return error(res, 412, 'PreconditionFailed');
  mimic.objects.set(key, { body, etag: md5(body) });
  res.writeHead(200, { etag: `"${md5(body)}"` });
  res.end();
}

beforeEach(async () => {
  mimic = { ifMatch: 'aws', missingIs403: false, nextPuts: [], objects: new Map(), seen: [] };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function store(): S3ObjectStore {
  const client = new S3Client({ ...s3ClientConfig({ endpoint, maxAttempts: 3 }), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return new S3ObjectStore(client, 'bucket');
}

const puts = () => mimic.seen.filter((r) => r.method === 'PUT');
const heads = () => mimic.seen.filter((r) => r.method === 'HEAD');

describe('If-Match on a server that refuses quoted ETags (Ceph RGW)', () => {
  beforeEach(() => {
    mimic.ifMatch = 'rgw';
  });

  it('retries once unquoted after a 412 whose ETag matches, then sends it unquoted from the start', async () => {
    const s = store();
    const first = await s.put('state.json', 'v1');
    expect(first).toBe(`"${md5(Buffer.from('v1'))}"`);
    const second = await s.put('state.json', 'v2', { ifMatch: first });
    expect((await s.get('state.json'))?.body.toString()).toBe('v2');
    expect(puts().map((r) => r.ifMatch)).toEqual([undefined, first, first.slice(1, -1)]);
    expect(heads()).toHaveLength(1);

    mimic.seen = [];
    await s.put('state.json', 'v3', { ifMatch: second });
    expect(mimic.seen).toEqual([{ method: 'PUT', key: 'state.json', ifMatch: second.slice(1, -1), ifNoneMatch: undefined }]);
    expect((await s.get('state.json'))?.body.toString()).toBe('v3');
  });

  it('keeps a stale ETag a PreconditionFailedError, before and after it learnt the form, and leaves the object', async () => {
    const s = store();
    const stale = await s.put('state.json', 'v1');
    await s.put('state.json', 'v2');
    await expect(s.put('state.json', 'mine', { ifMatch: stale })).rejects.toBeInstanceOf(PreconditionFailedError);
    // Still unknown (the 412 was genuine): the next quoted, matching ETag is probed and goes through.
    const current = (await s.head('state.json'))!.etag;
    await s.put('state.json', 'v3', { ifMatch: current });
    mimic.seen = [];
    await expect(s.put('state.json', 'mine', { ifMatch: stale })).rejects.toBeInstanceOf(PreconditionFailedError);
    // Learnt: one PUT, unquoted, and no HEAD for a genuine mismatch.
    expect(mimic.seen.map((r) => `${r.method} ${r.ifMatch}`)).toEqual([`PUT ${stale.slice(1, -1)}`]);
    expect((await s.get('state.json'))?.body.toString()).toBe('v3');
  });

  it('remembers per store instance: a new store probes again', async () => {
    const a = store();
    const etag = await a.put('k', 'one');
    const next = await a.put('k', 'two', { ifMatch: etag });
    mimic.seen = [];
    await store().put('k', 'three', { ifMatch: next });
    expect(puts()).toHaveLength(2);
    expect(heads()).toHaveLength(1);
  });
});

describe('If-Match on a server that takes quoted ETags (AWS)', () => {
  it('sends the ETag as given and, once a quoted one has matched, trusts a 412 without a HEAD', async () => {
    const s = store();
    const v1 = await s.put('k', 'v1');
    const v2 = await s.put('k', 'v2', { ifMatch: v1 });
    expect(puts().map((r) => r.ifMatch)).toEqual([undefined, v1]);
    mimic.seen = [];
    await expect(s.put('k', 'late', { ifMatch: v1 })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(mimic.seen.map((r) => r.method)).toEqual(['PUT']);
    expect((await s.head('k'))?.etag).toBe(v2);
  });

  it('turns 409 ConditionalRequestConflict into PreconditionFailedError without writing', async () => {
    const s = store();
    const v1 = await s.put('k', 'v1');
    mimic.nextPuts = ['409'];
    await expect(s.put('k', 'v2', { ifMatch: v1 })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await s.get('k'))?.body.toString()).toBe('v1');
  });
});

describe('5xx on a conditional PUT', () => {
  it('a 500 the SDK retried into a 412 ends as PreconditionFailedError', async () => {
    mimic.ifMatch = 'rgw';
    const s = store();
    const v1 = await s.put('k', 'v1');
    await s.put('k', 'v2');
    mimic.nextPuts = ['500'];
    const failure = await s.put('k', 'mine', { ifMatch: v1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PreconditionFailedError);
    // The SDK's retry reached the server: 500, then 412.
    expect(puts().slice(-2).map((r) => r.ifMatch)).toEqual([v1, v1]);
    expect((await s.get('k'))?.body.toString()).toBe('v2');
  });

  it('If-None-Match: a 500 retried into 412 is a lost race', async () => {
    const s = store();
    await s.put('k', 'theirs');
    mimic.nextPuts = ['500'];
    await expect(s.put('k', 'mine', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await s.get('k'))?.body.toString()).toBe('theirs');
  });

  it('identical bytes from another writer after our retried 500 are not taken for our write (CAS of n + 1)', async () => {
    const s = store();
    const v1 = await s.put('counter', '1');
    // Another writer read 1 and wrote 2 while our "1 -> 2" got a 500; our retry finds the ETag moved.
    mimic.nextPuts = ['500'];
    mimic.afterForced = () => mimic.objects.set('counter', { body: Buffer.from('2'), etag: md5(Buffer.from('2')) });
    await expect(s.put('counter', '2', { ifMatch: v1 })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(puts().slice(-2).map((r) => r.ifMatch)).toEqual([v1, v1]);
  });

  it('a lasting 500 while the condition still holds stays a server error', async () => {
    const s = store();
    const v1 = await s.put('k', 'v1');
    mimic.nextPuts = ['500', '500', '500'];
    const failure = await s.put('k', 'v2', { ifMatch: v1 }).catch((e: unknown) => e);
    expect(failure).not.toBeInstanceOf(PreconditionFailedError);
    expect((failure as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
    expect((await s.get('k'))?.body.toString()).toBe('v1');
  });

  it('a lasting 500 after another writer moved the ETag is a lost race', async () => {
    const s = store();
    const v1 = await s.put('k', 'v1');
    await s.put('k', 'theirs');
    mimic.nextPuts = ['500', '500', '500'];
    await expect(s.put('k', 'v2', { ifMatch: v1 })).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('an unconditional PUT that keeps failing is not turned into anything else', async () => {
    const s = store();
    server.removeAllListeners('request');
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => error(res, 500, 'InternalError'));
    const failure = await s.put('k', 'v').catch((e: unknown) => e);
    expect(failure).not.toBeInstanceOf(PreconditionFailedError);
    expect((failure as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
  });
});

describe('403 on a read (AWS, role without s3:ListBucket)', () => {
  beforeEach(() => {
    mimic.missingIs403 = true;
  });

  it('GET throws, naming the key and s3:ListBucket, instead of reading as missing', async () => {
    const failure = await store().get('feeds/world/rss.xml').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(S3AccessDeniedError);
    expect((failure as Error).message).toContain('s3://bucket/feeds/world/rss.xml');
    expect((failure as Error).message).toContain('s3:ListBucket');
    expect((failure as Error).message).toContain('404');
  });

  it('HEAD throws the same', async () => {
    const failure = await store().head('state/world.json').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(S3AccessDeniedError);
    expect((failure as Error).message).toMatch(/s3:\/\/bucket\/state\/world\.json.*s3:ListBucket/);
  });

  it('an existing key still reads', async () => {
    const s = store();
    await s.put('k', 'there');
    expect((await s.get('k'))?.body.toString()).toBe('there');
  });
});

describe('on the s3rver proxy, whose losers get 409 and 500 like real servers', () => {
  let s3: S3Harness;

  beforeEach(async () => {
    s3 = await startS3();
  });

  afterEach(async () => {
    await s3.stop();
  });

  /** 10 rounds of 12 writers with one ETag; the raw status of every loser's first answer. */
  async function race(): Promise<Record<string, number>> {
    const raw = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', maxAttempts: 1 });
    const writers = Array.from({ length: 12 }, () => s3.store());
    const statuses: Record<string, number> = {};
    let etag = await s3.store().put('state.json', 'start');
    for (let round = 0; round < 10; round++) {
      const expected = etag;
      const outcomes = await Promise.allSettled([
        ...writers.map((w, i) => w.put('state.json', `round ${round} writer ${i}`, { ifMatch: expected })),
        // Raw losers show what the proxy answers before the SDK's retries and the store's handling.
        ...[0, 1, 2].map((i) =>
          raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'state.json', Body: `raw ${round} ${i}`, IfMatch: expected })).then(
            () => 'raw-win',
            (e: { $metadata?: { httpStatusCode?: number } }) => String(e.$metadata?.httpStatusCode),
          ),
        ),
      ]);
      const storeOutcomes = outcomes.slice(0, writers.length);
      const rawOutcomes = outcomes.slice(writers.length).map((o) => (o.status === 'fulfilled' ? String(o.value) : 'rejected'));
      for (const status of rawOutcomes) statuses[status] = (statuses[status] ?? 0) + 1;
      const wins = storeOutcomes.filter((o) => o.status === 'fulfilled').length + rawOutcomes.filter((s) => s === 'raw-win').length;
      expect(wins, `round ${round}`).toBe(1);
      for (const o of storeOutcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(PreconditionFailedError);
      etag = (await s3.store().head('state.json'))!.etag;
    }
    return statuses;
  }

  it('exactly one writer wins each round, every store loser gets PreconditionFailedError, and raw losers saw 409 and 500', async () => {
    const statuses = await race();
    expect(statuses['409']).toBeGreaterThan(0);
    expect(statuses['500']).toBeGreaterThan(0);
    expect(statuses['412']).toBeGreaterThan(0);
  });

  it('loserResponses null: losers only ever get 412', async () => {
    s3.loserResponses = null;
    const statuses = await race();
    expect(Object.keys(statuses).filter((s) => s !== 'raw-win')).toEqual(['412']);
  });
});

describe('an endpoint that accepts the connection and never answers', () => {
  let silent: import('node:net').Server;
  let silentEndpoint: string;
  const sockets = new Set<import('node:net').Socket>();
  beforeEach(async () => {
    const net = await import('node:net');
    silent = net.createServer((socket) => {
      sockets.add(socket); // accepted, read, never answered
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentEndpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    silent.unref();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    // close() waits for every connection to end: the clients' keep-alive sockets are ended here.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('a request gives up after its timeout and bounded retries, with an error naming the endpoint and bucket', async () => {
    const store = new S3ObjectStore({ endpoint: silentEndpoint, timeoutMs: 300, maxAttempts: 2 }, 'quiet-bucket');
    const started = Date.now();
    const error = await store.get('state/site/state.json').then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toContain('s3://quiet-bucket');
    expect(error?.message).toContain(silentEndpoint);
    expect(error?.message).toMatch(/no answer/);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);

  it('`syndicate publish` with no articles exits 1 within seconds, naming the endpoint and the bucket', async () => {
    const { cli } = await import('./helpers.js');
    const site = new URL('../examples/site.json', import.meta.url).pathname;
    const started = Date.now();
    const result = await cli(['publish', '--bucket', 'quiet-bucket', '--endpoint', silentEndpoint, '--config', site, '--timeout', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`s3://quiet-bucket.*${silentEndpoint.replace(/[.:/]/g, '\\$&')}`));
    expect(Date.now() - started).toBeLessThan(12_000);
  }, 30_000);
});
