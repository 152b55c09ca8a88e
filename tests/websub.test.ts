/**
 * Issue 11, WebSub (publisher side): feeds advertise the configured hubs, and after a publish, takedown or
 * republish writes feed files each hub gets one ping naming every changed file's public URL, only after
 * the files are readable there. A hub that fails never fails the publish: it is recorded and told again
 * by the next change or republish. Against a local hub on 127.0.0.1 that fetches each topic as a real hub
 * does, from a server over the folder store's files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readServiceConfig } from '../src/config.js';
import { websubErrorKey, websubPendingKey } from '../src/layout.js';
import { memoryLogger } from '../src/log.js';
import { FolderObjectStore } from '../src/storage/folder-store.js';
import { Syndicator } from '../src/syndicator.js';
import { httpPinger } from '../src/websub.js';
import { cli, makeSite, withTempDir } from './helpers.js';
import { day, story } from './support/engine-harness.js';

interface Ping {
  mode: string | null;
  urls: string[];
  /** What the hub got when it fetched each topic. */
  fetched: { url: string; status: number; body: string }[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Serves the folder store's files under /feeds/, as S3 or a CDN would. */
async function fileServer(root: string): Promise<string> {
  return listen(
    createServer(async (request, response) => {
      try {
        const body = await readFile(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
        response.writeHead(200).end(body);
      } catch {
        response.writeHead(404).end();
      }
    }),
  );
}

/** A hub: records each ping, fetches every topic in it, then answers (or fails `failures` times first). */
async function hub(options: { failures?: number; silent?: boolean } = {}) {
  const pings: Ping[] = [];
  let failures = options.failures ?? 0;
  const state = { silent: options.silent ?? false };
  const url = await listen(
    createServer((request, response) => {
      if (state.silent) return; // accepts the connection, never answers
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', async () => {
        if (failures > 0) {
          failures -= 1;
          response.writeHead(503).end();
          return;
        }
        const form = new URLSearchParams(body);
        const ping: Ping = { mode: form.get('hub.mode'), urls: form.getAll('hub.url'), fetched: [] };
        for (const topic of ping.urls) {
          const got = await fetch(topic);
          ping.fetched.push({ url: topic, status: got.status, body: await got.text() });
        }
        pings.push(ping);
        response.writeHead(204).end();
      });
    }),
  );
  return { url: `${url}/hub`, pings, state };
}

async function setup(dir: string, hubs: string[], pinger = httpPinger(2000), served?: string) {
  const files = served ?? (await fileServer(dir));
  const site = makeSite({ feedUrl: `${files}/feeds/`, hubs });
  const store = new FolderObjectStore(dir);
  const log = memoryLogger();
  const syndicator = new Syndicator(store, { site, feedPrefix: 'feeds/', cacheControl: 'no-cache', pinger, sleep: async () => undefined }, log);
  return { store, log, syndicator, feedUrl: `${files}/feeds/` };
}

const FILES = ['atom.xml', 'feed.json', 'rss.xml', 'sections/world/atom.xml', 'sections/world/feed.json', 'sections/world/rss.xml'];

describe('feeds advertise their hubs', () => {
  it('rss and atom with a hub link beside self, JSON Feed with hubs', async () => {
    await withTempDir(async (dir) => {
      const { syndicator } = await setup(dir, ['https://hub.test.example/', 'https://pubsubhubbub.test.example/hub?a=1&b=2'], async () => undefined);
      await syndicator.publishArticle(story('a', 1));
      const rss = await readFile(join(dir, 'feeds/rss.xml'), 'utf8');
      expect(rss).toMatch(/<atom:link href="[^"]+\/feeds\/rss.xml" rel="self" type="application\/rss\+xml"\/>\s*<atom:link href="https:\/\/hub.test.example\/" rel="hub"\/>\s*<atom:link href="https:\/\/pubsubhubbub.test.example\/hub\?a=1&amp;b=2" rel="hub"\/>/);
      const atom = await readFile(join(dir, 'feeds/atom.xml'), 'utf8');
      expect(atom).toContain('<link rel="hub" href="https://hub.test.example/"/>');
      expect(atom).toContain('<link rel="hub" href="https://pubsubhubbub.test.example/hub?a=1&amp;b=2"/>');
      const json = JSON.parse(await readFile(join(dir, 'feeds/feed.json'), 'utf8'));
      expect(json.hubs).toEqual([
        { type: 'WebSub', url: 'https://hub.test.example/' },
        { type: 'WebSub', url: 'https://pubsubhubbub.test.example/hub?a=1&b=2' },
      ]);
    });
  });
});

