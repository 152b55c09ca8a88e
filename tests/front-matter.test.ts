/** Front matter (`---` YAML `---` before raw text): what it overrides, and the one-line errors it gives. */
import { describe, expect, it } from 'vitest';
import { articleError } from './helpers.js';
import type { ReadResult } from '../src/article.js';
import { readArticle } from '../src/read/index.js';
import { splitFrontMatter } from '../src/read/front-matter.js';

const RECEIVED = new Date('2024-01-02T03:04:05Z');
const P1 = 'The city council approved a new budget for public parks on Monday after a long debate.';
const P2 = 'Officials said construction would begin next spring in several districts of the city.';

const lines = (...parts: string[]) => parts.join('\n');
const withMeta = (yaml: string, ...body: string[]) => lines('---', yaml, '---', ...(body.length > 0 ? body : [P1, P2]));

function read(text: string, name = 'story.md'): ReadResult {
  return readArticle(name, text, { receivedAt: RECEIVED });
}


describe('front matter overrides', () => {
  const full = lines(
    'id: parks-2024',
    'url: https://news.example.com/city/parks-budget.html',
    'title: Parks budget approved',
    'summary: The council backs a bigger parks budget.',
    'published: 2024-03-05T10:00:00Z',
    'updated: 2024-03-06T08:30:00+08:00',
    'section: City',
    'tags: [parks, budget]',
    'authors: [Jane Doe, John Roe]',
    'language: en-GB',
    'photos:',
    '  - https://img.example.test/a.jpg',
    '  - url: https://img.example.test/b.png',
    '    type: image/png',
    '    bytes: 1234',
    '    width: 800',
    '    height: 600',
  );

  it('takes every field it gives, with no warnings', () => {
    const { article, warnings } = read(withMeta(full));
    expect(article).toMatchObject({
      id: 'parks-2024',
      url: 'https://news.example.com/city/parks-budget.html',
      title: 'Parks budget approved',
      summary: 'The council backs a bigger parks budget.',
      published: '2024-03-05T10:00:00Z',
      updated: '2024-03-06T00:30:00Z',
      section: 'City',
      tags: ['parks', 'budget'],
      authors: ['Jane Doe', 'John Roe'],
      language: 'en-GB',
    });
    expect(article.photos).toEqual([
      { url: 'https://img.example.test/a.jpg', caption: null, credit: null, type: null, bytes: null, width: null, height: null },
      { url: 'https://img.example.test/b.png', caption: null, credit: null, type: 'image/png', bytes: 1234, width: 800, height: 600 },
    ]);
    expect(article.paragraphs).toEqual([P1, P2]);
    expect(warnings).toEqual([]);
  });

  it('wins over what the text would give', () => {
    const text = withMeta(
      lines('title: Given title', 'published: 2022-02-02', 'authors: [Jane Doe]'),
      'By WANG XIAODONG in Beijing',
      'Workers plant trees in a park, April 25, 2019.',
      '(JOHN DOE / POOL)',
      P1,
      P2,
    );
    const { article, warnings } = read(text);
    expect(article.title).toBe('Given title');
    expect(article.published).toBe('2022-02-02T00:00:00Z');
    expect(article.authors).toEqual(['Jane Doe']);
    expect(warnings.map((w) => w.field)).not.toContain('title');
    expect(warnings.map((w) => w.field)).not.toContain('published');
    // The byline is still not body text.
    expect(article.paragraphs).toEqual([P1, P2]);
  });

  it('gives photo URLs to the captions of the text by position, keeping caption and credit', () => {
    const text = withMeta(lines('photos:', '  - https://img.example.test/a.jpg'), 'Workers plant trees in a park.', '(JOHN DOE / POOL)', P1, P2, '![x](https://img.example.test/marker.jpg) |');
    const { article } = read(text);
    expect(article.photos).toEqual([expect.objectContaining({ url: 'https://img.example.test/a.jpg', caption: 'Workers plant trees in a park.', credit: 'JOHN DOE / POOL' })]);
  });

  it('accepts one tag or author without brackets, a numeric id and a single author field', () => {
    expect(read(withMeta(lines('tags: parks', 'authors: Jane Doe', 'id: 123'))).article).toMatchObject({ tags: ['parks'], authors: ['Jane Doe'], id: '123' });
    expect(read(withMeta('author: John Roe')).article.authors).toEqual(['John Roe']);
  });

  it('reads a date-only published as midnight UTC', () => {
    expect(read(withMeta('published: 2024-03-05')).article.published).toBe('2024-03-05T00:00:00Z');
  });

  it('cleans markup in front matter text', () => {
    expect(read(withMeta('title: "<b>Parks</b> &amp; <script>x()</script>budget"')).article.title).toBe('Parks & budget');
  });

  it('derives the id from the front matter URL when no id is given', () => {
    const { article, warnings } = read(withMeta('url: https://news.example.com/city/parks-budget.html'));
    expect(article.id).toBe('city-parks-budget');
    expect(warnings.map((w) => w.field)).toContain('id');
  });
});

