/**
 * Fuzzing inputs for the readers and the feeds built from them, and the property every input must keep.
 *
 * Inputs are built from the seed corpus (tests/fixtures/corpus/*.txt): its lines are inserted, deleted,
 * duplicated, shuffled, cased, cut, stretched into very long lines and spliced with hostile fragments
 * (control characters, lone surrogates, `]]>`, markup, entities, CRLF, BOM), under random or invalid
 * front matter; JSON articles are the corpus articles with fields replaced by random or hostile values,
 * or their text mutated. Shared by tests/fuzz.test.ts (short runs) and tests/fuzz/long.ts (`npm run fuzz`).
 *
 * No vitest import here: long.ts runs this under plain tsx.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHTML } from 'entities';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import type { Article } from '../../src/article.js';
import { buildFeeds, type OutputFile } from '../../src/build.js';
import { ArticleError } from '../../src/errors.js';
import { readArticle } from '../../src/read/index.js';
import { ALLOWED_HTML } from '../../src/read/html.js';
import { makeSite, parseXml } from '../helpers.js';

// ---------------------------------------------------------------------------------------------------
// The seed corpus

const CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'corpus');

/** Each corpus file as its lines (line endings normalised; the fuzzer puts its own back). */
export const CORPUS: readonly (readonly string[])[] = readdirSync(CORPUS_DIR)
  .filter((name) => name.endsWith('.txt'))
  .sort()
  .map((name) => readFileSync(join(CORPUS_DIR, name), 'utf8').replace(/\r\n?/g, '\n').split('\n'));

const CORPUS_LINES: readonly string[] = CORPUS.flat().filter((line) => line.trim() !== '');

/** The corpus articles as JSON articles: the seeds of the JSON fuzzing. */
export const JSON_SEEDS: readonly Record<string, unknown>[] = CORPUS.map((lines, i) => {
  try {
    const { article } = readArticle(`seed-${i}.txt`, lines.join('\n'), { receivedAt: new Date('2024-01-01T00:00:00Z') });
    return article as unknown as Record<string, unknown>;
  } catch {
    return { paragraphs: lines.filter((l) => l.trim() !== '').slice(0, 5) };
  }
});

// ---------------------------------------------------------------------------------------------------
// Hostile fragments

/** Pieces that have broken XML writers, HTML sanitizers, line classifiers or YAML before. */
export const FRAGMENTS: readonly string[] = [
  ']]>',
  ']]]]><![CDATA[>',
  '<![CDATA[',
  '<script>alert(1)</script>',
  '<script>',
  '</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<scr<script>ipt>alert(1)</script>',
  '<style>body{display:none}</style>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src="https://evil.example/"></iframe>',
  '<svg onload=alert(1)><script>alert(1)</script></svg>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
  '&xxe;',
  '&a;',
  '<!-- comment -->',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<p>',
  '</p>',
  '<br/>',
  '&amp;',
  '&amp;amp;',
  '&lt;script&gt;',
  '&amp;lt;script&amp;gt;',
  '&#0;',
  '&#1;',
  '&#x0;',
  '&#xD800;',
  '&#x110000;',
  '&#65;',
  '&nbsp;',
  '&bogus;',
  '&',
  '&#',
  '<',
  '>',
  '"',
  "'",
  '`',
  '\u0000',
  '\u0001',
  '\u0007',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u001B[31m',
  '\u001F',
  '\u007F',
  '\u0085',
  '\u00A0',
  '\u00AD',
  '\u200B',
  '\u200D',
  '\u2028',
  '\u2029',
  '\u202E',
  '\u3000',
  '\uFEFF',
  '\uFFFD',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uDC00\uD800',
  '😀',
  '\uD83D',
  '\uDE00',
  '👩‍👩‍👧',
  'é',
  'e\u0301',
  'ﬁ',
  'İ',
  'ß',
  '汉字',
  'العربية',
  '\r',
  '\r\n',
  '\n',
  '\n\n',
  '\t',
  ' ',
  '   ',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  '[x](javascript:alert(1))',
  '![alt](javascript:alert(1)) |',
  '![a photo](https://img.example.test/a.jpg) |',
  '![](data:image/png;base64,AAAA) |',
  'http://169.254.169.254/latest/meta-data',
  '---',
  '...',
  '|',
  ' |',
  '(',
  ')',
  '[',
  ']',
  '![',
  '](',
  ' / ',
  '/',
  'READ MORE: ',
  'ALSO READ: ',
  'Related: ',
  'By ',
  ' in ',
  '(Xinhua)',
  '(With agencies input)',
  '[Photo/Xinhua]',
  '(JOHN DOE / POOL)',
  'VLADIVOSTOK, Russia - ',
  'BEIJING — ',
  'April 25, 2019',
  '25 April 2019',
  '2019-04-25',
  '2019-02-30',
  '9999-12-31',
  '0000-00-00',
  '{{',
  '}}',
  '$\u007Bx}',
  '%s%n',
  '%00',
  '%2e%2e%2f',
  '../',
  '..\\',
  '\\',
  '—',
  '–',
  '--',
  ':',
  ': ',
  '#',
  '*',
  '- ',
  '? ',
  '!!',
  '!!binary',
  '&anchor ',
  '*anchor',
  '<<: ',
  '{',
  '}',
  '__proto__',
  'constructor',
  'toString',
  'null',
  '~',
  '.inf',
  '1e400',
];

const fragment = fc.constantFrom(...FRAGMENTS);

/** Text made of fragments, corpus words and random code units (including unpaired surrogates). */
export const nastyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fragment, fc.constantFrom(...CORPUS_LINES).map((l) => l.split(' ').slice(0, 4).join(' '))), { maxLength: 8 }).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Text a person could have written: corpus lines, sometimes with a fragment spliced in. */
const plausibleText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...CORPUS_LINES),
  fc.tuple(fc.constantFrom(...CORPUS_LINES), fragment, fc.nat()).map(([line, f, at]) => splice(line, at % (line.length + 1), f)),
);

