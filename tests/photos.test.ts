/**
 * Photo metadata read from the bucket: validated before it reaches an article (every photo passes
 * PhotoSchema whatever the bucket says), and cached by ETag so a replaced or deleted photo is noticed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type Photo, PhotoSchema } from '../src/article.js';
import { checkXml } from '../src/check.js';
import { describePhotos, type PhotoLocation, type PhotoProbe, photoKey } from '../src/photos.js';
import { renderRss } from '../src/render/rss.js';
import { feedSpec } from '../src/select.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import type { ObjectHead } from '../src/storage/object-store.js';
import { makeArticle, makeSite, parseXml } from './helpers.js';

const PREFIX = 'https://img.test.example/photos/';
const LOCATION: PhotoLocation = { urlPrefix: PREFIX, keyPrefix: 'photos/' };

function photo(url: string | null, given: Partial<Photo> = {}): Photo {
  return { url, caption: 'A caption', credit: 'JOHN DOE / POOL', type: null, bytes: null, width: null, height: null, ...given };
}

/** The first bytes image-size needs: PNG signature and IHDR, padded to a plausible length. */
function png(width: number, height: number, padding = 100): Buffer {
  const header = Buffer.alloc(33 + padding);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(header, 0);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header[24] = 8;
  header[25] = 6;
  return header;
}

function gif(width: number, height: number): Buffer {
  const header = Buffer.alloc(20);
  header.write('GIF89a', 0, 'latin1');
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  return header;
}

/** A memory store whose HEAD answers can be overridden per key: what a hostile or odd bucket says. */
class PatchedStore extends MemoryObjectStore {
  readonly patches = new Map<string, Partial<ObjectHead>>();
  override async head(key: string): Promise<ObjectHead | null> {
    const head = await super.head(key);
    const patch = this.patches.get(key);
    return head && patch ? { ...head, ...patch } : head;
  }
}

function resetCounts(store: MemoryObjectStore): void {
  for (const kind of Object.keys(store.requests) as (keyof MemoryObjectStore['requests'])[]) store.requests[kind] = 0;
}

function expectValid(photos: readonly Photo[]): void {
  for (const p of photos) {
    const parsed = z.safeParse(PhotoSchema, p);
    expect(parsed.success, JSON.stringify(p)).toBe(true);
  }
}

