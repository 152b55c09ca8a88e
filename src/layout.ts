/**
 * The bucket layout: every prefix and key the product reads or writes, in one place. The engine, the
 * configuration check (a feed or photo prefix must not overlap an internal one) and the IAM policy test
 * all use this module.
 *
 *   incoming/<name>                         what the newsroom drops in (S3 events: publish / unpublish)
 *   articles/<id>.json                      the article's record: the source of truth (compare-and-swap)
 *   sources/<hash of key>.json              incoming key -> the article it supplies, last sequencer (CAS)
 *   urls/<hash of url>.json                 article URL -> the id it belongs to (written once)
 *   index/<feed>/<inverted published>-<id>!<revision>   a live article of a feed (empty marker)
 *   tombs/<feed>/<inverted withdrawn>-<id>!<revision>   a withdrawn article of a feed (empty marker)
 *   state/<feed>/state.json                 a feed's window of newest articles and takedowns (CAS)
 *   state/<feed>/archive/<YYYY-MM>.json     a month of a feed's archive: its entries, its neighbours (CAS)
 *   errors/<incoming key>.json              why an incoming object could not be published
 *   errors/articles/<id>.json               a stored record that is invalid (quarantined)
 *   errors/websub.json                      the WebSub pings that failed, for a person (deleted once they pass)
 *   state/websub.json                       feed URLs each hub has not been told of yet (CAS; retried)
 *   config/site.json                        the site configuration the store was last published with
 *   <feed prefix>rss.xml|atom.xml|feed.json and <feed prefix>sections/<slug>/...
 *
 * <feed> is `site/` for the site-wide feed and `sections/<slug>/` for a section.
 */
import { createHash } from 'node:crypto';
import { MONTH_KEY } from './archive.js';
import { ConfigError } from './errors.js';

export const INCOMING = 'incoming/';
export const ARTICLES = 'articles/';
export const SOURCES = 'sources/';
export const URLS = 'urls/';
export const INDEX = 'index/';
export const TOMBS = 'tombs/';
export const STATE = 'state/';
export const ERRORS = 'errors/';
export const CONFIG = 'config/';

/** Prefixes the product keeps for itself; feeds and photos must live elsewhere. */
export const INTERNAL_PREFIXES = [INCOMING, ARTICLES, SOURCES, URLS, INDEX, TOMBS, STATE, ERRORS, CONFIG] as const;

/** What the Lambda role does under each internal prefix (the IAM policy test holds serverless.yml to it). */
export const PREFIX_ACCESS: Record<(typeof INTERNAL_PREFIXES)[number], readonly ('get' | 'put' | 'delete')[]> = {
  [INCOMING]: ['get'],
  [ARTICLES]: ['get', 'put'],
  [SOURCES]: ['get', 'put'],
  [URLS]: ['get', 'put'],
  [INDEX]: ['put', 'delete'],
  [TOMBS]: ['put', 'delete'],
  [STATE]: ['get', 'put'],
  [ERRORS]: ['put', 'delete'],
  [CONFIG]: ['get', 'put'],
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The feed's folder under index/, tombs/ and state/: `site/` or `sections/<slug>/`. */
export const feedDir = (path: string) => path || 'site/';
export const stateKey = (path: string) => `${STATE}${feedDir(path)}state.json`;
/** The state of one month of a scope's RFC 5005 archive (src/engine/archives.ts). */
export const monthStatePrefix = (path: string) => `${STATE}${feedDir(path)}archive/`;
export const monthStateKey = (path: string, month: string) => `${monthStatePrefix(path)}${month}.json`;
/** The month a key under monthStatePrefix names, or null. */
export const monthOfStateKey = (path: string, key: string) => new RegExp(`^(${MONTH_KEY})\\.json$`).exec(key.slice(monthStatePrefix(path).length))?.[1] ?? null;
export const articleKey = (id: string) => `${ARTICLES}${id}.json`;
export const sourceKey = (key: string) => `${SOURCES}${sha256(key).slice(0, 40)}.json`;
export const urlKey = (url: string) => `${URLS}${sha256(url).slice(0, 40)}.json`;
export const siteConfigKey = `${CONFIG}site.json`;
/** Feed URLs a hub could not be told of: the next ping to that hub carries them too. */
export const websubPendingKey = `${STATE}websub.json`;
export const websubErrorKey = `${ERRORS}websub.json`;
export const recordErrorKey = (id: string) => `${ERRORS}${ARTICLES}${id}.json`;

/** S3's limit on a key, in bytes (UTF-8). */
export const MAX_KEY_BYTES = 1024;

/**
 * errors/ mirrors the incoming key where the key is plain; a key with other characters is made safe and
 * gets a hash of the real key, so `a b.md` and `a_b.md` never share a record. A name that would pass S3's
 * 1024-byte limit (a long incoming key, which S3 allows) keeps a prefix of the safe name and the full
 * sha256 of the real key: `~` never occurs in a plain name, and two long keys share a record only if their
 * hashes collide.
 */
export function errorKey(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._/-]/g, '_').replace(/\.\.+/g, '_');
  const named = safe === key ? `${ERRORS}${key}.json` : `${ERRORS}${safe}~${sha256(key).slice(0, 12)}.json`;
  if (Buffer.byteLength(named) <= MAX_KEY_BYTES) return named;
  const hash = sha256(key);
  // `safe` is ASCII: one byte a character.
  const room = MAX_KEY_BYTES - ERRORS.length - '~'.length - hash.length - '.json'.length;
  return `${ERRORS}${safe.slice(0, room)}~${hash}.json`;
}

