/**
 * The JSON reader, and what both readers share: choosing a reader by extension, the size limit, the
 * encoding check, and one-line errors that name the file and the field.
 */
import { describe, expect, it } from 'vitest';
import { articleError } from './helpers.js';
import type { ReadResult } from '../src/article.js';
import { MAX_ARTICLE_BYTES, readArticle, readJsonArticle } from '../src/read/index.js';

const RECEIVED = new Date('2024-01-02T03:04:05Z');
const P1 = 'The city council approved a new budget for public parks on Monday after a long debate.';
const P2 = 'Officials said construction would begin next spring in several districts of the city.';

function read(content: string | Uint8Array, name = 'story.json'): ReadResult {
  return readArticle(name, content, { receivedAt: RECEIVED });
}
const json = (value: unknown) => JSON.stringify(value);


describe('valid JSON articles', () => {
  it('reads an article with only paragraphs, deriving the rest with warnings', () => {
    const { article, warnings } = read(json({ paragraphs: [P1, P2] }));
    expect(article.paragraphs).toEqual([P1, P2]);
    expect(article.title).toBe(P1);
    expect(article.published).toBe('2024-01-02T03:04:05Z');
    expect(article.language).toBe('en');
    expect(article.photos).toEqual([]);
    expect(warnings.map((w) => w.field).sort()).toEqual(['id', 'published', 'summary', 'title']);
  });

  it('reads every field of the model as given, with no warnings', () => {
    const given = {
      id: 'parks-2024',
      url: 'https://news.example.com/city/parks-budget.html',
      title: 'Parks budget approved',
      summary: 'The council backs a bigger parks budget.',
      published: '2024-03-05T10:00:00Z',
      updated: '2024-03-06T10:00:00Z',
      dateline: 'SPRINGFIELD',
      language: 'en-GB',
      section: 'City',
      tags: ['parks'],
      authors: ['Jane Doe'],
      publisher: 'Springfield Daily',
      attribution: ['Xinhua'],
      paragraphs: [P1, P2],
      quotes: [{ text: 'We will build parks', speaker: 'Jane Doe', role: 'Mayor' }],
      photos: [{ url: 'https://img.example.test/a.jpg', caption: 'Workers plant trees.', credit: 'JOHN DOE / POOL', type: 'image/jpeg', bytes: 2048, width: 1024, height: 768 }],
      related: [{ label: 'READ MORE', title: 'Parks budget doubles', url: 'https://news.example.com/city/doubles.html' }],
    };
    const { article, warnings } = read(json(given));
    expect(article).toEqual(given);
    expect(warnings).toEqual([]);
  });

  it('fills defaults inside photos, quotes and related items', () => {
    const { article } = read(json({ title: 'T', paragraphs: [P1], photos: [{ url: 'https://img.example.test/a.jpg' }], quotes: [{ text: 'Q' }], related: [{ title: 'R' }] }));
    expect(article.photos).toEqual([{ url: 'https://img.example.test/a.jpg', caption: null, credit: null, type: null, bytes: null, width: null, height: null }]);
    expect(article.quotes).toEqual([{ text: 'Q', speaker: null, role: null }]);
    expect(article.related).toEqual([{ label: 'Related', title: 'R', url: null }]);
  });

  it('normalises a date-only published to midnight UTC, updated defaulting to published', () => {
    const { article } = read(json({ title: 'T', published: '2024-03-05', paragraphs: [P1] }));
    expect(article.published).toBe('2024-03-05T00:00:00Z');
    expect(article.updated).toBe('2024-03-05T00:00:00Z');
  });

  it('derives the published date from a photo caption before the body', () => {
    const { article } = read(json({ paragraphs: ['On June 1, 2021 the council met.'], photos: [{ caption: 'Workers plant trees, May 3, 2020.' }] }));
    expect(article.published).toBe('2020-05-03T00:00:00Z');
  });

  it('cleans markup and forbidden characters in every text field', () => {
    const { article } = read(json({ title: '<b>Parks</b> &amp; budget', paragraphs: ['<b>bold</b> &amp; <script>alert(1)</script>text\u0007'] }));
    expect(article.title).toBe('Parks & budget');
    expect(article.paragraphs).toEqual(['bold & text']);
  });

  it('reads bytes, CRLF and a byte order mark in bytes', () => {
    const text = `{\r\n  "title": "T",\r\n  "paragraphs": ["${P1}"]\r\n}`;
    const plain = read(text);
    expect(read(Buffer.from(text, 'utf8'))).toEqual(plain);
    expect(read(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(text, 'utf8')]))).toEqual(plain);
  });

  it('reads a string with a byte order mark', () => {
    const text = json({ title: 'T', paragraphs: [P1] });
    expect(read(`\uFEFF${text}`)).toEqual(read(text));
  });

  it('readJsonArticle names the given source in its errors', () => {
    const error = articleError(() => readJsonArticle('{', { source: 's3://bucket/incoming/a.json' }));
    expect(error.source).toBe('s3://bucket/incoming/a.json');
    expect(error.message.startsWith('s3://bucket/incoming/a.json: (json): ')).toBe(true);
  });
});