export const anyText: fc.Arbitrary<string> = fc.oneof(nastyText, plausibleText);

/** URLs: valid web URLs, and every scheme and shape a photo or link should never be. */
export const urlArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'https://img.example.test/photos/a.jpg',
      'http://img.example.test/b.PNG',
      'https://img.example.test/no-extension',
      'https://img.example.test/a%20b.jpg?w=1&h=2',
      'https://img.example.test/"><script>alert(1)</script>.jpg',
      "https://img.example.test/'onerror='alert(1).jpg",
      'https://img.example.test/]]>.jpg',
      'https://img.example.test/&amp;.jpg',
      'https://xn--nxasmq6b.example/ü.jpg',
      'https://img.example.test/%E0%A4%A.jpg',
      'https://img.example.test/..%2F..%2Fetc%2Fpasswd',
      'https://img.example.test/\u0000.jpg',
      'https://user:pass@img.example.test/a.jpg',
      'http://169.254.169.254/latest/meta-data',
      'http://127.0.0.1:1/x.jpg',
      'http://10.0.0.1/a.jpg',
      'http://[::1]/a.jpg',
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'vbscript:msgbox(1)',
      'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://img.example.test/a.jpg',
      '//evil.example/a.jpg',
      '/relative/a.jpg',
      'http://',
      'https://',
      '',
      ' ',
      `https://img.example.test/${'a'.repeat(3000)}.jpg`,
    ),
  },
  { weight: 1, arbitrary: nastyText },
);

/** Dates: valid ISO and written forms, impossible days, and junk. */
export const dateArb: fc.Arbitrary<string> = fc.oneof(
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom(
    '2024-02-30',
    '2023-02-29',
    '2024-02-29',
    '2024-13-01',
    '2024-01-01T24:00:00Z',
    '2024-01-01T23:59:60Z',
    '2024-01-01 08:00',
    '2024-01-01T08:00:00+14:00',
    '2024-01-01T08:00:00-1200',
    'Thu, 25 Apr 2019 08:00:00 GMT',
    'Mon, 31 Feb 2019 08:00:00 GMT',
    'April 25, 2019',
    '25 April 2019',
    'Sept 1, 2020',
    '0000-01-01',
    '9999-12-31T23:59:59Z',
    '+275760-09-13',
    '1e10',
    'now',
    '',
  ),
  nastyText,
);

// ---------------------------------------------------------------------------------------------------
// Raw text articles

/** Lines of each kind the raw reader knows, written fresh around random text. */
const lineOfKind: fc.Arbitrary<string> = fc.oneof(
  plausibleText,
  anyText,
  fc.tuple(anyText, anyText).map(([caption, credit]) => `${caption} (${credit.toUpperCase()} / AGENCY)`),
  anyText.map((caption) => `${caption} [Photo/Xinhua]`),
  anyText.map((credit) => `(${credit.toUpperCase()})`),
  anyText.map((name) => `By ${name} in Hong Kong`),
  fc.tuple(fc.constantFrom('READ MORE', 'ALSO READ', 'Related', 'SEE ALSO'), anyText, urlArb).map(([label, title, url]) => `${label}: [${title}](${url})`),
  fc.tuple(fc.constantFrom('READ MORE', 'ALSO READ', 'Related'), anyText).map(([label, title]) => `${label}: ${title}`),
  fc.tuple(anyText, urlArb).map(([alt, url]) => `![${alt}](${url}) |`),
  fc.array(urlArb, { minLength: 1, maxLength: 3 }).map((urls) => `${urls.map((u) => `![](${u})`).join(' ')} |`),
  anyText.map((name) => `${name.toUpperCase()} NEWS |`),
  fc.constantFrom('OPEN |', 'Share', 'Print', 'Top', 'Copyright 2024. All rights reserved.', 'Contact the writer at a@b.example', '(With agencies input)', '(Xinhua)', '(AP)'),
  fc.tuple(fc.constantFrom('VLADIVOSTOK, Russia', 'BEIJING', 'HONG KONG (Xinhua)', 'ST. PETERSBURG'), fc.constantFrom(' - ', ' — ', ' – ', ' -- '), anyText).map(([place, dash, text]) => `${place}${dash}${text}`),
  fc.tuple(fc.constantFrom('Vladimir Putin', 'Winnie Chow', 'Li Wei'), anyText).map(([name, role]) => `${name}, ${role}`),
  fc.constant(''),
);

type LineOp =
  | { op: 'insert'; at: number; line: string }
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number; to: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'shuffle'; seed: number }
  | { op: 'splice'; at: number; pos: number; text: string }
  | { op: 'cut'; at: number; pos: number }
  | { op: 'upper'; at: number }
  | { op: 'stretch'; at: number; times: number }
  | { op: 'longLine'; at: number; text: string; times: number }
  | { op: 'quoteOf'; at: number; to: number };

