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
import { loadHandlers, type Handlers } from './support/handlers.js';
import { cfnUpdate, httpDelete, httpPost, s3Created, s3Removed } from './support/events.js';
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
    expect(result).toEqual({ processed: 1 });

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
    await expect(handlers.publish(s3Created(s3.bucket, 'incoming/bad.md', '0055AED6DCD90281E6'))).resolves.toEqual({ processed: 1 });

    expect(await text('feeds/rss.xml')).toBe(before);
    const record = JSON.parse((await text('errors/incoming/bad.md.json')) ?? '{}');
    expect(record).toMatchObject({ key: 'incoming/bad.md', field: 'published' });
    const line = errors.mock.calls.map((c) => String(c[0])).find((l) => l.includes('article rejected'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'error', key: 'incoming/bad.md', field: 'published' });
  });

  it('ignores objects outside incoming/', async () => {
    await put('feeds/other.txt', 'x');
    expect(await handlers.publish(s3Created(s3.bucket, 'feeds/other.txt'))).toEqual({ processed: 0 });
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
    const answers: any[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        answers.push({ method: req.method, body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await handlers.republish(cfnUpdate(`http://127.0.0.1:${(server.address() as AddressInfo).port}/response`));
    } finally {
      server.close();
    }
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ method: 'PUT', body: { Status: 'SUCCESS', LogicalResourceId: 'RepublishOnDeploy', RequestId: '3e4f5a6b-0000-4000-8000-000000000001' } });
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
      expect(await handlers.publish(s3Created(s3.bucket, key))).toEqual({ processed: 0 });
      expect(await handlers.unpublish(s3Removed(s3.bucket, key))).toEqual({ processed: 0 });
    }
    expect(await s3.store().list('errors/', 10)).toEqual([]);
    expect(await s3.store().list('sources/', 10)).toEqual([]);
  });
});
