/** `syndicate publish` and `syndicate unpublish` against a real S3 API (s3rver), and into a folder. */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { siteConfigKey } from '../src/layout.js';
import { cli, parseXml, withTempDir } from './helpers.js';
import { startS3, type S3Harness } from './support/s3.js';

const root = join(import.meta.dirname, '..');
const siteJson = join(root, 'examples/site.json');
const EXAMPLE_TITLE = 'Example Daily: Latest News';
const EXAMPLE_ID = 'world-2019-04-25-putin-kim-hold-substantial-talks-in-vladivostok';

/** The error lines of stderr (derived-metadata warnings go there too). */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));

/** Every file under a folder, relative to it (the folder store's .meta included). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** Articles in the World section, with explicit ids and URLs. */
async function writeArticles(dir: string, specs: { file: string; id: string; url: string; day: number }[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const s of specs) {
    await writeFile(join(dir, s.file), `---\nid: ${s.id}\nurl: ${s.url}\nsection: World\npublished: 2024-05-0${s.day}T08:00:00Z\n---\nBEIJING - Story ${s.id} opens here.\nSecond paragraph.\n`);
  }
}

describe('syndicate publish and unpublish on S3', () => {
  let s3: S3Harness;
  let bucket: string[];
  beforeEach(async () => {
    s3 = await startS3();
    for (const [name, value] of Object.entries(s3.env())) vi.stubEnv(name, value);
    bucket = ['--bucket', s3.bucket, '--endpoint', s3.endpoint];
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await s3.stop();
  });

  const feedJson = async (path = 'feeds/feed.json') => JSON.parse((await s3.store().get(path))?.body.toString('utf8') ?? '{}');

  it('publishes articles to a bucket through --endpoint, then republishes with nothing to write', async () => {
    const first = await cli(['publish', join(root, 'examples/articles'), ...bucket, '--config', siteJson]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote s3://${s3.bucket}/feeds/rss.xml`);
    expect(first.stdout).toMatch(/published: world-2019-04-25-putin-kim/);
    const rss = await s3.store().get('feeds/sections/world/rss.xml');
    expect(rss?.body.toString()).toContain('ALEXANDER ZEMLIANICHENKO / POOL');

    s3.resetCounts();
    const again = await cli(['publish', ...bucket, '--config', siteJson]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('republished every feed: 0 file(s) changed');
    expect(s3.counts.put ?? 0).toBe(0);
  });

  it('remembers the config: a republish without --config uses the stored one and writes nothing', async () => {
    expect((await cli(['publish', join(root, 'examples/articles'), ...bucket, '--config', siteJson])).code).toBe(0);
    const stored = JSON.parse((await s3.store().get(siteConfigKey))?.body.toString('utf8') ?? '{}');
    expect(stored).toMatchObject({ site: { title: EXAMPLE_TITLE }, feedPrefix: 'feeds/', cacheControl: 'public, max-age=300' });

    s3.resetCounts();
    const again = await cli(['publish', ...bucket]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('republished every feed: 0 file(s) changed');
    expect(s3.counts.put ?? 0).toBe(0);

    // A lost file comes back with the stored title (the placeholder config would say "Newsroom").
    await s3.store().delete('feeds/rss.xml');
    const repaired = await cli(['publish', ...bucket]);
    expect(repaired.stdout).toContain(`wrote s3://${s3.bucket}/feeds/rss.xml`);
    expect(repaired.stdout).toContain('republished every feed: 1 file(s) changed');
    expect(parseXml((await s3.store().get('feeds/rss.xml'))?.body.toString('utf8') ?? '').rss.channel.title).toBe(EXAMPLE_TITLE);
  });

  it('refuses a store with no config when --config is not given, naming the store; writes nothing', async () => {
    for (const args of [['publish'], ['unpublish', EXAMPLE_ID]]) {
      s3.resetCounts();
      const result = await cli([...args, ...bucket]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`error: s3://${s3.bucket}/config/site.json: (file): this store has no site configuration yet; pass --config <site.json> (the store then remembers it)\n`);
      expect(s3.counts.put ?? 0).toBe(0);
    }
    expect(await s3.store().list('', 10)).toEqual([]);
  });

  it('publishes articles into an empty store with the defaults (said on stderr, and remembered); a store with feeds but no config is refused', async () => {
    const first = await cli(['publish', join(root, 'examples/articles'), ...bucket]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`warning: s3://${s3.bucket}/config/site.json: no --config and none stored yet: publishing with the default settings`);
    expect(JSON.parse((await s3.store().get('config/site.json'))?.body.toString('utf8') ?? '{}').site.title).toBe('Newsroom');
    // A store written without its config (an older version, or the config deleted): never the placeholders.
    await s3.store().delete('config/site.json');
    s3.resetCounts();
    const again = await cli(['publish', join(root, 'examples/articles'), ...bucket]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('this store has no site configuration yet; pass --config');
    expect(s3.counts.put ?? 0).toBe(0);
  });

  it('unpublish withdraws an id (tombstone in feed.json), again says withdrawn, and an unknown id exits 1', async () => {
    await cli(['publish', join(root, 'examples/articles'), ...bucket, '--config', siteJson]);
    expect((await feedJson()).items.map((i: any) => i._syndicate.article_id)).toEqual([EXAMPLE_ID]);

    const first = await cli(['unpublish', EXAMPLE_ID, ...bucket]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`wrote s3://${s3.bucket}/feeds/feed.json`);
    expect(first.stdout).toContain(`withdrawn: ${EXAMPLE_ID}\n`);
    for (const path of ['feeds/feed.json', 'feeds/sections/world/feed.json']) {
      const feed = await feedJson(path);
      expect(feed.items).toEqual([]);
      expect(feed._syndicate.deleted.map((d: any) => d.id)).toEqual([EXAMPLE_ID]);
    }
    // The feed keeps the stored title: unpublish ran with the remembered config.
    expect((await feedJson()).title).toBe(EXAMPLE_TITLE);

    const again = await cli(['unpublish', EXAMPLE_ID, ...bucket]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain(`withdrawn: ${EXAMPLE_ID}\n`);

    const unknown = await cli(['unpublish', 'never-published', ...bucket]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('not found: never-published\n');
  });

  it('uses the stored feed prefix and cache control unless given on the command line', async () => {
    await withTempDir(async (dir) => {
      await writeArticles(dir, [{ file: 'a.md', id: 'a-story', url: 'https://news.example.com/a', day: 1 }]);
      expect((await cli(['publish', dir, ...bucket, '--config', siteJson, '--prefix', 'public/feeds', '--cache-control', 'no-cache'])).code).toBe(0);
    });
    await s3.store().delete('public/feeds/atom.xml');
    const again = await cli(['publish', ...bucket]);
    expect(again.stdout).toContain(`wrote s3://${s3.bucket}/public/feeds/atom.xml`);
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'public/feeds/atom.xml' }));
    expect(head.CacheControl).toBe('no-cache');
    expect(await s3.store().list('feeds/', 10)).toEqual([]);
  });
});

describe('syndicate publish and unpublish on a folder', () => {
  it('publishes into a local folder', async () => {
    await withTempDir(async (dir) => {
      const result = await cli(['publish', join(root, 'tests/fixtures/corpus'), '--dir', dir, '--config', siteJson]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`wrote ${dir}/feeds/rss.xml`);
      const feed = JSON.parse(await readFile(join(dir, 'feeds/feed.json'), 'utf8'));
      expect(feed.items).toHaveLength(9);
    });
  });

  it('refuses a folder with no config when --config is not given; writes nothing', async () => {
    await withTempDir(async (dir) => {
      for (const args of [['publish'], ['unpublish', 'some-id']]) {
        const result = await cli([...args, '--dir', dir]);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toBe(`error: ${dir}/config/site.json: (file): this store has no site configuration yet; pass --config <site.json> (the store then remembers it)\n`);
      }
      expect(await filesUnder(dir)).toEqual([]);
    });
  });

  it('republishes a folder with no articles, with the stored config', async () => {
    await withTempDir(async (dir) => {
      await cli(['publish', join(root, 'examples/articles'), '--dir', dir, '--config', siteJson]);
      await rm(join(dir, 'feeds/atom.xml'));
      const again = await cli(['publish', '--dir', dir]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`wrote ${dir}/feeds/atom.xml\nrepublished every feed: 1 file(s) changed\n`);
      expect(parseXml(await readFile(join(dir, 'feeds/atom.xml'), 'utf8')).feed.title['#text']).toBe(EXAMPLE_TITLE);
    });
  });

  it('unpublish: withdrawn, withdrawn again, not found, invalid id; the others are done and it exits 1', async () => {
    await withTempDir(async (dir) => {
      const articles = join(dir, 'articles');
      await writeArticles(articles, [
        { file: 'a.md', id: 'a-story', url: 'https://news.example.com/a', day: 1 },
        { file: 'b.md', id: 'b-story', url: 'https://news.example.com/b', day: 2 },
      ]);
      const store = join(dir, 'store');
      expect((await cli(['publish', articles, '--dir', store, '--config', siteJson])).code).toBe(0);

      const first = await cli(['unpublish', 'a-story', '--dir', store]);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toContain(`wrote ${store}/feeds/feed.json\n`);
      expect(first.stdout).toContain(`wrote ${store}/feeds/sections/world/atom.xml\n`);
      expect(first.stdout.endsWith('withdrawn: a-story\n')).toBe(true);
      const feed = JSON.parse(await readFile(join(store, 'feeds/feed.json'), 'utf8'));
      expect(feed.items.map((i: any) => i._syndicate.article_id)).toEqual(['b-story']);
      expect(feed._syndicate.deleted).toEqual([expect.objectContaining({ id: 'a-story', entry_id: 'https://news.example.com/a' })]);

      const mixed = await cli(['unpublish', 'a-story', 'not..valid', 'never-published', 'b-story', '--dir', store]);
      expect(mixed.code).toBe(1);
      expect(mixed.stdout).toMatch(/^withdrawn: a-story\nnot found: never-published\n(wrote .*\n)+withdrawn: b-story\n$/);
      expect(mixed.stderr).toBe('error: not..valid: id: not an article id (1-128 letters, digits, ".", "_" or "-", no "..")\n');
      expect(JSON.parse(await readFile(join(store, 'feeds/feed.json'), 'utf8')).items).toEqual([]);
    });
  });

  it('refuses a --prefix inside an internal prefix', async () => {
    await withTempDir(async (dir) => {
      const result = await cli(['publish', join(root, 'examples/articles'), '--dir', dir, '--config', siteJson, '--prefix', 'state/feeds/']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: command line: --prefix: "state/feeds/" overlaps state/, which the service keeps for itself\n');
      expect(await filesUnder(dir)).toEqual([]);
    });
  });

  it('prints each article the store refuses and exits 1 after publishing the others (0 with --skip-invalid)', async () => {
    await withTempDir(async (dir) => {
      const store = join(dir, 'store');
      await writeArticles(join(dir, 'first'), [{ file: 'a.md', id: 'a-story', url: 'https://news.example.com/a', day: 1 }]);
      expect((await cli(['publish', join(dir, 'first'), '--dir', store, '--config', siteJson])).code).toBe(0);
      // c-story takes a-story's URL: the store refuses it (a URL belongs to the first article published with it).
      await writeArticles(join(dir, 'second'), [
        { file: 'b.md', id: 'b-story', url: 'https://news.example.com/b', day: 2 },
        { file: 'c.md', id: 'c-story', url: 'https://news.example.com/a', day: 3 },
        { file: 'd.md', id: 'd-story', url: 'https://news.example.com/d', day: 4 },
      ]);
      for (const [flags, code] of [[[], 1], [['--skip-invalid'], 0]] as const) {
        const result = await cli(['publish', join(dir, 'second'), '--dir', store, ...flags]);
        expect(result.code).toBe(code);
        const errors = errorLines(result.stderr);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^error: .*c\.md: url: https:\/\/news\.example\.com\/a is the URL of article "a-story"/);
        expect(result.stdout).toMatch(/(published|unchanged): b-story\n/);
        expect(result.stdout).toMatch(/(published|unchanged): d-story\n/);
      }
      const ids = JSON.parse(await readFile(join(store, 'feeds/feed.json'), 'utf8')).items.map((i: any) => i._syndicate.article_id);
      expect(ids).toEqual(['d-story', 'b-story', 'a-story']);
    });
  });

  it('refuses two files with the same URL (different ids), naming both files and the field', async () => {
    await withTempDir(async (dir) => {
      await writeArticles(join(dir, 'articles'), [
        { file: 'a.md', id: 'a-story', url: 'https://news.example.com/same', day: 1 },
        { file: 'b.md', id: 'b-story', url: 'https://news.example.com/same', day: 2 },
      ]);
      const result = await cli(['publish', join(dir, 'articles'), '--dir', join(dir, 'store'), '--config', siteJson]);
      expect(result.code).toBe(1);
      expect(errorLines(result.stderr)).toEqual([`error: ${join(dir, 'articles', 'b.md')}: url: "https://news.example.com/same" is also the URL of ${join(dir, 'articles', 'a.md')}`]);
      expect(await filesUnder(dir).then((files) => files.filter((f) => f.startsWith('store/')))).toEqual([]);
    });
  });
});