const index = fc.nat({ max: 1_000_000 });
const lineOp: fc.Arbitrary<LineOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), at: index, line: lineOfKind }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: index }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: index, to: index }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('swap' as const), a: index, b: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('shuffle' as const), seed: fc.integer() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('splice' as const), at: index, pos: index, text: fc.oneof(fragment, nastyText) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cut' as const), at: index, pos: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('upper' as const), at: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stretch' as const), at: index, times: fc.integer({ min: 2, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('longLine' as const), at: index, text: fc.oneof(fragment, fc.constantFrom('word ', 'a', 'A ', '(', '![', 'x |')), times: fc.integer({ min: 100, max: 3_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('quoteOf' as const), at: index, to: index }) },
);

function splice(text: string, pos: number, piece: string): string {
  return text.slice(0, pos) + piece + text.slice(pos);
}

/** A small deterministic shuffle (the seed comes from fast-check, so runs replay). */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function applyOps(base: readonly string[], ops: readonly LineOp[]): string[] {
  let lines = [...base];
  const at = (i: number) => (lines.length === 0 ? 0 : i % lines.length);
  for (const op of ops) {
    switch (op.op) {
      case 'insert':
        lines.splice(op.at % (lines.length + 1), 0, op.line);
        break;
      case 'delete':
        if (lines.length > 0) lines.splice(at(op.at), 1);
        break;
      case 'duplicate':
        if (lines.length > 0) lines.splice(op.to % (lines.length + 1), 0, lines[at(op.at)] as string);
        break;
      case 'swap':
        if (lines.length > 1) {
          const a = at(op.a);
          const b = at(op.b);
          [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
        }
        break;
      case 'shuffle':
        lines = shuffle(lines, op.seed);
        break;
      case 'splice':
        if (lines.length > 0) {
          const line = lines[at(op.at)] as string;
          lines[at(op.at)] = splice(line, op.pos % (line.length + 1), op.text);
        } else lines.push(op.text);
        break;
      case 'cut':
        if (lines.length > 0) {
          const line = lines[at(op.at)] as string;
          lines[at(op.at)] = line.slice(0, op.pos % (line.length + 1));
        }
        break;
      case 'upper':
        if (lines.length > 0) lines[at(op.at)] = (lines[at(op.at)] as string).toUpperCase();
        break;
      case 'stretch':
        if (lines.length > 0) lines[at(op.at)] = `${lines[at(op.at)] as string} `.repeat(op.times).trimEnd();
        break;
      case 'longLine':
        lines.splice(op.at % (lines.length + 1), 0, op.text.repeat(op.times));
        break;
      case 'quoteOf':
        // A pull quote: the opening words of another line, on a line of its own.
        if (lines.length > 0) {
          const words = (lines[at(op.at)] as string).split(' ');
          lines.splice(op.to % (lines.length + 1), 0, words.slice(0, Math.max(4, Math.floor(words.length / 2))).join(' '));
        }
        break;
    }
  }
  return lines;
}

const FRONT_MATTER_FIELDS = ['id', 'url', 'title', 'summary', 'published', 'updated', 'section', 'tags', 'authors', 'author', 'language', 'publisher', 'dateline', 'photos'] as const;

/** A YAML scalar: JSON strings are YAML double-quoted scalars; plain scalars are written as they are. */
function yamlValue(value: unknown, plain: boolean): string {
  if (plain && typeof value === 'string' && !/[\n\r]/.test(value)) return value;
  return JSON.stringify(value) ?? 'null';
}

const idArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/),
  fc.constantFrom('../escape', '..', '.', 'a/b', '/abs', 'a\\b', 'a\u0000b', '%2e%2e%2f', 'x'.repeat(129), 'CON', '-leading', 'trailing.', 'a..b', ' spaced '),
  nastyText,
);

const photoValue: fc.Arbitrary<unknown> = fc.oneof(
  urlArb,
  fc.record(
    {
      url: fc.oneof(urlArb, fc.constant(null)),
      caption: fc.oneof(anyText, fc.constant(null)),
      credit: fc.oneof(anyText, fc.constant(null)),
      type: fc.oneof(fc.constantFrom('image/jpeg', 'image/png', 'image/jpg', 'text/html', 'image/svg+xml', 'IMAGE/PNG', ''), nastyText, fc.constant(null)),
      bytes: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(null), fc.constant('12')),
      width: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.constant(null)),
      height: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
  anyText,
  fc.integer(),
);

/** A value for a front matter field: usually the right shape, sometimes anything. */
function fieldValue(field: (typeof FRONT_MATTER_FIELDS)[number]): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(anyText, { maxLength: 3 }), fc.dictionary(fc.constantFrom('name', 'url', 'x'), anyText, { maxKeys: 2 }));
  const right: Record<(typeof FRONT_MATTER_FIELDS)[number], fc.Arbitrary<unknown>> = {
    id: idArb,
    url: urlArb,
    title: anyText,
    summary: anyText,
    published: dateArb,
    updated: dateArb,
    section: anyText,
    tags: fc.oneof(fc.array(anyText, { maxLength: 4 }), anyText),
    authors: fc.oneof(fc.array(fc.oneof(anyText, anyText.map((name) => ({ name }))), { maxLength: 3 }), anyText),
    author: anyText,
    language: fc.oneof(fc.constantFrom('en', 'en-GB', 'zh-Hans', 'fr', 'x', 'english', 'en_US', '12', ''), nastyText),
    publisher: anyText,
    dateline: anyText,
    photos: fc.array(photoValue, { maxLength: 4 }),
  };
  return fc.oneof({ weight: 5, arbitrary: right[field] }, { weight: 1, arbitrary: junk });
}

