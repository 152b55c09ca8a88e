/**
 * The per-article record (articles/<id>.json): the single source of truth for whether an article is live,
 * what it says, and who may change it. Records are changed only by compare-and-swap and never deleted: a
 * takedown is a state of the record, which keeps the last content for the feeds' tombstones.
 *
 * Ownership (who may publish an id):
 * - An incoming object key that publishes an id owns it. Another key, the API or the CLI claiming that id
 *   is refused (a ConflictError naming the owner) until the owning key is deleted, which withdraws the
 *   article and releases the id.
 * - An id published through the API or the CLI ("direct") may be changed by any direct publish; an
 *   incoming key may claim it only after it was withdrawn.
 * - Events of the owning key are ordered by their S3 sequencer: an older event than the last one applied
 *   is stale and changes nothing. An editor's takedown (API DELETE, `syndicate unpublish`) keeps the
 *   owner: replays of the old create event never bring the article back; a new upload of the same key
 *   (a newer sequencer) does.
 * This module is pure: the decisions, not the I/O.
 */
import * as z from 'zod/mini';
import { MONTH_KEY, monthOf } from './archive.js';
import { type Article, ArticleSchema } from './article.js';
import { ConflictError } from './errors.js';
import { articleKey, markerKey } from './layout.js';
import type { PhotoProbe } from './photos.js';
import { fieldPath, zodMessage } from './read/finalize.js';
import { type DeclaredScopes, feedPathsOf, inScope, SCOPE_PATH } from './scopes.js';

/** Who supplies an article: an incoming object key, or a direct publish (HTTP API, CLI). */
export type Owner = { kind: 'object'; key: string } | { kind: 'direct' };

export interface ArticleRecord {
  format: 2;
  id: string;
  /** 1 when first written, one more on every change: names the markers this revision wants. */
  revision: number;
  status: 'live' | 'withdrawn';
  /** The last content published (kept when withdrawn, for tombstones); null for a placeholder. */
  article: Article | null;
  owner: Owner;
  /** The S3 sequencer of the owning key's last event applied (null for direct publishes). */
  sequencer: string | null;
  /** Set when withdrawn: when, and whether the owning key was deleted ('key') or an editor took it down. */
  withdrawn: { when: string; by: 'key' | 'editor' } | null;
  /** Measurements of photos in the bucket, by ETag (so a replaced photo is measured again). */
  photos: PhotoProbe[];
  /**
   * Feeds an earlier revision was in that this one is not (a section change), until a writer has brought
   * them up to date: a Lambda that died after writing the record leaves them to its retry, or to the next
   * writer of the record.
   */
  pending: string[];
  /**
   * Archive months an earlier revision was in that this one is not (its publication date moved to another
   * month), until a writer has settled them (src/engine/archives.ts); absent when none.
   */
  pendingMonths?: string[];
}

/** A record that exists but cannot be used: it is quarantined (never an item) and reported. */
export interface InvalidRecord {
  invalid: true;
  key: string;
  reason: string;
  /** The section the broken record names, if it can be read: where its article may still be shown. */
  section: string | null;
  /** Its tags and authors, if they can be read (declared tag and author feeds may still show it). */
  tags?: string[];
  authors?: string[];
  /** Its revision, if it can be read: the next one counts on from it. */
  revision?: number;
  /** What can still be read of who owns it and of the feeds it owes: a takedown keeps them. */
  owner?: Owner;
  sequencer?: string | null;
  pending?: string[];
}

export type StoredRecord = ArticleRecord | InvalidRecord;

export const isValidRecord = (record: StoredRecord | null): record is ArticleRecord => record !== null && !('invalid' in record);

const OwnerSchema = z.union([z.object({ kind: z.literal('object'), key: z.string() }), z.object({ kind: z.literal('direct') })]);
const ProbeSchema = z.object({
  url: z.string(),
  etag: z.string(),
  bytes: z.nullable(z.number()),
  type: z.nullable(z.string()),
  width: z.nullable(z.number()),
  height: z.nullable(z.number()),
});
const RecordSchema = z.object({
  format: z.literal(2),
  id: z.string(),
  revision: z.int().check(z.gte(1)),
  status: z.enum(['live', 'withdrawn']),
  article: z.nullable(ArticleSchema),
  owner: OwnerSchema,
  sequencer: z.nullable(z.string().check(z.regex(/^[0-9A-Fa-f]{1,64}$/))),
  withdrawn: z.nullable(z.object({ when: z.string(), by: z.enum(['key', 'editor']) })),
  photos: z.array(ProbeSchema),
  // A scope path: '', sections/<slug>/, tags/<slug>/ or authors/<slug>/ (slugs keep letters of any script).
  pending: z._default(z.array(z.string().check(z.regex(SCOPE_PATH))), []),
  pendingMonths: z.optional(z.array(z.string().check(z.regex(new RegExp(`^${MONTH_KEY}$`))))),
});

