import { describe, expect, it } from 'vitest';
import { readServiceConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

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