describe('pings', () => {
  it('one ping per hub naming every changed file, each readable when the hub fetches it; none when nothing changed', async () => {
    await withTempDir(async (dir) => {
      const first = await hub();
      const second = await hub();
      const { syndicator, feedUrl } = await setup(dir, [first.url, second.url]);
      const a = story('a', 1);
      await syndicator.publishArticle(a);
      for (const h of [first, second]) {
        expect(h.pings).toHaveLength(1);
        expect(h.pings[0]?.mode).toBe('publish');
        expect(h.pings[0]?.urls).toEqual(FILES.map((f) => feedUrl + f));
        for (const got of h.pings[0]?.fetched ?? []) {
          expect(got.status, got.url).toBe(200);
          expect(got.body).toBe(await readFile(join(dir, 'feeds', got.url.slice(feedUrl.length)), 'utf8'));
        }
        expect(h.pings[0]?.fetched.find((f) => f.url.endsWith('/feeds/feed.json'))?.body).toContain('"article_id": "a"');
      }
      // The same article again, and a republish: nothing changed, nothing told.
      await syndicator.publishArticle(a);
      expect(first.pings.map((p) => p.urls)).toEqual([FILES.map((f) => feedUrl + f)]);
      await syndicator.republish();
      expect(first.pings.map((p) => p.urls)).toEqual([FILES.map((f) => feedUrl + f)]);
      // A takedown: its files.
      await syndicator.unpublishId('a', day(20));
      expect(first.pings).toHaveLength(2);
      expect(first.pings[1]?.urls).toEqual(FILES.map((f) => feedUrl + f));
    });
  });

  it('a hub that fails never fails the publish: recorded, and told again, with what it missed, by the next change', async () => {
    await withTempDir(async (dir) => {
      const flaky = await hub({ failures: 2 });
      const { syndicator, store, log, feedUrl } = await setup(dir, [flaky.url]);
      const outcome = await syndicator.publishArticle(story('a', 1));
      expect(outcome.status).toBe('published');
      expect(flaky.pings).toHaveLength(0);
      expect(log.lines.some((l) => l.level === 'error' && String(l.message).startsWith('WebSub ping failed'))).toBe(true);
      const recorded = JSON.parse((await store.get(websubErrorKey))?.body.toString() ?? '{}');
      expect(recorded.failed[flaky.url]).toEqual(FILES.map((f) => feedUrl + f));
      // The next publish (another section) tells the hub of its own files and of those it missed.
      await syndicator.publishArticle(story('b', 2, { section: 'Sport' }));
      expect(flaky.pings).toHaveLength(1);
      expect(flaky.pings[0]?.urls).toEqual([...FILES, 'sections/sport/atom.xml', 'sections/sport/feed.json', 'sections/sport/rss.xml'].map((f) => feedUrl + f).sort());
      expect(await store.get(websubErrorKey)).toBeNull();
      expect(JSON.parse((await store.get(websubPendingKey))?.body.toString() ?? 'null')).toEqual({});
    });
  });

  it('a republish with nothing changed tells a hub what it missed; a hub that never answers costs a bounded wait', async () => {
    await withTempDir(async (dir) => {
      const silent = await hub({ silent: true });
      const first = await setup(dir, [silent.url], httpPinger(300));
      const { syndicator, store } = first;
      const started = Date.now();
      await syndicator.publishArticle(story('a', 1));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(JSON.parse((await store.get(websubPendingKey))?.body.toString() ?? '{}')[silent.url]).toHaveLength(6);
      // The hub answers again: a republish that changes nothing tells it what it missed.
      silent.state.silent = false;
      const republished = await syndicator.republish();
      expect(republished.written).toEqual([]);
      expect(silent.pings).toHaveLength(1);
      expect(silent.pings[0]?.urls).toEqual(FILES.map((f) => first.feedUrl + f));
      expect(JSON.parse((await store.get(websubPendingKey))?.body.toString() ?? 'null')).toEqual({});
    });
  });
});

