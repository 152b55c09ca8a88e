/**
 * A sequential model of what events and direct publishes do to the records, for checking that concurrent
 * runs end as some serial order would (invariant I3). It composes the same pure decisions as the engine
 * (src/records.ts), one operation at a time with no I/O, and explores every order of a scenario's
 * operations that respects its constraints (an event after the upload it reports; one key's uploads in
 * order), collecting the outcomes any serial order can reach.
 */
import { createHash } from 'node:crypto';
import type { Article } from '../../src/article.js';
import { ConflictError } from '../../src/errors.js';
import { type ArticleRecord, compareSequencers, decidePublish, decideWithdrawByEditor, decideWithdrawByKey, type Decision, isValidRecord, type StoredRecord } from '../../src/records.js';

export interface ModelState {
  incoming: Record<string, { etag: string; article: Article | null } | null>;
  sources: Record<string, { sequencer: string; id: string | null; removed: boolean; supersedes: string[] }>;
  records: Record<string, StoredRecord>;
  urls: Record<string, string>;
}

export type ModelOp =
  | { kind: 'put'; key: string; etag: string; article: Article | null }
  | { kind: 'delete'; key: string }
  | { kind: 'created'; key: string; sequencer: string; etag: string }
  | { kind: 'removed'; key: string; sequencer: string; when: string }
  | { kind: 'publish'; article: Article }
  | { kind: 'takedown'; id: string; when: string };

export const emptyModel = (records: Record<string, StoredRecord> = {}): ModelState => ({ incoming: {}, sources: {}, records: { ...records }, urls: {} });

function apply(state: ModelState, id: string, decision: Decision): void {
  if (!decision.write) return;
  const current = state.records[id];
  const revision = (isValidRecord(current ?? null) ? (current as ArticleRecord).revision : 0) + 1;
  state.records[id] = { ...decision.write, revision } as ArticleRecord;
}