const frontMatterFields = fc
  .uniqueArray(fc.constantFrom(...FRONT_MATTER_FIELDS), { maxLength: 8 })
  .chain((fields) => fc.tuple(...fields.map((f) => fc.tuple(fc.constant(f), fieldValue(f), fc.boolean()))))
  .map((entries) => entries.map(([key, value, plain]) => `${key}: ${yamlValue(value, plain)}`));

/** Front matter blocks that hurt YAML parsers, written by hand. */
export const HOSTILE_YAML: readonly string[] = [
  // Billion laughs with anchors and aliases.
  [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
    'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    'tags: *i',
  ].join('\n'),
  'base: &base {title: Shared}\nother:\n  <<: *base\n  <<: *base',
  'title: &t Hello\nsummary: *t',
  'tags: &x [a, *x]',
  'title: *undefined',
  'title: !!js/function "function(){ return 1 }"',
  'title: !!js/regexp /x/',
  'title: !!binary aGVsbG8=',
  'tags: !!set {a, b}',
  'published: !!timestamp 2024-01-01',
  'title: !<tag:yaml.org,2002:str> x',
  'title: !custom x',
  '__proto__: {polluted: true}\ntitle: x',
  'constructor: {prototype: {polluted: true}}',
  '? [complex, key]\n: value',
  'title: a\ntitle: b',
  `title: ${'['.repeat(5000)}`,
  `tags: ${'['.repeat(200)}${']'.repeat(200)}`,
  `title: "${'\\u0000'.repeat(10)}"`,
  'title: "\\ud800"',
  'title: "\\x00\\x07"',
  `title: ${'a'.repeat(200_000)}`,
  'photos:\n  - url: javascript:alert(1)',
  'photos:\n  - data:image/png;base64,AAAA',
  'id: "../../etc/passwd"',
  'id: "a\\0b"',
  'url: javascript:alert(1)',
  'published: 2024-02-30',
  'published: 1e400',
  'published: .nan',
  'language: en\nlanguage: fr',
  '\t title: tab indented',
  '- a list\n- not a mapping',
  'just a string',
  '%YAML 1.1\n---\ntitle: directive',
  '{',
  '"unterminated',
  '',
];

const frontMatterBlock: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: frontMatterFields.map((lines) => lines.join('\n')) },
  { weight: 1, arbitrary: fc.array(fc.oneof(anyText, fragment), { maxLength: 6 }).map((lines) => lines.join('\n')) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_YAML) },
  { weight: 1, arbitrary: fc.tuple(frontMatterFields, fc.nat(), fragment).map(([lines, at, f]) => splice(lines.join('\n'), at % (lines.join('\n').length + 1), f)) },
);

export interface FuzzInput {
  /** File name: chooses the reader by extension. */
  name: string;
  content: string | Uint8Array;
  /** When it was received (the date of last resort); sometimes unknown. */
  receivedAt?: Date;
}

const rawName = fc.constantFrom('article.txt', 'article.md', 'ARTICLE.MD', 'story.markdown', 'incoming/2024/05/story.txt');
const receivedAt = fc.option(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), { nil: undefined, freq: 4 });

function joinLines(lines: readonly string[], eol: string, seed: number): string {
  if (eol !== 'mixed') return lines.join(eol);
  const ends = ['\n', '\r\n', '\r', '\n\n'];
  return lines.map((line, i) => line + (ends[(seed + i * 7) % ends.length] as string)).join('');
}

/** A raw article: a corpus file (or nothing) mutated line by line, with optional front matter. */
export const rawArticle: fc.Arbitrary<FuzzInput> = fc
  .record({
    name: rawName,
    base: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CORPUS) }, { weight: 1, arbitrary: fc.array(lineOfKind, { maxLength: 12 }) }),
    ops: fc.array(lineOp, { maxLength: 14 }),
    frontMatter: frontMatterBlock,
    closeFrontMatter: fc.constantFrom(true, true, true, false),
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\n', '\r\n', '\r', 'mixed'),
    eolSeed: fc.nat(),
    asBytes: fc.boolean(),
    receivedAt,
  })
  .map(({ name, base, ops, frontMatter, closeFrontMatter, bom, eol, eolSeed, asBytes, receivedAt }) => {
    const nl = eol === 'mixed' ? '\n' : eol;
    const body = joinLines(applyOps(base, ops), eol, eolSeed);
    const head = frontMatter === null ? '' : `---${nl}${frontMatter}${nl}${closeFrontMatter ? `---${nl}` : ''}`;
    const text = `${bom ? '\uFEFF' : ''}${head}${body}`;
    return { name, content: asBytes ? Buffer.from(text, 'utf8') : text, receivedAt };
  });

// ---------------------------------------------------------------------------------------------------
// JSON articles

const JSON_FIELDS = ['id', 'url', 'title', 'summary', 'published', 'updated', 'dateline', 'language', 'section', 'tags', 'authors', 'publisher', 'attribution', 'paragraphs', 'quotes', 'photos', 'related'] as const;