describe('describePhotos: measuring photos in the bucket', () => {
  it('reads length and type from a HEAD and dimensions from one ranged GET, and reports the probe', async () => {
    const store = new MemoryObjectStore();
    const etag = await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    resetCounts(store);
    const { photos, probes } = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION);
    expect(photos).toEqual([photo(`${PREFIX}a.png`, { type: 'image/png', bytes: 133, width: 640, height: 480 })]);
    expect(probes).toEqual([{ url: `${PREFIX}a.png`, etag, bytes: 133, type: 'image/png', width: 640, height: 480 }]);
    expect(store.requests).toMatchObject({ head: 1, get: 1 });
  });

  it('a replaced photo (new body, new ETag) gets its new dimensions and length', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    const first = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION);
    const etag = await store.put('photos/a.png', png(1200, 900, 500), { contentType: 'image/png' });
    resetCounts(store);
    const second = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION, first.probes);
    expect(second.photos[0]).toMatchObject({ bytes: 533, width: 1200, height: 900, type: 'image/png' });
    expect(second.probes).toEqual([{ url: `${PREFIX}a.png`, etag, bytes: 533, type: 'image/png', width: 1200, height: 900 }]);
    expect(store.requests).toMatchObject({ head: 1, get: 1 });
  });

  it('a deleted photo loses its URL (no enclosure) but keeps caption and credit, and gives no probe', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    const first = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION);
    expect(first.photos[0]?.url).toBe(`${PREFIX}a.png`);
    await store.delete('photos/a.png');
    resetCounts(store);
    const second = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION, first.probes);
    expect(second.photos).toEqual([photo(null)]);
    expect(second.probes).toEqual([]);
    expect(store.requests).toMatchObject({ head: 1, get: 0 });
  });

  it('an unchanged ETag reuses the probe: a HEAD only, no GET', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    const first = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION);
    resetCounts(store);
    const second = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION, first.probes);
    expect(second).toEqual(first);
    expect(store.requests).toMatchObject({ head: 1, get: 0, put: 0 });
  });

  it('reuses only a probe for the same URL and ETag', async () => {
    const store = new MemoryObjectStore();
    const etag = await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    const stale: PhotoProbe[] = [
      { url: `${PREFIX}other.png`, etag, bytes: 133, type: 'image/png', width: 1, height: 1 },
      { url: `${PREFIX}a.png`, etag: '"older"', bytes: 133, type: 'image/png', width: 2, height: 2 },
    ];
    resetCounts(store);
    const { photos } = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION, stale);
    expect(photos[0]).toMatchObject({ width: 640, height: 480 });
    expect(store.requests.get).toBe(1);
  });

  it('does not trust a cached probe: impossible dimensions in it are measured again', async () => {
    const store = new MemoryObjectStore();
    const etag = await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    const poisoned = [{ url: `${PREFIX}a.png`, etag, bytes: -5, type: 'text/html', width: 0, height: 1e12 }] as PhotoProbe[];
    resetCounts(store);
    const { photos, probes } = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION, poisoned);
    expect(photos[0]).toMatchObject({ type: 'image/png', bytes: 133, width: 640, height: 480 });
    expect(probes[0]).toMatchObject({ etag, width: 640, height: 480 });
    expect(store.requests).toMatchObject({ head: 1, get: 1 });
  });

  it('values the article gives win over measured ones, and given dimensions save the GET', async () => {
    const store = new MemoryObjectStore();
    const etag = await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    resetCounts(store);
    const given = photo(`${PREFIX}a.png`, { type: 'image/webp', bytes: 99, width: 10, height: 20 });
    const { photos, probes } = await describePhotos([given], store, LOCATION);
    expect(photos).toEqual([given]);
    // Measured from the HEAD only: the dimensions were not measured.
    expect(probes).toEqual([{ url: `${PREFIX}a.png`, etag, bytes: 133, type: 'image/png', width: null, height: null }]);
    expect(store.requests).toMatchObject({ head: 1, get: 0 });
  });

  it('fills in only what the article leaves out', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    const { photos } = await describePhotos([photo(`${PREFIX}a.png`, { width: 320 })], store, LOCATION);
    expect(photos[0]).toMatchObject({ type: 'image/png', bytes: 133, width: 320, height: 480 });
  });

  it('measures a photo that appears twice once', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    resetCounts(store);
    const { photos, probes } = await describePhotos([photo(`${PREFIX}a.png`), photo(`${PREFIX}a.png`, { caption: 'again' })], store, LOCATION);
    expect(photos.map((p) => p.width)).toEqual([640, 640]);
    expect(probes).toHaveLength(1);
    expect(store.requests).toMatchObject({ head: 1, get: 1 });
  });

  it('never fetches photos outside the bucket prefix, and gives them no probe', async () => {
    const store = new MemoryObjectStore();
    const outside = [photo('https://elsewhere.test.example/photos/a.png'), photo('https://img.test.example/other/a.png'), photo(null)];
    const { photos, probes } = await describePhotos(outside, store, LOCATION);
    expect(photos).toEqual(outside);
    expect(probes).toEqual([]);
    const { photos: unconfigured } = await describePhotos([photo(`${PREFIX}a.png`)], store, undefined);
    expect(unconfigured).toEqual([photo(`${PREFIX}a.png`)]);
    expect(store.totalRequests()).toBe(0);
  });
});

