/**
 * The edges around the store engine: the three Lambda handlers and their events (the deploy hook and its
 * answers to CloudFormation, rollbacks and deadlines included; the HTTP API's content types and DELETE),
 * configuration (the environment, serverless.yml and its packaging checks in scripts/serverless-vars.cjs,
 * a store's config/site.json), the errors/ keys of S3 events, and the CLI's flags and `build --out`.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readServiceConfig } from '../src/config.js';
import type { ConfigError } from '../src/errors.js';
import { checkPublicPrefix, errorKey, INTERNAL_PREFIXES } from '../src/layout.js';
import { photoKey } from '../src/photos.js';
import { cli, quietConsole, withTempDir } from './helpers.js';
import { cfnEvent, cfnUpdate, httpDelete, httpPost } from './support/events.js';
import { loadHandlers } from './support/handlers.js';
import { type S3Harness, startS3 } from './support/s3.js';

const root = join(import.meta.dirname, '..');
const auth = { authorization: 'Bearer test-token-123' };

function article(id: string, day = 1): string {
  return `---\nid: ${id}\nurl: https://news.test.example/${id}\nsection: World\npublished: 2024-05-0${day}T08:00:00Z\n---\nBEIJING - Story ${id} opens here.\nSecond paragraph of ${id}.\n`;
}

/** Every file under a folder, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** A local stand-in for CloudFormation's pre-signed response URL. `hangFirst`: never answer the first PUT. */
async function responseServer(options: { hangFirst?: boolean } = {}) {
  const answers: { at: number; body: any }[] = [];
  let requests = 0;
  const server = createServer((req: IncomingMessage, res) => {
    requests += 1;
    const first = requests === 1;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (first && options.hangFirst) return; // accepted, never answered
      answers.push({ at: Date.now(), body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`,
    answers,
    requests: () => requests,
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** An environment that never reaches S3: the configuration itself is wrong. */
const brokenEnv = { FEED_BUCKET: 'feeds-bucket', SITE_URL: 'https://news.test.example/', FEED_ITEMS: 'abc', S3_ENDPOINT: 'http://127.0.0.1:9' };

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

// ---------------------------------------------------------------------------------------------------
describe('deploy hook (CloudFormation custom resource)', () => {
  beforeEach(() => quietConsole());

  it('answers SUCCESS to the rollback Update that follows its own FAILED Update (else the stack ends in UPDATE_ROLLBACK_FAILED)', async () => {
    const broken = await loadHandlers(brokenEnv);
    const cfn = await responseServer();
    try {
      // The deploy: DeployId 1713000000 -> 1714000000. The configuration is wrong: FAILED (as documented).
      await broken.republish(cfnUpdate(cfn.url));
      expect(cfn.answers[0]?.body.Status).toBe('FAILED');
      // CloudFormation rolls back: an Update carrying the previous properties back, sent while the
      // function still runs with the new (broken) configuration. FAILED here leaves the stack stuck.
      const rollback = cfnUpdate(cfn.url);
      rollback.RequestId = '3e4f5a6b-0000-4000-8000-000000000002';
      [rollback.ResourceProperties, rollback.OldResourceProperties] = [rollback.OldResourceProperties, rollback.ResourceProperties];
      await broken.republish(rollback);
      expect(cfn.answers[1]?.body).toMatchObject({ RequestId: '3e4f5a6b-0000-4000-8000-000000000002', Status: 'SUCCESS' });
      // Logged as a rollback (nothing republished).
      const logged = vi.mocked(console.warn).mock.calls.map((c) => JSON.parse(String(c[0])));
      expect(logged).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/rollback/), DeployId: '1713000000', from: '1714000000' }));
    } finally {
      await cfn.close();
    }
  });

  it('answers before the function times out: a republish that cannot finish in the time left is answered FAILED in time', async () => {
    // An S3 endpoint that accepts connections and never answers (a network black hole).
    const sockets: Socket[] = [];
    const hole = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const loaded = await loadHandlers({ FEED_BUCKET: 'feeds-bucket', SITE_URL: 'https://news.test.example/', S3_ENDPOINT: `http://127.0.0.1:${(hole.address() as AddressInfo).port}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' });
    const cfn = await responseServer();
    const context = { getRemainingTimeInMillis: () => 2_000, functionName: 'republish', awsRequestId: 'r-1' };
    const invoke = loaded.republish as unknown as (event: unknown, context: unknown) => Promise<unknown>;
    const done = invoke(cfnUpdate(cfn.url), context);
    try {
      await sleep(3_000);
      // Lambda would have killed the function at 2 s: without an answer CloudFormation waits an hour.
      expect(cfn.answers).toHaveLength(1);
    } finally {
      hole.close();
      for (const socket of sockets) socket.destroy();
      await done;
      await cfn.close();
    }
  });

  it('does not wait for ever on a response PUT that is accepted but never answered: it tries again', async () => {
    const broken = await loadHandlers(brokenEnv);
    const cfn = await responseServer({ hangFirst: true });
    const done = broken.republish(cfnUpdate(cfn.url));
    try {
      await sleep(4_000);
      expect(cfn.requests()).toBeGreaterThanOrEqual(2);
      expect(cfn.answers[0]?.body.Status).toBe('FAILED');
    } finally {
      cfn.dropConnections();
      await done;
      await cfn.close();
    }
  });

  it('an Update to a newer DeployId republishes as before (only an older one is a rollback)', async () => {
    const s3 = await startS3();
    const cfn = await responseServer();
    try {
      const loaded = await loadHandlers(s3.env());
      await loaded.republish(cfnUpdate(cfn.url));
      expect(cfn.answers[0]?.body).toMatchObject({ Status: 'SUCCESS', Reason: 'feeds republished' });
      expect(await s3.store().get('config/site.json')).not.toBeNull();
    } finally {
      await cfn.close();
      await s3.stop();
    }
  });

  it('never runs a republish for an event that looks like CloudFormation but has no ResponseURL', async () => {
    const s3 = await startS3();
    try {
      const loaded = await loadHandlers(s3.env());
      const event = cfnEvent('unused', 'Delete');
      delete event.ResponseURL;
      s3.resetCounts();
      await loaded.republish(event).catch(() => undefined);
      // A stack deletion must never write to the bucket (here it rewrites config/site.json and rebuilds every feed).
      expect(s3.counts.put ?? 0).toBe(0);
      expect(s3.totalRequests()).toBe(0);
    } finally {
      await s3.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe('HTTP API', () => {
  let s3: S3Harness;
  beforeEach(async () => {
    quietConsole();
    s3 = await startS3();
  });
  afterEach(async () => {
    await s3.stop();
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['no Content-Type', ''],
  ])('a JSON article sent as %s is read as JSON or refused, never published as raw text', async (_, contentType) => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
    const json = JSON.stringify({ id: 'json-story', title: 'JSON story', published: '2024-05-01T08:00:00Z', paragraphs: ['Para one of the JSON story.'] });
    const response: any = await handlers.publish(httpPost(json, contentType, auth));
    const body = JSON.parse(response.body);
    if (response.statusCode === 201) expect(body.id).toBe('json-story');
    else expect([400, 415]).toContain(response.statusCode);
    const feed = (await s3.store().get('feeds/feed.json'))?.body.toString('utf8') ?? '';
    expect(feed).not.toContain('{\\"id\\":\\"json-story\\"');
  });

  it.each([
    ['application/json', 'json'],
    ['application/vnd.newsroom+json; charset=utf-8', 'json'],
    ['Text/Markdown; charset=utf-8', 'text'],
    ['text/x-markdown', 'text'],
    ['text/plain', 'text'],
  ])('POST with Content-Type %s reads the body as %s', async (contentType, format) => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
    const body = format === 'json' ? JSON.stringify({ id: 'typed-story', title: 'Typed story', published: '2024-05-01T08:00:00Z', paragraphs: ['Para one.'] }) : article('typed-story');
    const response: any = await handlers.publish(httpPost(body, contentType, auth));
    expect({ status: response.statusCode, id: JSON.parse(response.body).id }).toEqual({ status: 201, id: 'typed-story' });
  });

  it.each(['application/x-www-form-urlencoded', 'text/html', 'application/xml', 'multipart/form-data; boundary=x'])('POST with Content-Type %s is refused with 415 naming the type, nothing stored', async (contentType) => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
    const response: any = await handlers.publish(httpPost(article('typed-story'), contentType, auth));
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body).error).toContain(JSON.stringify(contentType.split(';')[0]));
    expect(await s3.store().list('', 20)).toEqual([]);
  });

  it('a malformed JSON object sent as text/plain is refused as JSON (400), not published as the text of an article', async () => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
    const response: any = await handlers.publish(httpPost('{"id": "half-story", "paragraphs": ["Para one."],}', 'text/plain', auth));
    expect(response.statusCode).toBe(400);
    expect(await s3.store().list('', 20)).toEqual([]);
  });

  it('DELETE of an id whose only record is a placeholder left by its key (never published) is still 404', async () => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
    // What a delete event (or a fence) writes for an id whose create has not stored it yet.
    const placeholder = { format: 2, id: 'never-story', revision: 1, status: 'withdrawn', article: null, owner: { kind: 'object', key: 'incoming/never.md' }, sequencer: '0055AED6DCD90281F0', withdrawn: { when: '2024-05-01T08:00:00.000Z', by: 'key' }, photos: [], pending: [] };
    await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'articles/never-story.json', Body: JSON.stringify(placeholder) }));
    const response: any = await handlers.unpublish(httpDelete('never-story'));
    expect({ status: response.statusCode, body: JSON.parse(response.body).status }).toEqual({ status: 404, body: 'not-found' });
  });

  it('DELETE is idempotent for a quarantined (unreadable) record too: 200 withdrawn, then 200 withdrawn again', async () => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
    await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'articles/broken-story.json', Body: '{"format":2,"id":"broken-story"' }));
    const first: any = await handlers.unpublish(httpDelete('broken-story'));
    expect(first.statusCode).toBe(200);
    const again: any = await handlers.unpublish(httpDelete('broken-story'));
    expect({ status: again.statusCode, body: JSON.parse(again.body).status }).toEqual({ status: 200, body: 'withdrawn' });
  });

  it('CACHE_CONTROL with a line break is a configuration error (500, nothing stored), not a half-done publish answered 503', async () => {
    const handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123', CACHE_CONTROL: 'public,\nmax-age=300' }));
    const response: any = await handlers.publish(httpPost(article('cc-story'), 'text/markdown', auth));
    expect({ status: response.statusCode, body: JSON.parse(response.body) }).toEqual({ status: 500, body: { error: 'the service is misconfigured' } });
    // Today: articles/, index/, urls/, state/ and config/site.json (with the bad value) are written, no feed file is.
    expect(await s3.store().list('', 20)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
describe('configuration from the environment', () => {
  const base = { FEED_BUCKET: 'feeds-bucket', SITE_URL: 'https://news.test.example' };

  function configError(env: Record<string, string>): ConfigError | null {
    try {
      readServiceConfig({ ...base, ...env });
      return null;
    } catch (error) {
      return error as ConfigError;
    }
  }

  it.each([
    ['a line break', 'public,\nmax-age=300'],
    ['a non-ASCII character', 'max-age=300\u00a0'],
  ])('CACHE_CONTROL with %s is refused at start, naming the variable (config/site.json refuses it on read-back)', (_, value) => {
    expect(configError({ CACHE_CONTROL: value })).toMatchObject({ field: 'CACHE_CONTROL' });
  });

  it('PHOTO_KEY_PREFIX equal to FEED_PREFIX (or inside it) is refused', () => {
    const photos = { PHOTO_URL_PREFIX: 'https://cdn.test.example/p/' };
    expect(configError({ ...photos, FEED_PREFIX: 'public/', PHOTO_KEY_PREFIX: 'public/' })).toMatchObject({ field: 'PHOTO_KEY_PREFIX' });
    expect(configError({ ...photos, FEED_PREFIX: 'public/', PHOTO_KEY_PREFIX: 'public/photos/' })).toMatchObject({ field: 'PHOTO_KEY_PREFIX' });
  });

  it('PHOTO_URL_PREFIX must be an absolute http(s) URL (without a scheme the photo lookup is silently off)', () => {
    expect(configError({ PHOTO_URL_PREFIX: 'cdn.test.example/photos/' })).toMatchObject({ field: 'PHOTO_URL_PREFIX' });
  });

  it('PHOTO_URL_PREFIX without a trailing slash does not match other hosts (bucket metadata for a foreign URL)', () => {
    const config = readServiceConfig({ ...base, PHOTO_URL_PREFIX: 'https://cdn.test.example' });
    expect(photoKey('https://cdn.test.example.attacker.example/lead.jpg', config.photos)).toBeNull();
  });

  it.each(['feeds?v=1/', 'feeds#x/'])('FEED_PREFIX %s: refused, or the feed URL still points at the feed objects', (prefix) => {
    let config: ReturnType<typeof readServiceConfig>;
    try {
      config = readServiceConfig({ ...base, FEED_PREFIX: prefix });
    } catch (error) {
      expect(error).toMatchObject({ field: 'FEED_PREFIX' });
      return;
    }
    const self = new URL('rss.xml', config.site.feedUrl);
    expect(decodeURIComponent(self.pathname)).toBe(`/${config.feedPrefix}rss.xml`);
  });
});

// ---------------------------------------------------------------------------------------------------
describe('serverless.yml as deployed', () => {
  const bucketArn = 'arn:aws:s3:::syndicate-feeds-edges-feeds';

  /** `osls print` with only the given deploy variables set: the configuration, or why it does not package. */
  async function print(vars: Record<string, string>): Promise<{ config?: any; error?: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', SLS_TELEMETRY_DISABLED: '1' };
    for (const name of ['SITE_URL', 'FEED_PREFIX', 'FEED_BUCKET_NAME', 'PHOTO_KEY_PREFIX', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
    Object.assign(env, vars);
    try {
      const { stdout } = await promisify(execFile)('npx', ['osls', 'print', '--stage', 'edges', '--format', 'json'], { cwd: root, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
      return { config: JSON.parse(stdout) };
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; message: string };
      return { error: `${failed.stdout ?? ''}${failed.stderr ?? ''}` || failed.message };
    }
  }

  const s3Grants = (config: any): string[] =>
    (config.provider.iam.role.statements as any[])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:') && a !== 's3:ListBucket'))
      .flatMap((s) => [s.Action].flat().flatMap((a: string) => [s.Resource].flat().map((r: string) => `${a} ${r}`)));

  // The runtime refuses these, but the role is deployed first: FEED_PREFIX="" made PutObject on <bucket>/*,
  // which covers incoming/ (the function would trigger itself) and every record. Packaging now fails, naming
  // the variable. (The review's version of this test expected `osls print` to succeed with FEED_PREFIX="";
  // it cannot, once packaging refuses the value.)
  it.each([
    ['FEED_PREFIX ""', { FEED_PREFIX: '' }, /FEED_PREFIX: "" must be a relative key prefix/],
    ['FEED_PREFIX inside an internal prefix', { FEED_PREFIX: 'incoming/feeds/' }, /FEED_PREFIX: "incoming\/feeds\/" overlaps incoming\//],
    ['FEED_PREFIX with a character outside [A-Za-z0-9._~/-]', { FEED_PREFIX: 'feeds*/' }, /FEED_PREFIX: "feeds\*\/" must be a relative key prefix/],
    ['FEED_PREFIX with a folder starting with "."', { FEED_PREFIX: '.meta/' }, /FEED_PREFIX: ".meta\/" must be a relative key prefix/],
    ['PHOTO_KEY_PREFIX ""', { PHOTO_KEY_PREFIX: '' }, /PHOTO_KEY_PREFIX: "" must be a relative key prefix/],
    ['PHOTO_KEY_PREFIX overlapping an internal prefix', { PHOTO_KEY_PREFIX: 'config' }, /PHOTO_KEY_PREFIX: "config" overlaps config\//],
    ['PHOTO_KEY_PREFIX inside FEED_PREFIX', { FEED_PREFIX: 'public/', PHOTO_KEY_PREFIX: 'public/photos/' }, /PHOTO_KEY_PREFIX: "public\/photos\/" overlaps FEED_PREFIX "public\/"/],
  ])('a deploy with %s does not package (no grant is built from it): the error names the variable', async (_, vars, reason) => {
    const result = await print({ SITE_URL: 'https://news.test.example/', ...vars });
    expect(result.config).toBeUndefined();
    expect(result.error).toMatch(reason);
  });

  it('a deploy without SITE_URL does not package (README: SITE_URL is required; no placeholder site URL)', async () => {
    const result = await print({});
    expect(result.config).toBeUndefined();
    expect(result.error).toMatch(/SITE_URL: is required/);
  });

  it('a deploy with its variables: grants on the prefixes only (normalised with "/"), SITE_URL as given, DeployId the time of the deploy', async () => {
    const before = Date.now();
    const { config, error } = await print({ SITE_URL: 'https://news.test.example/', FEED_PREFIX: 'public/feeds', PHOTO_KEY_PREFIX: 'media' });
    expect(error).toBeUndefined();
    const grants = s3Grants(config);
    expect(grants.filter((g) => g.endsWith(`${bucketArn}/*`) || g.startsWith(`s3:PutObject ${bucketArn}/incoming/`))).toEqual([]);
    expect(grants).toContain(`s3:PutObject ${bucketArn}/public/feeds/*`);
    expect(grants).toContain(`s3:GetObject ${bucketArn}/media/*`);
    expect(config.provider.environment).toMatchObject({ SITE_URL: 'https://news.test.example/', FEED_PREFIX: 'public/feeds/', PHOTO_KEY_PREFIX: 'media/' });
    const deployId = Number(config.resources.Resources.RepublishOnDeploy.Properties.DeployId);
    expect(deployId).toBeGreaterThanOrEqual(before);
    expect(deployId).toBeLessThanOrEqual(Date.now());
  });
});

describe('scripts/serverless-vars.cjs (the packaging checks) and src/layout.ts agree', () => {
  const vars = createRequire(import.meta.url)('../scripts/serverless-vars.cjs') as { INTERNAL_PREFIXES: readonly string[]; checkPrefix: (prefix: string, name: string) => string };

  it('on the internal prefixes', () => {
    expect([...vars.INTERNAL_PREFIXES]).toEqual([...INTERNAL_PREFIXES]);
  });

  it.each(['feeds', 'feeds/', 'public/feeds/', 'a.b_c~d-e/', '', '/feeds/', 'feeds//x/', '.meta/', 'a/../b/', 'feeds?v=1/', 'feeds#x/', 'féeds/', 'feeds x/', 'incoming', 'incoming/x/', 'state/', 'in/', 'conf', 'config-x/'])('on the prefix %j', (prefix) => {
    const answer = (check: () => string) => {
      try {
        return check();
      } catch (error) {
        return `refused: ${(error as Error).message.replace(/^(command line|FEED_PREFIX): (FEED_PREFIX: )?/, '')}`;
      }
    };
    expect(answer(() => vars.checkPrefix(prefix, 'FEED_PREFIX'))).toBe(answer(() => checkPublicPrefix(prefix, 'command line', 'FEED_PREFIX')));
  });
});

// ---------------------------------------------------------------------------------------------------
describe('S3 event keys', () => {
  it('the errors/ record of any valid S3 key (at most 1024 bytes) is itself a valid S3 key', () => {
    for (const key of [`incoming/${'a'.repeat(1015)}`, `incoming/${'é'.repeat(505)}`, `incoming/${'a b'.repeat(338)}`]) {
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(errorKey(key)), key.slice(0, 20)).toBeLessThanOrEqual(1024);
    }
  });

  it('long keys that differ only past the kept prefix get different errors/ records; short keys keep their names', () => {
    const a = `incoming/${'a'.repeat(1000)}1.md`;
    const b = `incoming/${'a'.repeat(1000)}2.md`;
    expect(errorKey(a)).not.toBe(errorKey(b));
    expect(errorKey(a)).toMatch(/^errors\/incoming\/a+~[0-9a-f]{64}\.json$/);
    expect(errorKey('incoming/story.md')).toBe('errors/incoming/story.md.json');
    expect(errorKey('incoming/a b.md')).toMatch(/^errors\/incoming\/a_b\.md~[0-9a-f]{12}\.json$/);
  });
});

// ---------------------------------------------------------------------------------------------------
describe('the CLI', () => {
  async function fixtures(dir: string): Promise<{ file: string; site: string }> {
    const file = join(dir, 'a.md');
    const site = join(dir, 'site.json');
    await writeFile(file, article('a-story'));
    await writeFile(site, JSON.stringify({ title: 'Edge Daily', url: 'https://edge.test.example/' }));
    return { file, site };
  }

  it.each([
    ['--bucket "" (an unset shell variable)', ['--bucket', ''], /--bucket: is empty/],
    ['--endpoint without --bucket', ['--endpoint', 'http://127.0.0.1:9'], /--endpoint: .*--bucket/],
    ['--timeout without --bucket', ['--timeout', '5'], /--timeout: .*--bucket/],
    ['--bucket with --dir', ['--bucket', 'feeds', '--dir', 'site-store'], /--dir: .*--bucket/],
    ['--dir "" (an unset shell variable)', ['--dir', ''], /--dir: is empty/],
  ])('publish with %s is refused, not published to ./site-store with exit 0', async (_, flags, named) => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        const result = await cli(['publish', file, ...flags, '--config', site]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(named);
      } finally {
        process.chdir(cwd);
      }
      expect(await filesUnder(join(dir, 'site-store'))).toEqual([]);
    });
  });

  it.each([
    ['a line break', 'public,\nmax-age=60'],
    ['an empty value', ''],
  ])('--cache-control with %s is refused before anything is written (the store would refuse its own config/site.json)', async (_, value) => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const store = join(dir, 'store');
      const first = await cli(['publish', file, '--dir', store, '--config', site, '--cache-control', value]);
      const next = await cli(['publish', '--dir', store]);
      // Today: the first run exits 0 and remembers the value; every later run without flags fails with
      // "config/site.json: cacheControl: must be a Cache-Control header value".
      expect({ code: first.code, refusesFlag: /--cache-control/.test(first.stderr) }).toEqual({ code: 1, refusesFlag: true });
      expect(next.stderr).not.toMatch(/cacheControl/);
    });
  });

  it('--prefix .meta/ on a folder store is refused before anything is written (not after storing the record and remembering it)', async () => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const store = join(dir, 'store');
      const result = await cli(['publish', file, '--dir', store, '--config', site, '--prefix', '.meta/']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/--prefix/);
      expect(await filesUnder(store)).toEqual([]);
    });
  });

  it('--config replaces a stored site it does not need (an unknown field, e.g. written by a newer version)', async () => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const store = join(dir, 'store');
      await mkdir(join(store, 'config'), { recursive: true });
      const stored = { site: { title: 'Old Daily', url: 'https://edge.test.example/', image: 'https://edge.test.example/logo.png' }, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300' };
      await writeFile(join(store, 'config/site.json'), JSON.stringify(stored));
      const result = await cli(['publish', file, '--dir', store, '--config', site]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(await readFile(join(store, 'config/site.json'), 'utf8')).site.title).toBe('Edge Daily');
    });
  });

  it('a corrupt config/site.json with --config given: the refusal says how to replace it', async () => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const store = join(dir, 'store');
      await mkdir(join(store, 'config'), { recursive: true });
      await writeFile(join(store, 'config/site.json'), '{"site": {"title": "half-written');
      const result = await cli(['publish', file, '--dir', store, '--config', site]);
      if (result.code !== 0) expect(result.stderr).toMatch(/--prefix/);
    });
  });

  it('build refuses to replace a folder whose sections/ holds files it did not write', async () => {
    await withTempDir(async (dir) => {
      const { file } = await fixtures(dir);
      const out = join(dir, 'public');
      await mkdir(join(out, 'sections'), { recursive: true });
      await writeFile(join(out, 'rss.xml'), '<rss/>');
      await writeFile(join(out, 'sections', 'index.html'), '<p>the newsroom section index, hand-written</p>');
      const result = await cli(['build', file, '--out', out]);
      expect(result.code).toBe(1);
      expect(await readFile(join(out, 'sections', 'index.html'), 'utf8')).toContain('hand-written');
    });
  });

  it.each([
    ['a file beside a section', ['sections', 'world', 'notes.txt']],
    ['a hidden file at the top', ['.htaccess']],
  ])('build into a folder holding %s writes its own files and leaves that one alone (issue 12)', async (_, foreign) => {
    await withTempDir(async (dir) => {
      const { file } = await fixtures(dir);
      const out = join(dir, 'public');
      expect((await cli(['build', file, '--out', out])).code).toBe(0);
      const path = join(out, ...foreign);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, 'kept');
      await rm(join(out, 'rss.xml'));
      const result = await cli(['build', file, '--out', out]);
      expect(result.code).toBe(0);
      expect(await readFile(path, 'utf8')).toBe('kept');
      expect(await readFile(join(out, 'rss.xml'), 'utf8')).toContain('<rss');
    });
  });

  it('build refuses a folder where one of its feed files belongs, naming it, and writes nothing', async () => {
    await withTempDir(async (dir) => {
      const { file } = await fixtures(dir);
      const out = join(dir, 'public');
      expect((await cli(['build', file, '--out', out])).code).toBe(0);
      const path = join(out, 'sections', 'world', 'rss.xml', 'x');
      await rm(join(path, '..'), { force: true });
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, 'kept');
      const result = await cli(['build', file, '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('sections/world/rss.xml');
      expect(await readFile(path, 'utf8')).toBe('kept');
    });
  });

  it('a stored feedPrefix the CLI would refuse as --prefix is refused on read-back, before anything is written', async () => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const store = join(dir, 'store');
      await mkdir(join(store, 'config'), { recursive: true });
      await writeFile(join(store, 'config/site.json'), JSON.stringify({ site: { title: 'Old Daily' }, feedPrefix: '.meta/', cacheControl: 'public, max-age=300' }));
      const result = await cli(['publish', file, '--dir', store, '--config', site]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/feedPrefix: "\.meta\/" must be a relative key prefix.*--prefix and --cache-control/);
      expect(await filesUnder(store)).toEqual(['config/site.json']);
    });
  });

  it('unpublish of a quarantined id: withdrawn, then withdrawn again (exit 0), not "not found" (exit 1)', async () => {
    await withTempDir(async (dir) => {
      const { file, site } = await fixtures(dir);
      const store = join(dir, 'store');
      expect((await cli(['publish', file, '--dir', store, '--config', site])).code).toBe(0);
      await writeFile(join(store, 'articles', 'a-story.json'), '{"format":2,"id":"a-story","status":"live"');
      const first = await cli(['unpublish', 'a-story', '--dir', store]);
      expect(first.stdout).toMatch(/withdrawn: a-story\n$/);
      const again = await cli(['unpublish', 'a-story', '--dir', store]);
      expect({ code: again.code, stdout: again.stdout }).toEqual({ code: 0, stdout: 'withdrawn: a-story\n' });
    });
  });
});
