/**
 * End to end through the real handlers and a real S3 API (s3rver): S3 event -> handler -> S3 objects ->
 * feeds. No mocks: events are the JSON fixtures in tests/events.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkJsonFeed, checkXml } from '../src/check.js';
import { idFromUrl } from '../src/read/finalize.js';
import { loadHandlers, type Handlers } from './support/handlers.js';
import { cfnEvent, cfnUpdate, httpDelete, httpPost, s3Created, s3Removed } from './support/events.js';
import { startS3, type S3Harness } from './support/s3.js';
import { parseXml, quietConsole } from './helpers.js';

const seed = readFileSync(join(import.meta.dirname, 'fixtures/corpus/000_d3dd0a195eb72f24.txt'));

let s3: S3Harness;
let handlers: Handlers;

beforeEach(async () => {
  quietConsole();
  s3 = await startS3();
  handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await s3.stop();
});

async function put(key: string, body: string | Buffer, contentType = 'text/plain') {
  await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: contentType }));
}

async function text(key: string): Promise<string | null> {
  const object = await s3.store().get(key);
  return object ? object.body.toString('utf8') : null;
}

function article(id: string, section: string, day: number, extra = ''): string {
  return `---\nid: ${id}\nurl: https://news.test.example/${id}\nsection: ${section}\npublished: 2024-05-${String(day).padStart(2, '0')}T08:00:00Z\n---\nBEIJING - Story ${id} opens here.\nSecond paragraph of ${id}.${extra}\n`;
}

describe('publish on upload', () => {
  it('turns an uploaded article into checked feeds with the right headers', async () => {
    await put('incoming/putin-kim.txt', seed);
    const result = await handlers.publish(s3Created(s3.bucket, 'incoming/putin-kim.txt'));
    expect(result).toEqual({ processed: 1, refused: [] });

    const rss = await s3.store().get('feeds/rss.xml');
    expect(rss?.contentType).toBe('application/rss+xml; charset=utf-8');
    expect((await s3.store().head('feeds/atom.xml'))?.contentType).toBe('application/atom+xml; charset=utf-8');
    expect((await s3.store().head('feeds/feed.json'))?.contentType).toBe('application/feed+json; charset=utf-8');
    const rssText = rss?.body.toString('utf8') ?? '';
    checkXml('rss.xml', rssText);
    checkJsonFeed('feed.json', (await text('feeds/feed.json')) ?? '');
    const item = parseXml(rssText).rss.channel.item[0];
    expect(item['media:content']).toBeUndefined(); // the seed's photos have no URL
    expect(item['content:encoded']).toContain('ALEXANDER ZEMLIANICHENKO / POOL');
    expect(parseXml(rssText).rss.channel['atom:link']['@href']).toBe('https://news.test.example/feeds/rss.xml');

    const stored = JSON.parse((await text(`articles/${item.guid['#text']}.json`)) ?? '{}');
    expect(stored.article.paragraphs).toHaveLength(12);
  });

  it('sends Cache-Control, default public, max-age=300', async () => {
    await put('incoming/putin-kim.txt', seed);
    await handlers.publish(s3Created(s3.bucket, 'incoming/putin-kim.txt'));
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'feeds/rss.xml' }));
    expect(head.CacheControl).toBe('public, max-age=300');
  });

  it('writes the section feeds too', async () => {
    await put('incoming/a.md', article('a-story', 'Hong Kong', 1));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'));
    const section = await text('feeds/sections/hong-kong/atom.xml');
    expect(section).toContain('<title type="text">Test Daily: Hong Kong</title>');
    expect(section).toContain('https://news.test.example/a-story');
  });

  it('changes nothing when the same event is replayed (but the revision of its two feed states)', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    const event = s3Created(s3.bucket, 'incoming/a.md');
    await handlers.publish(event);
    const before = await text('feeds/rss.xml');
    const record = await text('articles/a-story.json');
    s3.resetCounts();
    await handlers.publish(event);
    // A replay may be the retry of a Lambda that died half way: it writes both feed states (see
    // docs/decisions.md) and verifies the files, which are all already right.
    expect(s3.counts.put ?? 0).toBe(2);
    expect(s3.counts.delete ?? 0).toBe(1); // the errors/ record, in case an earlier attempt left one
    expect(await text('feeds/rss.xml')).toBe(before);
    expect(await text('articles/a-story.json')).toBe(record);
  });

  it('records an unreadable article under errors/, logs it, leaves every feed as it was, and does not throw', async () => {
    await put('incoming/good.md', article('good', 'World', 1));
    await handlers.publish(s3Created(s3.bucket, 'incoming/good.md'));
    const before = await text('feeds/rss.xml');
    const errors = vi.mocked(console.error);

    await put('incoming/bad.md', '---\npublished: 2024-02-30\n---\nBody.\n');
    await expect(handlers.publish(s3Created(s3.bucket, 'incoming/bad.md', '0055AED6DCD90281E6'))).resolves.toEqual({ processed: 1, refused: [] });

    expect(await text('feeds/rss.xml')).toBe(before);
    const record = JSON.parse((await text('errors/incoming/bad.md.json')) ?? '{}');
    expect(record).toMatchObject({ key: 'incoming/bad.md', field: 'published' });
    const line = errors.mock.calls.map((c) => String(c[0])).find((l) => l.includes('article rejected'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'error', key: 'incoming/bad.md', field: 'published' });
  });

  it('ignores objects outside incoming/', async () => {
    await put('feeds/other.txt', 'x');
    expect(await handlers.publish(s3Created(s3.bucket, 'feeds/other.txt'))).toEqual({ processed: 0, refused: [{ key: 'feeds/other.txt', reason: 'not under incoming/' }] });
    expect(await text('feeds/rss.xml')).toBeNull();
  });

  it('reads photo length, type and dimensions from the bucket, never from elsewhere', async () => {
    handlers = await loadHandlers(s3.env({ PHOTO_URL_PREFIX: 'https://cdn.test.example/photos/', PHOTO_KEY_PREFIX: 'photos/' }));
    await put('photos/2024/lead.png', pngHeader(640, 480), 'image/png');
    const body = `---\nid: photo-story\nurl: https://news.test.example/photo-story\npublished: 2024-05-01T08:00:00Z\nphotos:\n  - https://cdn.test.example/photos/2024/lead.png\n  - https://elsewhere.test.example/x.jpg\n---\nA caption for the lead photo, May 1, 2024.\n(JOHN DOE / POOL)\nSecond caption here.\n(PHOTO / AGENCY)\nBEIJING - Body text.\n`;
    await put('incoming/photo.md', body);
    await handlers.publish(s3Created(s3.bucket, 'incoming/photo.md'));
    const item = parseXml((await text('feeds/rss.xml')) ?? '').rss.channel.item[0];
    expect(item.enclosure[0]).toMatchObject({ '@url': 'https://cdn.test.example/photos/2024/lead.png', '@type': 'image/png', '@length': String(pngHeader(640, 480).length) });
    expect(item['media:content'][0]).toMatchObject({ '@width': '640', '@height': '480', '@fileSize': String(pngHeader(640, 480).length) });
    expect(item['media:content'][1]['@width']).toBeUndefined();
    expect(item['media:content'][1]['@type']).toBe('image/jpeg');
  });
});

describe('takedown on delete', () => {
  it('removes the article from every feed, with a tombstone in Atom and JSON', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    await put('incoming/b.md', article('b-story', 'World', 2));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'));
    await handlers.publish(s3Created(s3.bucket, 'incoming/b.md'));
    await s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'incoming/a.md' }));
    await handlers.unpublish(s3Removed(s3.bucket, 'incoming/a.md'));

    for (const key of ['feeds/rss.xml', 'feeds/sections/world/rss.xml']) {
      const rss = (await text(key)) ?? '';
      expect(rss).not.toContain('a-story');
      expect(rss).toContain('b-story');
    }
    const atom = parseXml((await text('feeds/atom.xml')) ?? '');
    expect(atom.feed['at:deleted-entry']).toMatchObject({ '@ref': 'https://news.test.example/a-story', '@when': '2019-04-26T08:30:00Z' });
    const json = JSON.parse((await text('feeds/sections/world/feed.json')) ?? '{}');
    expect(json._syndicate.deleted).toEqual([{ id: 'a-story', entry_id: 'https://news.test.example/a-story', when: '2019-04-26T08:30:00Z' }]);
    // The record stays, withdrawn: the source of truth says it was taken down, and by whom.
    expect(JSON.parse((await text('articles/a-story.json')) ?? '{}')).toMatchObject({ status: 'withdrawn', withdrawn: { by: 'key' } });
  });

  it('reaches every partner feed declared in SITE_FEEDS: Atom tombstones, JSON deleted, MSN expired items; plain RSS drops it', async () => {
    const feeds = [
      ...['msn', 'flipboard', 'smartnews', 'google-news', 'feedly'].flatMap((profile) => [
        { path: `partners/${profile}/`, format: 'rss', profile },
        { path: `partners/${profile}/`, format: 'atom', profile },
      ]),
      { path: 'partners/json/', format: 'json', scope: { section: 'World' } },
    ];
    handlers = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123', SITE_FEEDS: JSON.stringify(feeds) }));
    await put('incoming/a.md', article('a-story', 'World', 1));
    await put('incoming/b.md', article('b-story', 'World', 2));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'));
    await handlers.publish(s3Created(s3.bucket, 'incoming/b.md'));
    expect(await text('feeds/partners/msn/rss.xml')).toContain('<link>https://news.test.example/a-story</link>');
    await s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'incoming/a.md' }));
    await handlers.unpublish(s3Removed(s3.bucket, 'incoming/a.md', '0055AED6DCD90281F0', '2024-05-03T09:00:00.000Z'));
    const url = 'https://news.test.example/a-story';
    for (const profile of ['flipboard', 'smartnews', 'google-news', 'feedly']) expect(await text(`feeds/partners/${profile}/rss.xml`), profile).not.toContain(url);
    for (const profile of ['msn', 'flipboard', 'smartnews', 'google-news', 'feedly']) {
      expect(parseXml((await text(`feeds/partners/${profile}/atom.xml`)) ?? '').feed['at:deleted-entry'], profile).toMatchObject({ '@ref': url });
    }
    expect(JSON.parse((await text('feeds/partners/json/feed.json')) ?? '{}')._syndicate.deleted.map((d: { id: string }) => d.id)).toEqual(['a-story']);
    const items = parseXml((await text('feeds/partners/msn/rss.xml')) ?? '').rss.channel.item;
    const expired = items.find((i: { link: string }) => i.link === url);
    expect(expired['dcterms:valid']).toBe('end=2024-05-03T09:00:00Z; scheme=W3C-DTF');
    expect(Date.parse(expired['dcterms:modified'])).toBeGreaterThan(Date.parse('2024-05-01T08:00:00Z'));
    expect(items.find((i: { link: string }) => i.link === 'https://news.test.example/b-story')['dcterms:valid']).toBeUndefined();
  });

  it('ignores a create event that arrives after the later delete', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    await handlers.unpublish(s3Removed(s3.bucket, 'incoming/a.md', '0055AED6DCD90281F0'));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E5'));
    expect((await text('feeds/rss.xml')) ?? '').not.toContain('a-story');
  });
});

describe('HTTP API', () => {
  it('refuses a request without credentials', async () => {
    const response = await handlers.publish(httpPost(article('x', 'World', 1), 'text/markdown'));
    expect(response).toMatchObject({ statusCode: 401 });
    const del = await handlers.unpublish(httpDelete('x', { iam: false }));
    expect(del).toMatchObject({ statusCode: 401 });
    expect(await text('feeds/rss.xml')).toBeNull();
  });

  it('refuses a wrong token', async () => {
    const response = await handlers.publish(httpPost(article('x', 'World', 1), 'text/markdown', { authorization: 'Bearer wrong-token-12' }));
    expect(response).toMatchObject({ statusCode: 401 });
  });

  it('publishes a POSTed article with the token and takes it down with DELETE (IAM)', async () => {
    const response: any = await handlers.publish(httpPost(article('posted', 'World', 3), 'text/markdown', { authorization: 'Bearer test-token-123' }));
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'published', id: 'posted' });
    expect(await text('feeds/rss.xml')).toContain('posted');

    const del: any = await handlers.unpublish(httpDelete('posted'));
    expect(del.statusCode).toBe(200);
    expect(await text('feeds/rss.xml')).not.toContain('https://news.test.example/posted</link>');
    // DELETE is idempotent: again, the answer is the same; an id never published is 404.
    const again: any = await handlers.unpublish(httpDelete('posted'));
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ status: 'withdrawn', id: 'posted' });
    const unknown: any = await handlers.unpublish(httpDelete('never-published'));
    expect(unknown.statusCode).toBe(404);
  });

  it('answers a bad article with 400 naming the request and field', async () => {
    const response: any = await handlers.publish(httpPost('{"paragraphs": "not a list"}', 'application/json', { authorization: 'Bearer test-token-123' }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ field: 'paragraphs' });
    expect(JSON.parse(response.body).error).toMatch(/^request req-post-1: paragraphs:/);
  });

  it('rejects a path id with ../', async () => {
    const response: any = await handlers.unpublish(httpDelete('..%2F..%2Fetc'));
    expect(response.statusCode).toBe(400);
  });
});

describe('republish', () => {
  it('rebuilds every feed from the stored articles, and writes nothing when nothing changed', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    await put('incoming/b.md', article('b-story', 'Sport', 2));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'));
    await handlers.publish(s3Created(s3.bucket, 'incoming/b.md'));
    const before = await text('feeds/rss.xml');

    s3.resetCounts();
    await handlers.republish({});
    expect(s3.counts.put ?? 0).toBe(0);
    expect(await text('feeds/rss.xml')).toBe(before);

    // A lost feed file is restored.
    await s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'feeds/sections/sport/rss.xml' }));
    const outcome: any = await handlers.republish({});
    expect(outcome.written).toEqual(['sections/sport/rss.xml']);
    expect(await text('feeds/sections/sport/rss.xml')).toContain('b-story');
  });

  it('runs on deploy as a CloudFormation custom resource and answers SUCCESS', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'));
    const answers = await answersTo((url) => handlers.republish(cfnUpdate(url)));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ method: 'PUT', body: { Status: 'SUCCESS', LogicalResourceId: 'RepublishOnDeploy', RequestId: '3e4f5a6b-0000-4000-8000-000000000001' } });
  });
});

/** Runs `invoke` with the URL of a local server standing in for CloudFormation's pre-signed URL; returns what it was sent. */
async function answersTo(invoke: (url: string) => Promise<unknown>): Promise<{ method: string; body: any }[]> {
  const answers: { method: string; body: any }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      answers.push({ method: req.method ?? '', body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await invoke(`http://127.0.0.1:${(server.address() as AddressInfo).port}/response`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  return answers;
}

describe('invalid configuration', () => {
  const BROKEN: [string, Record<string, string | undefined>, RegExp][] = [
    ['FEED_ITEMS=abc', { FEED_ITEMS: 'abc' }, /FEED_ITEMS/],
    ['SITE_URL missing', { SITE_URL: undefined }, /SITE_URL: is required/],
    ['FEED_PREFIX=articles/ (an internal prefix)', { FEED_PREFIX: 'articles/' }, /FEED_PREFIX: "articles\/" overlaps articles\//],
    ['FEED_PREFIX empty', { FEED_PREFIX: '' }, /FEED_PREFIX: "" must be a relative key prefix/],
  ];

  it.each(BROKEN)('%s: the deploy hook answers CloudFormation FAILED naming the variable, on Create and Update', async (_, env, reason) => {
    const broken = await loadHandlers({ ...s3.env(), ...env });
    for (const type of ['Create', 'Update'] as const) {
      const answers = await answersTo((url) => broken.republish(cfnEvent(url, type)));
      expect(answers).toHaveLength(1);
      expect(answers[0]?.body).toMatchObject({ Status: 'FAILED', RequestId: '3e4f5a6b-0000-4000-8000-000000000001', LogicalResourceId: 'RepublishOnDeploy' });
      expect(answers[0]?.body.Reason).toMatch(reason);
      expect(answers[0]?.body.PhysicalResourceId).toBe('RepublishOnDeploy-republish');
    }
    expect(s3.totalRequests()).toBe(0);
  });

  it.each(BROKEN)('%s: HTTP requests get 500 "the service is misconfigured", S3 events throw (Lambda retries them)', async (_, env, reason) => {
    const broken = await loadHandlers({ ...s3.env({ API_TOKEN: 'test-token-123' }), ...env });
    const post: any = await broken.publish(httpPost(article('x', 'World', 1), 'text/markdown', { authorization: 'Bearer test-token-123' }));
    expect(post.statusCode).toBe(500);
    expect(JSON.parse(post.body)).toEqual({ error: 'the service is misconfigured' });
    const del: any = await broken.unpublish(httpDelete('x'));
    expect(del.statusCode).toBe(500);
    expect(JSON.parse(del.body)).toEqual({ error: 'the service is misconfigured' });
    await expect(broken.publish(s3Created(s3.bucket, 'incoming/a.md'))).rejects.toThrow(reason);
    await expect(broken.unpublish(s3Removed(s3.bucket, 'incoming/a.md'))).rejects.toThrow(reason);
    await expect(broken.republish({})).rejects.toThrow(reason);
    // The log says which variable is wrong.
    const logged = vi.mocked(console.error).mock.calls.map((c) => JSON.parse(String(c[0])));
    expect(logged.filter((l) => l.message === 'configuration error' && reason.test(l.reason))).toHaveLength(5);
    expect(s3.totalRequests()).toBe(0);
  });

  it('is read once per container: the error is remembered, and a good config is shared by all three handlers', async () => {
    const broken = await loadHandlers(s3.env({ FEED_ITEMS: 'abc' }));
    await expect(broken.republish({})).rejects.toThrow(/FEED_ITEMS/);
    vi.stubEnv('FEED_ITEMS', '20');
    await expect(broken.publish(s3Created(s3.bucket, 'incoming/a.md'))).rejects.toThrow(/FEED_ITEMS/);

    await put('incoming/a.md', article('a-story', 'World', 1));
    expect(await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'))).toMatchObject({ processed: 1 });
    // Read at the first invocation: later changes to the environment do not reach this container.
    vi.stubEnv('FEED_ITEMS', 'abc');
    await expect(handlers.republish({})).resolves.toMatchObject({ status: 'unchanged' });
    const answers = await answersTo((url) => handlers.republish(cfnUpdate(url)));
    expect(answers[0]?.body.Status).toBe('SUCCESS');
  });

  it('importing a handler never reads the configuration (so the deploy hook can always answer)', async () => {
    await expect(loadHandlers({ ...s3.env({ FEED_ITEMS: 'abc' }), SITE_URL: undefined })).resolves.toBeDefined();
  });
});

describe('the deploy hook', () => {
  it('answers SUCCESS to Delete without reading the configuration or touching the bucket', async () => {
    for (const env of [{}, { FEED_ITEMS: 'abc' }] as Record<string, string>[]) {
      const loaded = await loadHandlers(s3.env(env));
      s3.resetCounts();
      const answers = await answersTo((url) => loaded.republish(cfnEvent(url, 'Delete')));
      expect(answers).toHaveLength(1);
      expect(answers[0]?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'RepublishOnDeploy-republish', RequestId: '3e4f5a6b-0000-4000-8000-000000000001' });
      expect(s3.totalRequests()).toBe(0);
    }
  });

  it('answers FAILED with the reason when the republish fails', async () => {
    const loaded = await loadHandlers(s3.env({ FEED_BUCKET: 'no-such-bucket' }));
    const answers = await answersTo((url) => loaded.republish(cfnUpdate(url)));
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body.Status).toBe('FAILED');
    expect(answers[0]?.body.Reason).toMatch(/bucket/i);
  });
});

describe('concurrency', () => {
  it('loses no article when 24 publishes into one section run at once, and a replayed event changes nothing', async () => {
    const keys = Array.from({ length: 24 }, (_, i) => `incoming/story-${i}.md`);
    await Promise.all(keys.map((key, i) => put(key, article(`story-${i}`, 'World', (i % 28) + 1))));
    await Promise.all(keys.map((key, i) => handlers.publish(s3Created(s3.bucket, key, `0055AED6DCD9028${String(i).padStart(3, '0')}`))));

    for (const feed of ['feeds/feed.json', 'feeds/sections/world/feed.json']) {
      const ids = JSON.parse((await text(feed)) ?? '{}').items.map((i: any) => i._syndicate.article_id).sort();
      expect(ids).toEqual(keys.map((_, i) => `story-${i}`).sort());
    }
    const before = await text('feeds/rss.xml');
    s3.resetCounts();
    await handlers.publish(s3Created(s3.bucket, keys[5] as string, '0055AED6DCD9028005'));
    expect(s3.counts.put ?? 0).toBe(2); // the two feed states' revisions, nothing else
    expect(await text('feeds/rss.xml')).toBe(before);
  });
});

/** The first bytes of a PNG: signature and IHDR, enough for image-size. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'ascii');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.writeUInt8(8, 16);
  ihdr.writeUInt8(6, 17);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(64)]);
}

describe('unsafe event keys', () => {
  it('drops a key with .. segments or NUL instead of processing (and retrying) it', async () => {
    for (const key of ['incoming/../articles/x.json', 'incoming/a\u0000.md']) {
      const refused = [{ key, reason: expect.stringMatching(/^unsafe key/) }];
      expect(await handlers.publish(s3Created(s3.bucket, key))).toEqual({ processed: 0, refused });
      expect(await handlers.unpublish(s3Removed(s3.bucket, key))).toEqual({ processed: 0, refused });
    }
    expect(await s3.store().list('errors/', 10)).toEqual([]);
    expect(await s3.store().list('sources/', 10)).toEqual([]);
  });
});

describe('S3 records that are not for this function: refused, logged, never applied, never retried', () => {
  /** The JSON log lines about refused records. */
  const refusals = () =>
    vi
      .mocked(console.error)
      .mock.calls.map((c) => JSON.parse(String(c[0])))
      .filter((l) => l.message === 'S3 record refused');

  async function publishA(): Promise<void> {
    await put('incoming/a.md', article('a-story', 'World', 1));
    expect(await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'))).toEqual({ processed: 1, refused: [] });
  }
  const liveIds = async () => JSON.parse((await text('feeds/feed.json')) ?? '{"items":[]}').items.map((i: any) => i._syndicate.article_id);

  it('a record naming another bucket: neither published nor taken down', async () => {
    await put('incoming/b.md', article('b-story', 'World', 2));
    const created = await handlers.publish(s3Created('someone-elses-bucket', 'incoming/b.md'));
    expect(created).toEqual({ processed: 0, refused: [{ key: 'incoming/b.md', reason: expect.stringContaining('someone-elses-bucket') }] });
    await publishA();
    const removed = await handlers.unpublish(s3Removed('someone-elses-bucket', 'incoming/a.md'));
    expect(removed).toEqual({ processed: 0, refused: [{ key: 'incoming/a.md', reason: expect.stringContaining('someone-elses-bucket') }] });
    expect(await liveIds()).toEqual(['a-story']);
    expect(refusals()).toEqual([
      expect.objectContaining({ bucket: 'someone-elses-bucket', key: 'incoming/b.md', level: 'error' }),
      expect.objectContaining({ bucket: 'someone-elses-bucket', key: 'incoming/a.md', level: 'error' }),
    ]);
    expect(await s3.store().list('errors/', 10)).toEqual([]);
  });

  it('an ObjectCreated record given to unpublish never takes the article down', async () => {
    await publishA();
    const result = await handlers.unpublish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281F9'));
    expect(result).toEqual({ processed: 0, refused: [{ key: 'incoming/a.md', reason: expect.stringMatching(/ObjectCreated:Put.*not ObjectRemoved/) }] });
    expect(await liveIds()).toEqual(['a-story']);
    expect(JSON.parse((await text('articles/a-story.json')) ?? '{}').status).toBe('live');
    expect(refusals()).toEqual([expect.objectContaining({ bucket: s3.bucket, key: 'incoming/a.md', eventName: 'ObjectCreated:Put' })]);
  });

  it('an ObjectRemoved record given to publish publishes nothing', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    const result = await handlers.publish(s3Removed(s3.bucket, 'incoming/a.md'));
    expect(result).toEqual({ processed: 0, refused: [{ key: 'incoming/a.md', reason: expect.stringMatching(/ObjectRemoved:Delete.*not ObjectCreated/) }] });
    expect(await text('feeds/rss.xml')).toBeNull();
    expect(await s3.store().list('sources/', 10)).toEqual([]);
  });

  it.each([
    ['no eventTime', (r: any) => delete r.eventTime, /eventTime/, 'eventTime'],
    ['an eventTime that is not a date', (r: any) => (r.eventTime = 'yesterday'), /eventTime/, 'eventTime'],
    ['no sequencer', (r: any) => delete r.s3.object.sequencer, /sequencer/, 'sequencer'],
    ['a sequencer that is not hex', (r: any) => (r.s3.object.sequencer = 'zz-not-hex'), /sequencer/, 'sequencer'],
    ['an eventTime 16 minutes ahead', (r: any) => (r.eventTime = new Date(Date.now() + 16 * 60_000).toISOString()), /future/, 'eventTime'],
  ])('%s: refused, logged and recorded under errors/, not thrown (a retry cannot fix it), not applied', async (_, spoil, reason, field) => {
    await put('incoming/b.md', article('b-story', 'World', 2));
    const created = s3Created(s3.bucket, 'incoming/b.md');
    spoil(created.Records[0]);
    expect(await handlers.publish(created)).toEqual({ processed: 0, refused: [{ key: 'incoming/b.md', reason: expect.stringMatching(reason), field }] });
    expect(await text('articles/b-story.json')).toBeNull();
    expect(JSON.parse((await text('errors/incoming/b.md.json')) ?? '{}')).toMatchObject({ key: 'incoming/b.md', field, reason: expect.stringMatching(reason) });

    await publishA();
    const removed = s3Removed(s3.bucket, 'incoming/a.md');
    spoil(removed.Records[0]);
    expect(await handlers.unpublish(removed)).toEqual({ processed: 0, refused: [{ key: 'incoming/a.md', reason: expect.stringMatching(reason), field }] });
    expect(await liveIds()).toEqual(['a-story']);
    expect(refusals().map((l) => l.key)).toEqual(['incoming/b.md', 'incoming/a.md']);
  });

  it('an eventTime a few minutes ahead (clock skew) is accepted', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    const event = s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E5', { eventTime: new Date(Date.now() + 5 * 60_000).toISOString() });
    expect(await handlers.publish(event)).toEqual({ processed: 1, refused: [] });
    expect(await liveIds()).toEqual(['a-story']);
  });

  it('applies the good records of a mixed event, one after another in order, and lists the refused', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    await put('incoming/b.md', article('b-story', 'World', 2));
    const event = s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E5');
    event.Records.push(s3Created('other-bucket', 'incoming/x.md').Records[0], s3Created(s3.bucket, 'incoming/b.md', '0055AED6DCD90281E6').Records[0]);
    expect(await handlers.publish(event)).toEqual({ processed: 2, refused: [{ key: 'incoming/x.md', reason: expect.stringContaining('other-bucket') }] });
    expect((await liveIds()).sort()).toEqual(['a-story', 'b-story']);
  });

  it("passes the record's eTag on: an event for an object replaced since does not publish the new content", async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    const first = (await s3.store().head('incoming/a.md'))?.etag ?? '';
    expect(await handlers.publish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E5', { etag: first }))).toEqual({ processed: 1, refused: [] });
    await put('incoming/a.md', article('a-story', 'World', 1, '\nA correction.'));
    const second = (await s3.store().head('incoming/a.md'))?.etag ?? '';
    // A replay of the first event: the object is no longer what it announced; the newer event acts.
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E5', { etag: first }));
    expect(await text('feeds/feed.json')).not.toContain('A correction.');
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E6', { etag: second }));
    expect(await text('feeds/feed.json')).toContain('A correction.');
  });

  it("passes the record's eventTime on: when a key now says it is another article, the old one is withdrawn at that time", async () => {
    await put('incoming/a.md', article('first', 'World', 1));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E5'));
    await put('incoming/a.md', article('second', 'World', 2));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md', '0055AED6DCD90281E6', { eventTime: '2024-06-01T12:00:00.000Z' }));
    const feed = JSON.parse((await text('feeds/feed.json')) ?? '{}');
    expect(feed.items.map((i: any) => i._syndicate.article_id)).toEqual(['second']);
    expect(feed._syndicate.deleted).toEqual([expect.objectContaining({ id: 'first', when: '2024-06-01T12:00:00Z' })]);
  });
});