const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  anyText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyText, { maxLength: 3 }),
  fc.dictionary(fc.oneof(fc.constantFrom('url', 'text', 'caption', 'name', '__proto__'), anyText), anyText, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

function jsonFieldValue(field: (typeof JSON_FIELDS)[number]): fc.Arbitrary<unknown> {
  const right: Record<(typeof JSON_FIELDS)[number], fc.Arbitrary<unknown>> = {
    id: idArb,
    url: fc.oneof(urlArb, fc.constant(null)),
    title: anyText,
    summary: anyText,
    published: dateArb,
    updated: dateArb,
    dateline: fc.oneof(anyText, fc.constant(null)),
    language: fc.constantFrom('en', 'en-GB', 'zh-Hans', 'fr', 'x', 'english', ''),
    section: fc.oneof(anyText, fc.constant(null)),
    tags: fc.array(anyText, { maxLength: 4 }),
    authors: fc.array(anyText, { maxLength: 3 }),
    publisher: fc.oneof(anyText, fc.constant(null)),
    attribution: fc.array(anyText, { maxLength: 3 }),
    paragraphs: fc.oneof(fc.array(anyText, { maxLength: 5 }), fc.array(anyText, { minLength: 1, maxLength: 3 }).map((p) => [...p, 'A body line that survives.'])),
    quotes: fc.array(fc.record({ text: anyText, speaker: fc.oneof(anyText, fc.constant(null)), role: fc.oneof(anyText, fc.constant(null)) }, { requiredKeys: ['text'] }), { maxLength: 3 }),
    photos: fc.array(
      fc.record(
        {
          url: fc.oneof(urlArb, fc.constant(null)),
          caption: fc.oneof(anyText, fc.constant(null)),
          credit: fc.oneof(anyText, fc.constant(null)),
          type: fc.oneof(fc.constantFrom('image/jpeg', 'image/png', 'image/jpg', 'text/html', null), nastyText),
          bytes: fc.oneof(fc.nat(), fc.integer(), fc.constant(null)),
          width: fc.oneof(fc.integer({ min: 0, max: 50_000 }), fc.constant(null)),
          height: fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.constant(null)),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ),
    related: fc.array(fc.record({ label: anyText, title: anyText, url: fc.oneof(urlArb, fc.constant(null)) }, { requiredKeys: ['title'] }), { maxLength: 3 }),
  };
  return fc.oneof({ weight: 5, arbitrary: right[field] }, { weight: 1, arbitrary: anyJsonValue }, { weight: 1, arbitrary: fc.constant(undefined) });
}

const jsonOverrides: fc.Arbitrary<Record<string, unknown>> = fc
  .uniqueArray(fc.constantFrom(...JSON_FIELDS), { maxLength: 7 })
  .chain((fields) => fc.tuple(...fields.map((f) => fc.tuple(fc.constant(f), jsonFieldValue(f)))))
  .map((entries) => Object.fromEntries(entries));

const jsonName = fc.constantFrom('article.json', 'ARTICLE.JSON', 'incoming/2024/story.json');

/** A JSON article: a corpus article (or a bare one) with fields replaced or removed, plus unknown keys. */
export const jsonArticle: fc.Arbitrary<FuzzInput> = fc
  .record({
    name: jsonName,
    seed: fc.oneof(fc.constantFrom(...JSON_SEEDS), fc.constant({ paragraphs: ['Body text of the story.'] }), fc.constant({})),
    overrides: jsonOverrides,
    extra: fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', '_syndicate', 'content_html', 'extra'), nastyText), anyJsonValue, { maxKeys: 2 }),
    bom: fc.boolean(),
    indent: fc.constantFrom(0, 2),
    asBytes: fc.boolean(),
    receivedAt,
  })
  .map(({ name, seed, overrides, extra, bom, indent, asBytes, receivedAt }) => {
    const value: Record<string, unknown> = { ...seed };
    for (const [key, v] of Object.entries(overrides)) {
      if (v === undefined) delete value[key];
      else value[key] = v;
    }
    // JSON.parse makes "__proto__" an own key: write extra keys into the text, not through an object.
    let text = JSON.stringify(value, null, indent);
    const extraText = Object.entries(extra)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`)
      .join(',');
    if (extraText) text = text.replace(/^\{/, `{${extraText}${text === '{}' ? '' : ','}`);
    if (bom) text = `\uFEFF${text}`;
    return { name, content: asBytes ? Buffer.from(text, 'utf8') : text, receivedAt };
  });

/** A JSON article's text mutated at random positions: mostly invalid JSON, sometimes still valid. */
export const jsonTextMutation: fc.Arbitrary<FuzzInput> = fc
  .record({
    name: jsonName,
    seed: fc.constantFrom(...JSON_SEEDS),
    edits: fc.array(fc.record({ pos: fc.nat(), cut: fc.nat({ max: 20 }), text: fc.oneof(fragment, fc.constantFrom('"', ',', '{', '}', '[', ']', ':', '\\', '\\u', '\\ud800', 'null', '1e999', '-0', '"__proto__":{}')) }), { minLength: 1, maxLength: 4 }),
    receivedAt,
  })
  .map(({ name, seed, edits, receivedAt }) => {
    let text = JSON.stringify(seed);
    for (const { pos, cut, text: piece } of edits) {
      const at = pos % (text.length + 1);
      text = text.slice(0, at) + piece + text.slice(at + cut);
    }
    return { name, content: text, receivedAt };
  });

/** Bytes that may not be UTF-8 at all: random, or an article with invalid sequences spliced in. */
export const byteArticle: fc.Arbitrary<FuzzInput> = fc.oneof(
  fc.record({ name: fc.oneof(rawName, jsonName), content: fc.uint8Array({ maxLength: 400 }), receivedAt }),
  fc
    .record({
      name: rawName,
      lines: fc.constantFrom(...CORPUS),
      bytes: fc.array(fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00], [0xef, 0xbb, 0xbf])), { maxLength: 3 }),
      receivedAt,
    })
    .map(({ name, lines, bytes, receivedAt }) => {
      let buffer = Buffer.from(lines.join('\n'), 'utf8');
      for (const [pos, insert] of bytes) {
        const at = pos % (buffer.length + 1);
        buffer = Buffer.concat([buffer.subarray(0, at), Buffer.from(insert), buffer.subarray(at)]);
      }
      return { name, content: new Uint8Array(buffer), receivedAt };
    }),
);

// ---------------------------------------------------------------------------------------------------
// Hostile hand-written cases

const FM = (yaml: string, body = 'BEIJING - Body text of the story, long enough to read.') => `---\n${yaml}\n---\n${body}\n`;

/** Inputs written by hand to hurt the readers; each must give feeds or an ArticleError. */
export const HOSTILE_CASES: readonly FuzzInput[] = ([
  ...HOSTILE_YAML.map((yaml, i) => ({ name: `hostile-yaml-${i}.md`, content: FM(yaml) })),
  { name: 'script.md', content: '<script>alert(1)</script>\nBody <script>alert(2)</script> text.\n<style>p{}</style>Second line.' },
  { name: 'unclosed-script.md', content: 'Body text <script>alert(1)\nMore text.' },
  { name: 'nested-script.md', content: '<scr<script>x</script>ipt>alert(1)</scr</script>ipt>\nBody text.' },
  { name: 'escaped.md', content: '&lt;script&gt;alert(1)&lt;/script&gt; is text.\n&amp;lt;script&amp;gt; too.' },
  { name: 'img.md', content: 'Body <img src=x onerror=alert(1)> text.\n<a href="javascript:alert(1)" onclick="x()">link</a>' },
  { name: 'iframe.md', content: '<iframe src="https://evil.example/" onload=alert(1)></iframe>Body text.' },
  { name: 'svg.md', content: '<svg onload=alert(1)><script>alert(1)</script></svg>Body text.' },
  { name: 'doctype.md', content: '<!DOCTYPE x [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;">]>\nBody &a;&b; text.' },
  { name: 'xxe.md', content: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<r>&xxe;</r> Body text.' },
  { name: 'cdata.md', content: 'Body ]]> text <![CDATA[ x ]]> and ]]]]><![CDATA[>.' },
  { name: 'controls.md', content: `Body\u0000text\u0007with\u001Fcontrols\uFFFE and \uD800 surrogates \uDC00.` },
  { name: 'only-controls.md', content: '\u0000\u0001\u0002\uFFFE\uD800' },
  { name: 'only-markup.md', content: '<script>x</script><style>y</style>' },
  { name: 'empty.md', content: '' },
  { name: 'bom-only.md', content: '\uFEFF' },
  { name: 'front-matter-only.md', content: '---\ntitle: x\n---\n' },
  { name: 'unclosed-front-matter.md', content: '---\ntitle: x\nBody text.' },
  { name: 'related-js.md', content: 'Body text of the story.\nREAD MORE: [x](javascript:alert(1))' },
  { name: 'marker-js.md', content: '![A photo of a thing](javascript:alert(1)) |\nA photo of a thing (PHOTO / AGENCY)\nBody text of the story.' },
  { name: 'marker-data.md', content: '![](data:image/svg+xml;base64,PHN2Zz4=) |\nBody text of the story.' },
  { name: 'long-line.md', content: `${'word '.repeat(30_000)}\nBody.` },
  { name: 'long-marker.md', content: `${'!['.repeat(5_000)}\nBody text.` },
  { name: 'crlf.md', content: '---\r\ntitle: CRLF\r\npublished: 2024-01-01\r\n---\r\nBody text.\r\n(JOHN DOE / POOL)\r\n' },
  { name: 'cr.md', content: 'Line one.\rLine two.\r(AP)' },
  { name: 'a.json', content: '{"paragraphs":["<script>alert(1)</script>x"],"title":"<img src=x onerror=alert(1)>T","url":"javascript:alert(1)"}' },
  { name: 'b.json', content: '{"paragraphs":["x"],"photos":[{"url":"data:text/html,<script>alert(1)</script>"}]}' },
  { name: 'c.json', content: '{"paragraphs":["x"],"related":[{"title":"t","url":"javascript:alert(1)"}]}' },
  { name: 'd.json', content: '{"paragraphs":["x"],"id":"../../etc/passwd"}' },
  { name: 'e.json', content: '{"paragraphs":["x"],"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' },
  { name: 'f.json', content: `{"paragraphs":["x"],"extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}` },
  { name: 'g.json', content: '[]' },
  { name: 'h.json', content: 'null' },
  { name: 'i.json', content: '"string"' },
  { name: 'j.json', content: '{"paragraphs":"not a list"}' },
  { name: 'k.json', content: '{"paragraphs":["x"],"published":"2024-02-30"}' },
  { name: 'l.json', content: '{"paragraphs":["x"],"paragraphs":["duplicate key"]}' },
  { name: 'm.json', content: '\uFEFF{"paragraphs":["BOM then JSON"]}' },
  { name: 'n.json', content: '{"paragraphs":["\\ud800\\u0000\\uffff"]}' },
  { name: 'article.pdf', content: 'Body text.' },
  { name: 'no-extension', content: 'Body text.' },
] as FuzzInput[]).map((input) => ({ receivedAt: new Date('2024-05-01T00:00:00Z'), ...input }));

// ---------------------------------------------------------------------------------------------------
// The property

export type Outcome = 'article-error' | 'feeds';

/** What the content HTML may hold: only the tags and attributes the renderer writes itself. */
// The renderer's own elements, and the allowlist of rich article bodies (src/read/html.ts, issue 12).
const ALLOWED: Record<string, readonly string[]> = {
  ...ALLOWED_HTML,
  figure: [],
  img: ['src', 'alt', 'width', 'height', 'title'],
  figcaption: [],
  small: ['class'],
  p: ['class'],
  strong: ['class'],
  blockquote: [],
  footer: [],
  cite: [],
  aside: ['class'],
  ul: [],
  li: [],
  a: ALLOWED_HTML.a as readonly string[],
};
const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"<>]*")*)\s*(\/?)>/y;
const ATTRIBUTE = /\s+([a-z-]+)="([^"<>]*)"/g;

