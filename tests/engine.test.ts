/**
 * The store engine (src/engine/, docs/decisions.md "The store: invariants") where the random explorer
 * (tests/support/interleavings.ts: limit 2, ids a/b/c, ASCII sections, no legacy data, memory store only)
 * does not reach: larger windows, non-ASCII section slugs, a key naming three articles in a row, legacy
 * data from the first store design, the folder store used by two processes, clocks that disagree. Each
 * F-numbered case was found by an adversarial review and failed before its fix (F1 the most severe).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerKey, sourceKey } from '../src/layout.js';
import { memoryLogger } from '../src/log.js';
import { FolderObjectStore } from '../src/storage/folder-store.js';
import { PreconditionFailedError } from '../src/storage/object-store.js';
import { Syndicator } from '../src/syndicator.js';
import { engineSetup, interleave, NOW, story, storyText, WHEN } from './support/engine-harness.js';
import { on } from './support/gated-store.js';
import { makeSite } from './helpers.js';



// ---------------------------------------------------------------------------------------------------------
// F1. A section whose slug is not [a-z0-9-] (any non-Latin script: 国际, Россия, Straße) cannot be named in a
// record's `pending`: RecordSchema's regex rejects it, so the record the engine itself wrote reads back as
// invalid (quarantined) from the moment an article leaves such a section until settlePending runs.
// ---------------------------------------------------------------------------------------------------------
describe('F1. an article leaving a section whose slug is not ASCII', () => {
  it('the record written for the move reads back as valid', async () => {
    const { lambda, parsed } = engineSetup();
    const editor = lambda();
    await editor.syndicator.publishArticle(story('x', 1, { section: '国际' }));
    // The Lambda dies right after storing the moved record (before its feeds and settlePending).
    editor.gated.fail(on('put', 'articles/x.json'), { after: true });
    await expect(editor.syndicator.publishArticle(story('x', 1, { section: 'World' }))).rejects.toThrow();
    const record = parsed('x');
    expect(record && 'invalid' in record ? record.reason : 'valid').toBe('valid');
  });

  it('a crash mid-move, then a takedown: the withdrawn article stays an item of its old section (I2)', async () => {
    const { lambda, ids, parsed } = engineSetup();
    const editor = lambda();
    await editor.syndicator.publishArticle(story('x', 1, { section: '国际' }));
    await editor.syndicator.publishArticle(story('y', 2, { section: '国际' }));
    expect(ids('sections/国际/')).toEqual(['y', 'x']);
    editor.gated.fail(on('put', 'articles/x.json'), { after: true });
    await expect(editor.syndicator.publishArticle(story('x', 1, { section: 'World' }))).rejects.toThrow();
    // The client retries the move (as the API's 503 asks), then an editor takes the story down.
    await editor.syndicator.publishArticle(story('x', 1, { section: 'World' }));
    expect((await editor.syndicator.unpublishId('x', WHEN)).status).toBe('withdrawn');
    const record = parsed('x');
    expect(record && !('invalid' in record) ? record.status : 'invalid').toBe('withdrawn');
    expect(ids(), 'site').toEqual(['y']);
    expect(ids('sections/国际/'), 'the section x left').toEqual(['y']);
  });

  it('a republish running while the move is in flight does not drop the live article (I1, I4)', async () => {
    const { store, lambda, ids, parsed } = engineSetup();
    const editor = lambda();
    const deploy = lambda();
    await editor.syndicator.publishArticle(story('x', 1, { section: '国际' }));
    await editor.syndicator.publishArticle(story('y', 2, { section: 'World' }));
    // The move is held just before settlePending (its second write of the record), feeds already done.
    let puts = 0;
    const gate = editor.gated.hold((op, key) => op === 'put' && key === 'articles/x.json' && ++puts === 2);
    await interleave(() => editor.syndicator.publishArticle(story('x', 1, { section: 'World' })), gate, () => deploy.syndicator.republish());
    const record = parsed('x');
    expect(record && !('invalid' in record) ? record.status : 'invalid').toBe('live');
    expect(ids(), 'site').toEqual(['y', 'x']);
    expect(ids('sections/world/')).toEqual(['y', 'x']);
    expect(store.objects.has('errors/articles/x.json'), 'a false quarantine report').toBe(false);
  });

  it('deleting the incoming file of a story caught mid-move takes it down', async () => {
    const { store, lambda, ids } = engineSetup();
    const newsroom = lambda();
    await store.put('incoming/x.md', storyText('x', 1).replace('section: World', 'section: 国际'));
    await newsroom.syndicator.publishObject('incoming/x.md', '01');
    await store.put('incoming/x.md', storyText('x', 1));
    newsroom.gated.fail(on('put', 'articles/x.json'), { after: true });
    await expect(newsroom.syndicator.publishObject('incoming/x.md', '02')).rejects.toThrow();
    // The newsroom deletes the file before Lambda retries the event; then the retry comes (stale by now).
    await store.delete('incoming/x.md');
    await newsroom.syndicator.unpublishObject('incoming/x.md', '03', WHEN);
    await newsroom.syndicator.publishObject('incoming/x.md', '02');
    expect(ids(), 'site').toEqual([]);
    expect(ids('sections/国际/')).toEqual([]);
    expect(ids('sections/world/')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F2. Three uploads of one key, each naming another article (x, then y, then z); the second event dies
// after recording in sources/ that it supersedes x but before withdrawing x. The third event supersedes only
// the second's article (y): `supersedes` is computed from `previous.id`, and previous.supersedes (x, still
// owed) is dropped. The second event's Lambda retry is then stale, and staleEvent skips x because x's record
// still carries the first event's sequencer (`record.sequencer !== sequencer`). x stays live for good, owned
// by a key that no longer supplies it (deleting the key withdraws only z and y). The explorer never runs
// more than two mutations per key.
// ---------------------------------------------------------------------------------------------------------
describe('F2. a key that names three articles in a row, the middle event retried late', () => {
  it('withdraws the first article', async () => {
    const { store, lambda, ids, parsed } = engineSetup();
    const newsroom = lambda();
    await store.put('incoming/k.md', storyText('x', 1));
    await newsroom.syndicator.publishObject('incoming/k.md', '01');
    await store.put('incoming/k.md', storyText('y', 2));
    newsroom.gated.fail(on('put', 'articles/x.json'));
    await expect(newsroom.syndicator.publishObject('incoming/k.md', '02')).rejects.toThrow();
    await store.put('incoming/k.md', storyText('z', 3));
    await newsroom.syndicator.publishObject('incoming/k.md', '03');
    // Lambda retries the second event a minute later.
    await newsroom.syndicator.publishObject('incoming/k.md', '02');
    const x = parsed('x');
    expect(x && !('invalid' in x) ? x.status : null, 'x, which the file no longer supplies').toBe('withdrawn');
    expect(ids()).toEqual(['z']);
    // Deleting the file takes everything it ever supplied down.
    await store.delete('incoming/k.md');
    await newsroom.syndicator.unpublishObject('incoming/k.md', '04', WHEN);
    expect(ids(), 'after deleting the file').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F3. An editor's takedown of an id whose record is invalid answers `withdrawn` but stores nothing
// (decideWithdrawByEditor returns write: null for an invalid record). The record stays as it was, so the
// next event that reads it (a replay of the create that published it, a CLI re-run) publishes the article
// again: the takedown is lost.
// ---------------------------------------------------------------------------------------------------------
describe('F3. a takedown of an id whose record is invalid', () => {
  it('stays down when the create event that published it is replayed', async () => {
    const { store, syndicator, ids, parsed } = engineSetup();
    await store.put('incoming/k.md', storyText('x', 1));
    await syndicator.publishObject('incoming/k.md', '01');
    // The record goes bad (hand edit, an older writer, a schema tightened by an upgrade).
    const record = JSON.parse(store.objects.get('articles/x.json')?.body.toString() ?? '{}');
    record.article.photos = [{ url: 'https://img.test.example/a.jpg', type: 'image/JPEG' }];
    await store.put('articles/x.json', JSON.stringify(record));
    expect((await syndicator.unpublishId('x', WHEN)).status).toBe('withdrawn');
    expect(ids()).toEqual([]);
    // S3 delivers the create event again (at least once), or the failed-events queue is redriven.
    await syndicator.publishObject('incoming/k.md', '01');
    const after = parsed('x');
    expect(after && !('invalid' in after) ? after.status : 'invalid').not.toBe('live');
    expect(ids(), 'the taken-down story is back').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F4. A URL claim is a lease judged by the taker's clock, and nothing fences the claimant's record write: a
// publisher that claimed the URL and then paused past the lease (a CLI on a laptop that slept, or simply a
// CLI whose clock is 5 minutes behind the Lambda's) still writes its record after another article took the
// URL over and bound it. settle() then sees another token and returns quietly. Two live articles share one
// URL, i.e. one entry id in every reader (the promise "a URL belongs to the first article, for good").
// ---------------------------------------------------------------------------------------------------------
describe('F4. a URL claim taken over after its lease while its publisher is still running', () => {
  it('leaves the URL to exactly one live article', async () => {
    const { lambda, parsed } = engineSetup();
    const url = 'https://news.test.example/shared';
    const cli = lambda({ clock: () => new Date(NOW.getTime() - 6 * 60 * 1000) });
    const api = lambda();
    const gate = cli.gated.hold(on('put', 'articles/x.json'));
    const outcomes = await Promise.allSettled([
      interleave(
        () => cli.syndicator.publishArticle(story('x', 1, { url })),
        gate,
        // The claim looks six minutes old to this clock: it is refused (never taken over on a clock).
        () => expect(api.syndicator.publishArticle(story('y', 2, { url }))).rejects.toThrow(/claimed by article "x"/),
      ),
    ]);
    expect(outcomes[0]?.status).toBe('fulfilled');
    const holders = ['x', 'y'].filter((id) => {
      const record = parsed(id);
      return record && !('invalid' in record) && record.status === 'live' && record.article?.url === url;
    });
    expect(holders, 'live articles with the URL').toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F5. FolderObjectStore's compare-and-swap is a HEAD then a rename, serialised by a promise queue inside one
// instance: two CLI processes on one folder (two instances here) both pass the same If-Match, and the second
// rename silently overwrites the first. Every guarantee built on CAS (records, feed states, URL claims) is
// void for `syndicate publish --dir` run twice at once (a cron job overlapping a manual run).
// ---------------------------------------------------------------------------------------------------------
describe('F5. FolderObjectStore used by two CLI processes at once', () => {
  it('lets exactly one of two conditional writes on the same ETag win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'adversarial-folder-'));
    try {
      let doubleWins = 0;
      for (let round = 0; round < 10; round++) {
        const first = new FolderObjectStore(dir);
        const second = new FolderObjectStore(dir);
        const etag = await first.put('state/site/state.json', `{"revision":${round}}`);
        const results = await Promise.allSettled([
          first.put('state/site/state.json', `{"revision":${round + 1},"by":"first"}`, { ifMatch: etag }),
          second.put('state/site/state.json', `{"revision":${round + 1},"by":"second"}`, { ifMatch: etag }),
        ]);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
        if (results.every((r) => r.status === 'fulfilled')) doubleWins += 1;
      }
      expect(doubleWins, 'rounds in which both writers "won" the same compare-and-swap').toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two CLI publishes into one folder at once keep both articles in the feed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'adversarial-folder-'));
    try {
      const config = { site: makeSite({ limits: { items: 5 } }), feedPrefix: 'feeds/', cacheControl: 'no-cache', clock: () => NOW };
      const one = new Syndicator(new FolderObjectStore(dir), config, memoryLogger());
      const two = new Syndicator(new FolderObjectStore(dir), config, memoryLogger());
      await one.publishArticle(story('seed', 1));
      const lost: string[] = [];
      for (let round = 0; round < 5; round++) {
        const a = `a${round}`;
        const b = `b${round}`;
        await Promise.all([one.publishArticle(story(a, 2 + round)), two.publishArticle(story(b, 2 + round))]);
        const feed = JSON.parse((await new FolderObjectStore(dir).get('feeds/feed.json'))?.body.toString() ?? '{"items":[]}');
        const shown = feed.items.map((i: any) => i._syndicate.article_id);
        for (const id of [a, b]) if (!shown.includes(id)) lost.push(id);
      }
      expect(lost, 'published (records written) but missing from the site feed').toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// F6. Index markers do not sort as the feed does. Markers sort by key: `<inverted ms>-<id>~<revision>`; feeds
// by compareNewestFirst (published, then id). (a) At one timestamp (every date-only `published` is midnight
// UTC), `x~1` sorts after `x-01~1` ('~' > every id character) though x comes first by id. (b) Every date
// before 1970 clamps to the same inverted time, so those markers sort by id alone. A refill reads only the
// first `keep + 10` markers and trusts them as the window's head: the republish a deploy runs drops live
// articles from the feed (I1, I4).
// ---------------------------------------------------------------------------------------------------------
describe('F6. index markers sorted unlike the feed', () => {
  it('ids that prefix other ids, one date-only day: a republish keeps the newest item', async () => {
    const { syndicator, ids } = engineSetup({ limit: 1, slack: 0 });
    const date = '2024-05-01T00:00:00Z';
    await syndicator.publishArticle(story('x', 1, { published: date, updated: date }));
    for (let i = 1; i <= 11; i++) {
      const id = `x-${String(i).padStart(2, '0')}`;
      await syndicator.publishArticle(story(id, 1, { published: date, updated: date }));
    }
    expect(ids()).toEqual(['x']);
    await syndicator.republish();
    expect(ids(), 'after the deploy republish').toEqual(['x']);
  });

  it('archive articles dated before 1970 are refused (the index cannot order them), naming the field', async () => {
    const { syndicator, ids } = engineSetup({ limit: 3, slack: 0 });
    await syndicator.publishArticle(story('h70', 1, { section: 'Archive', published: '1970-01-01T00:00:00Z', updated: '1970-01-01T00:00:00Z' }));
    for (let i = 1; i <= 3; i++) {
      const date = `${1949 + i}-06-01T00:00:00Z`;
      await expect(syndicator.publishArticle(story(`h${String(i).padStart(2, '0')}`, 1, { section: 'Archive', published: date, updated: date }))).rejects.toThrow(/published: 19\d\d-06-01T00:00:00Z is before 1970/);
    }
    await syndicator.republish();
    expect(ids('sections/archive/')).toEqual(['h70']);
  });

  it('(holds) a takedown refill across many trimmed windows keeps the feed in order', async () => {
    // Windows far bigger than the explorer's: 40 articles, keep 7, takedowns of the newest 12.
    const { syndicator, ids, tombstones } = engineSetup({ limit: 4, slack: 3 });
    for (let i = 1; i <= 40; i++) await syndicator.publishArticle(story(`s${String(i).padStart(2, '0')}`, 1, { published: new Date(Date.UTC(2024, 4, 1, i)).toISOString(), updated: new Date(Date.UTC(2024, 4, 1, i)).toISOString() }));
    for (let i = 40; i > 28; i--) await syndicator.unpublishId(`s${i}`, `2024-06-01T00:00:${String(i).padStart(2, '0')}Z`);
    expect(ids()).toEqual(['s28', 's27', 's26', 's25']);
    expect(tombstones().slice(0, 3)).toEqual(['s40', 's39', 's38']);
    await syndicator.republish();
    expect(ids()).toEqual(['s28', 's27', 's26', 's25']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F7. Data written by the design before this one (records {article, source}, markers without ~revision,
// feed states of format 1). That design deleted a record on a takedown and kept the tombstone only in the
// feed state. parseState keeps a format-1 state's `deleted`, and refilled() keeps held entries it did not
// read fresh, so a normal publish keeps them; but the full republish that the upgrade's own deploy runs
// reads every held id fresh, finds no record, and drops every legacy tombstone: partners are no longer told
// those stories were withdrawn.
// ---------------------------------------------------------------------------------------------------------
describe('F7. a store written by the previous design', () => {
  async function legacyStore() {
    const env = engineSetup();
    const { store } = env;
    const a = story('a', 1);
    await store.put('articles/a.json', JSON.stringify({ article: a, source: null }));
    await store.put(markerKey('live', '', a.published, 'a', 0), '');
    await store.put(markerKey('live', 'sections/world/', a.published, 'a', 0), '');
    const gone = { id: 'gone', entryId: 'https://news.test.example/gone', when: '2024-05-20T00:00:00Z', section: 'World' };
    for (const path of ['', 'sections/world/']) {
      await store.put(`state/${path || 'site/'}state.json`, JSON.stringify({ format: 1, path, section: path ? 'World' : null, items: [a], deleted: [gone], files: {} }));
    }
    return env;
  }

  it('(holds) a new publish keeps the legacy tombstones and the legacy article', async () => {
    const { syndicator, ids, tombstones } = await legacyStore();
    await syndicator.publishArticle(story('b', 2));
    expect(ids()).toEqual(['b', 'a']);
    expect(tombstones()).toEqual(['gone']);
  });

  it("the upgrade's deploy republish keeps the legacy tombstones", async () => {
    const { syndicator, ids, tombstones } = await legacyStore();
    await syndicator.republish();
    expect(ids()).toEqual(['a']);
    expect(tombstones(), 'site').toEqual(['gone']);
    expect(tombstones('sections/world/'), 'World').toEqual(['gone']);
  });

  it('an editor takedown made before the upgrade stays down when its create event is replayed after it', async () => {
    const { store, syndicator, ids } = await legacyStore();
    // Before the upgrade: incoming/t.md published t (sequencer 09), then an editor took t down, which in
    // that design deleted articles/t.json and its markers and left a tombstone in the feed states.
    const etag = await store.put('incoming/t.md', storyText('t', 4));
    await store.put(sourceKey('incoming/t.md'), JSON.stringify({ key: 'incoming/t.md', id: 't', sequencer: '09', removed: false }));
    for (const path of ['', 'sections/world/']) {
      const key = `state/${path || 'site/'}state.json`;
      const state = JSON.parse(store.objects.get(key)?.body.toString() ?? '{}');
      state.deleted.unshift({ id: 't', entryId: 'https://news.test.example/t', when: '2024-05-25T00:00:00Z', section: 'World' });
      await store.put(key, JSON.stringify(state));
    }
    // After the upgrade, S3 delivers that create event again (or the failed-events queue is redriven).
    expect((await syndicator.publishObject('incoming/t.md', '09', { etag })).status).toBe('withdrawn');
    await syndicator.republish();
    expect(ids(), 'the story an editor took down is back').toEqual(['a']);
    // A newer upload of the file (a new event) is the newsroom publishing it again: that does.
    const newer = await store.put('incoming/t.md', storyText('t', 5));
    expect((await syndicator.publishObject('incoming/t.md', '0A', { etag: newer })).status).toBe('published');
  });

  it('(holds) a legacy record is edited, withdrawn by its key and its markers cleaned', async () => {
    const { store, syndicator, ids, tombstones, parsed } = await legacyStore();
    await store.put('incoming/a.md', storyText('a', 3));
    await store.put('articles/a.json', JSON.stringify({ article: story('a', 1), source: { key: 'incoming/a.md', sequencer: '05' } }));
    expect((await syndicator.publishObject('incoming/a.md', '04')).status).toBe('stale');
    expect((await syndicator.publishObject('incoming/a.md', '06')).status).toBe('published');
    expect(parsed('a')).toMatchObject({ revision: 1, status: 'live' });
    await store.delete('incoming/a.md');
    await syndicator.unpublishObject('incoming/a.md', '07', WHEN);
    expect(ids()).toEqual([]);
    expect(tombstones()).toContain('a');
    await syndicator.republish();
    expect([...store.objects.keys()].filter((k) => k.startsWith('index/'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F8. sources/ remembers the articles of a key's last 10 events (`recent`); a stale retry finds what its
// first attempt wrote only there. Rejected uploads push entries too (with no ids), so a key whose first event
// stored its article and died before the feeds, followed by 10 refused uploads of the same file (a
// newsroom tool re-saving a broken draft), leaves a live record that no retry brings into its feeds.
// ---------------------------------------------------------------------------------------------------------
describe('F8. a stale retry after ten refused uploads of the same key', () => {
  it('still brings the article its first attempt stored into the feeds', async () => {
    const { store, lambda, ids, parsed } = engineSetup();
    const newsroom = lambda();
    await store.put('incoming/k.md', storyText('x', 1));
    newsroom.gated.fail(on('put', 'articles/x.json'), { after: true });
    await expect(newsroom.syndicator.publishObject('incoming/k.md', '01')).rejects.toThrow();
    for (let i = 2; i <= 12; i++) {
      await store.put('incoming/k.md', '---\npublished: 2024-02-31\n---\nBroken draft.\n');
      expect((await newsroom.syndicator.publishObject('incoming/k.md', i.toString(16).padStart(2, '0'))).status).toBe('rejected');
    }
    // Lambda's retry of the first event (stale by now).
    await newsroom.syndicator.publishObject('incoming/k.md', '01');
    const record = parsed('x');
    expect(record && !('invalid' in record) ? record.status : null).toBe('live');
    expect(ids(), 'a live article missing from its feed').toEqual(['x']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// F9. Markers are written before the record. If the record never comes to be (its PUT failed, and by the
// retry the file was gone), its markers stay until some refill meets them with a valid record; meanwhile
// republish() (paths() lists index/sections/) creates a state and files for a section that never had an
// article, and keeps publishing that empty feed for good (its state now makes it a feed). Until the delete
// event leaves a placeholder, each refill also reads the missing record again (refillWindow deletes a
// stale marker only when `isValidRecord(record)`).
// ---------------------------------------------------------------------------------------------------------
describe('F9. markers of a record that was never written', () => {
  it('make no public feed of their own', async () => {
    const { store, lambda, syndicator } = engineSetup();
    const newsroom = lambda();
    await syndicator.publishArticle(story('a', 1));
    await store.put('incoming/k.md', storyText('x', 2).replace('section: World', 'section: Sport'));
    newsroom.gated.fail(on('put', 'articles/x.json'));
    await expect(newsroom.syndicator.publishObject('incoming/k.md', '01')).rejects.toThrow();
    await store.delete('incoming/k.md');
    expect((await newsroom.syndicator.publishObject('incoming/k.md', '01')).status).toBe('gone');
    await newsroom.syndicator.unpublishObject('incoming/k.md', '02', WHEN);
    await syndicator.republish();
    await syndicator.republish();
    expect([...store.objects.keys()].filter((k) => k.startsWith('index/') && k.includes('-x')), 'markers of x').toEqual([]);
    expect(store.objects.has('feeds/sections/sport/rss.xml'), 'a feed for a section no article was ever in').toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Risks the engine holds today (kept as regression pins; each goes beyond what the explorer generates).
// ---------------------------------------------------------------------------------------------------------
describe('holds: sections, crashes, concurrent republishes and imports', () => {
  it('the tombstone window of 50: trimmed, revived from, refilled, and rebuilt by a republish', async () => {
    const { syndicator, tombstones, ids } = engineSetup({ limit: 3, slack: 1 });
    const at = (i: number) => new Date(Date.UTC(2024, 4, 1, 0, i)).toISOString();
    for (let i = 0; i < 60; i++) await syndicator.publishArticle(story(`t${String(i).padStart(2, '0')}`, 1, { published: at(i), updated: at(i) }));
    for (let i = 0; i < 56; i++) await syndicator.unpublishId(`t${String(i).padStart(2, '0')}`, `2024-06-01T00:${String(i).padStart(2, '0')}:00Z`);
    const newest = (n: number, skip: string[] = []) => Array.from({ length: 56 }, (_, k) => `t${String(55 - k).padStart(2, '0')}`).filter((id) => !skip.includes(id)).slice(0, n);
    expect(tombstones()).toEqual(newest(50));
    // Revive three of the newest takedowns: the window refills from tombs/ each time.
    for (const id of ['t55', 't50', 't45']) await syndicator.publishArticle(story(id, 1, { published: at(Number(id.slice(1))), updated: at(Number(id.slice(1))) }));
    expect(tombstones()).toEqual(newest(50, ['t55', 't50', 't45']));
    expect(ids()).toEqual(['t59', 't58', 't57']);
    await syndicator.republish();
    expect(tombstones()).toEqual(newest(50, ['t55', 't50', 't45']));
    expect(ids()).toEqual(['t59', 't58', 't57']);
  });

  it('A -> B -> A with a crash after each record write and no retry of the first move', async () => {
    const { lambda, ids, parsed } = engineSetup();
    const editor = lambda();
    await editor.syndicator.publishArticle(story('x', 1, { section: 'Culture' }));
    await editor.syndicator.publishArticle(story('y', 2, { section: 'Sport' }));
    editor.gated.fail(on('put', 'articles/x.json'), { after: true });
    await expect(editor.syndicator.publishArticle(story('x', 1, { section: 'Sport' }))).rejects.toThrow();
    // The move back dies after its record and its first feed; its retry finishes.
    editor.gated.fail(on('put', 'state/sections/culture/'), { after: true });
    await expect(editor.syndicator.publishArticle(story('x', 1, { section: 'Culture' }))).rejects.toThrow();
    await editor.syndicator.publishArticle(story('x', 1, { section: 'Culture' }));
    expect(parsed('x')).toMatchObject({ status: 'live', pending: [] });
    expect(ids('sections/culture/')).toEqual(['x']);
    expect(ids('sections/sport/')).toEqual(['y']);
    expect(ids()).toEqual(['y', 'x']);
  });

  it('sections that differ only in case or punctuation share one feed, named by the newest', async () => {
    const { syndicator, ids, body } = engineSetup();
    await syndicator.publishArticle(story('a', 1, { section: 'World' }));
    await syndicator.publishArticle(story('b', 2, { section: 'WORLD!' }));
    await syndicator.publishArticle(story('a', 1, { section: 'world' }));
    expect(ids('sections/world/')).toEqual(['b', 'a']);
    await syndicator.unpublishId('b', WHEN);
    expect(ids('sections/world/')).toEqual(['a']);
    expect(JSON.parse(body('sections/world/feed.json') ?? '{}').title).toBe('Test Daily: world');
  });

  it('a deploy republish that found nothing to change, held before its files, does not roll back an import', async () => {
    const { lambda, ids } = engineSetup({ limit: 3, slack: 1 });
    const cli = lambda();
    const deploy = lambda();
    await cli.syndicator.publishArticle(story('old', 1));
    // The deploy decided the site feed is unchanged and is about to compare its files with the stored ones.
    const gate = deploy.gated.hold(on('head', 'feeds/'));
    await interleave(
      () => deploy.syndicator.republish(),
      gate,
      async () => {
        await cli.syndicator.importArticles([story('n1', 5), story('n2', 6), story('n3', 7)], 2);
        await cli.syndicator.republish();
      },
    );
    expect(deploy.gated.calls.some((c) => c.op === 'head' && c.key.startsWith('feeds/')), 'the deploy was held').toBe(true);
    expect(ids()).toEqual(['n3', 'n2', 'n1']);
  });

  it('a takedown by key for a key that never published, then its late create, publish nothing', async () => {
    const { store, syndicator, ids } = engineSetup();
    expect((await syndicator.unpublishObject('incoming/never.md', '05', WHEN)).status).toBe('not-found');
    await store.put('incoming/never.md', storyText('n', 1));
    expect((await syndicator.publishObject('incoming/never.md', '04')).status).toBe('stale');
    expect(ids()).toEqual([]);
    expect((await syndicator.publishObject('incoming/never.md', '06')).status).toBe('published');
    expect(ids()).toEqual(['n']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Found by the interleaving explorer after the review: an event that claimed a URL and died before storing
// its article, then made stale by newer (refused) uploads of its key, left its claim for ever: every other
// publish of that URL waited, then failed as "in flight", until the failed-events queue gave up.
// ---------------------------------------------------------------------------------------------------------
describe('a URL claim left by an event its key has moved past', () => {
  it('is taken over (the stale event fenced first), not waited on for ever', async () => {
    const { store, lambda, parsed } = engineSetup();
    const url = 'https://news.test.example/shared';
    const first = lambda();
    const v1 = await store.put('incoming/k.md', storyText('a', 1).replace('url: https://news.test.example/a', `url: ${url}`));
    first.gated.fail(on('put', 'articles/a.json'));
    await expect(first.syndicator.publishObject('incoming/k.md', '01', { etag: v1 })).rejects.toThrow();
    const v2 = await store.put('incoming/k.md', '---\npublished: 2024-02-30\n---\nBody.\n');
    expect((await lambda().syndicator.publishObject('incoming/k.md', '02', { etag: v2 })).status).toBe('rejected');
    // Its retry finds its object replaced: it can publish nothing any more.
    expect((await lambda().syndicator.publishObject('incoming/k.md', '01', { etag: v1 })).status).toBe('stale');
    expect((await lambda().syndicator.publishArticle(story('y', 2, { url }))).status).toBe('published');
    // The stale event can no longer store its article: a placeholder of its key stands in front of it.
    expect(parsed('a')).toMatchObject({ status: 'withdrawn', article: null, owner: { kind: 'object', key: 'incoming/k.md' } });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Found by the explorer: an older event of a key, in flight, stored its (older) article after the key's
// newer event had been refused (the id was another owner's then) and an editor's takedown had released the
// id. No serial order does that: once the newer event is applied, the older one is stale.
// ---------------------------------------------------------------------------------------------------------
describe('an older event of a key, in flight while a newer one is applied', () => {
  it('stores nothing once the newer event was applied, even if that one was refused', async () => {
    const { store, lambda, parsed, syndicator } = engineSetup();
    await syndicator.publishArticle(story('a', 1));
    const older = lambda();
    const v1 = await store.put('incoming/k.md', storyText('a', 1));
    const gate = older.gated.hold(on('get', 'articles/a.json'));
    await interleave(
      () => older.syndicator.publishObject('incoming/k.md', '0100', { etag: v1 }),
      gate,
      async () => {
        const v2 = await store.put('incoming/k.md', storyText('a', 2));
        // Refused: a is the API's, live.
        expect((await lambda().syndicator.publishObject('incoming/k.md', '0101', { etag: v2 })).status).toBe('rejected');
        await lambda().syndicator.unpublishId('a', WHEN);
      },
    );
    expect(parsed('a')).toMatchObject({ status: 'withdrawn', owner: { kind: 'direct' } });
  });
});
