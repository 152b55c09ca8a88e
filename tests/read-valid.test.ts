/**
 * The raw reader's own check (src/read/valid.ts) in place of the schema's second pass (issue 9): whatever
 * it accepts, ArticleSchema accepts and gives identically (same values, same key order), and it refuses
 * nothing the schema accepts; so the raw reader's output always passes the schema. Checked over generated
 * candidates at every limit, generated wire copy (the fuzzer's raw articles and the bench's archive), and
 * the corpus in tests/fixtures. Likewise plain front matter (src/read/front-matter.ts plainFrontMatter)
 * against FrontMatterSchema, and bytes decoded without TextDecoder against TextDecoder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it, vi } from 'vitest';
import { generateArticle } from '../bench/generate.js';
import { type Article, ArticleSchema, LIMITS } from '../src/article.js';
import { ArticleError } from '../src/errors.js';
import { FrontMatterSchema, plainFrontMatter } from '../src/read/front-matter.js';
import { readArticle } from '../src/read/index.js';
import type * as Valid from '../src/read/valid.js';
import { anyText, dateArb, rawArticle, urlArb } from './fuzz/arbitraries.js';

// Every candidate finalizeArticle hands to the check, and what the check said, to compare with the schema.
const seen = vi.hoisted(() => ({ calls: [] as { candidate: unknown; result: unknown }[] }));
vi.mock('../src/read/valid.js', async (importOriginal) => {
  const real = await importOriginal<typeof Valid>();
  return {
    ...real,
    checkedArticle: (candidate: unknown) => {
      const result = real.checkedArticle(candidate);
      seen.calls.push({ candidate, result });
      return result;
    },
  };
});
const { checkedArticle } = await vi.importActual<typeof Valid>('../src/read/valid.js');

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** The check agrees with ArticleSchema on the candidate: both refuse, or both give the same article. */
function expectSameAsSchema(candidate: unknown, result: unknown = checkedArticle(candidate)): 'accepted' | 'refused' {
  const schema = ArticleSchema.safeParse(candidate);
  if (!schema.success) {
    expect(result, `the schema refuses: ${schema.error.issues[0]?.message}`).toBeNull();
    return 'refused';
  }
  expect(result, 'the schema accepts').not.toBeNull();
  expect(result).toStrictEqual(schema.data);
  expect(JSON.stringify(result)).toBe(JSON.stringify(schema.data));
  return 'accepted';
}

/** Reads a raw article; every candidate it checked agrees with the schema, and an article passes the schema unchanged. */
function readAndCompare(name: string, content: string | Uint8Array, receivedAt?: Date): { article?: Article; error?: ArticleError } {
  seen.calls.length = 0;
  let outcome: { article?: Article; error?: ArticleError };
  try {
    outcome = { article: readArticle(name, content, { receivedAt }).article };
  } catch (error) {
    if (!(error instanceof ArticleError)) throw error;
    outcome = { error };
  }
  expect(seen.calls.length).toBeLessThanOrEqual(1);
  for (const { candidate, result } of seen.calls) expectSameAsSchema(candidate, result);
  if (outcome.article) {
    // Taken from the check, never from a fallback: the check is what the raw reader relies on.
    expect(seen.calls[0]?.result).toBe(outcome.article);
    const again = ArticleSchema.safeParse(outcome.article);
    expect(again.success).toBe(true);
    expect(again.data).toStrictEqual(outcome.article);
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------------
// Candidates at every limit

/** Text of about the given length: below, at and over a limit. */
const around = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    anyText,
    fc.constantFrom(max - 1, max, max + 1, 0).chain((n) => fc.constantFrom('a', ' ', 'é', '\u{1F600}', 'x y').map((unit) => unit.repeat(Math.ceil(Math.max(n, 0) / unit.length)).slice(0, Math.max(n, 0)))),
  );

const junk: fc.Arbitrary<unknown> = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));

/** A list of about the given length: a few items from `item`, or `max` or `max + 1` short ones (or one junk value among them). */
const listAround = <T>(max: number, item: fc.Arbitrary<T>, short: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(item, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(max, max + 1), short).map(([n, value]) => Array.from({ length: n }, () => value)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(max - 1, max), fc.nat(), junk).map(([n, at, value]) => Array.from({ length: n }, (_, i) => (i === at % n ? value : 'x'))) },
  );

/** Mostly the right type, sometimes not. */
const field = <T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 8, arbitrary: right }, { weight: 1, arbitrary: junk });

const url = fc.oneof(urlArb, urlArb.map((u) => ` ${u}\t`), fc.constantFrom(LIMITS.url - 20, LIMITS.url - 19, LIMITS.url - 18).map((n) => `https://a.example/${'p'.repeat(n)}`));
const count = fc.oneof(fc.constantFrom(0, 1, -1, 1.5, -0, 2 ** 53, 2 ** 53 - 1, Number.NaN, Number.POSITIVE_INFINITY), fc.integer({ min: -5, max: 50_000 }));
const nullish = <T>(right: fc.Arbitrary<T>) => fc.oneof(right, fc.constant(null), fc.constant(undefined));

