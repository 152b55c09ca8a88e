/**
 * The store's promises under hand-picked races, retries and bad data (one test per defect found by the
 * adversarial pass; the interleavings are explored at random in tests/interleavings.test.ts). Two
 * Syndicators over one store stand for two Lambda invocations; a GatedStore holds one of them at a chosen
 * request while the other runs.
 */
import { describe, expect, it } from 'vitest';
import { checkXml } from '../src/check.js';
import { memoryLogger } from '../src/log.js';
import { MemoryObjectStore } from '../src/storage/memory-store.js';
import { compareSequencers, errorKey, Syndicator } from '../src/syndicator.js';
import { day, engineSetup, interleave, story, storyText, WHEN } from './support/engine-harness.js';
import { on } from './support/gated-store.js';
import { makeSite } from './helpers.js';



describe('1. ids that end with another id (b and a-b)', () => {
  it('a republish keeps both', async () => {
    const { syndicator, ids } = engineSetup();
    await syndicator.publishArticle(story('b', 1));
    await syndicator.publishArticle(story('a-b', 2));
    await syndicator.publishArticle(story('2024-trade-talks', 3));
    await syndicator.publishArticle(story('world-2024-trade-talks', 4));
    await syndicator.republish();
    expect(ids()).toEqual(['world-2024-trade-talks', '2024-trade-talks', 'a-b', 'b']);
    expect(ids('sections/world/')).toEqual(['world-2024-trade-talks', '2024-trade-talks', 'a-b', 'b']);
  });

  it('the refill after a takedown keeps both', async () => {
    const { syndicator, ids } = engineSetup({ limit: 2, slack: 0 });
    await syndicator.publishArticle(story('b', 1));
    await syndicator.publishArticle(story('a-b', 2));
    await syndicator.publishArticle(story('c', 3));
    expect(ids()).toEqual(['c', 'a-b']);
    await syndicator.unpublishId('c', WHEN);
    expect(ids()).toEqual(['a-b', 'b']);
  });
});

describe('3. a takedown retried after a failed feed write', () => {
  it('rewrites the files on the retry', async () => {
    const { syndicator, gated, ids } = engineSetup();
    await syndicator.publishArticle(story('a', 1));
    await syndicator.publishArticle(story('b', 2));
    gated.fail(on('put', 'feeds/rss.xml'));
    await expect(syndicator.unpublishId('a', WHEN)).rejects.toThrow();
    await syndicator.unpublishId('a', WHEN);
    expect(ids()).toEqual(['b']);
    expect(ids('sections/world/')).toEqual(['b']);
  });

  it('a Lambda that dies right after committing a feed state is repaired by its retry', async () => {
    const { syndicator, gated, ids, tombstones } = engineSetup();
    await syndicator.publishArticle(story('a', 1));
    await syndicator.publishArticle(story('b', 2));
    gated.fail(on('put', 'state/'), { after: true });
    await expect(syndicator.unpublishId('a', WHEN)).rejects.toThrow();
    await syndicator.unpublishId('a', WHEN);
    expect(ids()).toEqual(['b']);
    expect(tombstones()).toEqual(['a']);
  });
});

describe('4. a republish during a takedown', () => {
  it('never puts the withdrawn article back', async () => {
    const { lambda, ids, tombstones } = engineSetup();
    const editor = lambda();
    const deploy = lambda();
    await editor.syndicator.publishArticle(story('x', 1));
    await editor.syndicator.publishArticle(story('y', 2));
    const gate = deploy.gated.hold(on('get', 'state/'));
    await interleave(() => deploy.syndicator.republish(), gate, () => editor.syndicator.unpublishId('x', WHEN));
    expect(ids()).toEqual(['y']);
    expect(tombstones()).toEqual(['x']);
    expect(ids('sections/world/')).toEqual(['y']);
  });

  it('never puts it back when the republish read the article before the takedown committed', async () => {
    const { lambda, ids } = engineSetup();
    const editor = lambda();
    const deploy = lambda();
    await editor.syndicator.publishArticle(story('x', 1));
    await editor.syndicator.publishArticle(story('y', 2));
    // Held after it has read the state and (in the new design) the records it shows.
    const gate = deploy.gated.hold(on('put', 'state/'));
    await editor.syndicator.publishArticle(story('z', 3));
    await interleave(() => deploy.syndicator.republish(), gate, () => editor.syndicator.unpublishId('x', WHEN));
    expect(ids()).toEqual(['z', 'y']);
  });
});