export interface HtmlTag {
  name: string;
  closing: boolean;
  attributes: Record<string, string>;
}

/**
 * The tags of content HTML. Article text is escaped, so every `<` must open a tag the renderer wrote;
 * throws on a `<` that does not (markup from an article that got through). Attribute values decoded.
 */
export function htmlTags(html: string): HtmlTag[] {
  const tags: HtmlTag[] = [];
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    TAG.lastIndex = at;
    const m = TAG.exec(html);
    if (!m) throw new Error(`content HTML has markup the renderer did not write at ${at}: ${JSON.stringify(html.slice(at, at + 80))}`);
    const attributes: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(ATTRIBUTE)) attributes[a[1] as string] = decodeHTML(a[2] ?? '');
    tags.push({ name: m[2] as string, closing: m[1] === '/', attributes });
  }
  return tags;
}

/** Content HTML holds only the renderer's own tags and attributes, and links only to http(s). */
export function checkContentHtml(html: string, where: string): void {
  for (const tag of htmlTags(html)) {
    const allowed = ALLOWED[tag.name];
    if (!allowed) throw new Error(`${where}: content HTML has a <${tag.name}> element`);
    for (const [name, value] of Object.entries(tag.attributes)) {
      if (!allowed.includes(name)) throw new Error(`${where}: <${tag.name}> has attribute ${name}="${value.slice(0, 80)}"`);
      if ((name === 'href' || name === 'src') && !/^https?:\/\/[^\s]/i.test(value) && !(name === 'href' && /^mailto:[^\s]/i.test(value))) throw new Error(`${where}: <${tag.name} ${name}> is not an http(s) or mailto URL: ${value.slice(0, 120)}`);
    }
  }
}