/**
 * Reads a stored record. Records written before format 2 ({article, source}) read as live, revision 0.
 * Anything that does not check out is an InvalidRecord naming the key and the field.
 */
export function parseRecord(id: string, body: Buffer): StoredRecord {
  const key = articleKey(id);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { invalid: true, key, reason: `${key}: not valid JSON`, section: null };
  }
  const section = sectionOf(value);
  const lists = listsOf(value);
  const raw = value as Record<string, unknown>;
  if (raw && typeof raw === 'object' && raw.format === undefined && raw.article !== undefined) {
    const source = raw.source as { key?: unknown; sequencer?: unknown } | null | undefined;
    value = {
      format: 2,
      id,
      revision: 1,
      status: 'live',
      article: raw.article,
      owner: typeof source?.key === 'string' ? { kind: 'object', key: source.key } : { kind: 'direct' },
      sequencer: typeof source?.sequencer === 'string' ? source.sequencer : null,
      withdrawn: null,
      photos: [],
      pending: [],
    };
  }
  const parsed = RecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { invalid: true, key, reason: `${key}: ${fieldPath(issue?.path ?? [])}: ${zodMessage(issue)}`, section, ...lists, ...readable(raw) };
  }
  const record = parsed.data as ArticleRecord;
  if (record.id !== id || (record.article && record.article.id !== id)) return { invalid: true, key, reason: `${key}: id: does not match the key`, section, ...lists };
  if (record.status === 'live' && !record.article) return { invalid: true, key, reason: `${key}: article: missing for a live record`, section, ...lists };
  // Legacy records have no revision of their own: their markers name none (revision 0).
  if (raw && typeof raw === 'object' && raw.format === undefined) record.revision = 0;
  return record;
}

/** The parts of a broken record that can still be trusted, each checked on its own. */
function readable(raw: Record<string, unknown> | null | undefined): Pick<InvalidRecord, 'revision' | 'owner' | 'sequencer' | 'pending'> {
  if (!raw || typeof raw !== 'object') return {};
  const out: Pick<InvalidRecord, 'revision' | 'owner' | 'sequencer' | 'pending'> = {};
  if (typeof raw.revision === 'number' && Number.isSafeInteger(raw.revision)) out.revision = raw.revision;
  const owner = OwnerSchema.safeParse(raw.owner);
  if (owner.success) out.owner = owner.data as Owner;
  if (typeof raw.sequencer === 'string' && /^[0-9A-Fa-f]{1,64}$/.test(raw.sequencer)) out.sequencer = raw.sequencer;
  if (Array.isArray(raw.pending) && raw.pending.every((p) => typeof p === 'string' && SCOPE_PATH.test(p))) out.pending = raw.pending as string[];
  return out;
}

function sectionOf(value: unknown): string | null {
  const section = (value as { article?: { section?: unknown } } | null)?.article?.section;
  return typeof section === 'string' ? section : null;
}