describe('5. a republish during a publish', () => {
  it('keeps the new article in a full feed', async () => {
    const { lambda, ids } = engineSetup({ limit: 2, slack: 0 });
    const newsroom = lambda();
    const deploy = lambda();
    await newsroom.syndicator.publishArticle(story('a', 1));
    await newsroom.syndicator.publishArticle(story('b', 2));
    const gate = deploy.gated.hold(on('get', 'state/'));
    await interleave(() => deploy.syndicator.republish(), gate, () => newsroom.syndicator.publishArticle(story('c', 3)));
    expect(ids()).toEqual(['c', 'b']);
    expect(ids('sections/world/')).toEqual(['c', 'b']);
  });
});

describe('6. create and delete events of one incoming key at the same time', () => {
  for (const [label, holdAt] of [
    ['held before its sources/ record', on('put', 'sources/')],
    ['held before its article record', on('put', 'articles/')],
    ['held before its first feed', on('get', 'state/')],
  ] as const) {
    it(`the later delete wins (create ${label})`, async () => {
      const { store, lambda, ids, live } = engineSetup();
      const created = lambda();
      const removed = lambda();
      await store.put('incoming/k.md', storyText('k', 1));
      const gate = created.gated.hold(holdAt);
      await interleave(
        () => created.syndicator.publishObject('incoming/k.md', '0001'),
        gate,
        async () => {
          await store.delete('incoming/k.md');
          await removed.syndicator.unpublishObject('incoming/k.md', '0002', WHEN);
        },
      );
      expect(ids()).toEqual([]);
      expect(live('k')).toBe(false);
    });
  }
});

describe('7. an edit (POST) at the same time as a DELETE', () => {
  for (const [label, holdAt] of [
    ['the takedown held before its last request to the record', on('delete', 'articles/')],
    ['the takedown held before its first feed', on('get', 'state/')],
    ['the edit held before it stores the record', on('put', 'articles/')],
  ] as const) {
    it(`leaves no feed item without a live record (${label})`, async () => {
      const { lambda, ids, live } = engineSetup();
      const editor = lambda();
      const deleter = lambda();
      await editor.syndicator.publishArticle(story('x', 1));
      const edited = story('x', 1, { title: 'Corrected headline' });
      if (label.startsWith('the edit')) {
        const gate = editor.gated.hold(holdAt);
        await interleave(() => editor.syndicator.publishArticle(edited), gate, () => deleter.syndicator.unpublishId('x', WHEN));
      } else {
        const gate = deleter.gated.hold(holdAt);
        await interleave(() => deleter.syndicator.unpublishId('x', WHEN), gate, () => editor.syndicator.publishArticle(edited));
      }
      for (const dir of ['', 'sections/world/']) {
        for (const id of ids(dir)) expect(live(id), `${dir}: ${id} is an item`).toBe(true);
        if (live('x')) expect(ids(dir)).toEqual(['x']);
      }
    });
  }
});

describe('8. two edits of one article with different sections', () => {
  it('leave it only in the section its record says, also after a republish', async () => {
    const { lambda, ids, stored, syndicator } = engineSetup();
    const first = lambda();
    const second = lambda();
    await syndicator.publishArticle(story('x', 1, { section: 'Culture' }));
    const gate = first.gated.hold(on('put', 'index/'));
    await interleave(
      () => first.syndicator.publishArticle(story('x', 1, { section: 'Sport' })),
      gate,
      () => second.syndicator.publishArticle(story('x', 1, { section: 'Business' })),
    );
    const section = stored('x').article.section as string;
    const expected = { Sport: 'sections/sport/', Business: 'sections/business/' }[section] as string;
    for (const dir of ['sections/sport/', 'sections/business/', 'sections/culture/']) expect(ids(dir), dir).toEqual(dir === expected ? ['x'] : []);
    await syndicator.republish();
    for (const dir of ['sections/sport/', 'sections/business/', 'sections/culture/']) expect(ids(dir), `${dir} after republish`).toEqual(dir === expected ? ['x'] : []);
  });
});

