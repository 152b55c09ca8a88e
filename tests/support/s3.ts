/**
 * A real S3 API for tests: s3rver on 127.0.0.1 with a temporary folder, behind a small proxy that
 *  - enforces conditional writes (If-Match / If-None-Match), which s3rver ignores, the way S3 does:
 *    412 PreconditionFailed, atomically per key;
 *  - answers losers of a conditional-write race as real servers do on a share of them: 409
 *    ConditionalRequestConflict (AWS) or 500 (Ceph RGW) instead of waiting or a 412 (`loserResponses`);
 *  - counts requests by operation (the request-budget tests read it);
 *  - can inject faults (500, 503 SlowDown, connection resets, delays) on a share of requests.
 * The harness itself (client, store, handlers' environment) is shared with tests/support/rgw.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { mulberry32 } from '../../bench/generate.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';

export interface Faults {
  /** Share of requests (0..1) that fail. */
  rate: number;
  kinds: ('500' | '503' | 'reset' | 'delay')[];
  /** Deterministic choice of which requests fail. */
  seed?: number;
}

/**
 * How the proxy answers the losers of conditional writes to one key, each a share (0..1) of them:
 *  - conflict409: a conditional PUT that arrives while another is in flight on the key gets 409
 *    ConditionalRequestConflict at once (AWS does this) instead of waiting for its turn;
 *  - error500: a conditional PUT whose condition fails gets 500 InternalError (as Ceph RGW answers some
 *    losers) instead of 412. The SDK retries a 500, so a loser may see several.
 */
export interface LoserResponses {
  conflict409: number;
  error500: number;
  /** Deterministic choice of which losers get which answer. */
  seed?: number;
}

/** On by default: code that only copes with 412 is caught by every test that races. */
export const DEFAULT_LOSER_RESPONSES: LoserResponses = { conflict409: 0.25, error500: 0.15, seed: 1 };

