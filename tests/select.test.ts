import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareNewestFirst } from '../src/article.js';
import { feedPathsOf, selectFeeds } from '../src/select.js';
import { makeArticle, makeSite } from './helpers.js';

describe('feed selection', () => {
  it('keeps, for every feed, exactly the newest `limit` articles, newest first (as a full sort would)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 1, max: 20 }), section: fc.option(fc.constantFrom('World', 'Sport', 'sport', 'Hong Kong'), { nil: null }) }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        (rows, limit) => {
          const articles = rows.map((r, i) => makeArticle({ id: `a${i}`, published: `2024-01-${String(r.day).padStart(2, '0')}T00:00:00Z`, section: r.section }));
          const feeds = selectFeeds(articles, makeSite({ limits: { items: limit } }));
          const sorted = [...articles].sort(compareNewestFirst);
          for (const { spec, articles: chosen } of feeds) {
            const expected = sorted.filter((a) => feedPathsOf(a).includes(spec.path)).slice(0, limit);
            expect(chosen.map((a) => a.id)).toEqual(expected.map((a) => a.id));
          }
          const sections = new Set(['', ...articles.flatMap((a) => feedPathsOf(a))]);
          expect(feeds.map((f) => f.spec.path).sort()).toEqual([...sections].sort());
        },
      ),
      { numRuns: 200 },
    );
  });
});