// ---- markers: empty objects whose keys sort a feed's articles (or takedowns) newest first ----

export type MarkerKind = 'live' | 'tomb';
const MARKER_ROOT: Record<MarkerKind, string> = { live: INDEX, tomb: TOMBS };
const MAX_TIME = 9_999_999_999_999;

export const markerPrefix = (kind: MarkerKind, path: string) => `${MARKER_ROOT[kind]}${feedDir(path)}`;

/** 13 digits of (max - time in ms): lexicographic order is newest first (for times from 1970 on). */
function invertedTime(iso: string): string {
  return String(Math.max(0, MAX_TIME - Math.max(0, Date.parse(iso)))).padStart(13, '0');
}

/**
 * A marker names the record revision that wants it, so a marker is never wanted again once its record
 * has moved on: deleting a stale marker can never remove one a newer revision needs. The separator `!`
 * sorts below every id character, so markers of one instant sort as the feeds do (by id: `x` before
 * `x-01`).
 */
export function markerKey(kind: MarkerKind, path: string, time: string, id: string, revision: number): string {
  // Revision 0: a record written before revisions existed, whose markers name none.
  return `${markerPrefix(kind, path)}${invertedTime(time)}-${id}${revision === 0 ? '' : `!${revision}`}`;
}

export interface ParsedMarker {
  key: string;
  id: string;
  /** 0 for markers written before revisions existed (they name no revision). */
  revision: number;
  /** The time the marker sorts by (publication for the live index, takedown for tombs), in ms. */
  time: number;
}

/** Reads a marker key back; null for anything that is not one (so a stray object is ignored). */
export function parseMarker(kind: MarkerKind, path: string, key: string): ParsedMarker | null {
  const prefix = markerPrefix(kind, path);
  if (!key.startsWith(prefix)) return null;
  const match = /^(\d{13})-([A-Za-z0-9._-]+?)(?:!(\d{1,15}))?$/.exec(key.slice(prefix.length));
  if (!match) return null;
  return { key, id: match[2] as string, revision: match[3] === undefined ? 0 : Number(match[3]), time: MAX_TIME - Number(match[1]) };
}

// ---- configuration checks ----

/** The characters a feed or photo prefix may hold: unreserved in URLs, plain in keys and IAM ARNs. */
const PREFIX_CHARACTERS = /^[A-Za-z0-9._~/-]+$/;

/**
 * A feed (or photo) prefix must be a relative folder outside every internal prefix: letters, digits and
 * `. _ ~ -` in each folder name, no empty name and none starting with `.` (`..`, and `.meta/`, which the
 * folder store keeps for itself). Returns it with a trailing slash. scripts/serverless-vars.cjs checks the
 * deploy's prefixes the same way (a test holds the two to the same answers).
 */
export function checkPublicPrefix(prefix: string, source: string, field: string): string {
  const normal = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const names = normal.slice(0, -1).split('/');
  if (normal === '' || !PREFIX_CHARACTERS.test(normal) || names.some((name) => name === '' || name.startsWith('.'))) {
    throw new ConfigError(source, field, `${JSON.stringify(prefix)} must be a relative key prefix such as feeds/ (folder names of letters, digits and . _ ~ -, none empty or starting with ".")`);
  }
  const clash = INTERNAL_PREFIXES.find((internal) => normal.startsWith(internal) || internal.startsWith(normal));
  if (clash) throw new ConfigError(source, field, `${JSON.stringify(prefix)} overlaps ${clash}, which the service keeps for itself`);
  return normal;
}