describe('describePhotos: validating what the bucket says', () => {
  it('a 0x0 GIF gives no dimensions', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/empty.gif', gif(0, 0), { contentType: 'image/gif' });
    const { photos, probes } = await describePhotos([photo(`${PREFIX}empty.gif`)], store, LOCATION);
    expect(photos[0]).toMatchObject({ type: 'image/gif', bytes: 20, width: null, height: null });
    expect(probes[0]).toMatchObject({ width: null, height: null });
    expectValid(photos);
  });

  it('dimensions above 100000 or from a body that is not an image give none, without throwing', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/huge.png', png(100_001, 10), { contentType: 'image/png' });
    await store.put('photos/junk.png', Buffer.from('<html>not an image</html>'), { contentType: 'image/png' });
    await store.put('photos/cut.png', png(640, 480).subarray(0, 18), { contentType: 'image/png' });
    await store.put('photos/empty.png', Buffer.alloc(0), { contentType: 'image/png' });
    const urls = ['huge.png', 'junk.png', 'cut.png', 'empty.png'].map((name) => photo(`${PREFIX}${name}`));
    const { photos } = await describePhotos(urls, store, LOCATION);
    expect(photos.map((p) => [p.width, p.height])).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
    ]);
    expect(photos.map((p) => p.bytes)).toEqual([133, 25, 18, 0]);
    expectValid(photos);
  });

  it.each([
    ['image/GIF', 'x.gif', 'image/gif'],
    ['IMAGE/PNG; charset=binary', 'x.gif', 'image/png'],
    [' image/svg+xml ', 'x.gif', 'image/svg+xml'],
    ['image/x&y', 'x.png', 'image/png'],
    ['image/x&y', 'noextension', null],
    ['text/html', 'x.jpg', 'image/jpeg'],
    ['text/html', 'x.html', null],
    ['application/octet-stream', 'x.JPEG', 'image/jpeg'],
    ['image/', 'x.webp', 'image/webp'],
    ['image/jpeg"><script>', 'x.txt', null],
    [`image/${'x'.repeat(200)}`, 'x.png', 'image/png'],
    [undefined, 'x.png', 'image/png'],
  ])('Content-Type %j on %s gives %j', async (contentType, name, expected) => {
    const store = new MemoryObjectStore();
    await store.put(`photos/${name}`, png(10, 10), contentType === undefined ? {} : { contentType });
    const { photos, probes } = await describePhotos([photo(`${PREFIX}${name}`)], store, LOCATION);
    expect(photos[0]?.type).toBe(expected);
    expect(probes[0]?.type).toBe(expected);
    expectValid(photos);
  });

  it.each([
    [Number.MAX_SAFE_INTEGER + 2, null],
    [2 ** 64, null],
    [-1, null],
    [1.5, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [0, 0],
    [5_000_000_000, 5_000_000_000],
  ])('a Content-Length of %s gives bytes %j', async (size, expected) => {
    const store = new PatchedStore();
    await store.put('photos/a.png', png(10, 10), { contentType: 'image/png' });
    store.patches.set('photos/a.png', { size });
    const { photos, probes } = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION);
    expect(photos[0]?.bytes).toBe(expected);
    expect(probes[0]?.bytes).toBe(expected);
    expectValid(photos);
  });

  it('malformed percent-encoding in a URL never throws and fetches nothing', async () => {
    const store = new MemoryObjectStore();
    const urls = [`${PREFIX}%E0%A4%A.jpg`, `${PREFIX}%FF.jpg`, `${PREFIX}%C0%AF..%C0%AF.jpg`, `${PREFIX}a%2F..%2F..%2Fsecret.jpg`];
    expect(urls.map((url) => photoKey(url, LOCATION))).toEqual([null, null, null, null]);
    const { photos, probes } = await describePhotos(
      urls.map((url) => photo(url)),
      store,
      LOCATION,
    );
    expect(photos.map((p) => p.url)).toEqual(urls);
    expect(probes).toEqual([]);
    expect(store.totalRequests()).toBe(0);
  });

  it('a percent-encoded name maps to its object', async () => {
    const store = new MemoryObjectStore();
    await store.put('photos/Putin Kim é.png', png(30, 40), { contentType: 'image/png' });
    const { photos } = await describePhotos([photo(`${PREFIX}Putin%20Kim%20%C3%A9.png`)], store, LOCATION);
    expect(photos[0]).toMatchObject({ width: 30, height: 40 });
  });

  it('a body that changed between the HEAD and the GET is not measured against the HEAD ETag', async () => {
    const store = new PatchedStore();
    await store.put('photos/a.png', png(640, 480), { contentType: 'image/png' });
    store.patches.set('photos/a.png', { etag: '"what the HEAD saw"' });
    const { photos, probes } = await describePhotos([photo(`${PREFIX}a.png`)], store, LOCATION);
    expect(photos[0]).toMatchObject({ width: null, height: null });
    expect(probes[0]).toMatchObject({ etag: '"what the HEAD saw"', width: null, height: null });
  });
});

