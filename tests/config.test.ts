import { describe, expect, it } from 'vitest';
import { readServiceConfig, readStoredConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { siteConfigKey } from '../src/layout.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { makeSite } from './helpers.js';

const base = { FEED_BUCKET: 'feeds-bucket', SITE_URL: 'https://news.test.example' };

describe('service configuration from the environment', () => {
  it('fills defaults: feeds/ prefix, cache control, feed URL under the site', () => {
    const config = readServiceConfig(base);
    expect(config.feedPrefix).toBe('feeds/');
    expect(config.cacheControl).toBe('public, max-age=300');
    expect(config.site.url).toBe('https://news.test.example/');
    expect(config.site.feedUrl).toBe('https://news.test.example/feeds/');
    expect(config.site.limits.items).toBe(50);
    expect(config.endpoint).toBeUndefined();
    expect(config.photos).toBeUndefined();
  });

  it('reads every setting', () => {
    const config = readServiceConfig({
      ...base,
      FEED_PREFIX: 'public/feeds',
      FEED_ITEMS: '20',
      SITE_TITLE: 'Daily',
      CACHE_CONTROL: 'no-cache',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      PHOTO_URL_PREFIX: 'https://cdn.test.example/p/',
      API_TOKEN: 'secret',
    });
    expect(config.feedPrefix).toBe('public/feeds/');
    expect(config.site.limits.items).toBe(20);
    expect(config.site.title).toBe('Daily');
    expect(config.cacheControl).toBe('no-cache');
    expect(config.endpoint).toBe('http://127.0.0.1:4568');
    expect(config.photos).toEqual({ urlPrefix: 'https://cdn.test.example/p/', keyPrefix: 'photos/' });
    expect(config.apiToken).toBe('secret');
  });

  it.each([
    [{ SITE_URL: 'https://x.test' }, 'FEED_BUCKET', /is required/],
    [{ FEED_BUCKET: 'b' }, 'SITE_URL', /is required/],
    [{ ...base, SITE_URL: 'ftp://x' }, 'SITE_URL', /http\(s\) URL/],
    [{ ...base, FEED_ITEMS: 'many' }, 'FEED_ITEMS', /number/],
    [{ ...base, FEED_PREFIX: '../up' }, 'FEED_PREFIX', /relative key prefix/],
    [{ ...base, FEED_PREFIX: '' }, 'FEED_PREFIX', /"" must be a relative key prefix/],
    [{ ...base, FEED_PREFIX: 'articles/' }, 'FEED_PREFIX', /"articles\/" overlaps articles\/, which the service keeps for itself/],
    [{ ...base, FEED_PREFIX: 'state' }, 'FEED_PREFIX', /overlaps state\//],
    [{ ...base, PHOTO_URL_PREFIX: 'https://cdn.test.example/p/', PHOTO_KEY_PREFIX: 'incoming/photos/' }, 'PHOTO_KEY_PREFIX', /overlaps incoming\//],
    [{ ...base, PHOTO_KEY_PREFIX: 'config' }, 'PHOTO_KEY_PREFIX', /overlaps config\//],
    [{ ...base, S3_ENDPOINT: 'localhost:4568' }, 'S3_ENDPOINT', /http\(s\) URL/],
  ])('names the variable that is wrong: %o', (env, field, reason) => {
    try {
      readServiceConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(field);
      expect((error as ConfigError).message).toMatch(reason);
    }
  });
});

describe('the configuration a store remembers (config/site.json)', () => {
  const remember = async (value: unknown) => {
    const store = new MemoryObjectStore();
    await store.put(siteConfigKey, typeof value === 'string' ? value : JSON.stringify(value));
    return store;
  };

  it('is null for a store that has none', async () => {
    expect(await readStoredConfig(new MemoryObjectStore())).toBeNull();
  });

  it('reads back what the Syndicator stores', async () => {
    const site = makeSite({ title: 'Remembered Daily' });
    const stored = await readStoredConfig(await remember({ site, feedPrefix: 'public/', cacheControl: 'no-cache' }));
    expect(stored).toEqual({ site, feedPrefix: 'public/', cacheControl: 'no-cache' });
  });

  it.each([
    ['not JSON', '{"site":', '(json)', /invalid JSON/],
    ['not an object', '[1]', '(file)', /JSON object/],
    ['no site (it must not fall back on placeholders)', { feedPrefix: 'feeds/', cacheControl: 'x' }, 'site', /site configuration/],
    ['a bad site field', { site: { title: '' }, feedPrefix: 'feeds/', cacheControl: 'x' }, 'site.title', /too small|at least|>=1/i],
    ['an unknown site field', { site: { colour: 'red' }, feedPrefix: 'feeds/', cacheControl: 'x' }, 'site', /colour/],
    ['a feed prefix inside an internal one', { site: {}, feedPrefix: 'articles/x/', cacheControl: 'x' }, 'feedPrefix', /overlaps articles\//],
    ['no feed prefix', { site: {}, cacheControl: 'x' }, 'feedPrefix', /key prefix/],
    ['a cache control with a line break', { site: {}, feedPrefix: 'feeds/', cacheControl: 'a\nb' }, 'cacheControl', /Cache-Control/],
  ])('%s: a ConfigError naming config/site.json and the field', async (_, value, field, reason) => {
    const store = await remember(value);
    const error = await readStoredConfig(store).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).source).toBe('memory/config/site.json');
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(reason);
  });
});
