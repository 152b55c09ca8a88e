/** Service configuration from the environment: read and checked once, when a handler's container starts. */
import { ConfigError } from './errors.js';
import type { PhotoLocation } from './photos.js';
import { parseSiteConfig, type SiteConfig } from './site.js';

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

function prefix(env: Env, name: string, fallback: string): string {
  const value = optional(env, name) ?? fallback;
  if (value.startsWith('/') || value.split('/').includes('..')) throw new ConfigError('environment', name, `"${value}" must be a relative key prefix`);
  return value === '' || value.endsWith('/') ? value : `${value}/`;
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
  const endpoint = optional(env, 'S3_ENDPOINT');
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError('environment', 'S3_ENDPOINT', `"${endpoint}" must be an http(s) URL`);
  return {
    bucket: required(env, 'FEED_BUCKET'),
    endpoint,
    region: optional(env, 'AWS_REGION'),
    feedPrefix,
    cacheControl: optional(env, 'CACHE_CONTROL') ?? 'public, max-age=300',
    site,
    photos: photoUrlPrefix ? { urlPrefix: photoUrlPrefix, keyPrefix: prefix(env, 'PHOTO_KEY_PREFIX', 'photos/') } : undefined,
    apiToken: optional(env, 'API_TOKEN'),
  };
}