describe('describePhotos: property', () => {
  const hostileType = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('image/GIF', 'image/x&y', 'text/html', 'image/', 'image/png; q=1', 'IMAGE/JPEG', 'image/svg+xml', 'image/<script>', `image/${'a'.repeat(300)}`),
  );
  const hostileNumber = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(-1, 0, 1, 2 ** 53, 2 ** 64, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, 100_000, 100_001),
  );
  const side = fc.oneof(fc.constantFrom(0, 1, 100_000, 100_001, 2 ** 31, 2 ** 32 - 1), fc.nat({ max: 65_535 }));
  // Headers image-size reads, with any dimensions in them; magic bytes followed by junk; junk alone.
  const header = fc.oneof(
    fc.tuple(side, side).map(([w, h]) => png(w, h, 0)),
    fc.tuple(side, side).map(([w, h]) => gif(w & 0xffff, h & 0xffff)),
    fc.constantFrom(
      Buffer.from('GIF89a'),
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from('RIFF\0\0\0\0WEBPVP8 '),
      Buffer.from('BM'),
      Buffer.from('<svg width="'),
      Buffer.from([0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66]),
      Buffer.from('II*\0'),
      Buffer.from([0, 0, 1, 0]),
      Buffer.alloc(0),
    ),
  );
  const body = fc.tuple(header, fc.uint8Array({ maxLength: 300 })).map(([head, rest]) => Buffer.concat([head, rest]));
  const name = fc.oneof(fc.constantFrom('a.png', 'b.jpg', 'c', 'd.html', 'e.GIF', '%E0%A4%A.jpg', 'f%20g.webp', 'dir/h.png'), fc.string({ maxLength: 12 }));
  const given = fc.record({
    type: fc.option(fc.constantFrom('image/jpeg', 'image/png'), { nil: null }),
    bytes: fc.option(fc.nat(), { nil: null }),
    width: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
    height: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
  });
  // A probe as a poisoned stored record might hold it, for the same ETag as the object (a cache hit) or not.
  const cached = fc.record({
    sameEtag: fc.boolean(),
    etag: fc.string({ maxLength: 8 }),
    bytes: fc.oneof(fc.constant(null), hostileNumber),
    type: fc.oneof(fc.constant(null), fc.string({ maxLength: 20 })),
    width: fc.oneof(fc.constant(null), hostileNumber),
    height: fc.oneof(fc.constant(null), hostileNumber),
  });
  const entries = fc.array(
    fc.record({
      name,
      exists: fc.boolean(),
      body,
      contentType: hostileType,
      size: fc.option(hostileNumber, { nil: undefined }),
      etag: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
      given,
      cached: fc.option(cached, { nil: undefined }),
    }),
    { maxLength: 5 },
  );

  it('every photo returned passes PhotoSchema and every probe holds valid values, whatever the bucket says', async () => {
    await fc.assert(
      fc.asyncProperty(entries, async (scenario) => {
        const store = new PatchedStore();
        const inputs: Photo[] = [];
        const known: PhotoProbe[] = [];
        for (const entry of scenario) {
          const parsed = z.safeParse(PhotoSchema, photo(`${PREFIX}${entry.name}`, entry.given));
          if (!parsed.success) continue;
          inputs.push(parsed.data);
          const url = parsed.data.url;
          const key = url ? photoKey(url, LOCATION) : null;
          if (!url || !key || !entry.exists) continue;
          const stored = await store.put(key, entry.body, entry.contentType === undefined ? {} : { contentType: entry.contentType });
          const patch: Partial<ObjectHead> = {};
          if (entry.size !== undefined) patch.size = entry.size;
          if (entry.etag !== undefined) patch.etag = entry.etag;
          store.patches.set(key, patch);
          if (entry.cached) {
            const { sameEtag, ...values } = entry.cached;
            known.push({ ...values, url, etag: sameEtag ? (entry.etag ?? stored) : values.etag });
          }
        }
        const result = await describePhotos(inputs, store, LOCATION, known);
        expect(result.photos).toHaveLength(inputs.length);
        expectValid(result.photos);
        result.photos.forEach((p, i) => {
          const input = inputs[i]!;
          expect(p.url === null || p.url === input.url).toBe(true);
          for (const field of ['type', 'bytes', 'width', 'height'] as const) if (input[field] !== null) expect(p[field]).toBe(input[field]);
        });
        for (const probe of result.probes) {
          expect(probe.bytes === null || (Number.isSafeInteger(probe.bytes) && probe.bytes >= 0)).toBe(true);
          expect(probe.type === null || z.safeParse(PhotoSchema.shape.type, probe.type).success).toBe(true);
          for (const side of [probe.width, probe.height]) expect(side === null || (Number.isSafeInteger(side) && side > 0 && side <= 100_000)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('RSS enclosure of a photo whose type slipped through unvalidated', () => {
  it('stays well-formed XML and carries the type and URL exactly', () => {
    const type = 'image/x&y<z>"q\'';
    const url = 'https://img.test.example/x.jpg?a=1&b=2&amp;c';
    const site = makeSite();
    const article = makeArticle({ photos: [photo(url, { type, bytes: 5 })] });
    const xml = renderRss(feedSpec(site, null), [article], site);
    expect(() => checkXml('rss.xml', xml)).not.toThrow();
    const item = parseXml(xml).rss.channel.item[0];
    expect(item.enclosure).toHaveLength(1);
    expect(item.enclosure[0]['@type']).toBe(type);
    expect(item.enclosure[0]['@url']).toBe(url);
    expect(item.enclosure[0]['@length']).toBe('5');
    expect(item['media:content'][0]['@type']).toBe(type);
  });

  it('percent-encodes characters a URL cannot hold raw instead of writing them into the attribute', () => {
    const site = makeSite();
    const article = makeArticle({ photos: [photo('https://img.test.example/x.jpg?q="<a>"', { type: 'image/jpeg' })] });
    const xml = renderRss(feedSpec(site, null), [article], site);
    expect(() => checkXml('rss.xml', xml)).not.toThrow();
    expect(parseXml(xml).rss.channel.item[0].enclosure[0]['@url']).toBe('https://img.test.example/x.jpg?q=%22%3Ca%3E%22');
  });
});
