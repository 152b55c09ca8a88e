/**
 * Configuration: the service's, from the environment (read and checked once per handler container, see
 * src/lambda/runtime.ts), and the one a store remembers at config/site.json (what the CLI falls back on).
 */
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

export function readServiceConfig(env: Env = process.env): ServiceConfig {
  const siteUrl = required(env, 'SITE_URL');
  const feedPrefix = prefix(env, 'FEED_PREFIX', 'feeds/');
  const items = optional(env, 'FEED_ITEMS');
  const siteInput: Record<string, unknown> = {
    url: siteUrl,
    feedUrl: optional(env, 'FEED_BASE_URL') ?? new URL(feedPrefix, siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`).toString(),
    title: optional(env, 'SITE_TITLE'),
    description: optional(env, 'SITE_DESCRIPTION'),
    language: optional(env, 'SITE_LANGUAGE'),
    publisher: optional(env, 'SITE_PUBLISHER'),
    copyright: optional(env, 'SITE_COPYRIGHT'),
    limits: items === undefined ? undefined : { items: Number(items) },
  };
  for (const key of Object.keys(siteInput)) if (siteInput[key] === undefined) delete siteInput[key];
  let site: SiteConfig;
  try {
    site = parseSiteConfig(siteInput, 'environment');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const names: Record<string, string> = { url: 'SITE_URL', feedUrl: 'FEED_BASE_URL', title: 'SITE_TITLE', description: 'SITE_DESCRIPTION', language: 'SITE_LANGUAGE', publisher: 'SITE_PUBLISHER', copyright: 'SITE_COPYRIGHT', 'limits.items': 'FEED_ITEMS' };
    throw new ConfigError('environment', names[error.field] ?? error.field, error.reason, { cause: error });
  }
  const photoUrlPrefix = optional(env, 'PHOTO_URL_PREFIX');
  // Checked even when unused: serverless.yml grants reads under it.
  const photoKeyPrefix = prefix(env, 'PHOTO_KEY_PREFIX', 'photos/');
  const endpoint = optional(env, 'S3_ENDPOINT');
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError('environment', 'S3_ENDPOINT', `"${endpoint}" must be an http(s) URL`);
  return {
    bucket: required(env, 'FEED_BUCKET'),
    endpoint,
    region: optional(env, 'AWS_REGION'),
    feedPrefix,
    cacheControl: optional(env, 'CACHE_CONTROL') ?? 'public, max-age=300',
    site,
    photos: photoUrlPrefix ? { urlPrefix: photoUrlPrefix, keyPrefix: photoKeyPrefix } : undefined,
    apiToken: optional(env, 'API_TOKEN'),
  };
}

/** The configuration a store was last published with (the Syndicator writes it at config/site.json). */
export interface StoredConfig {
  site: SiteConfig;
  feedPrefix: string;
  cacheControl: string;
}

/**
 * Reads the configuration remembered in a store; null when it has none. Anything wrong with it is a
 * ConfigError naming the object (`<store>/config/site.json`) and the field: the CLI refuses rather than
 * publish with settings it guessed.
 */
export async function readStoredConfig(store: ObjectStore): Promise<StoredConfig | null> {
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
  const { site, feedPrefix, cacheControl } = value as Record<string, unknown>;
  // A missing site must not fall back on parseSiteConfig's placeholders ("Newsroom", news.example.com).
  if (typeof site !== 'object' || site === null || Array.isArray(site)) throw new ConfigError(source, 'site', 'must be the site configuration (an object)');
  let parsed: SiteConfig;
  try {
    parsed = parseSiteConfig(site, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(source, error.field === '(config)' ? 'site' : `site.${error.field}`, error.reason, { cause: error });
  }
  if (typeof feedPrefix !== 'string') throw new ConfigError(source, 'feedPrefix', 'must be a key prefix such as feeds/');
  if (typeof cacheControl !== 'string' || !/^[\x20-\x7e]{1,500}$/.test(cacheControl)) throw new ConfigError(source, 'cacheControl', 'must be a Cache-Control header value');
  return { site: parsed, feedPrefix: checkPublicPrefix(feedPrefix, source, 'feedPrefix'), cacheControl };
}
