/** Property-based: any text in any field gives well-formed XML and a valid JSON Feed 1.1, with text intact. */
import { decodeHTML } from 'entities';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds } from '../src/build.js';
import { ArticleError } from '../src/errors.js';
import { readJsonArticle } from '../src/read/index.js';
import { stripXmlForbidden } from '../src/text.js';
import { makeSite, parseXml } from './helpers.js';

// Text with the characters that break XML writers: markup, entities, CDATA ends, controls, astral, surrogates.
const nastyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.constantFrom(']]>', '&', '&amp;', '&lt;', '<', '>', '"', "'", '\u0007', '\u0000', '\uFFFE', '\uD800', '😀', 'é', '<script>', ' ', 'x', '\n'), { maxLength: 12 })
    .map((parts) => parts.join('')),
);
const someText = nastyText.filter((t) => stripXmlForbidden(t).trim().length > 0);
const photoArb = fc.record({
  url: fc.option(fc.webUrl({ withQueryParameters: true }).filter((u) => u.startsWith('http')), { nil: null }),
  caption: fc.option(nastyText, { nil: null }),
  credit: fc.option(nastyText, { nil: null }),
  type: fc.constant(null),
  bytes: fc.option(fc.nat(), { nil: null }),
  width: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: null }),
  height: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: null }),
});
const articleArb: fc.Arbitrary<Article> = fc.record({
  id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  url: fc.option(fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((u) => u.startsWith('http')), { nil: null }),
  title: someText,
  summary: nastyText,
  published: fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000).toISOString().replace('.000', '')),
  updated: fc.constant(''),
  dateline: fc.option(nastyText, { nil: null }),
  language: fc.constantFrom('en', 'zh-Hans', 'fr'),
  section: fc.option(someText, { nil: null }),
  tags: fc.array(nastyText, { maxLength: 3 }),
  authors: fc.array(nastyText, { maxLength: 3 }),
  publisher: fc.option(nastyText, { nil: null }),
  attribution: fc.array(nastyText, { maxLength: 2 }),
  paragraphs: fc.array(nastyText, { minLength: 1, maxLength: 4 }),
  quotes: fc.array(fc.record({ text: nastyText, speaker: fc.option(nastyText, { nil: null }), role: fc.option(nastyText, { nil: null }) }), { maxLength: 2 }),
  photos: fc.array(photoArb, { maxLength: 3 }),
  related: fc.array(fc.record({ label: nastyText, title: nastyText, url: fc.option(fc.webUrl(), { nil: null }) }), { maxLength: 2 }),
}).map((a) => ({ ...a, updated: a.published }));

describe('renderers on arbitrary text', () => {
  it('always give well-formed XML and schema-valid JSON Feed 1.1 (buildFeeds checks both)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(articleArb, { maxLength: 3, selector: (a) => a.id }), (articles) => {
        const files = buildFeeds(articles, makeSite());
        expect(files.length).toBeGreaterThanOrEqual(3);
      }),
      { numRuns: 150 },
    );
  });

  it('carry titles, bylines and credits through the RSS intact (less forbidden characters)', () => {
    fc.assert(
      fc.property(articleArb, (article) => {
        const rss = buildFeeds([article], makeSite()).find((f) => f.path === 'rss.xml')?.body ?? '';
        const item = parseXml(rss).rss.channel.item[0];
        expect(decodeHTML(String(item.title))).toBe(stripXmlForbidden(article.title).replace(/\r\n?/g, '\n'));
        const creators: string[] = (item['dc:creator'] ?? []).map(String);
        expect(creators).toEqual(article.authors.map((a) => stripXmlForbidden(a).replace(/\r\n?/g, '\n').trim()));
      }),
      { numRuns: 150 },
    );
  });
});

describe('JSON reader on arbitrary field values', () => {
  const anyValue = fc.oneof(nastyText, fc.integer(), fc.constant(null), fc.array(nastyText, { maxLength: 2 }), fc.dictionary(nastyText, nastyText, { maxKeys: 2 }));
  it('either reads the article or throws an ArticleError naming the file and a field', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('id', 'url', 'title', 'summary', 'published', 'updated', 'section', 'tags', 'authors', 'photos', 'quotes', 'related', 'paragraphs', 'language'), anyValue), (fields) => {
        const text = JSON.stringify({ paragraphs: ['Body text.'], published: '2024-01-01', ...fields });
        try {
          const { article } = readJsonArticle(text, { source: 'random.json' });
          const files = buildFeeds([article], makeSite());
          expect(files).toHaveLength(article.section ? 8 : 4);
        } catch (error) {
          expect(error).toBeInstanceOf(ArticleError);
          expect((error as ArticleError).message.startsWith('random.json: ')).toBe(true);
          expect((error as ArticleError).field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
