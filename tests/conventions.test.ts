/**
 * The table of wire conventions (src/read/conventions.ts, issue 13): every entry's example yields what the
 * entry says, through the same functions the raw reader calls; look-alike body text is not taken; and the
 * patterns stay linear on hostile lines.
 */
import { describe, expect, it } from 'vitest';
import { BYLINES, bareCredit, CLOSINGS, CREDITS, closingAttribution, DATELINES, isConventionCredit, mastheadByline, readDateline } from '../src/read/conventions.js';
import { parseRawBody } from '../src/read/raw.js';

describe('each convention yields what its entry says, on its example', () => {
  it.each(DATELINES.map((c) => [c.style, c] as const))('dateline: %s', (_style, c) => {
    const found = readDateline(c.example);
    expect(found).toMatchObject(c.yields);
    // The first style to match is the entry itself: no earlier entry shadows it.
    expect(DATELINES.find((d) => d.pattern.test(c.example))).toBe(c);
  });

  it.each(CREDITS.map((c) => [c.style, c] as const))('photo credit: %s', (_style, c) => {
    if (c.form === 'bare') {
      expect(bareCredit(c.example)?.credit).toBe(c.yields);
    } else {
      const square = c.form === 'square' || (c.form === 'either' && c.example.endsWith(']'));
      expect(isConventionCredit(c.yields, square)).toBe(true);
    }
    // Read by the raw reader as a caption with its credit, the credit on the caption line and under it.
    const caption = c.example.slice(0, c.example.length - (c.form === 'bare' ? c.yields.length : c.yields.length + 2)).trim();
    const under = c.form === 'bare' ? c.yields : c.example.slice(caption.length).trim();
    for (const body of [c.example, `${caption}\n${under}`]) {
      const parts = parseRawBody(`${body}\nThe body of the story follows here, in a sentence of its own.`);
      expect(parts.photos).toEqual([{ caption, credit: c.yields }]);
      expect(parts.paragraphs).toEqual(['The body of the story follows here, in a sentence of its own.']);
    }
  });

  it.each(CLOSINGS.map((c) => [c.style, c] as const))('closing line: %s', (_style, c) => {
    expect(closingAttribution(c.example)).toBe(c.yields);
    const parts = parseRawBody(`The body of the story, in a sentence of its own.\n${c.example}`);
    expect(parts.attribution).toEqual([c.yields]);
    expect(parts.paragraphs).toEqual(['The body of the story, in a sentence of its own.']);
  });

  it.each(BYLINES.map((c) => [c.style, c] as const))('byline: %s', (_style, c) => {
    expect(mastheadByline(c.example)).toEqual(c.yields);
    const parts = parseRawBody(`${c.example}\nThe body of the story, in a sentence of its own.`);
    expect(parts.authors).toEqual(['Zhao Yimeng']);
    expect(parts.bylineDate).toBe('2024-02-12');
    expect(parts.publisher).toBe('China Daily');
  });
});

describe('look-alike body text is left alone', () => {
  it.each([
    'Reporting by the Financial Times showed that the deal had stalled.',
    'Many residents contributed.',
    '- a list item in the body of the story',
    'The index rose on strong demand for the FTSE/DAX pair, traders said.',
    'The WHO-led talks will resume in Geneva, officials said.',
    'The panel reviewed data from a poll (conducted by Ipsos) last week.',
  ])('%s', (line) => {
    const parts = parseRawBody(`The first paragraph of the story, in a sentence of its own.\n${line}`);
    expect(parts.paragraphs).toEqual(['The first paragraph of the story, in a sentence of its own.', line]);
    expect(parts.photos).toEqual([]);
    expect(parts.attribution).toEqual([]);
  });

  it('reads capitals with a slash as a credit only under a caption', () => {
    const parts = parseRawBody('ZOU HONG / CHINA DAILY\nThe body of the story, in a sentence of its own.');
    expect(parts.photos).toEqual([]);
  });

  it('takes a lone agency in round brackets at the end of a line as a credit only after a caption (issue 12)', () => {
    expect(isConventionCredit('Xinhua', true)).toBe(true);
    const body = 'The body of the story follows here, in a sentence of its own.';
    // After an ordinary paragraph it stays in the paragraph; after a caption (dated) it is the credit.
    expect(parseRawBody(`Officials said the plan would start soon. (Xinhua)\n${body}`).photos).toEqual([]);
    expect(parseRawBody(`Workers plant trees in Beijing, April 25, 2023. (Xinhua)\n${body}`).photos).toEqual([{ caption: 'Workers plant trees in Beijing, April 25, 2023.', credit: 'Xinhua' }]);
  });
});

describe('the dateline’s date is the published date, its year from the captions or the text', () => {
  const read = async (body: string) => {
    const { readArticle } = await import('../src/read/index.js');
    return readArticle('x.txt', body, { receivedAt: new Date('2031-07-08T09:10:11Z') }).article.published;
  };
  it('takes the year of a caption date, across the turn of the year', async () => {
    expect(await read('Ships at a port, Dec 30, 2023. [Xinhua]\nSHENZHEN, Jan 2 (Xinhua) -- The port handled more containers.')).toBe('2024-01-02T00:00:00Z');
  });
  it('takes a year written alone in the text', async () => {
    expect(await read('LONDON, May 2 (Reuters) - House prices rose in April, the highest since the start of 2024.')).toBe('2024-05-02T00:00:00Z');
  });
  it('without a year anywhere, falls back to the time received', async () => {
    expect(await read('NAIROBI, Nov 20 (Xinhua) -- The railway carried more passengers.')).toBe('2031-07-08T09:10:11Z');
  });
  it('a byline’s Updated day comes before the dateline and the captions', async () => {
    expect(await read('By ZHAO YIMENG | China Daily | Updated: 2024-02-12 09:15\nA photo, Feb 10, 2024. [Xinhua]\nBEIJING, Feb 11 (Xinhua) -- Text.')).toBe('2024-02-12T00:00:00Z');
  });
});

describe('the conventions stay linear on hostile lines (each under the 100,000 characters a line may have)', () => {
  it.each([
    ['capitals and slashes', 'A/'.repeat(45_000)],
    ['capitals, dots and spaces ending in a slash credit', `${'A. '.repeat(30_000)}ZOU HONG / CHINA DAILY`],
    ['a Reuters closing that never ends', `Reporting by ${'Jane Doe and '.repeat(30)}x`],
    ['a dateline of capitals without a dash', `${'HONG KONG, '.repeat(8_000)}(Reuters) x`],
    ['a byline of pipes', `By ${'ZHAO YIMENG | '.repeat(20)}`],
    ['brackets full of photo words', `Caption. [${'Photo by A/B '.repeat(7_000)}]`],
  ])('%s', (_label, line) => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      readDateline(line);
      bareCredit(line);
      closingAttribution(line);
      mastheadByline(line);
      isConventionCredit(line.slice(1, -1), true);
    }
    parseRawBody(`${line}\n${line}\nThe body.`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