describe('HTTP API: ownership', () => {
  const auth = { authorization: 'Bearer test-token-123' };

  it('answers 409 naming the field when the id belongs to an incoming file, and publishes nothing', async () => {
    await put('incoming/a.md', article('a-story', 'World', 1));
    await handlers.publish(s3Created(s3.bucket, 'incoming/a.md'));
    const before = await text('feeds/rss.xml');
    const response: any = await handlers.publish(httpPost(article('a-story', 'World', 2, '\nOverwritten.'), 'text/markdown', auth));
    expect(response.statusCode).toBe(409);
    const body = JSON.parse(response.body);
    expect(body.field).toBe('id');
    expect(body.error).toMatch(/^request req-post-1: id: "a-story" is published from incoming\/a\.md/);
    expect(await text('feeds/rss.xml')).toBe(before);
  });

  it('answers 409 for a URL that belongs to another article', async () => {
    expect((await handlers.publish(httpPost(article('one', 'World', 1), 'text/markdown', auth)) as any).statusCode).toBe(201);
    const other = article('two', 'World', 2).replace('https://news.test.example/two', 'https://news.test.example/one');
    const response: any = await handlers.publish(httpPost(other, 'text/markdown', auth));
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toMatchObject({ field: 'url', error: expect.stringContaining('https://news.test.example/one') });
  });

  it('refuses a URL-derived id that another URL already derived (no overwrite)', async () => {
    const urlOnly = (url: string, body: string) => `---\nurl: ${url}\npublished: 2024-05-01T08:00:00Z\n---\nBEIJING - ${body}\n`;
    // Two URLs whose paths give the same slug.
    expect(idFromUrl('https://news.test.example/a/story/')).toBe(idFromUrl('https://news.test.example/a/story'));
    const first: any = await handlers.publish(httpPost(urlOnly('https://news.test.example/a/story', 'First body.'), 'text/markdown', auth));
    expect(first.statusCode).toBe(201);
    expect(JSON.parse(first.body).id).toBe('a-story');
    const second: any = await handlers.publish(httpPost(urlOnly('https://news.test.example/a/story/', 'Second body.'), 'text/markdown', auth));
    expect(second.statusCode).toBe(409);
    expect(JSON.parse(second.body)).toMatchObject({ field: 'id', error: expect.stringMatching(/"a-story", derived from the URL/) });
    expect(await text('feeds/feed.json')).toContain('First body.');
    expect(await text('feeds/feed.json')).not.toContain('Second body.');
  });
});