export interface S3Harness {
  endpoint: string;
  /** s3rver itself, without the proxy: ignores conditional writes. */
  directEndpoint: string;
  bucket: string;
  counts: Record<string, number>;
  faults: Faults | null;
  /** Conditional-write enforcement; on by default. */
  enforceConditions: boolean;
  /** Answers for losers of conditional writes; null: always wait for the key, then 412. */
  loserResponses: LoserResponses | null;
  client(): S3Client;
  /** A client that bypasses the proxy (the newsroom's own uploads, which the service's faults do not hit). */
  directClient(): S3Client;
  store(): S3ObjectStore;
  resetCounts(): void;
  totalRequests(): number;
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

/** The counts key of a request: get, put, head, delete, post, or list for a GET of the bucket. */
export function operation(method: string, url: URL): string {
  const keyed = url.pathname.split('/').filter(Boolean).length > 1;
  if (method === 'GET' && !keyed) return 'list';
  return method.toLowerCase();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
  method = req.method ?? 'GET',
  drop: string[] = [],
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
    for (const name of drop) delete headers[name];
    const upstream = httpRequest({ host: target.hostname, port: target.port, method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

const unquote = (etag: string): string => etag.replace(/^"(.*)"$/, '$1');

export interface HarnessOptions {
  endpoint: string;
  directEndpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Count requests in every client() this harness makes (where no proxy counts them). */
  countInClient?: boolean;
  stop: () => Promise<void>;
}

/** The one S3 set-up both harnesses use: the test client, the store, the handlers' environment, counts. */
export function makeHarness(options: HarnessOptions): S3Harness {
  const harness: S3Harness = {
    endpoint: options.endpoint,
    directEndpoint: options.directEndpoint,
    bucket: options.bucket,
    counts: {},
    faults: null,
    enforceConditions: true,
    loserResponses: null,
    directClient: () =>
      new S3Client({
        endpoint: options.directEndpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: options.credentials,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    client: () => {
      const client = new S3Client({
        endpoint: harness.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: options.credentials,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 6,
      });
      if (options.countInClient) {
        // In the last step before the wire, so each retry counts as a request, as a proxy would see it.
        client.middlewareStack.add(
          (next) => async (args) => {
            const request = args.request as { method?: string; path?: string };
            const op = operation(request.method ?? 'GET', new URL(request.path ?? '/', harness.endpoint));
            harness.counts[op] = (harness.counts[op] ?? 0) + 1;
            return next(args);
          },
          { step: 'deserialize', name: 'harnessCountRequests' },
        );
      }
      return client;
    },
    store: () => new S3ObjectStore(harness.client(), harness.bucket),
    resetCounts: () => {
      harness.counts = {};
    },
    totalRequests: () => Object.values(harness.counts).reduce((a, b) => a + b, 0),
    env: (extra = {}) => ({
      FEED_BUCKET: harness.bucket,
      S3_ENDPOINT: harness.endpoint,
      SITE_URL: 'https://news.test.example/',
      SITE_TITLE: 'Test Daily',
      SITE_PUBLISHER: 'Test Daily Group',
      AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      ...extra,
    }),
    stop: options.stop,
  };
  return harness;
}

export async function startS3(): Promise<S3Harness> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const bucket = `feeds-${randomBytes(3).toString('hex')}`;
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  const upstream = new URL(`http://127.0.0.1:${address.port}`);
  const locks = new Map<string, Promise<void>>();
  // Conditional PUTs per key that are waiting for or holding its lock.
  const inFlight = new Map<string, number>();
  let random = mulberry32(1);
  let seededWith: number | undefined;
  let loserRandom = mulberry32(1);
  let loserSeededWith: number | undefined;
  const loserDraw = (losers: LoserResponses): number => {
    if (losers.seed !== loserSeededWith) {
      loserRandom = mulberry32(losers.seed ?? 1);
      loserSeededWith = losers.seed;
    }
    return loserRandom();
  };

  const harness = makeHarness({
    endpoint: '',
    directEndpoint: upstream.origin,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop: async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  });
  harness.loserResponses = { ...DEFAULT_LOSER_RESPONSES };

  const proxy: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', upstream);
      const op = operation(req.method ?? 'GET', url);
      harness.counts[op] = (harness.counts[op] ?? 0) + 1;
      const body = await readBody(req);
      const faults = harness.faults;
      if (faults && faults.rate > 0) {
        if (faults.seed !== seededWith) {
          random = mulberry32(faults.seed ?? 1);
          seededWith = faults.seed;
        }
        if (random() < faults.rate) {
          const kind = faults.kinds[Math.floor(random() * faults.kinds.length)] ?? '500';
          if (kind === 'reset') return req.socket.destroy();
          if (kind === '503') return s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.');
          if (kind === '500') return s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
          await new Promise((r) => setTimeout(r, 50 + Math.floor(random() * 200)));
        }
      }
      const conditional = req.method === 'PUT' && (req.headers['if-match'] || req.headers['if-none-match']);
      if (!conditional || !harness.enforceConditions) {
        const out = await forward(upstream, req, body);
        res.writeHead(out.status, out.headers);
        return res.end(out.body);
      }
      const losers = harness.loserResponses;
      const busy = inFlight.get(url.pathname) ?? 0;
      if (losers && busy > 0 && loserDraw(losers) < losers.conflict409) {
        return s3Error(res, 409, 'ConditionalRequestConflict', 'A conflicting operation occurred. If using PutObject you can retry the request.');
      }
      // One conditional write per key at a time: check and write are atomic, as on S3.
      inFlight.set(url.pathname, busy + 1);
      const previous = locks.get(url.pathname) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => {
        release = r;
      });
      locks.set(url.pathname, previous.then(() => mine));
      await previous;
      try {
        const head = await forward(upstream, req, Buffer.alloc(0), 'HEAD', ['content-length', 'content-type', 'if-match', 'if-none-match', 'authorization', 'x-amz-content-sha256', 'x-amz-date', 'content-md5']);
        const etag = head.status === 200 ? unquote(String(head.headers.etag ?? '')) : null;
        const ifMatch = req.headers['if-match'];
        const ifNoneMatch = req.headers['if-none-match'];
        // Quoted or not: a store that met RGW sends ETags unquoted.
        if ((ifNoneMatch === '*' && etag !== null) || (ifMatch !== undefined && unquote(ifMatch) !== etag)) {
          if (losers && loserDraw(losers) < losers.error500) return s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
          return s3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        }
        const out = await forward(upstream, req, body, 'PUT', ['if-match', 'if-none-match']);
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      } finally {
        const left = (inFlight.get(url.pathname) ?? 1) - 1;
        if (left > 0) inFlight.set(url.pathname, left);
        else inFlight.delete(url.pathname);
        release();
      }
    } catch (error) {
      s3Error(res, 500, 'InternalError', String(error));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  harness.endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return harness;
}