describe('invalid JSON articles', () => {
  it('fails on field (json) naming the file for invalid JSON', () => {
    const error = articleError(() => read('{"paragraphs": [', 'broken.json'));
    expect(error.field).toBe('(json)');
    expect(error.source).toBe('broken.json');
    expect(error.message).toMatch(/^broken\.json: \(json\): /);
    expect(error.message).not.toContain('\n');
  });

  it.each(['[]', 'null', '"text"', '42'])('fails on field (json) for the non-object %s', (text) => {
    expect(articleError(() => read(text)).field).toBe('(json)');
  });

  it('names the path of a value of the wrong type: photos[0].url', () => {
    const error = articleError(() => read(json({ paragraphs: [P1], photos: [{ url: 5 }] }), 'typed.json'));
    expect(error.field).toBe('photos[0].url');
    expect(error.message).toMatch(/^typed\.json: photos\[0\]\.url: /);
  });

  it('rejects a javascript: photo URL on photos[0].url', () => {
    expect(articleError(() => read(json({ paragraphs: [P1], photos: [{ url: 'javascript:alert(1)' }] }))).field).toBe('photos[0].url');
  });

  it.each([
    ['missing', { title: 'T' }],
    ['not a list', { title: 'T', paragraphs: P1 }],
    ['empty', { title: 'T', paragraphs: [] }],
    ['only blank or markup', { title: 'T', paragraphs: ['  ', '<script>x()</script>'] }],
  ])('fails on field paragraphs when they are %s', (_what, value) => {
    expect(articleError(() => read(json(value))).field).toBe('paragraphs');
  });

  it.each(['../escape', 'a/b'])('rejects the id %j on field id', (id) => {
    expect(articleError(() => read(json({ id, paragraphs: [P1] }))).field).toBe('id');
  });

  it.each(['yesterday', '2024-13-01', '2024-02-30'])('rejects the published date %j on field published', (published) => {
    expect(articleError(() => read(json({ published, paragraphs: [P1] }))).field).toBe('published');
  });
});

describe('size, encoding and file type (both readers)', () => {
  const small = json({ title: 'T', paragraphs: [P1] });

  it(`accepts an article of exactly MAX_ARTICLE_BYTES (${MAX_ARTICLE_BYTES}) bytes`, () => {
    const padded = small + ' '.repeat(MAX_ARTICLE_BYTES - small.length);
    expect(Buffer.byteLength(padded)).toBe(MAX_ARTICLE_BYTES);
    expect(read(padded).article.paragraphs).toEqual([P1]);
  });

  it('fails on field (size) one byte over the limit, as a string or bytes, JSON or text', () => {
    const over = small + ' '.repeat(MAX_ARTICLE_BYTES - small.length + 1);
    expect(articleError(() => read(over)).field).toBe('(size)');
    expect(articleError(() => read(Buffer.from(over))).field).toBe('(size)');
    expect(articleError(() => read(over, 'story.txt')).field).toBe('(size)');
  });

  it('counts the size in bytes, not characters', () => {
    const text = 'é'.repeat(MAX_ARTICLE_BYTES / 2 + 1); // fewer characters than the limit, more bytes
    expect(text.length).toBeLessThan(MAX_ARTICLE_BYTES);
    const error = articleError(() => read(text, 'wide.txt'));
    expect(error.field).toBe('(size)');
    expect(error.source).toBe('wide.txt');
  });

  it.each([
    ['story.json', [0x7b, 0xff, 0xfe, 0x7d]],
    ['story.txt', [0x41, 0x42, 0xc3, 0x28]],
    ['story.md', [0xed, 0xa0, 0x80]], // an encoded lone surrogate
  ])('fails on field (encoding) for invalid UTF-8 in %s', (name, bytes) => {
    const error = articleError(() => read(new Uint8Array(bytes), name));
    expect(error.field).toBe('(encoding)');
    expect(error.message.startsWith(`${name}: (encoding): `)).toBe(true);
  });

  it.each(['story.pdf', 'story.html', 'story', 'story.json.bak'])('fails on field (file type) for %s', (name) => {
    const error = articleError(() => read(small, name));
    expect(error.field).toBe('(file type)');
    expect(error.source).toBe(name);
  });

  it.each(['story.txt', 'story.md', 'story.markdown', 'STORY.TXT'])('reads %s as raw text', (name) => {
    expect(read(`BEIJING - ${P1}\n${P2}`, name).article.dateline).toBe('BEIJING');
  });

  it('reads STORY.JSON as JSON', () => {
    expect(read(small, 'STORY.JSON').article.title).toBe('T');
  });
});