function checkUrl(value: unknown, where: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]/i.test(value.trim())) throw new Error(`${where}: not an http(s) URL: ${JSON.stringify(value).slice(0, 120)}`);
}

/** The page's elements are its template's alone. */
const PAGE_ELEMENTS = new Set(['html', 'head', 'meta', 'title', 'link', 'style', 'body', 'header', 'img', 'h1', 'h2', 'h3', 'p', 'section', 'ul', 'li', 'a', 'input', 'main', 'article', 'time', 'figure', 'figcaption', 'small', 'footer']);

/** A page beside the feeds: one doctype, well-formed past it, only its template's elements, one item, URLs http(s) or the feed files beside it. */
function checkPageFile(file: OutputFile): void {
  const doctype = '<!DOCTYPE html>\n';
  if (!file.body.startsWith(doctype)) throw new Error(`${file.path}: does not open with its doctype`);
  const rest = file.body.slice(doctype.length);
  if (/<!DOCTYPE|<!ENTITY/i.test(rest)) throw new Error(`${file.path}: a DOCTYPE or ENTITY declaration in the page`);
  const valid = XMLValidator.validate(rest, { allowBooleanAttributes: false });
  if (valid !== true) throw new Error(`${file.path}: XMLValidator: ${valid.err.code} ${valid.err.msg} at line ${valid.err.line}`);
  for (const match of rest.matchAll(/<([A-Za-z][\w:-]*)/g)) if (!PAGE_ELEMENTS.has(match[1] as string)) throw new Error(`${file.path}: an element <${match[1]}> the page template does not write`);
  if ((rest.match(/<article>/g) ?? []).length !== 1) throw new Error(`${file.path}: expected 1 item`);
  for (const match of rest.matchAll(/ (href|src)="([^"]*)"/g)) {
    const value = (match[2] as string).replaceAll('&amp;', '&');
    if (!['rss.xml', 'atom.xml', 'feed.json'].includes(value)) checkUrl(value, `${file.path} ${match[1]}`);
  }
}