/** The tags and authors a broken record names, where they read as lists of text. */
function listsOf(value: unknown): Pick<InvalidRecord, 'tags' | 'authors'> {
  const article = (value as { article?: { tags?: unknown; authors?: unknown } } | null)?.article;
  const list = (v: unknown) => (Array.isArray(v) && v.length <= 200 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const tags = list(article?.tags);
  const authors = list(article?.authors);
  return { ...(tags ? { tags } : {}), ...(authors ? { authors } : {}) };
}

/** The feeds an article of this record is (or, withdrawn, was) in. */
function recordFeeds(record: StoredRecord | null, declared?: DeclaredScopes): string[] {
  if (record === null) return [];
  if ('invalid' in record) return feedPathsOf(record, declared);
  return record.article ? feedPathsOf(record.article, declared) : [];
}

/**
 * Every feed that may show some revision of the record: its own, and those still pending. `declared`:
 * the tag and author scopes the configuration declares (src/scopes.ts); the site and sections always.
 */
export function feedsToReconcile(record: StoredRecord | null, declared?: DeclaredScopes): string[] {
  return [...new Set([...recordFeeds(record, declared), ...(record?.pending ?? [])])].sort();
}

/** What the next revision still owes: the pending feeds and the current revision's, less its own. */
export function pendingAfter(current: StoredRecord | null, next: Pick<ArticleRecord, 'article'>, declared?: DeclaredScopes): string[] {
  const own = next.article ? feedPathsOf(next.article, declared) : [];
  return feedsToReconcile(current, declared).filter((p) => !own.includes(p));
}

/**
 * The archive months the next revision still owes: the current revision's month and those it owed, less
 * the next one's own (src/archive.ts monthOf).
 */
export function pendingMonthsAfter(current: StoredRecord | null, next: Pick<ArticleRecord, 'article'>): string[] {
  if (!isValidRecord(current)) return [];
  const own = next.article ? monthOf(next.article) : null;
  const owed = new Set([...(current.article ? [monthOf(current.article)] : []), ...(current.pendingMonths ?? [])]);
  return [...owed].filter((m) => m !== own).sort();
}

/** The markers a record wants: one per feed, in the live index or among the takedowns. */
export function wantedMarkers(record: StoredRecord | null, declared?: DeclaredScopes): string[] {
  if (!isValidRecord(record) || !record.article) return [];
  const article = record.article;
  if (record.status === 'live') return feedPathsOf(article, declared).map((p) => markerKey('live', p, article.published, record.id, record.revision));
  const when = record.withdrawn?.when ?? article.updated;
  return feedPathsOf(article, declared).map((p) => markerKey('tomb', p, when, record.id, record.revision));
}

/** S3 sequencers are hex strings of varying length: compare after right-padding the shorter with zeros. */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toUpperCase().padEnd(width, '0');
  const pb = b.toUpperCase().padEnd(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** A change to make, or why none is made. */
export type Decision =
  | { write: Omit<ArticleRecord, 'revision' | 'pending' | 'pendingMonths'>; status: 'published' | 'withdrawn'; reconcile: true }
  | { write: null; status: 'unchanged' | 'withdrawn'; reconcile: true }
  | { write: null; status: 'stale' | 'not-found' | 'not-owner'; reconcile: false };

export interface PublishInput {
  article: Article;
  owner: Owner;
  sequencer: string | null;
  photos: PhotoProbe[];
  /** The id was derived from the URL (not given): another URL deriving the same id is a collision. */
  idFromUrl: boolean;
  /**
   * The key that owns the current record has since applied a newer event that no longer supplies this
   * id (it was deleted, or now says it is another article): its hold is over, as its own event will say.
   */
  ownerMovedOn?: boolean;
}

const ownerName = (owner: Owner) => (owner.kind === 'object' ? owner.key : 'the API or the CLI');
const sameOwner = (a: Owner, b: Owner) => a.kind === b.kind && (a.kind === 'direct' || a.key === (b as { key: string }).key);

/** Whether the id is free for another owner: withdrawn, and (for a key's article) its key was deleted. */
function released(record: ArticleRecord): boolean {
  return record.status === 'withdrawn' && (record.owner.kind === 'direct' || record.withdrawn?.by === 'key');
}

/** Whether an event of the owning key is older than the last one applied (null: no order known). */
function isStale(record: ArticleRecord, owner: Owner, sequencer: string | null): boolean {
  return owner.kind === 'object' && sameOwner(record.owner, owner) && sequencer !== null && record.sequencer !== null && compareSequencers(sequencer, record.sequencer) < 0;
}

const stable = (value: unknown) => JSON.stringify(value);

/** What publishing `input` does to the current record. Throws ConflictError when the id is not the caller's. */
export function decidePublish(current: StoredRecord | null, input: PublishInput, source: string): Decision {
  const { article, owner, sequencer } = input;
  const next = (): Decision => ({
    write: { format: 2, id: article.id, status: 'live', article, owner, sequencer, withdrawn: null, photos: input.photos },
    status: 'published',
    reconcile: true,
  });
  // No record, or one that cannot be read (quarantined): the publish writes a good one.
  if (!isValidRecord(current)) return next();
  if (!sameOwner(current.owner, owner) && !released(current) && !input.ownerMovedOn) {
    throw new ConflictError(source, 'id', `"${article.id}" is published from ${ownerName(current.owner)}; ${current.owner.kind === 'object' ? 'delete that file first, or give this article another id' : 'take it down first, or give this article another id'}`);
  }
  if (input.idFromUrl && current.article?.url && article.url !== current.article.url) {
    throw new ConflictError(source, 'id', `"${article.id}", derived from the URL ${article.url}, is already the id of ${current.article.url}; give this article an explicit id`);
  }
  if (isStale(current, owner, sequencer)) return { write: null, status: 'stale', reconcile: false };
  const replay = owner.kind === 'object' && sameOwner(current.owner, owner) && sequencer !== null && current.sequencer === sequencer;
  if (current.status === 'withdrawn' && replay) {
    // The event that published it, seen again after a takedown: the takedown stands.
    return { write: null, status: 'withdrawn', reconcile: true };
  }
  if (current.status === 'live' && stable(current.article) === stable(article) && sameOwner(current.owner, owner) && current.sequencer === (sequencer ?? current.sequencer) && stable(current.photos) === stable(input.photos)) {
    return { write: null, status: 'unchanged', reconcile: true };
  }
  return next();
}

/** The owning key was deleted (or now says it is another article): withdraw, and release the id. */
export function decideWithdrawByKey(current: StoredRecord | null, id: string, key: string, sequencer: string | null, when: string): Decision {
  const owner: Owner = { kind: 'object', key };
  if (current === null) {
    // The create that named this id has not stored it yet: a placeholder makes that older event stale.
    return { write: { format: 2, id, status: 'withdrawn', article: null, owner, sequencer, withdrawn: { when, by: 'key' }, photos: [] }, status: 'withdrawn', reconcile: true };
  }
  if (!isValidRecord(current)) {
    // Broken (never an item), but still this key's as far as can be read: the takedown is written.
    if (current.owner && !sameOwner(current.owner, owner)) return { write: null, status: 'not-owner', reconcile: false };
    return { write: { format: 2, id, status: 'withdrawn', article: null, owner, sequencer, withdrawn: { when, by: 'key' }, photos: [] }, status: 'withdrawn', reconcile: true };
  }
  if (!sameOwner(current.owner, owner)) return { write: null, status: 'not-owner', reconcile: false };
  if (isStale(current, owner, sequencer)) return { write: null, status: 'stale', reconcile: false };
  // Already withdrawn because its key let it go: nothing to write (the key's own record orders its events).
  if (current.status === 'withdrawn' && current.withdrawn?.by === 'key') return { write: null, status: 'withdrawn', reconcile: true };
  const withdrawn = current.status === 'withdrawn' && current.withdrawn ? { when: current.withdrawn.when, by: 'key' as const } : { when, by: 'key' as const };
  return { write: { ...current, status: 'withdrawn', sequencer: sequencer ?? current.sequencer, withdrawn }, status: 'withdrawn', reconcile: true };
}

/**
 * A fence against an event of `key` older than `sequencer` that may still be about to store `id` (its URL
 * claim is being taken over): a placeholder if nothing is stored, or the key's record moved on to
 * `sequencer` (same content), so that event's compare-and-swap finds itself stale.
 */
export function decideFence(current: StoredRecord | null, id: string, key: string, sequencer: string): Decision {
  const owner: Owner = { kind: 'object', key };
  if (current === null) {
    return { write: { format: 2, id, status: 'withdrawn', article: null, owner, sequencer, withdrawn: { when: new Date(0).toISOString(), by: 'key' }, photos: [] }, status: 'withdrawn', reconcile: true };
  }
  if (!isValidRecord(current) || !sameOwner(current.owner, owner) || (current.sequencer !== null && compareSequencers(current.sequencer, sequencer) >= 0)) {
    return { write: null, status: 'stale', reconcile: false };
  }
  return { write: { ...current, sequencer }, status: current.status === 'live' ? 'published' : 'withdrawn', reconcile: true };
}

/** An editor's takedown by id (API DELETE, `syndicate unpublish`): the owner stays. */
export function decideWithdrawByEditor(current: StoredRecord | null, when: string): Decision {
  if (current === null) return { write: null, status: 'not-found', reconcile: false };
  if (!isValidRecord(current)) {
    // Broken, so never an item; the takedown is written all the same (keeping who owns it and the last
    // event applied), so nothing can publish it again by replaying an old event.
    const id = current.key.slice('articles/'.length, -'.json'.length);
    const owner = current.owner ?? { kind: 'direct' };
    return { write: { format: 2, id, status: 'withdrawn', article: null, owner, sequencer: current.sequencer ?? null, withdrawn: { when, by: 'editor' }, photos: [] }, status: 'withdrawn', reconcile: true };
  }
  if (!current.article) {
    // A placeholder. Written by an editor's takedown (of a record that could not be read): the id was
    // taken down, so DELETE stays idempotent (and a retry settles the feeds that takedown still owes).
    // Written for a key whose create never stored its article: nothing was ever published under it.
    if (current.status === 'withdrawn' && current.withdrawn?.by === 'editor') return { write: null, status: 'withdrawn', reconcile: true };
    return { write: null, status: 'not-found', reconcile: false };
  }
  if (current.status === 'withdrawn') return { write: null, status: 'withdrawn', reconcile: true };
  return { write: { ...current, status: 'withdrawn', withdrawn: { when, by: 'editor' } }, status: 'withdrawn', reconcile: true };
}

/** A record as a feed shows it: a live item, a tombstone, or nothing. */
export type FeedEntry = { kind: 'item'; article: Article } | { kind: 'tomb'; article: Article; when: string } | null;

export function entryOf(record: StoredRecord | null, path: string): FeedEntry {
  if (!isValidRecord(record) || !record.article || !inScope(record.article, path)) return null;
  if (record.status === 'live') return { kind: 'item', article: record.article };
  return { kind: 'tomb', article: record.article, when: record.withdrawn?.when ?? record.article.updated };
}
