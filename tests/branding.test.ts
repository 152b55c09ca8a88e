/**
 * Issue 10, site-wide branding: logo, icon, cover and accent colour in the site config reach every format
 * where it has a place (RSS <image>, Atom <icon>/<logo>, JSON Feed icon/favicon); the lead photo is each
 * item's media:thumbnail in RSS and Atom.
 */
import { describe, expect, it } from 'vitest';
import type { Photo } from '../src/article.js';
import { buildFeeds } from '../src/build.js';
import { readServiceConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { parseSiteConfig } from '../src/site.js';
import { makeArticle, makeSite, parseXml } from './helpers.js';

const LOGO = 'https://cdn.test.example/brand/logo.png?v=2&size=wide';
const ICON = 'https://cdn.test.example/brand/icon.png';
const lead: Photo = { url: 'https://img.test.example/lead.jpg?w=1200&h=800', caption: 'Lead', credit: 'A / B', type: 'image/jpeg', bytes: 1000, width: 1200, height: 800 };

function files(site = makeSite({ logo: LOGO, icon: ICON, cover: 'https://cdn.test.example/cover.jpg', accentColor: '#0A66C2' }), photos: Photo[] = [lead]) {
  const out = buildFeeds([makeArticle({ id: 'b1', photos, section: null })], site);
  const body = (path: string) => out.find((f) => f.path === path)?.body ?? '';
  return { rss: body('rss.xml'), atom: body('atom.xml'), json: JSON.parse(body('feed.json')) };
}

describe('branding in the site config', () => {
  it('is read, normalised and checked, naming the field', () => {
    const site = parseSiteConfig({ logo: LOGO, icon: ICON, cover: 'https://cdn.test.example/a b.jpg', accentColor: '#0A66C2' }, 'site.json');
    expect(site.logo).toBe(LOGO);
    expect(site.cover).toBe('https://cdn.test.example/a%20b.jpg');
    expect(site.accentColor).toBe('0a66c2');
    expect(() => parseSiteConfig({ logo: 'logo.png' }, 'site.json')).toThrow(/logo/);
    expect(() => parseSiteConfig({ icon: 'javascript:alert(1)' }, 'site.json')).toThrow(ConfigError);
    expect(() => parseSiteConfig({ accentColor: 'blue' }, 'site.json')).toThrow(/accentColor: must be a hex colour/);
  });

  it('comes from SITE_LOGO, SITE_ICON, SITE_COVER and SITE_ACCENT_COLOR in Lambda', () => {
    const env = { SITE_URL: 'https://news.test.example/', FEED_BUCKET: 'b', SITE_LOGO: LOGO, SITE_ICON: ICON, SITE_ACCENT_COLOR: 'ff0000' };
    expect(readServiceConfig(env).site).toMatchObject({ logo: LOGO, icon: ICON, accentColor: 'ff0000' });
    expect(() => readServiceConfig({ ...env, SITE_ICON: 'icon.png' })).toThrow(/SITE_ICON/);
  });

  it('reaches RSS <image>, Atom <icon> and <logo>, JSON Feed icon and favicon, escaped', () => {
    const { rss, atom, json } = files();
    const channel = parseXml(rss).rss.channel;
    expect(channel.image.url).toBe(LOGO);
    expect(channel.image.title).toBe('Test Daily');
    expect(rss).toContain('<url>https://cdn.test.example/brand/logo.png?v=2&amp;size=wide</url>');
    const feed = parseXml(atom).feed;
    expect(feed.icon).toBe(ICON);
    expect(feed.logo).toBe(LOGO);
    expect(json.icon).toBe(ICON);
    expect(json.favicon).toBe(ICON);
  });

  it('an icon alone is RSS <image> too; a logo alone is not JSON Feed icon (that one is square)', () => {
    expect(parseXml(files(makeSite({ icon: ICON })).rss).rss.channel.image.url).toBe(ICON);
    const onlyLogo = files(makeSite({ logo: LOGO }));
    expect(onlyLogo.json.icon).toBeUndefined();
    expect(parseXml(onlyLogo.atom).feed.icon).toBeUndefined();
    expect(parseXml(onlyLogo.atom).feed.logo).toBe(LOGO);
  });

  it('is absent when not configured', () => {
    const { rss, atom, json } = files(makeSite());
    expect(rss).not.toContain('<image>');
    expect(atom).not.toMatch(/<icon>|<logo>/);
    expect(json.icon).toBeUndefined();
    expect(json.favicon).toBeUndefined();
  });
});

describe('the lead photo as media:thumbnail', () => {
  it('is in each RSS item and Atom entry, with its size, escaped', () => {
    const { rss, atom } = files();
    const item = parseXml(rss).rss.channel.item[0];
    expect(item['media:thumbnail']).toEqual({ '@url': lead.url, '@width': '1200', '@height': '800' });
    expect(rss).toContain('<media:thumbnail url="https://img.test.example/lead.jpg?w=1200&amp;h=800" width="1200" height="800"/>');
    const entry = parseXml(atom).feed.entry[0];
    expect(entry['media:thumbnail']).toEqual({ '@url': lead.url, '@width': '1200', '@height': '800' });
  });

  it('is left out when no photo has a URL, and has no size when none is known', () => {
    const none = files(makeSite(), [{ ...lead, url: null }]);
    expect(none.rss).not.toContain('media:thumbnail');
    expect(none.atom).not.toContain('media:thumbnail');
    const unsized = files(makeSite(), [{ ...lead, width: null, height: null }]);
    expect(parseXml(unsized.atom).feed.entry[0]['media:thumbnail']).toEqual({ '@url': lead.url });
  });
});