const photo = fc.record(
  {
    url: field(nullish(url)),
    caption: field(nullish(around(LIMITS.caption))),
    credit: field(nullish(around(LIMITS.credit))),
    type: field(nullish(fc.constantFrom('image/jpeg', 'image/png', 'image/svg+xml', 'image/JPEG', 'image/', 'text/html', 'image/jpeg; q=1'))),
    bytes: field(nullish(count)),
    width: field(nullish(count)),
    height: field(nullish(count)),
  },
  { requiredKeys: [] },
);
const quote = fc.record({ text: field(around(LIMITS.quote)), speaker: field(nullish(around(LIMITS.speaker))), role: field(nullish(around(LIMITS.role))) }, { requiredKeys: [] });
const related = fc.record({ label: field(around(LIMITS.relatedLabel)), title: field(around(LIMITS.relatedTitle)), url: field(nullish(url)) }, { requiredKeys: [] });

const candidate = fc.record(
  {
    id: field(fc.oneof(fc.constantFrom('a-1', 'story.2024', '..', 'a..b', '-a', 'a/b', `a${'b'.repeat(127)}`, `a${'b'.repeat(128)}`, 'café'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/))),
    url: field(fc.oneof(url, fc.constant(null))),
    title: field(around(LIMITS.title)),
    summary: field(around(LIMITS.summary)),
    published: field(dateArb),
    updated: field(dateArb),
    dateline: field(fc.oneof(around(LIMITS.dateline), fc.constant(null))),
    language: field(fc.constantFrom('en', 'en-GB', 'zh-Hans', 'x', 'english', '', 'EN')),
    section: field(fc.oneof(around(LIMITS.section), fc.constant(null))),
    tags: field(listAround(LIMITS.tags, field(around(LIMITS.tag)), fc.constantFrom('tag', ''))),
    authors: field(listAround(LIMITS.authors, field(around(LIMITS.author)), fc.constant('A. Writer'))),
    publisher: field(fc.oneof(around(LIMITS.publisher), fc.constant(null))),
    attribution: field(listAround(LIMITS.attributions, field(around(LIMITS.attribution)), fc.constant('Xinhua'))),
    paragraphs: field(listAround(LIMITS.paragraphs, field(around(LIMITS.paragraph)), fc.constantFrom('A paragraph.', ''))),
    quotes: field(listAround(LIMITS.quotes, quote, fc.constant({ text: 'Said.' }))),
    photos: field(listAround(LIMITS.photos, photo, fc.constant({ url: 'https://a.example/p.jpg', width: 2, height: 1 }))),
    related: field(listAround(LIMITS.related, related, fc.constant({ title: 'More' }))),
  },
  { requiredKeys: [] },
);

/** A valid article made by the raw reader, with one field replaced: near-valid candidates, field by field. */
const oneFieldOff = fc
  .tuple(fc.nat({ max: 999 }), candidate, fc.constantFrom(...Object.keys(ArticleSchema.shape)))
  .map(([index, other, key]) => {
    const base: Record<string, unknown> = { ...readArticle('a.md', generateArticle(index).text, {}).article };
    if (key in other) base[key] = (other as Record<string, unknown>)[key];
    else delete base[key];
    return base;
  });

describe('the raw reader’s check gives exactly what ArticleSchema gives', () => {
  it('on generated candidates, valid or not, at every length and count limit', () => {
    const tally = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(candidate, oneFieldOff), (c) => {
        tally[expectSameAsSchema(c)] += 1;
      }),
      { numRuns: 600, seed },
    );
    // Both outcomes must be reached for the property to say anything.
    expect(tally.accepted).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(50);
  });

  it('on hand-picked edges: trimmed and normalised URLs, absent photo fields, defaults, wrong types', () => {
    const { article } = readArticle('a.md', generateArticle(7).text, {});
    const cases: unknown[] = [
      { ...article, url: '  https://Example.COM/a b?c=[d]#e#f  ' },
      { ...article, photos: [{ url: 'https://example.com/ü.jpg' }] },
      { ...article, photos: [{ url: 'https://example.com/a.jpg', bytes: -0, width: 1, height: 2 ** 53 - 1 }] },
      { ...article, photos: [{ width: 0 }] },
      { ...article, related: [{ title: 'T' }] },
      { ...article, related: [{ title: 'T', label: null }] },
      { ...article, quotes: [{ text: '' }] },
      { ...article, dateline: undefined },
      { ...article, url: undefined },
      { ...article, paragraphs: [] },
      { ...article, published: '+275760-09-13T00:00:00Z' },
      { ...article, extra: 'dropped' },
      [article],
      null,
      'article',
    ];
    for (const c of cases) expectSameAsSchema(c);
  });
});

