/**
 * Every raw article in tests/fixtures/corpus against its summary in tests/fixtures/corpus-expected, and the
 * seed article against the contract of issue 2 ("How this will be checked").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { readArticle } from '../src/read/index.js';
import { type Expected, RECEIVED, summarise, wanted } from './support/expected.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CORPUS = join(FIXTURES, 'corpus');
const EXPECTED = join(FIXTURES, 'corpus-expected');

const files = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.txt'))
  .sort();

function readCorpus(name: string): Article {
  return readArticle(name, readFileSync(join(CORPUS, name)), { receivedAt: RECEIVED }).article;
}

function loadExpected(name: string): Expected {
  return JSON.parse(readFileSync(join(EXPECTED, name.replace(/\.txt$/, '.json')), 'utf8')) as Expected;
}

describe('corpus', () => {
  it('has an expected summary for every article, and the seed among them', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(files).toContain('000_d3dd0a195eb72f24.txt');
    const summaries = readdirSync(EXPECTED).filter((name) => name.endsWith('.json'));
    expect(summaries.sort()).toEqual(files.map((name) => name.replace(/\.txt$/, '.json')));
  });

  it.each(files)('%s reads as its expected summary says', (name) => {
    const expected = loadExpected(name);
    const article = readCorpus(name);
    expect(summarise(article, expected)).toEqual(wanted(expected));
  });

  it.each(files)('%s keeps pull quotes, captions, credits and page leftovers out of the body', (name) => {
    const article = readCorpus(name);
    const body = new Set(article.paragraphs);
    for (const quote of article.quotes) expect(body.has(quote.text)).toBe(false);
    for (const photo of article.photos) {
      if (photo.caption) expect(body.has(photo.caption)).toBe(false);
      if (photo.credit) expect(article.paragraphs.some((p) => p.includes(photo.credit as string))).toBe(false);
    }
    for (const related of article.related) expect(article.paragraphs.some((p) => p.includes(related.title))).toBe(false);
    for (const p of article.paragraphs) expect(p).not.toMatch(/^(READ MORE|ALSO READ|Related)\s*:|\|\s*$|!\[|^By |^Contact the writer/);
  });
});

describe('the seed article (contract of issue 2)', () => {
  const seed = readArticle('000_d3dd0a195eb72f24.txt', readFileSync(join(CORPUS, '000_d3dd0a195eb72f24.txt')), { receivedAt: RECEIVED });
  const article = seed.article;

  it('has 2 photos with their captions and credits, no URLs', () => {
    expect(article.photos).toHaveLength(2);
    expect(article.photos[0]).toMatchObject({ credit: 'ALEXANDER ZEMLIANICHENKO / POOL', url: null });
    expect(article.photos[0]?.caption).toBe(
      "Russian President Vladimir Putin, right, and DPRK's leader Kim Jong-un shake hands during their meeting in Vladivostok, Russia, April 25, 2019.",
    );
    expect(article.photos[1]).toMatchObject({ credit: 'ALEXEI NIKOLSKY / SPUTNIK / KREMLIN POOL PHOTO VIA AP', url: null });
    expect(article.photos[1]?.caption).toBe(
      "DPRK's leader Kim Jong-un (left) speaks to Russian President Vladimir Putin during their talks in Vladivostok, Russia, April 25, 2019.",
    );
  });

  it('has 12 body paragraphs, dateline taken off the first', () => {
    expect(article.paragraphs).toHaveLength(12);
    expect(article.paragraphs[0]).toBe(
      "Russian President Vladimir Putin and top leader of the Democratic People's Republic of Korea (DPRK) Kim Jong-un said on Thursday they had substantial talks on bilateral ties and the Korean Peninsula nuclear issue.",
    );
    expect(article.paragraphs.at(-1)).toMatch(/^Ahead of the talks, Putin's foreign affairs adviser Yuri Ushakov/);
    expect(article.dateline).toBe('VLADIVOSTOK, Russia');
  });

  it('has the Putin pull quote with speaker and role, once, not as body text', () => {
    expect(article.quotes[0]).toEqual({ text: 'We have just had very substantial tete-a-tete talks', speaker: 'Vladimir Putin', role: 'Russian President' });
    expect(article.paragraphs).not.toContain('We have just had very substantial tete-a-tete talks');
    expect(article.paragraphs).not.toContain('Vladimir Putin, Russian President');
    // The paragraph the pull quote repeats is still body text.
    expect(article.paragraphs.filter((p) => p.startsWith('"We have just had very substantial tete-a-tete talks.'))).toHaveLength(1);
  });

  it('has the 2 related stories', () => {
    expect(article.related).toEqual([
      { label: 'READ MORE', title: "DPRK's Kim gets warm welcome in Russia", url: null },
      { label: 'ALSO READ', title: "DPRK's Kim arrives in Russia before summit with Putin", url: null },
    ]);
  });

  it('has the agency attribution, the publisher and no authors', () => {
    expect(article.attribution).toEqual(['With agencies input']);
    expect(article.publisher).toBe('CHINA DAILY HONG KONG NEWS');
    expect(article.authors).toEqual([]);
  });

  it('is dated April 25, 2019 from its captions, with a stable content id', () => {
    expect(article.published).toBe('2019-04-25T00:00:00Z');
    expect(seed.warnings.find((w) => w.field === 'published')?.message).toContain('2019-04-25');
    const again = readArticle('000_d3dd0a195eb72f24.txt', readFileSync(join(CORPUS, '000_d3dd0a195eb72f24.txt')), { receivedAt: new Date() });
    expect(again.article.id).toBe(article.id);
    expect(article.title.length).toBeLessThanOrEqual(110);
  });
});