/** Text of a parsed XML node: a string, or the #text of an element with attributes. */
function nodeText(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'object') return String((node as Record<string, unknown>)['#text'] ?? '');
  return String(node);
}

/** Checks every file of a build strictly; returns nothing, throws an Error naming what is wrong. */
export function checkFeedFiles(files: readonly OutputFile[], article: Article): void {
  const expected = article.section ? 8 : 4;
  if (files.length !== expected) throw new Error(`expected ${expected} files (three feeds and a page per feed), got ${files.length}`);
  for (const file of files) {
    if (file.path.endsWith('index.html')) {
      checkPageFile(file);
      continue;
    }
    if (file.path.endsWith('.json')) {
      const feed = JSON.parse(file.body);
      if (feed.items?.length !== 1) throw new Error(`${file.path}: expected 1 item, got ${feed.items?.length}`);
      const item = feed.items[0];
      checkContentHtml(String(item.content_html ?? ''), `${file.path} content_html`);
      checkUrl(item.url, `${file.path} url`);
      checkUrl(item.image, `${file.path} image`);
      for (const a of item.attachments ?? []) checkUrl(a.url, `${file.path} attachments.url`);
      for (const r of item._syndicate?.related ?? []) checkUrl(r.url, `${file.path} _syndicate.related.url`);
      for (const p of item._syndicate?.photos ?? []) checkUrl(p.url, `${file.path} _syndicate.photos.url`);
      continue;
    }
    // A second, independent strict parser (buildFeeds already ran saxes).
    const valid = XMLValidator.validate(file.body, { allowBooleanAttributes: false });
    if (valid !== true) throw new Error(`${file.path}: XMLValidator: ${valid.err.code} ${valid.err.msg} at line ${valid.err.line}`);
    if (/<!DOCTYPE|<!ENTITY/i.test(file.body)) throw new Error(`${file.path}: a DOCTYPE or ENTITY declaration in the output`);
    const doc = parseXml(file.body);
    if (file.path.endsWith('rss.xml')) {
      const items = doc.rss?.channel?.item ?? [];
      if (items.length !== 1) throw new Error(`${file.path}: expected 1 item, got ${items.length}`);
      const item = items[0];
      checkContentHtml(nodeText(item['content:encoded']), `${file.path} content:encoded`);
      if (item.link !== undefined) checkUrl(nodeText(item.link), `${file.path} link`);
      for (const e of item.enclosure ?? []) checkUrl(e['@url'], `${file.path} enclosure`);
      for (const m of item['media:content'] ?? []) checkUrl(m['@url'], `${file.path} media:content`);
    } else {
      const entries = doc.feed?.entry ?? [];
      if (entries.length !== 1) throw new Error(`${file.path}: expected 1 entry, got ${entries.length}`);
      const entry = entries[0];
      checkContentHtml(nodeText(entry.content), `${file.path} content`);
      for (const link of entry.link ?? []) checkUrl(link['@href'], `${file.path} link[@rel=${link['@rel']}]`);
      for (const m of entry['media:content'] ?? []) checkUrl(m['@url'], `${file.path} media:content`);
    }
  }
}

/**
 * The property: reading the input either throws an ArticleError that names a field and starts with the
 * source, or gives an article whose feeds build (buildFeeds checks XML well-formedness and the JSON Feed
 * schema itself) and pass the strict checks above. Any other exception is a failure.
 */
export function checkInput(input: FuzzInput): Outcome {
  let article: Article;
  try {
    article = readArticle(input.name, input.content, { source: input.name, receivedAt: input.receivedAt }).article;
  } catch (error) {
    if (!(error instanceof ArticleError)) {
      throw new Error(`readArticle threw ${(error as Error)?.name ?? typeof error} instead of an ArticleError: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (error.field.length === 0) throw new Error(`ArticleError with an empty field: ${error.message}`);
    if (!error.message.startsWith(`${input.name}: `)) throw new Error(`ArticleError message does not start with the source: ${error.message.slice(0, 200)}`);
    return 'article-error';
  }
  let files: OutputFile[];
  try {
    files = buildFeeds([article], makeSite());
  } catch (error) {
    throw new Error(`buildFeeds threw ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
  }
  checkFeedFiles(files, article);
  if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype was polluted');
  return 'feeds';
}

/** Counts of outcomes, kept by whoever runs the properties. */
export interface Tally {
  'article-error': number;
  feeds: number;
}

/** The named input generators every fuzz run goes through, with their share of the cases. */
export const GENERATORS: readonly { name: string; share: number; arbitrary: fc.Arbitrary<FuzzInput> }[] = [
  { name: 'raw text', share: 0.5, arbitrary: rawArticle },
  { name: 'json article', share: 0.3, arbitrary: jsonArticle },
  { name: 'json text mutation', share: 0.12, arbitrary: jsonTextMutation },
  { name: 'bytes', share: 0.08, arbitrary: byteArticle },
];

/** A printable form of an input for a failure report (content as a JSON string, cut if huge). */
export function describeInput(input: FuzzInput, max = 4000): string {
  const text = typeof input.content === 'string' ? input.content : `<bytes> ${Buffer.from(input.content).toString('base64')}`;
  const shown = text.length > max ? `${text.slice(0, max)}… (${text.length} characters in all)` : text;
  return JSON.stringify({ name: input.name, receivedAt: input.receivedAt?.toISOString(), content: shown }, null, 2);
}