describe('the raw reader’s output always passes the schema', () => {
  it('on generated wire copy (the fuzzer’s raw articles)', () => {
    const tally = { article: 0, error: 0 };
    fc.assert(
      fc.property(rawArticle, (input) => {
        const outcome = readAndCompare(input.name, input.content, input.receivedAt);
        tally[outcome.article ? 'article' : 'error'] += 1;
      }),
      { numRuns: 300, seed },
    );
    expect(tally.article).toBeGreaterThan(30);
  });

  it('on the bench archive’s articles', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), (index) => {
        const { text, name } = generateArticle(index);
        expect(readAndCompare(`${name}.md`, Buffer.from(text)).article).toBeDefined();
      }),
      { numRuns: 200, seed },
    );
  });

  it.each(['corpus', 'agencies'])('on every article of the %s corpus', (corpus) => {
    const dir = join(import.meta.dirname, 'fixtures', corpus);
    const names = readdirSync(dir).filter((n) => n.endsWith('.txt'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(readAndCompare(name, readFileSync(join(dir, name)), new Date('2031-07-08T09:10:11Z')).article).toBeDefined();
  });

  it('refuses in the schema’s words when the check fails (front matter too long for the model)', () => {
    const { error } = readAndCompare('a.md', `---\nsection: ${'s'.repeat(LIMITS.section + 1)}\n---\nBEIJING - Body text of the story, long enough to read.\n`, new Date('2024-01-01T00:00:00Z'));
    expect(error?.field).toBe('section');
    expect(error?.message).toBe(`a.md: section: is longer than ${LIMITS.section} characters`);
    expect(seen.calls[0]?.result).toBeNull();
  });
});

describe('plain front matter gives what FrontMatterSchema gives', () => {
  const KEYS = ['id', 'url', 'title', 'summary', 'published', 'updated', 'section', 'tags', 'authors', 'author', 'language', 'publisher', 'dateline', 'photos'];
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 0.1), fc.boolean(), fc.constant(null));
  const item = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.record({ name: scalar }) }, { weight: 1, arbitrary: fc.record({ url: scalar, caption: scalar }, { requiredKeys: [] }) });
  const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 2, arbitrary: fc.array(item, { maxLength: 3 }) }, { weight: 1, arbitrary: item }, { weight: 1, arbitrary: fc.date({ noInvalidDate: true }) });
  const meta = fc.dictionary(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'Title', 'constructor') }), value, { maxKeys: 6 });

  it('on generated values: the same fields and values, or null and the schema decides', () => {
    const tally = { plain: 0, schema: 0 };
    fc.assert(
      fc.property(meta, (v) => {
        const plain = plainFrontMatter(v);
        const schema = FrontMatterSchema.safeParse(v);
        if (plain === null) {
          tally.schema += 1;
          return;
        }
        tally.plain += 1;
        expect(schema.success).toBe(true);
        expect(plain).toStrictEqual(schema.data);
      }),
      { numRuns: 2000, seed },
    );
    expect(tally.plain).toBeGreaterThan(200);
    expect(tally.schema).toBeGreaterThan(200);
  });

  it('on the YAML of the bench archive and of every plain shape: taken without the schema', () => {
    const texts = [
      ...Array.from({ length: 50 }, (_, i) => /^---\n([\s\S]*?)\n---\n/.exec(generateArticle(i * 7919).text)?.[1] ?? ''),
      'id: 42\ntitle: 3.5\nsection: World\ntags: one\nauthors: [A, 7]\nphotos: [https://a.example/p.jpg]\npublished: 2024-01-01',
    ];
    for (const yaml of texts) {
      const v = load(yaml, { schema: CORE_SCHEMA }) as Record<string, unknown>;
      const plain = plainFrontMatter(v);
      expect(plain, yaml).not.toBeNull();
      expect(plain).toStrictEqual(FrontMatterSchema.parse(v));
    }
  });
});

describe('reading bytes', () => {
  it('refuses what is not UTF-8 exactly where TextDecoder (fatal) does, and reads the rest as its text', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .tuple(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0xf0, 0x9f, 0x98, 0x80])), { maxLength: 3 }))
        .map(([text, inserts]) => {
          let buffer = Buffer.from(`BEIJING - ${text} body of the story.`, 'utf8');
          for (const [pos, insert] of inserts) {
            const at = pos % (buffer.length + 1);
            buffer = Buffer.concat([buffer.subarray(0, at), Buffer.from(insert), buffer.subarray(at)]);
          }
          return new Uint8Array(buffer);
        }),
      fc.string({ maxLength: 60 }).map((t) => new Uint8Array(Buffer.from(`\uFEFFBEIJING - ${t} body of the story.`, 'utf8'))),
    );
    const outcome = (f: () => unknown) => {
      try {
        return { value: f() };
      } catch (error) {
        return { error: error instanceof ArticleError ? `${error.field}: ${error.message}` : String(error) };
      }
    };
    const received = new Date('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(bytes, (content) => {
        let text: string | undefined;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(content);
        } catch {
          text = undefined;
        }
        const read = outcome(() => readArticle('a.txt', content, { receivedAt: received }).article);
        if (text === undefined) expect(read.error).toBe('(encoding): a.txt: (encoding): is not valid UTF-8 text');
        else expect(read).toStrictEqual(outcome(() => readArticle('a.txt', text, { receivedAt: received }).article));
      }),
      { numRuns: 400, seed },
    );
  });
});
