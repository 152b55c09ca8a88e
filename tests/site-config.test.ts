/** One derivation of the site configuration for the CLI and Lambda (issue 12 §1). */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readServiceConfig, siteConfigFrom } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { cli, parseXml, withTempDir } from './helpers.js';

const root = join(import.meta.dirname, '..');
const example = join(root, 'examples/articles');

describe('siteConfigFrom: the one derivation', () => {
  it('puts the feeds under the feed prefix when feedUrl is not given', () => {
    const site = siteConfigFrom({ url: 'https://news.test.example' }, { source: 'site.json', feedPrefix: 'public/feeds/' });
    expect(site.feedUrl).toBe('https://news.test.example/public/feeds/');
  });

  it('keeps an explicit feedUrl, and the site URL when there is no prefix (a build folder is the feeds root)', () => {
    expect(siteConfigFrom({ url: 'https://a.example/', feedUrl: 'https://cdn.a.example/f/' }, { source: 's', feedPrefix: 'feeds/' }).feedUrl).toBe('https://cdn.a.example/f/');
    expect(siteConfigFrom({ url: 'https://a.example/' }, { source: 's' }).feedUrl).toBe('https://a.example/');
  });

  it('gives the environment and a file the same site for the same settings', () => {
    const fromEnv = readServiceConfig({ FEED_BUCKET: 'b', SITE_URL: 'https://news.test.example', SITE_TITLE: 'Daily', FEED_ITEMS: '20' }).site;
    const fromFile = siteConfigFrom({ url: 'https://news.test.example', title: 'Daily', limits: { items: 20 } }, { source: 'site.json', feedPrefix: 'feeds/' });
    expect(fromFile).toEqual(fromEnv);
  });

  it('names the config and its setting in errors, never "article"', () => {
    for (const value of [[], 'x', { bogus: 1 }, { limits: { bogus: 1 } }, { url: 5 }, { title: '' }]) {
      let caught: unknown;
      try {
        siteConfigFrom(value, { source: 'site.json' });
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(value)).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).message).toMatch(/^site\.json: /);
      expect((caught as ConfigError).message, JSON.stringify(value)).not.toMatch(/article/i);
    }
  });
});

describe('the CLI derives the site as Lambda does', () => {
  it('publish: the self link carries the feed prefix when the config has no feedUrl', async () => {
    await withTempDir(async (dir) => {
      const config = join(dir, 'site.json');
      await writeFile(config, JSON.stringify({ title: 'Daily', url: 'https://news.test.example/' }));
      const result = await cli(['publish', example, '--dir', join(dir, 'store'), '--config', config, '--no-ping']);
      expect(result.stderr).not.toMatch(/^error/m);
      expect(result.code).toBe(0);
      const rss = parseXml(await readFile(join(dir, 'store/feeds/rss.xml'), 'utf8'));
      const links = [rss.rss.channel['atom:link']].flat();
      expect(links.find((l: any) => l['@rel'] === 'self')['@href']).toBe('https://news.test.example/feeds/rss.xml');
      const feed = JSON.parse(await readFile(join(dir, 'store/feeds/feed.json'), 'utf8'));
      expect(feed.feed_url).toBe('https://news.test.example/feeds/feed.json');
      // The same with --prefix.
      const other = await cli(['publish', example, '--dir', join(dir, 'store2'), '--config', config, '--prefix', 'news/feeds/', '--no-ping']);
      expect(other.code).toBe(0);
      const json = JSON.parse(await readFile(join(dir, 'store2/news/feeds/feed.json'), 'utf8'));
      expect(json.feed_url).toBe('https://news.test.example/news/feeds/feed.json');
    });
  });

  it('build: a config error names the config file and the setting, not an article', async () => {
    await withTempDir(async (dir) => {
      const config = join(dir, 'site.json');
      await writeFile(config, JSON.stringify({ limits: { bogus: 1 } }));
      const { code, stderr } = await cli(['build', example, '--out', join(dir, 'out'), '--config', config]);
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(`error: ${config}: limits: Unrecognized key: "bogus"`);
    });
  });
});