describe('splitFrontMatter', () => {
  it('returns the text unchanged when there is no front matter', () => {
    expect(splitFrontMatter(lines(P1, '---', P2), 's.txt')).toMatchObject({ meta: {}, body: lines(P1, '---', P2) });
  });

  it('reads front matter with CRLF line endings and after a byte order mark', () => {
    expect(splitFrontMatter('---\r\ntitle: Hello\r\n---\r\nBody', 's.txt')).toMatchObject({ meta: { title: 'Hello' }, body: 'Body' });
    expect(splitFrontMatter('\uFEFF---\ntitle: Hello\n---\nBody', 's.txt')).toMatchObject({ meta: { title: 'Hello' }, body: 'Body' });
  });
});

describe('front matter errors', () => {
  it.each([
    ['an unclosed flow sequence', 'title: [unclosed'],
    ['a bad nested mapping', 'title: a\n  b: : c'],
    ['a duplicate key', 'title: a\ntitle: b'],
    ['a list instead of a mapping', '- a\n- b'],
    ['a bare scalar', 'hello'],
  ])('fails on field "front matter" for %s', (_what, yaml) => {
    const error = articleError(() => read(withMeta(yaml), 'bad.md'));
    expect(error.field).toBe('front matter');
    expect(error.source).toBe('bad.md');
    expect(error.message).toMatch(/^bad\.md: front matter: /);
    expect(error.message).not.toContain('\n');
  });

  it('fails on field "front matter" when the block is never closed', () => {
    expect(articleError(() => read(lines('---', 'title: x', P1))).field).toBe('front matter');
  });

  it.each(['not a date', '2024-13-45', '2024-02-30', 'April 31, 2024'])('fails on field published for the invalid date %j', (value) => {
    const error = articleError(() => read(withMeta(`published: "${value}"`)));
    expect(error.field).toBe('published');
  });

  it('fails on field updated for an invalid updated date', () => {
    expect(articleError(() => read(withMeta('published: 2024-03-05\nupdated: never'))).field).toBe('updated');
  });

  it.each([
    ['a URL string', 'photos:\n  - "javascript:alert(1)"', 'photos[0].url'],
    ['a photo object', 'photos:\n  - url: "javascript:alert(1)"', 'photos[0].url'],
    ['the second photo', 'photos:\n  - https://img.example.test/a.jpg\n  - "javascript:alert(1)"', 'photos[1].url'],
    ['a data: URL', 'photos:\n  - "data:image/png;base64,AAAA"', 'photos[0].url'],
  ])('rejects a non-http(s) photo URL given as %s, naming the photo', (_what, yaml, field) => {
    const error = articleError(() => read(withMeta(yaml)));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('rejects a javascript: article URL on field url', () => {
    expect(articleError(() => read(withMeta('url: "javascript:alert(1)"'))).field).toBe('url');
  });

  it.each(['../etc/passwd', 'a/b', '..', 'a\\b', 'a..b'])('rejects the id %j on field id', (id) => {
    const error = articleError(() => read(withMeta(`id: ${JSON.stringify(id)}`)));
    expect(error.field).toBe('id');
  });
});
