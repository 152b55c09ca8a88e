/** `syndicate publish` against a real S3 API (s3rver), and into a folder. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli, withTempDir } from './helpers.js';
import { startS3, type S3Harness } from './support/s3.js';

const root = join(import.meta.dirname, '..');

describe('syndicate publish', () => {
  let s3: S3Harness;
  beforeEach(async () => {
    s3 = await startS3();
    for (const [name, value] of Object.entries(s3.env())) vi.stubEnv(name, value);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await s3.stop();
  });

  it('publishes articles to a bucket through --endpoint, then republishes with nothing to write', async () => {
    const first = await cli(['publish', join(root, 'examples/articles'), '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--config', join(root, 'examples/site.json')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote s3://${s3.bucket}/feeds/rss.xml`);
    expect(first.stdout).toMatch(/published: world-2019-04-25-putin-kim/);
    const rss = await s3.store().get('feeds/sections/world/rss.xml');
    expect(rss?.body.toString()).toContain('ALEXANDER ZEMLIANICHENKO / POOL');

    s3.resetCounts();
    const again = await cli(['publish', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--config', join(root, 'examples/site.json')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('republished every feed: 0 file(s) changed');
    expect(s3.counts.put ?? 0).toBe(0);
  });

  it('publishes into a local folder by default', async () => {
    await withTempDir(async (dir) => {
      const result = await cli(['publish', join(root, 'tests/fixtures/corpus'), '--dir', dir]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`wrote ${dir}/feeds/rss.xml`);
      const { readFile } = await import('node:fs/promises');
      const feed = JSON.parse(await readFile(join(dir, 'feeds/feed.json'), 'utf8'));
      expect(feed.items).toHaveLength(9);
    });
  });
});
