/**
 * Configuration: the service's, from the environment (read and checked once per handler container, see
 * src/lambda/runtime.ts), and the one a store remembers at config/site.json (what the CLI falls back on).
 */
import { isHttpUrl, normaliseUrl } from './article.js';
import { ConfigError } from './errors.js';
import { checkPublicPrefix, siteConfigKey } from './layout.js';
import type { PhotoLocation } from './photos.js';
import { parseSiteConfig, type SiteConfig } from './site.js';
import type { ObjectStore } from './storage/object-store.js';

export interface ServiceConfig {
  bucket: string;
  endpoint?: string;
  region?: string;
  feedPrefix: string;
  cacheControl: string;
  /** Cache-Control of RFC 5005 archive months that have a newer one (ARCHIVE_CACHE_CONTROL). */
  archiveCacheControl?: string;
  site: SiteConfig;
  photos?: PhotoLocation;
  /** A bearer token accepted on the HTTP API besides IAM auth; unset means IAM auth only. */
  apiToken?: string;
}

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (!value) throw new ConfigError('environment', name, 'is required');
  return value;
}

/**
 * A feed or photo prefix: outside every internal prefix (src/layout.ts). Unset means the default; set but
 * empty is an error (the bucket's root would hold the service's own objects).
 */
function prefix(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return checkPublicPrefix(value === undefined ? fallback : value.trim(), 'environment', name);
}

/** A Cache-Control header value as S3 stores it and config/site.json reads it back: printable ASCII, 1-500 characters. */
const CACHE_CONTROL_VALUE = /^[\x20-\x7e]{1,500}$/;

/** Checks a Cache-Control value (from the environment, a flag or config/site.json), naming where it came from. */
export function checkCacheControl(value: string, source: string, field: string): string {
  if (!CACHE_CONTROL_VALUE.test(value)) throw new ConfigError(source, field, `${JSON.stringify(value.slice(0, 100))} must be a Cache-Control header value (1-500 printable ASCII characters, e.g. "public, max-age=300")`);
  return value;
}

/**
 * Where photos are served from: an absolute http(s) URL without query or fragment, normalised as article
 * URLs are and ending in `/`, so that `https://cdn.example` never matches `https://cdn.example.other/`.
 */
function photoUrlPrefix(value: string): string {
  const fail = (why: string) => new ConfigError('environment', 'PHOTO_URL_PREFIX', `${JSON.stringify(value)} ${why}`);
  if (!isHttpUrl(value)) throw fail('must be an absolute http(s) URL such as https://cdn.example.com/photos/');
  const url = new URL(value);
  if (url.search || url.hash || url.username || url.password) throw fail('must be an http(s) URL without query, fragment or credentials');
  const normal = normaliseUrl(value);
  return normal.endsWith('/') ? normal : `${normal}/`;
}

/** The environment variable behind each site setting (Lambda's errors name the variable). */
const ENV_NAMES: Record<string, string> = { url: 'SITE_URL', feedUrl: 'FEED_BASE_URL', title: 'SITE_TITLE', description: 'SITE_DESCRIPTION', language: 'SITE_LANGUAGE', publisher: 'SITE_PUBLISHER', copyright: 'SITE_COPYRIGHT', logo: 'SITE_LOGO', icon: 'SITE_ICON', cover: 'SITE_COVER', accentColor: 'SITE_ACCENT_COLOR', darkModeLogo: 'SITE_DARK_MODE_LOGO', feeds: 'SITE_FEEDS', 'newsSitemap.name': 'NEWS_SITEMAP_NAME', 'newsSitemap.language': 'NEWS_SITEMAP_LANGUAGE', newsSitemap: 'NEWS_SITEMAP', archives: 'ARCHIVES', archivePageItems: 'ARCHIVE_PAGE_ITEMS', hubs: 'WEBSUB_HUBS', 'limits.items': 'FEED_ITEMS', 'limits.feedBytes': 'FEED_BYTES', 'limits.itemChars': 'FEED_ITEM_CHARS' };

/**
 * The site configuration, derived the same way for the CLI (a site.json, a stored config, the defaults)
 * and for Lambda (the environment): checked, defaults filled, and the feeds' address `feedUrl`, when not
 * given, under the site URL and the feed prefix the feeds are published under (a build folder has none:
 * it is the feeds' root). Errors name `source` and the setting (`fieldName` maps it, e.g. to a variable).
 */