describe('configuration and the CLI', () => {
  it('WEBSUB_HUBS in Lambda, comma-separated, checked', () => {
    const env = { SITE_URL: 'https://news.test.example/', FEED_BUCKET: 'b' };
    expect(readServiceConfig({ ...env, WEBSUB_HUBS: 'https://a.test.example/hub, https://b.test.example/' }).site.hubs).toEqual(['https://a.test.example/hub', 'https://b.test.example/']);
    expect(readServiceConfig(env).site.hubs).toEqual([]);
    expect(() => readServiceConfig({ ...env, WEBSUB_HUBS: 'not a url' })).toThrow(/WEBSUB_HUBS/);
  });

  it('syndicate publish pings; --no-ping does not', async () => {
    await withTempDir(async (dir) => {
      const h = await hub();
      const files = await fileServer(join(dir, 'store'));
      await writeFile(join(dir, 'site.json'), JSON.stringify({ title: 'T', url: 'https://news.test.example/', feedUrl: `${files}/feeds/`, hubs: [h.url] }));
      const article = (id: string, n: number) => `---\nid: ${id}\nurl: https://news.test.example/${id}\npublished: ${day(n)}\n---\nBEIJING - Story ${id} opens here.\n`;
      await writeFile(join(dir, 'a.md'), article('a', 1));
      await writeFile(join(dir, 'b.md'), article('b', 2));
      const quiet = await cli(['publish', join(dir, 'a.md'), '--dir', join(dir, 'store'), '--config', join(dir, 'site.json'), '--no-ping']);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(h.pings).toHaveLength(0);
      const told = await cli(['publish', join(dir, 'b.md'), '--dir', join(dir, 'store'), '--config', join(dir, 'site.json')]);
      expect(told.code, told.stderr).toBe(0);
      expect(h.pings).toHaveLength(1);
      expect(h.pings[0]?.urls).toEqual(['atom.xml', 'feed.json', 'rss.xml'].map((f) => `${files}/feeds/${f}`));
    });
  });

  it('syndicate build pings for the files that changed in its output folder; an identical build does not; --no-ping skips', async () => {
    await withTempDir(async (dir) => {
      const h = await hub();
      const files = await fileServer(dir);
      await writeFile(join(dir, 'site.json'), JSON.stringify({ title: 'T', url: 'https://news.test.example/', feedUrl: `${files}/out/`, hubs: [h.url] }));
      await mkdir(join(dir, 'in'));
      await writeFile(join(dir, 'in', 'a.md'), `---\nid: a\nurl: https://news.test.example/a\nsection: World\npublished: ${day(1)}\n---\nBEIJING - Story a opens here.\n`);
      const build = (...extra: string[]) => cli(['build', join(dir, 'in'), '--out', join(dir, 'out'), '--config', join(dir, 'site.json'), ...extra]);
      expect((await build('--no-ping')).code).toBe(0);
      expect(h.pings).toHaveLength(0);
      await writeFile(join(dir, 'in', 'b.md'), `---\nid: b\nurl: https://news.test.example/b\nsection: Sport\npublished: ${day(2)}\n---\nBEIJING - Story b opens here.\n`);
      const built = await build();
      expect(built.code, built.stderr).toBe(0);
      expect(h.pings).toHaveLength(1);
      expect(h.pings[0]?.urls).toEqual(['atom.xml', 'feed.json', 'rss.xml', 'sections/sport/atom.xml', 'sections/sport/feed.json', 'sections/sport/rss.xml'].map((f) => `${files}/out/${f}`));
      expect(h.pings[0]?.fetched.every((f) => f.status === 200)).toBe(true);
      expect((await build()).code).toBe(0);
      expect(h.pings).toHaveLength(1);
    });
  });
});
