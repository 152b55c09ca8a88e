'use strict';
/**
 * Values serverless.yml computes when it is packaged, as JS variables:
 * `${file(./scripts/serverless-vars.cjs):name}` calls the function `name` (offline: no AWS call).
 * The prefixes and the site URL are checked here, before anything is deployed, because the role's grants
 * are built from them: a FEED_PREFIX of "" would grant PutObject on the whole bucket (incoming/ included,
 * so the function would trigger itself) before the function could refuse it at run time.
 *
 * This file cannot import src/layout.ts (TypeScript); it keeps its own copy of the internal prefixes and
 * of the prefix check, which tests/edges.test.ts holds equal to src/layout.ts (INTERNAL_PREFIXES,
 * checkPublicPrefix).
 */

/** src/layout.ts INTERNAL_PREFIXES: the prefixes the service keeps for itself. */
const INTERNAL_PREFIXES = Object.freeze(['incoming/', 'articles/', 'sources/', 'urls/', 'index/', 'tombs/', 'state/', 'errors/', 'config/']);

/** A refusal osls prints as one line (it prints an error's stack, which would only point here). */
function refuse(name, reason) {
  const error = new Error(`${name}: ${reason}`);
  error.stack = error.message;
  return error;
}

/**
 * As src/layout.ts checkPublicPrefix: a relative folder of letters, digits and `. _ ~ -` (no empty folder
 * name, none starting with "."), outside every internal prefix. Returns it with a trailing slash.
 */
function checkPrefix(prefix, name) {
  const normal = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const names = normal.slice(0, -1).split('/');
  if (normal === '' || !/^[A-Za-z0-9._~/-]+$/.test(normal) || names.some((part) => part === '' || part.startsWith('.'))) {
    throw refuse(name, `${JSON.stringify(prefix)} must be a relative key prefix such as feeds/ (folder names of letters, digits and . _ ~ -, none empty or starting with ".")`);
  }
  const clash = INTERNAL_PREFIXES.find((internal) => normal.startsWith(internal) || internal.startsWith(normal));
  if (clash) throw refuse(name, `${JSON.stringify(prefix)} overlaps ${clash}, which the service keeps for itself`);
  return normal;
}

/** A prefix from the environment: unset means the default, set (even to "") means checked. */
function envPrefix(name, fallback) {
  const value = process.env[name];
  return checkPrefix(value === undefined ? fallback : value.trim(), name);
}

const feedPrefix = () => envPrefix('FEED_PREFIX', 'feeds/');

function photoKeyPrefix() {
  const photos = envPrefix('PHOTO_KEY_PREFIX', 'photos/');
  let feeds;
  try {
    feeds = feedPrefix();
  } catch {
    return photos; // FEED_PREFIX's own error is reported where it is resolved
  }
  if (photos.startsWith(feeds) || feeds.startsWith(photos)) {
    throw refuse('PHOTO_KEY_PREFIX', `"${photos}" overlaps FEED_PREFIX "${feeds}": photos and feeds need prefixes of their own`);
  }
  return photos;
}

/** The site's home page: required (no placeholder), an absolute http(s) URL. */
function siteUrl() {
  const value = (process.env.SITE_URL ?? '').trim();
  if (value === '') throw refuse('SITE_URL', 'is required: the home page of the site the feeds are for, e.g. SITE_URL=https://news.example.com/ npx osls deploy');
  let url;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw refuse('SITE_URL', `${JSON.stringify(value)} must be an absolute http(s) URL`);
  return value;
}

/**
 * The custom resource's DeployId: the time the deployment was packaged, in milliseconds. Each deploy
 * changes it (so CloudFormation sends the republish function an Update), and it only grows: an Update
 * whose DeployId is older than the one it replaces is a rollback, which the function answers SUCCESS.
 */
const deployId = () => String(Date.now());

module.exports = { INTERNAL_PREFIXES, checkPrefix, feedPrefix, photoKeyPrefix, siteUrl, deployId };
