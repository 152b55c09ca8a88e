/**
 * The Lambda loop on a laptop (issue 12 §7), end to end: the local S3, its events through the real
 * handlers, the folder mirrored into incoming/, the feeds served on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventKey, Sequencer, toS3Record } from '../src/dev/events.js';
import { type DevLoop, startDev } from '../src/dev/index.js';
import { DEFAULT_DEV_PORT, devPort } from '../src/dev/port.js';
import { keyFor } from '../src/dev/serve.js';
import { recordKey } from '../src/lambda/events.js';
import { quietConsole, withTempDir } from './helpers.js';

const root = join(import.meta.dirname, '..');
let debugLines: (() => string[]) | undefined;

function article(title: string): string {
  return `---\nid: dev-story\nurl: https://news.test.example/dev-story\ntitle: ${title}\nsection: World\nauthors: [Jane Reporter]\npublished: 2024-05-01T08:00:00Z\n---\nBEIJING - The story opens here.\n\nSecond paragraph.\n`;
}

/** Polls `url` until `ok(body)`; the time it took, in ms. */
async function until(url: string, ok: (body: string, status: number) => boolean, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    const response = await fetch(url).catch(() => null);
    const body = response ? await response.text() : '';
    if (response && ok(body, response.status)) return Date.now() - started;
    last = `${response?.status}: ${body.slice(0, 200)}`;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not change within ${timeoutMs} ms (last: ${last})${debugLines ? `\n${debugLines().join("\n")}` : ""}`);
}

const titles = (body: string): string[] => {
  try {
    return (JSON.parse(body) as { items: { title: string }[] }).items.map((i) => i.title);
  } catch {
    return [];
  }
};

describe('syndicate dev', () => {
  let folder: string;
  let dev: DevLoop;
  const lines: string[] = [];
  const timed: string[] = [];
  beforeAll(async () => {
    quietConsole();
    folder = join(root, '.bench-out', `dev-test-${process.pid}`);
    await rm(folder, { recursive: true, force: true });
    debugLines = () => timed;
    const log = (line: string) => {
      lines.push(line);
      timed.push(`${Date.now() % 100_000} ${line}`);
    };
    // A file there before the start is mirrored by it; its first publish also warms the handlers up.
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'warm-up.md'), article('Warm-up story').replace(/dev-story/g, 'warm-up'));
    dev = await startDev({ folder, port: 0, log, env: { SITE_TITLE: 'Dev Daily' } });
    await until(`${dev.url}feed.json`, (body) => titles(body).includes('Warm-up story'));
  });
  afterAll(async () => {
    await dev?.stop();
    await rm(folder, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('shows a dropped, an edited and a deleted file in the feeds within a second', async () => {
    const feed = `${dev.url}feed.json`;
    await writeFile(join(folder, 'story.md'), article('First title of the story'));
    const dropped = await until(feed, (body) => titles(body).includes('First title of the story'));
    const json = JSON.parse(await (await fetch(feed)).text());
    expect(json.title).toBe('Dev Daily');
    expect(json.feed_url).toBe(`${dev.url}feed.json`);
    expect(await (await fetch(`${dev.url}sections/world/rss.xml`)).text()).toContain('First title of the story');

    await writeFile(join(folder, 'story.md'), article('Edited title of the story'));
    const edited = await until(feed, (body) => titles(body).includes('Edited title of the story'));
    expect(titles(await (await fetch(feed)).text())).toEqual(['Edited title of the story', 'Warm-up story']);

    await rm(join(folder, 'story.md'));
    const deleted = await until(feed, (body) => titles(body).length === 1 && body.includes('"dev-story"'));
    // The takedown is in the Atom feed as a tombstone.
    expect(await (await fetch(`${dev.url}atom.xml`)).text()).toContain('deleted-entry');
    for (const [what, ms] of Object.entries({ dropped, edited, deleted })) expect(ms, `${what}\n${timed.join("\n")}`).toBeLessThan(1_000);
    await dev.settled();
    expect(lines).toEqual(expect.arrayContaining(['put s3://dev-feeds/incoming/story.md', 'publish incoming/story.md: done', 'deleted s3://dev-feeds/incoming/story.md', 'unpublish incoming/story.md: done']));
  });

  it('serves the feeds and pages on 127.0.0.1 with their Content-Types', async () => {
    await writeFile(join(folder, 'other.md'), article('Another story').replace(/dev-story/g, 'other-story'));
    await until(`${dev.url}feed.json`, (body) => titles(body).includes('Another story'));
    expect(dev.url).toBe(`http://127.0.0.1:${dev.port}/feeds/`);
    const types: Record<string, string> = { 'rss.xml': 'application/rss+xml; charset=utf-8', 'atom.xml': 'application/atom+xml; charset=utf-8', 'feed.json': 'application/feed+json; charset=utf-8', '': 'text/html; charset=utf-8' };
    for (const [path, type] of Object.entries(types)) {
      const response = await fetch(`${dev.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
    }
    const home = await fetch(`http://127.0.0.1:${dev.port}/`, { redirect: 'manual' });
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/feeds/');
    // The service's own objects are not served.
    expect((await fetch(`http://127.0.0.1:${dev.port}/config/site.json`)).status).toBe(404);
    expect((await fetch(`${dev.url}../state/x`)).status).toBe(404);
  });

  it('mirrors files in subfolders, with spaces in their names, and skips hidden and non-article files', async () => {
    await mkdir(join(folder, 'world desk'), { recursive: true });
    await writeFile(join(folder, 'world desk', 'a story.md'), article('A story from a subfolder').replace(/dev-story/g, 'sub-story'));
    await writeFile(join(folder, '.story.md.swp'), 'editor swap file');
    await writeFile(join(folder, 'notes.docx'), 'not an article');
    await until(`${dev.url}feed.json`, (body) => titles(body).includes('A story from a subfolder'));
    await dev.settled();
    expect(lines).toContain('publish incoming/world desk/a story.md: done');
    expect(lines.join('\n')).not.toMatch(/swp|docx/);
  });
});