export function siteConfigFrom(value: unknown, options: { source: string; feedPrefix?: string; fieldName?: (field: string) => string }): SiteConfig {
  const { source, feedPrefix, fieldName } = options;
  let site: SiteConfig;
  try {
    site = parseSiteConfig(value, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const field = error.field === '(article)' ? '(config)' : error.field;
    throw new ConfigError(source, fieldName ? fieldName(field) : field, error.reason, { cause: error.cause ?? error });
  }
  const givenFeedUrl = typeof value === 'object' && value !== null && (value as { feedUrl?: unknown }).feedUrl !== undefined;
  if (givenFeedUrl || feedPrefix === undefined) return site;
  return { ...site, feedUrl: new URL(feedPrefix, site.url).toString() };
}

/**
 * The news sitemap from NEWS_SITEMAP (on/off) and NEWS_SITEMAP_NAME / NEWS_SITEMAP_LANGUAGE (either one
 * turns it on); undefined: none.
 */
function newsSitemapOf(env: Env): unknown {
  const switched = optional(env, 'NEWS_SITEMAP')?.toLowerCase();
  if (switched !== undefined && !['on', 'off', 'true', 'false', '1', '0'].includes(switched)) throw new ConfigError('environment', 'NEWS_SITEMAP', `"${switched}" must be on or off`);
  const name = optional(env, 'NEWS_SITEMAP_NAME');
  const language = optional(env, 'NEWS_SITEMAP_LANGUAGE');
  if (switched === 'off' || switched === 'false' || switched === '0') return undefined;
  if (switched === undefined && name === undefined && language === undefined) return undefined;
  return { ...(name ? { name } : {}), ...(language ? { language } : {}) };
}

/** An on/off variable (on, off, true, false, 1, 0); undefined when unset. */
function switchOf(env: Env, name: string): boolean | undefined {
  const value = optional(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['on', 'true', '1'].includes(value)) return true;
  if (['off', 'false', '0'].includes(value)) return false;
  throw new ConfigError('environment', name, `"${value}" must be on or off`);
}

/** A variable holding JSON (the declared feeds: the same array as a site config file's `feeds`). */
function jsonValue(env: Env, name: string): unknown {
  const text = optional(env, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError('environment', name, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

export function readServiceConfig(env: Env = process.env): ServiceConfig {
  const siteUrl = required(env, 'SITE_URL');
  const feedPrefix = prefix(env, 'FEED_PREFIX', 'feeds/');
  const items = optional(env, 'FEED_ITEMS');
  const feedBytes = optional(env, 'FEED_BYTES');
  const itemChars = optional(env, 'FEED_ITEM_CHARS');
  const limits: Record<string, number> = {};
  if (items !== undefined) limits.items = Number(items);
  if (feedBytes !== undefined) limits.feedBytes = Number(feedBytes);
  if (itemChars !== undefined) limits.itemChars = Number(itemChars);
  const siteInput: Record<string, unknown> = {
    url: siteUrl,
    feedUrl: optional(env, 'FEED_BASE_URL'),
    title: optional(env, 'SITE_TITLE'),
    description: optional(env, 'SITE_DESCRIPTION'),
    language: optional(env, 'SITE_LANGUAGE'),
    publisher: optional(env, 'SITE_PUBLISHER'),
    copyright: optional(env, 'SITE_COPYRIGHT'),
    logo: optional(env, 'SITE_LOGO'),
    icon: optional(env, 'SITE_ICON'),
    cover: optional(env, 'SITE_COVER'),
    accentColor: optional(env, 'SITE_ACCENT_COLOR'),
    darkModeLogo: optional(env, 'SITE_DARK_MODE_LOGO'),
    feeds: jsonValue(env, 'SITE_FEEDS'),
    newsSitemap: newsSitemapOf(env),
    archives: switchOf(env, 'ARCHIVES'),
    archivePageItems: optional(env, 'ARCHIVE_PAGE_ITEMS') === undefined ? undefined : Number(optional(env, 'ARCHIVE_PAGE_ITEMS')),
    hubs: optional(env, 'WEBSUB_HUBS')
      ?.split(',')
      .map((hub) => hub.trim())
      .filter(Boolean),
    limits: Object.keys(limits).length === 0 ? undefined : limits,
  };
  for (const key of Object.keys(siteInput)) if (siteInput[key] === undefined) delete siteInput[key];
  const site = siteConfigFrom(siteInput, { source: 'environment', feedPrefix, fieldName: (field) => ENV_NAMES[field] ?? ENV_NAMES[field.split(/[.[]/)[0] ?? ''] ?? field });
  // Checked even when unused: serverless.yml grants reads under it.
  const photoKeyPrefix = prefix(env, 'PHOTO_KEY_PREFIX', 'photos/');
  // Photos under the feeds would be overwritten by feed files, and feed files read as photos.
  if (photoKeyPrefix.startsWith(feedPrefix) || feedPrefix.startsWith(photoKeyPrefix)) {
    throw new ConfigError('environment', 'PHOTO_KEY_PREFIX', `"${photoKeyPrefix}" overlaps FEED_PREFIX "${feedPrefix}": photos and feeds need prefixes of their own`);
  }
  const photoUrl = optional(env, 'PHOTO_URL_PREFIX');
  const photos = photoUrl === undefined ? undefined : { urlPrefix: photoUrlPrefix(photoUrl), keyPrefix: photoKeyPrefix };
  // Not trimmed but for spaces and tabs: `trim()` would quietly drop a no-break space S3 would refuse.
  const cacheControl = env.CACHE_CONTROL?.replace(/^[ \t]+|[ \t]+$/g, '');
  const archiveCacheControl = env.ARCHIVE_CACHE_CONTROL?.replace(/^[ \t]+|[ \t]+$/g, '');
  const endpoint = optional(env, 'S3_ENDPOINT');
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError('environment', 'S3_ENDPOINT', `"${endpoint}" must be an http(s) URL`);
  return {
    bucket: required(env, 'FEED_BUCKET'),
    endpoint,
    region: optional(env, 'AWS_REGION'),
    feedPrefix,
    cacheControl: cacheControl ? checkCacheControl(cacheControl, 'environment', 'CACHE_CONTROL') : 'public, max-age=300',
    ...(archiveCacheControl ? { archiveCacheControl: checkCacheControl(archiveCacheControl, 'environment', 'ARCHIVE_CACHE_CONTROL') } : {}),
    site,
    photos,
    apiToken: optional(env, 'API_TOKEN'),
  };
}

/** The configuration a store was last published with (the Syndicator writes it at config/site.json). */
export interface StoredConfig {
  site: SiteConfig;
  feedPrefix: string;
  cacheControl: string;
}

/** The stored configuration as a JSON object, and the name to report it under; null when the store has none. */
async function readStoredObject(store: ObjectStore): Promise<{ source: string; value: Record<string, unknown> } | null> {
  const object = await store.get(siteConfigKey);
  if (!object) return null;
  const source = `${store.name.replace(/\/$/, '')}/${siteConfigKey}`;
  let value: unknown;
  try {
    value = JSON.parse(object.body.toString('utf8'));
  } catch (cause) {
    throw new ConfigError(source, '(json)', `invalid JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(source, '(file)', 'must be a JSON object {site, feedPrefix, cacheControl}');
  return { source, value: value as Record<string, unknown> };
}

/** The feed prefix and Cache-Control of a stored configuration, checked as the command line's are. */
function storedSettings(source: string, value: Record<string, unknown>): Omit<StoredConfig, 'site'> {
  const { feedPrefix, cacheControl } = value;
  if (typeof feedPrefix !== 'string') throw new ConfigError(source, 'feedPrefix', 'must be a key prefix such as feeds/');
  if (typeof cacheControl !== 'string') throw new ConfigError(source, 'cacheControl', 'must be a Cache-Control header value');
  return { feedPrefix: checkPublicPrefix(feedPrefix, source, 'feedPrefix'), cacheControl: checkCacheControl(cacheControl, source, 'cacheControl') };
}

/**
 * Reads the configuration remembered in a store; null when it has none. Anything wrong with it is a
 * ConfigError naming the object (`<store>/config/site.json`) and the field: the CLI refuses rather than
 * publish with settings it guessed.
 */
export async function readStoredConfig(store: ObjectStore): Promise<StoredConfig | null> {
  const found = await readStoredObject(store);
  if (!found) return null;
  const { source, value } = found;
  const { site } = value;
  // A missing site must not fall back on parseSiteConfig's placeholders ("Newsroom", news.example.com).
  if (typeof site !== 'object' || site === null || Array.isArray(site)) throw new ConfigError(source, 'site', 'must be the site configuration (an object)');
  let parsed: SiteConfig;
  try {
    parsed = parseSiteConfig(site, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(source, error.field === '(config)' ? 'site' : `site.${error.field}`, error.reason, { cause: error });
  }
  return { site: parsed, ...storedSettings(source, value) };
}

/**
 * Only the feed prefix and Cache-Control a store remembers (null when it has none), for a run that brings
 * its own site (`--config`): a stored site it will replace is not read, so one it cannot read (written by
 * a newer version, or corrupt) does not stand in the way.
 */
export async function readStoredSettings(store: ObjectStore): Promise<Omit<StoredConfig, 'site'> | null> {
  const found = await readStoredObject(store);
  return found && storedSettings(found.source, found.value);
}