describe('9. ownership: an id belongs to the incoming key that created it until that key is deleted', () => {
  it('a second key claiming the id is refused with an errors/ record, and the first keeps it', async () => {
    const { store, syndicator, ids, stored } = engineSetup();
    await store.put('incoming/first.md', storyText('x', 1));
    await syndicator.publishObject('incoming/first.md', '0001');
    await store.put('incoming/second.md', storyText('x', 1, 'title: Impostor headline\n'));
    const outcome = await syndicator.publishObject('incoming/second.md', '0001');
    expect(outcome.status).toBe('rejected');
    expect(stored('x').article.title).not.toBe('Impostor headline');
    const error = JSON.parse(store.objects.get('errors/incoming/second.md.json')?.body.toString() ?? '{}');
    expect(error).toMatchObject({ key: 'incoming/second.md', field: 'id' });
    expect(error.reason).toContain('incoming/first.md');
    // Deleting the refused file takes nothing down; deleting the owner does.
    await store.delete('incoming/second.md');
    await syndicator.unpublishObject('incoming/second.md', '0002', WHEN);
    expect(ids()).toEqual(['x']);
    await store.delete('incoming/first.md');
    await syndicator.unpublishObject('incoming/first.md', '0002', WHEN);
    expect(ids()).toEqual([]);
  });

  it('once the owner is deleted, another key may publish the id', async () => {
    const { store, syndicator, ids, stored } = engineSetup();
    await store.put('incoming/first.md', storyText('x', 1));
    await syndicator.publishObject('incoming/first.md', '0001');
    await store.delete('incoming/first.md');
    await syndicator.unpublishObject('incoming/first.md', '0002', WHEN);
    await store.put('incoming/renamed.md', storyText('x', 1, 'title: Back again\n'));
    expect((await syndicator.publishObject('incoming/renamed.md', '0003')).status).toBe('published');
    expect(ids()).toEqual(['x']);
    expect(stored('x').article.title).toBe('Back again');
  });

  it('an editor takedown stays down when the old create event is replayed', async () => {
    const { store, syndicator, ids } = engineSetup();
    await store.put('incoming/k.md', storyText('x', 1));
    await syndicator.publishObject('incoming/k.md', '0001');
    await syndicator.unpublishId('x', WHEN);
    await syndicator.publishObject('incoming/k.md', '0001');
    expect(ids()).toEqual([]);
  });
});

describe('10. collisions of URLs and ids', () => {
  it('two articles cannot share a URL', async () => {
    const { syndicator, ids } = engineSetup();
    await syndicator.publishArticle(story('first', 1));
    await expect(syndicator.publishArticle(story('second', 2, { url: 'https://news.test.example/first' }))).rejects.toThrow(/url.*first/i);
    expect(ids()).toEqual(['first']);
  });

  it('an id derived from a URL that another URL already derived is refused, not overwritten', async () => {
    const { syndicator, stored } = engineSetup();
    await syndicator.publishArticle(story('story', 1, { url: 'https://news.test.example/Story' }), { idFromUrl: true });
    await expect(syndicator.publishArticle(story('story', 2, { url: 'https://other.test.example/story' }), { idFromUrl: true })).rejects.toThrow(/id/);
    expect(stored('story').article.url).toBe('https://news.test.example/Story');
  });
});

describe('10b. a key that changes its article id, keeping the URL, while its first event is in flight', () => {
  it('never leaves two live articles with one URL (found by the interleaving explorer)', async () => {
    const { store, lambda, live, stored, tombstones } = engineSetup();
    const first = lambda();
    const second = lambda();
    const url = 'url: https://news.test.example/shared\n';
    await store.put('incoming/k.md', storyText('a', 1, url).replace('url: https://news.test.example/a\n', ''));
    const gate = first.gated.hold(on('put', 'articles/a.json'));
    await interleave(
      () => first.syndicator.publishObject('incoming/k.md', '01'),
      gate,
      async () => {
        await store.put('incoming/k.md', storyText('b', 1, url).replace('url: https://news.test.example/b\n', ''));
        await second.syndicator.publishObject('incoming/k.md', '02');
      },
    );
    const holders = ['a', 'b'].filter((id) => live(id) && stored(id)?.article?.url === 'https://news.test.example/shared');
    expect(holders).toEqual(['b']);
    // As if the newer event had come first: a was never published (no article stored, no tombstone), rather
    // than published with b's URL and withdrawn again.
    expect(stored('a')?.article ?? null).toBeNull();
    expect(tombstones()).toEqual([]);
  });
});

