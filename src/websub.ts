/**
 * WebSub, publisher side (W3C Recommendation): after feed files change, each hub is told which of them
 * did (`hub.mode=publish`, `hub.url` once per file), so partners fetch them at once instead of polling.
 * A ping never fails what triggered it: a hub that cannot be reached is logged, recorded for a person
 * (errors/websub.json) and for the next ping (state/websub.json), which carries the URLs it missed.
 */
import { describeError } from './errors.js';
import { websubErrorKey, websubPendingKey } from './layout.js';
import type { Logger } from './log.js';
import { PreconditionFailedError, type ObjectStore } from './storage/object-store.js';

/** Tells one hub of the topics (feed URLs) that changed; throws if the hub did not take it. */
export type HubPinger = (hub: string, topics: readonly string[]) => Promise<void>;

/** A POST of the form WebSub hubs take, within `timeoutMs`; a hub answering other than 2xx is a failure. */
export function httpPinger(timeoutMs = 3000): HubPinger {
  return async (hub, topics) => {
    const body = new URLSearchParams([['hub.mode', 'publish'], ...topics.map((url): [string, string] => ['hub.url', url])]);
    const response = await fetch(hub, { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`${hub} answered ${response.status}`);
  };
}

export interface WebSubSettings {
  hubs: readonly string[];
  pinger: HubPinger;
  /** Tries per hub (default 2). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Pending = Record<string, string[]>;

/** The feeds' public URLs that changed, told to every hub with what each missed before (kept in `store`). Never throws. */
export async function announce(topics: readonly string[], settings: WebSubSettings, store: ObjectStore | null, log: Logger): Promise<void> {
  const { hubs, pinger } = settings;
  if (hubs.length === 0) return;
  let pending: Pending = {};
  let pendingRead = false;
  try {
    pending = store ? ((await readPending(store))?.value ?? {}) : {};
    pendingRead = true;
  } catch (error) {
    log.warn('could not read the WebSub pings still owed', { reason: describeError(error) });
  }
  const owed = (hub: string) => [...new Set([...(pending[hub] ?? []), ...topics])].sort();
  if (hubs.every((hub) => owed(hub).length === 0)) return;
  const failed: Pending = {};
  const told: Pending = {};
  await Promise.all(
    hubs.map(async (hub) => {
      const urls = owed(hub);
      if (urls.length === 0) return;
      const attempts = settings.attempts ?? 2;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          await pinger(hub, urls);
          told[hub] = urls;
          log.info('WebSub hub told', { hub, urls: urls.length });
          return;
        } catch (error) {
          if (attempt === attempts) {
            log.error('WebSub ping failed; the next change or republish tells the hub again', { hub, reason: describeError(error) });
            failed[hub] = urls;
          } else {
            await (settings.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(200 * attempt);
          }
        }
      }
    }),
  );
  // Without a store (`syndicate build` into a folder) a failure is only reported: the next build tells again.
  if (!store) return;
  // Nothing was owed and every hub was told: nothing to record (the common case: no second read). A
  // failure another writer recorded meanwhile stays owed, and costs at most one ping more next time.
  if (pendingRead && Object.keys(pending).length === 0 && Object.keys(failed).length === 0) return;
  try {
    await settle(store, hubs, told, failed);
    if (Object.keys(failed).length > 0) {
      await store.put(websubErrorKey, JSON.stringify({ message: 'WebSub hubs that could not be told of changed feeds; retried on the next change or republish', failed }), { contentType: 'application/json' });
    } else if (Object.keys(pending).length > 0) {
      await store.delete(websubErrorKey);
    }
  } catch (error) {
    log.warn('could not record the WebSub pings still owed', { reason: describeError(error) });
  }
}

async function readPending(store: ObjectStore): Promise<{ value: Pending; etag: string } | null> {
  const object = await store.get(websubPendingKey);
  if (!object) return null;
  try {
    return { value: JSON.parse(object.body.toString('utf8')) as Pending, etag: object.etag };
  } catch {
    return { value: {}, etag: object.etag };
  }
}

/** What each hub still owes, by compare-and-swap: what it was told leaves, what failed joins; URLs other pings added meanwhile stay. */
async function settle(store: ObjectStore, hubs: readonly string[], told: Pending, failed: Pending): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const current = await readPending(store);
    const next: Pending = {};
    for (const [hub, urls] of Object.entries(current?.value ?? {})) {
      // A hub no longer configured is forgotten.
      if (!hubs.includes(hub) || !Array.isArray(urls)) continue;
      const left = urls.filter((url) => !(told[hub] ?? []).includes(url));
      if (left.length > 0) next[hub] = left;
    }
    for (const [hub, urls] of Object.entries(failed)) next[hub] = [...new Set([...(next[hub] ?? []), ...urls])].sort();
    if (!current && Object.keys(next).length === 0) return;
    if (current && JSON.stringify(current.value) === JSON.stringify(next)) return;
    try {
      await store.put(websubPendingKey, JSON.stringify(next), { contentType: 'application/json', ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }) });
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
}