/** decidePublish, the URL binding, and the record: what one publish does, or nothing if refused. */
function publish(state: ModelState, article: Article, owner: ArticleRecord['owner'], sequencer: string | null): void {
  const current = state.records[article.id];
  const holder = isValidRecord(current ?? null) ? (current as ArticleRecord) : null;
  const source = holder?.owner.kind === 'object' ? state.sources[holder.owner.key] : undefined;
  const ownerMovedOn =
    !!holder && !!source && holder.sequencer !== null && !(owner.kind === 'object' && holder.owner.kind === 'object' && owner.key === holder.owner.key) && compareSequencers(source.sequencer, holder.sequencer) > 0 && (source.removed || source.id !== article.id);
  const input = { article, owner, sequencer, photos: [], idFromUrl: false, ownerMovedOn };
  try {
    const decision = decidePublish(state.records[article.id] ?? null, input, 'model');
    if (decision.write && article.url) {
      const bound = state.urls[article.url];
      if (bound !== undefined && bound !== article.id) return;
      state.urls[article.url] = article.id;
    }
    apply(state, article.id, decision);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

const stale = (sequencer: string, latest: string | undefined) => latest !== undefined && compareSequencers(sequencer, latest) < 0;

export function step(state: ModelState, op: ModelOp): void {
  switch (op.kind) {
    case 'put':
      state.incoming[op.key] = { etag: op.etag, article: op.article };
      return;
    case 'delete':
      state.incoming[op.key] = null;
      return;
    case 'created': {
      const previous = state.sources[op.key];
      if (previous && stale(op.sequencer, previous.sequencer)) return;
      const object = state.incoming[op.key];
      if (!object || object.etag !== op.etag) return; // gone, or replaced: the newer event acts
      if (!object.article) {
        state.sources[op.key] = { sequencer: op.sequencer, id: previous?.id ?? null, removed: previous?.removed ?? true, supersedes: previous?.supersedes ?? [] };
        return;
      }
      const article = object.article;
      const candidates = [...new Set([...(previous?.id ? [previous.id] : []), ...(previous?.supersedes ?? [])])].filter((i) => i !== article.id);
      const owned = (i: string) => {
        const r = state.records[i] ?? null;
        return r === null || (isValidRecord(r) && r.status === 'live' && r.owner.kind === 'object' && r.owner.key === op.key);
      };
      const supersedes = previous && previous.sequencer === op.sequencer ? previous.supersedes : candidates.filter(owned);
      state.sources[op.key] = { sequencer: op.sequencer, id: article.id, removed: false, supersedes };
      for (const id of supersedes.filter((i) => i !== article.id)) apply(state, id, decideWithdrawByKey(state.records[id] ?? null, id, op.key, op.sequencer, '2024-06-01T00:00:00.000Z'));
      publish(state, article, { kind: 'object', key: op.key }, op.sequencer);
      return;
    }
    case 'removed': {
      const previous = state.sources[op.key];
      if (previous && stale(op.sequencer, previous.sequencer)) return;
      state.sources[op.key] = { sequencer: op.sequencer, id: previous?.id ?? null, removed: true, supersedes: previous?.supersedes ?? [] };
      for (const id of new Set([...(previous?.id ? [previous.id] : []), ...(previous?.supersedes ?? [])])) {
        apply(state, id, decideWithdrawByKey(state.records[id] ?? null, id, op.key, op.sequencer, op.when));
      }
      return;
    }
    case 'publish':
      publish(state, op.article, { kind: 'direct' }, null);
      return;
    case 'takedown':
      apply(state, op.id, decideWithdrawByEditor(state.records[op.id] ?? null, op.when));
      return;
  }
}

/** What readers and partners can tell apart: which articles are live, with what, from whom. */
export function projection(records: Record<string, StoredRecord | null>): string {
  const out: Record<string, unknown> = {};
  for (const id of Object.keys(records).sort()) {
    const record = records[id] ?? null;
    if (!isValidRecord(record)) {
      out[id] = record ? 'invalid' : undefined;
      continue;
    }
    if (record.status === 'live' && record.article) {
      const { title, section, published, url } = record.article;
      out[id] = { live: true, owner: record.owner.kind === 'object' ? record.owner.key : 'direct', title, section, published, url };
    } else if (record.article) {
      out[id] = { live: false };
    }
  }
  return JSON.stringify(out);
}

/**
 * Every outcome (projection) some order of `ops` reaches. `after[i]` lists the operations that must come
 * before operation i. Identical operations with identical constraints (a replayed event, a retried
 * request) are interchangeable, so only one of each is tried at each step; memoised on (what is done,
 * state), so equal prefixes are explored once.
 */
export function reachableOutcomes(initial: ModelState, ops: readonly ModelOp[], after: readonly (readonly number[])[]): Set<string> {
  // Ops that are the same (same content, same constraints) share a short name; states are keyed by a
  // digest: with long articles the full texts made every memo key hundreds of KB (a 20,000-run exploration
  // ran out of memory on one scenario).
  const names = new Map<string, string>();
  const signature = ops.map((op, i) => {
    const full = `${JSON.stringify(op)}|${JSON.stringify([...(after[i] ?? [])].sort())}`;
    if (!names.has(full)) names.set(full, `o${names.size}`);
    return names.get(full) as string;
  });
  const digest = (state: ModelState) => createHash('sha1').update(JSON.stringify(state)).digest('base64');
  const outcomes = new Set<string>();
  const seen = new Set<string>();
  const all = ops.length;
  const visit = (state: ModelState, done: boolean[], count: number) => {
    const memo = `${signature.filter((_, i) => done[i]).sort().join(',')}#${digest(state)}`;
    if (seen.has(memo)) return;
    seen.add(memo);
    if (count === all) {
      outcomes.add(projection(state.records));
      return;
    }
    const tried = new Set<string>();
    for (let i = 0; i < all; i++) {
      if (done[i] || tried.has(signature[i] as string)) continue;
      if ((after[i] ?? []).some((j) => !done[j])) continue;
      tried.add(signature[i] as string);
      const next = structuredClone(state);
      step(next, ops[i] as ModelOp);
      done[i] = true;
      visit(next, done, count + 1);
      done[i] = false;
    }
  };
  visit(initial, new Array(all).fill(false), 0);
  return outcomes;
}