describe('13. an invalid stored record', () => {
  it('is quarantined and reported; the others and the republish go on', async () => {
    const { store, syndicator, ids } = engineSetup();
    await syndicator.publishArticle(story('good', 1));
    await syndicator.publishArticle(story('broken', 2));
    const key = 'articles/broken.json';
    const record = JSON.parse(store.objects.get(key)?.body.toString() ?? '{}');
    record.article.photos = [{ url: 'https://img.test.example/a.jpg', type: 'image/x&y' }];
    await store.put(key, JSON.stringify(record));
    await syndicator.republish();
    expect(ids()).toEqual(['good']);
    const report = JSON.parse(store.objects.get('errors/articles/broken.json')?.body.toString() ?? '{}');
    expect(report.key).toBe(key);
    expect(report.message).toContain('articles/broken.json');
    expect(report.message).toContain('photos[0].type');
    // A later publish of another article still works, and so does a takedown.
    await syndicator.publishArticle(story('later', 3));
    await syndicator.unpublishId('good', WHEN);
    expect(ids()).toEqual(['later']);
  });
});

describe('16. S3 sequencers of different lengths', () => {
  it('compare after right-padding the shorter with zeros', () => {
    expect(compareSequencers('FF', '0100')).toBe(1);
    expect(compareSequencers('0A', '0A00')).toBe(0);
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281F0')).toBe(-1);
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E500')).toBe(0);
    expect(compareSequencers('0055AED6DCD90281E6', '0055AED6DCD90281E500')).toBe(1);
  });
});

describe('17. errors/ keys', () => {
  it('never collide for different incoming keys', () => {
    const keys = ['incoming/a b.md', 'incoming/a_b.md', 'incoming/a+b.md', 'incoming/a..b.md', 'incoming/a_.b.md', 'incoming/ä.md', 'incoming/_.md'];
    expect(new Set(keys.map(errorKey)).size).toBe(keys.length);
    for (const key of keys) expect(errorKey(key)).toMatch(/^errors\/incoming\/[A-Za-z0-9._~/-]+\.json$/);
  });

  it("clearing one key's error keeps the other's", async () => {
    const { store, syndicator } = engineSetup();
    await store.put('incoming/a b.md', '---\npublished: 2024-02-31\n---\nBody.\n');
    await store.put('incoming/a_b.md', '---\npublished: 2024-02-30\n---\nBody.\n');
    await syndicator.publishObject('incoming/a b.md', '0001');
    await syndicator.publishObject('incoming/a_b.md', '0001');
    await store.put('incoming/a b.md', storyText('fixed', 1));
    await syndicator.publishObject('incoming/a b.md', '0002');
    expect(store.objects.has(errorKey('incoming/a_b.md'))).toBe(true);
    expect(store.objects.has(errorKey('incoming/a b.md'))).toBe(false);
  });
});

