/**
 * Issue 13: wire copy in each agency's house style (tests/fixtures/agencies) against its expected parse
 * (tests/fixtures/agencies-expected, the shape of tests/fixtures/corpus-expected). Prints the share of
 * expectations met, per style and in all, and holds every one of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readArticle } from '../src/read/index.js';
import { type Expected, RECEIVED, summarise, wanted } from './support/expected.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const CORPUS = join(FIXTURES, 'agencies');
const EXPECTED = join(FIXTURES, 'agencies-expected');

const files = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.txt'))
  .sort();

const text = (name: string) => readFileSync(join(CORPUS, name), 'utf8');
const read = (name: string) => readArticle(name, readFileSync(join(CORPUS, name)), { receivedAt: RECEIVED }).article;
const loadExpected = (name: string) => JSON.parse(readFileSync(join(EXPECTED, name.replace(/\.txt$/, '.json')), 'utf8')) as Expected;

/**
 * The expectations one article holds, each met or not: every scalar field; for each list, its length and
 * each expected item at its place.
 */
function expectations(name: string): { what: string; met: boolean }[] {
  const expected = loadExpected(name);
  const got = summarise(read(name), expected) as Record<string, unknown>;
  const want = wanted(expected) as Record<string, unknown>;
  const out: { what: string; met: boolean }[] = [];
  for (const [field, value] of Object.entries(want)) {
    if (Array.isArray(value)) {
      const actual = (got[field] ?? []) as unknown[];
      out.push({ what: `${field}.length`, met: actual.length === value.length });
      for (const [i, item] of value.entries()) out.push({ what: `${field}[${i}]`, met: isDeepStrictEqual(actual[i], item) });
    } else {
      out.push({ what: field, met: isDeepStrictEqual(got[field], value) });
    }
  }
  return out;
}

/** The styles issue 13 names, each found in at least three articles (a pattern over the raw text). */
const STYLES: [string, RegExp][] = [
  ['Xinhua dateline', /^\p{Lu}[\p{Lu} ,\p{L}\d]*\(Xinhua\) -- /mu],
  ['Reuters dateline', /^\p{Lu}[^\n(]*\(Reuters\) - /mu],
  ['AP dateline', /^\p{Lu}[^\n(]*\(AP\) — /mu],
  ['AFP dateline', /^\p{Lu}[^\n(]*\(AFP\) - /mu],
  ['Bloomberg dateline', /^\(Bloomberg\) -- /mu],
  ['the seed’s dateline', /^\p{Lu}[\p{Lu} ]+, \p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+)? [-–—] /mu],
  ['credit (NAME / AGENCY)', /\((?:[\p{Lu} ]+ \/ )+[\p{Lu} ]+\)$/mu],
  ['credit [Photo/Agency]', /\[Photo\/\w+\]$/mu],
  ['credit [Agency]', /\[(?:Xinhua|Reuters)\]$/mu],
  ['credit [Photo provided to China Daily]', /\[Photo provided to China Daily\]$/mu],
  ['credit (Xinhua/Name)', /\(Xinhua\/\p{Lu}[\p{L} ]+\)$/mu],
  ['credit (Photo by Name/Agency)', /\(Photo by [^/)]+\/ ?\w+\)$/mu],
  ['credit NAME/CHINA DAILY, bare', /[\p{Lu}] ?\/ ?(?:FOR )?CHINA DAILY$/mu],
  ['credit REUTERS/Name', /REUTERS\/\p{Lu}\p{Ll}/mu],
  ['credit (AP Photo/Name)', /\(AP Photo\/[^)]+\)$/mu],
  ['credit AFP PHOTO / NAME', /AFP PHOTO \/ [\p{Lu} ]+$/mu],
  ['credit Getty Images', /Getty Images$/mu],
  ['closing (Xinhua)', /^\(Xinhua\)$/mu],
  ['closing (With agencies input)', /^\(With agencies input\)$/mu],
  ['closing Reporting by; Editing by', /^Reporting by [^;\n]+;.*Editing by/mu],
  ['closing Associated Press ... contributed', /^Associated Press .* contributed to this report\.$/mu],
  ['closing — AFP', /^(?:—|--) AFP$/mu],
  ['China Daily byline', /^By [^|\n]+ \| [^|\n]+ \| Updated: \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/mu],
];

/** The agencies a photo credit names. */
function agenciesOf(credit: string): string[] {
  return ['XINHUA', 'REUTERS', 'AP', 'AFP', 'GETTY', 'CHINA DAILY', 'POOL', 'AGENCIES', 'VCG'].filter((agency) => new RegExp(`\\b${agency}\\b`).test(credit.toUpperCase()));
}

describe('agency corpus (issue 13)', () => {
  it('has an expected parse for every article', () => {
    const summaries = readdirSync(EXPECTED).filter((name) => name.endsWith('.json'));
    expect(summaries.sort()).toEqual(files.map((name) => name.replace(/\.txt$/, '.json')));
  });

  it.each(STYLES)('has at least three articles in the style: %s', (_style, pattern) => {
    expect(files.filter((name) => pattern.test(text(name))).length).toBeGreaterThanOrEqual(3);
  });

  it('has at least three articles combining two agencies’ photo credits in one story', () => {
    const mixed = files.filter((name) => new Set(loadExpected(name).photos.flatMap((p) => agenciesOf(p.credit ?? ''))).size >= 2);
    expect(mixed.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s reads as its expected parse says', (name) => {
    const expected = loadExpected(name);
    expect(summarise(read(name), expected)).toEqual(wanted(expected));
  });

  it.each(files)('%s keeps captions, credits, datelines and closing lines out of the body', (name) => {
    const article = read(name);
    for (const photo of article.photos) {
      if (photo.caption) expect(article.paragraphs).not.toContain(photo.caption);
      if (photo.credit) expect(article.paragraphs.some((p) => p.includes(photo.credit as string))).toBe(false);
    }
    for (const attribution of article.attribution) expect(article.paragraphs).not.toContain(attribution);
    expect(article.paragraphs[0]).not.toMatch(/^\(?\p{Lu}[\p{Lu} ,]*\)? ?(?:--|-|—|–) /u);
    for (const p of article.paragraphs) expect(p).not.toMatch(/^(?:Reporting by|Associated Press writers? |— AFP$|-- AFP$|By .*\| Updated)/);
  });

  it('meets every expectation, and reports the share met per style and in all', () => {
    const byStyle = new Map<string, { met: number; all: number }>();
    const missed: string[] = [];
    for (const name of files) {
      const style = name.split('-')[0] as string;
      const tally = byStyle.get(style) ?? { met: 0, all: 0 };
      byStyle.set(style, tally);
      for (const { what, met } of expectations(name)) {
        tally.all++;
        if (met) tally.met++;
        else missed.push(`${name}: ${what}`);
      }
    }
    const met = [...byStyle.values()].reduce((n, t) => n + t.met, 0);
    const all = [...byStyle.values()].reduce((n, t) => n + t.all, 0);
    const share = (m: number, a: number) => `${m}/${a} expectations met (${((100 * m) / a).toFixed(1)}%)`;
    const lines = [...byStyle].map(([style, t]) => `  ${style.padEnd(11)} ${share(t.met, t.all)}`);
    console.log([`agency corpus: ${share(met, all)}`, ...lines, ...missed.map((m) => `  missed ${m}`)].join('\n'));
    expect(missed).toEqual([]);
    expect(met).toBe(all);
  });
});