describe('the size of an incoming object', () => {
  it('over the limit by the event, it is refused and recorded without being read', async () => {
    await put('incoming/huge.md', article('huge', 'World', 1));
    const event = s3Created(s3.bucket, 'incoming/huge.md');
    event.Records[0].s3.object.size = 400 * 1024 * 1024;
    s3.resetCounts();
    await handlers.publish(event);
    expect(s3.counts.get ?? 0).toBe(1); // the key's sources/ record; not the object
    expect(JSON.parse((await text('errors/incoming/huge.md.json')) ?? '{}')).toMatchObject({ field: '(size)', reason: expect.stringMatching(/419430400 bytes is over the limit/) });
    expect(await text('articles/huge.json')).toBeNull();
  });

  it('an empty object is refused as an article, not mistaken for a replaced one', async () => {
    await put('incoming/empty.md', '');
    const { createHash } = await import('node:crypto');
    const event = s3Created(s3.bucket, 'incoming/empty.md', '0055AED6DCD90281E5', { etag: createHash('md5').update('').digest('hex') });
    event.Records[0].s3.object.size = 0;
    await handlers.publish(event);
    expect(JSON.parse((await text('errors/incoming/empty.md.json')) ?? '{}')).toMatchObject({ key: 'incoming/empty.md', field: 'paragraphs' });
  });
});