describe('12. photo metadata read from the bucket', () => {
  const photoSetup = () => {
    const store = new MemoryObjectStore();
    const syndicator = new Syndicator(store, { site: makeSite(), feedPrefix: 'feeds/', cacheControl: 'no-cache', photos: { urlPrefix: 'https://cdn.test.example/photos/', keyPrefix: 'photos/' } }, memoryLogger());
    const text = (photo: string) => `---\nid: pic\nurl: https://news.test.example/pic\nsection: World\npublished: 2024-05-01T08:00:00Z\nphotos:\n  - https://cdn.test.example/photos/${photo}\n---\nA caption for the photo, May 1, 2024.\n(JOHN DOE / POOL)\nBEIJING - Body text.\n`;
    return { store, syndicator, text };
  };
  const gif = (width: number, height: number) => Buffer.concat([Buffer.from('GIF89a'), Buffer.from([width & 255, width >> 8, height & 255, height >> 8]), Buffer.alloc(20)]);

  it.each([
    ['a 0x0 GIF', 'x.gif', gif(0, 0), 'image/gif'],
    ['Content-Type image/GIF', 'y.gif', gif(10, 10), 'image/GIF'],
    ['Content-Type image/x&y', 'z.gif', gif(10, 10), 'image/x&y'],
  ])('%s does not poison the record: publish, republish and takedown work, the RSS is well-formed', async (_label, name, body, type) => {
    const { store, syndicator, text } = photoSetup();
    await store.put(`photos/${name}`, body, { contentType: type });
    await store.put('incoming/pic.md', text(name));
    expect((await syndicator.publishObject('incoming/pic.md', '01')).status).toBe('published');
    const rss = store.objects.get('feeds/rss.xml')?.body.toString() ?? '';
    checkXml('rss.xml', rss);
    expect(rss).toMatch(/<enclosure length="\d+" type="image\/gif" url="https:\/\/cdn.test.example\/photos\/[xyz].gif"\/>/);
    await syndicator.republish();
    expect((await syndicator.unpublishId('pic', WHEN)).status).toBe('withdrawn');
  });

  it('a replaced photo is measured again, a deleted one stops being an attachment', async () => {
    const { store, syndicator, text } = photoSetup();
    await store.put('photos/p.gif', gif(10, 20), { contentType: 'image/gif' });
    await store.put('incoming/pic.md', text('p.gif'));
    await syndicator.publishObject('incoming/pic.md', '01');
    const rss = () => store.objects.get('feeds/rss.xml')?.body.toString() ?? '';
    expect(rss()).toContain('fileSize="30" width="10" height="20"');
    await store.put('photos/p.gif', Buffer.concat([gif(30, 40), Buffer.alloc(10)]), { contentType: 'image/gif' });
    await syndicator.publishObject('incoming/pic.md', '02');
    expect(rss()).toContain('fileSize="40" width="30" height="40"');
    await store.delete('photos/p.gif');
    await syndicator.publishObject('incoming/pic.md', '03');
    expect(store.objects.get('feeds/rss.xml')?.body.toString()).not.toContain('<enclosure');
    expect(JSON.parse(store.objects.get('feeds/feed.json')?.body.toString() ?? '{}').items[0].attachments).toBeUndefined();
  });
});

describe('15. dates far in the future', () => {
  it('a published date in 2999 is refused, naming the field, and pins nothing', async () => {
    const { store, syndicator, ids } = engineSetup();
    await syndicator.publishArticle(story('now', 1));
    await expect(syndicator.publishArticle(story('later', 1, { published: '2999-01-01T00:00:00Z', updated: '2999-01-01T00:00:00Z' }))).rejects.toThrow(/published: 2999.*future/);
    await store.put('incoming/far.md', storyText('far', 1).replace(day(1), '9999-01-01T00:00:00Z'));
    const outcome = await syndicator.publishObject('incoming/far.md', '01');
    expect(outcome.status).toBe('rejected');
    expect(JSON.parse(store.objects.get('errors/incoming/far.md.json')?.body.toString() ?? '{}')).toMatchObject({ field: 'published' });
    expect(ids()).toEqual(['now']);
    expect(JSON.parse(store.objects.get('feeds/feed.json')?.body.toString() ?? '{}')._syndicate.updated).toBe(day(1).replace(':00Z', ':00Z'));
  });

  it('a takedown dated in the future is dated now at the latest', async () => {
    const store = new MemoryObjectStore();
    const syndicator = new Syndicator(store, { site: makeSite(), feedPrefix: 'feeds/', cacheControl: 'no-cache', clock: () => new Date('2024-07-01T00:00:00Z') }, memoryLogger());
    await syndicator.publishArticle(story('x', 1));
    await syndicator.unpublishId('x', '2999-01-01T00:00:00Z');
    expect(JSON.parse(store.objects.get('feeds/feed.json')?.body.toString() ?? '{}')._syndicate.updated).toBe('2024-07-01T00:00:00Z');
  });
});