describe('the events the dev loop sends', () => {
  it('are shaped as S3 sends them: encoded keys, growing sequencers, the bucket ARN', () => {
    const sequencer = new Sequencer();
    const raw = { eventVersion: '2.0', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2024-05-01T08:00:00.000Z', eventName: 'ObjectCreated:Put', s3: { s3SchemaVersion: '1.0', configurationId: 'testConfigId', bucket: { name: 'b', arn: 'arn:aws:s3: : :b' }, object: { key: 'incoming/world desk/a+b%.md', size: 1, eTag: 'x', sequencer: '18F' } } } as any;
    const one = toS3Record(raw, sequencer);
    const two = toS3Record(raw, sequencer);
    expect(one.s3.object.key).toBe('incoming/world+desk/a%2Bb%25.md');
    expect(recordKey(one)).toBe('incoming/world desk/a+b%.md');
    expect(one.s3.bucket.arn).toBe('arn:aws:s3:::b');
    expect(one.s3.object.sequencer).toMatch(/^[0-9A-F]{16}$/);
    // Two writes in one millisecond still come in order.
    expect(two.s3.object.sequencer > one.s3.object.sequencer).toBe(true);
    expect(eventKey('a b/c')).toBe('a+b/c');
  });

  it('serve only the feed prefix', () => {
    expect(keyFor('/feeds/', 'feeds/')).toBe('feeds/index.html');
    expect(keyFor('/feeds/sections/world/rss.xml?x=1', 'feeds/')).toBe('feeds/sections/world/rss.xml');
    expect(keyFor('/articles/x.json', 'feeds/')).toBeNull();
    expect(keyFor('/feeds/../state/x', 'feeds/')).toBeNull();
    expect(keyFor('/feeds/%2e%2e/state/x', 'feeds/')).toBeNull();
  });
});

describe('the dev port', () => {
  it('is --port, else DEV_PORT, else the default', () => {
    expect(devPort('4000', { DEV_PORT: '5000' })).toBe(4000);
    expect(devPort(undefined, { DEV_PORT: '5000' })).toBe(5000);
    expect(devPort(undefined, {})).toBe(DEFAULT_DEV_PORT);
    expect(() => devPort('http', {})).toThrow('command line: --port: "http" must be a port number');
    expect(() => devPort(undefined, { DEV_PORT: '99999' })).toThrow('environment: DEV_PORT: "99999" must be a port number');
  });

  it('`syndicate dev` (the built bin) honours DEV_PORT, serves, and stops on Ctrl-C', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'story.md'), article('Served by the built command'));
      const child = spawn(process.execPath, ['--openssl-legacy-provider', join(root, 'bin/syndicate.js'), 'dev', dir], { env: { ...process.env, DEV_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await until(`http://127.0.0.1:${port}/feeds/feed.json`, (body) => titles(body).includes('Served by the built command'), 15_000);
        expect(stdout).toContain(`feeds at http://127.0.0.1:${port}/feeds/rss.xml`);
        const page = await fetch(`http://127.0.0.1:${port}/feeds/`);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
    });
  });
});
