/**
 * A real S3 API for tests: s3rver on 127.0.0.1 with a temporary folder, behind a small proxy that
 *  - enforces conditional writes (If-Match / If-None-Match), which s3rver ignores, the way S3 does:
 *    412 PreconditionFailed, atomically per key;
 *  - counts requests by operation (the request-budget tests read it);
 *  - can inject faults (500, 503 SlowDown, connection resets, delays) on a share of requests.
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

export interface S3Harness {
  endpoint: string;
  /** s3rver itself, without the proxy: ignores conditional writes. */
  directEndpoint: string;
  bucket: string;
  counts: Record<string, number>;
  faults: Faults | null;
  /** Conditional-write enforcement; on by default. */
  enforceConditions: boolean;
  client(): S3Client;
  store(): S3ObjectStore;
  resetCounts(): void;
  totalRequests(): number;
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

function operation(method: string, url: URL): string {
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

export async function startS3(): Promise<S3Harness> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const bucket = `feeds-${randomBytes(3).toString('hex')}`;
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  const upstream = new URL(`http://127.0.0.1:${address.port}`);
  const locks = new Map<string, Promise<void>>();
  let random = mulberry32(1);
  let seededWith: number | undefined;

  const harness: S3Harness = {
    endpoint: '',
    directEndpoint: upstream.origin,
    bucket,
    counts: {},
    faults: null,
    enforceConditions: true,
    client: () =>
      new S3Client({
        endpoint: harness.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 6,
      }),
    store: () => new S3ObjectStore(harness.client(), bucket),
    resetCounts: () => {
      harness.counts = {};
    },
    totalRequests: () => Object.values(harness.counts).reduce((a, b) => a + b, 0),
    env: (extra = {}) => ({
      FEED_BUCKET: bucket,
      S3_ENDPOINT: harness.endpoint,
      SITE_URL: 'https://news.test.example/',
      SITE_TITLE: 'Test Daily',
      SITE_PUBLISHER: 'Test Daily Group',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      ...extra,
    }),
    stop: async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };

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
      // One conditional write per key at a time: check and write are atomic, as on S3.
      const previous = locks.get(url.pathname) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => {
        release = r;
      });
      locks.set(url.pathname, previous.then(() => mine));
      await previous;
      try {
        const head = await forward(upstream, req, Buffer.alloc(0), 'HEAD', ['content-length', 'content-type', 'if-match', 'if-none-match', 'authorization', 'x-amz-content-sha256', 'x-amz-date', 'content-md5']);
        const etag = head.status === 200 ? String(head.headers.etag ?? '') : null;
        const ifMatch = req.headers['if-match'];
        const ifNoneMatch = req.headers['if-none-match'];
        if ((ifNoneMatch === '*' && etag !== null) || (ifMatch !== undefined && ifMatch !== etag)) {
          return s3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        }
        const out = await forward(upstream, req, body, 'PUT', ['if-match', 'if-none-match']);
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      } finally {
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
