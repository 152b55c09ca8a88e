/**
 * The benchmark archive generator (bench/generate.ts): deterministic, and in agreement with the raw reader
 * about what each generated article holds.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTHORS, generateArchive, generateArticle, mulberry32, SECTIONS, sectionSlug, writeArchive } from '../bench/generate.js';
import { readArticle } from '../src/read/index.js';

/** A front matter line's JSON value (the generator writes strings and lists as JSON). */
function frontMatterValue(text: string, field: string): unknown {
  const line = new RegExp(`^${field}: (.*)$`, 'm').exec(text.slice(0, text.indexOf('\n---\n')));
  if (!line) return undefined;
  const value = line[1] as string;
  return /^["[]/.test(value) ? JSON.parse(value) : value;
}

describe('mulberry32', () => {
  it('is deterministic and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
    expect(mulberry32(43)()).not.toBe(values[0]);
  });
});

describe('generateArticle', () => {
  it('gives byte-identical text for the same seed and index, different text otherwise', () => {
    for (const index of [0, 1, 7, 999, 99_999]) {
      const first = generateArticle(index, 1234);
      const again = generateArticle(index, 1234);
      expect(again.text).toBe(first.text);
      expect(again.expected).toEqual(first.expected);
      expect(generateArticle(index + 1, 1234).text).not.toBe(first.text);
      expect(generateArticle(index, 1235).text).not.toBe(first.text);
    }
    // The default seed is a seed like any other.
    expect(generateArticle(3).text).toBe(generateArticle(3).text);
  });

  it('does not depend on what was generated before', () => {
    const alone = generateArticle(250, 7);
    const inSequence = [...generateArchive(251, 7)];
    expect(inSequence[250]).toEqual(alone);
  });

  it('names the article by its index, with a URL in its section', () => {
    const article = generateArticle(42, 1);
    expect(article.name).toBe('bench-000042');
    expect(article.text.startsWith('---\nid: bench-000042\n')).toBe(true);
    expect(frontMatterValue(article.text, 'url')).toBe(`https://news.example.com/${sectionSlug(article.expected.section)}/bench-000042`);
    expect(generateArticle(123_456).name).toBe('bench-123456');
    expect(() => generateArticle(-1)).toThrow(RangeError);
  });

  it('is read by the raw reader as it says, for 200 articles', () => {
    const problems: string[] = [];
    const check = (ok: boolean, name: string, what: string) => {
      if (!ok) problems.push(`${name}: ${what}`);
    };
    for (let index = 0; index < 200; index++) {
      const generated = generateArticle(index);
      const { name, text } = generated;
      const { article, warnings } = readArticle(`${name}.md`, text, {});
      const found = {
        paragraphs: article.paragraphs.length,
        photos: article.photos.length,
        quotes: article.quotes.length,
        related: article.related.length,
        section: article.section,
      };
      // The counts first, with the whole article to look at when they differ.
      expect(found, `${name}\n${text}`).toEqual(generated.expected);

      check(article.id === name, name, `id ${article.id}`);
      check(article.url === frontMatterValue(text, 'url'), name, `url ${article.url}`);
      check(article.published === frontMatterValue(text, 'published'), name, `published ${article.published}`);
      check(/^\p{Lu}/u.test(article.dateline ?? ''), name, `dateline ${article.dateline}`);
      check(!article.paragraphs[0]?.includes(`${article.dateline} `), name, 'dateline left in the lead');
      for (const photo of article.photos) {
        check(/^https:\/\/news\.example\.com\/photos\/\d{4}\/\d{2}\/bench-\d{6}-\d\.jpg$/.test(photo.url ?? ''), name, `photo url ${photo.url}`);
        check(Boolean(photo.caption) && Boolean(photo.credit), name, `photo caption ${photo.caption} credit ${photo.credit}`);
      }
      for (const quote of article.quotes) {
        const words = quote.text.split(' ').length;
        check(words >= 8 && words <= 16 && !quote.text.endsWith('.'), name, `quote "${quote.text}"`);
        check(article.paragraphs.some((p) => p.includes(quote.text)), name, `quote not in the body: "${quote.text}"`);
      }
      for (const related of article.related) check(related.label === 'READ MORE' || related.label === 'ALSO READ', name, `related ${related.label}`);
      check(article.authors.length >= 1 && article.authors.length <= 2 && article.authors.every((a) => AUTHORS.includes(a)), name, `authors ${article.authors}`);
      check(article.paragraphs.length >= 6 && article.paragraphs.length <= 20, name, `${article.paragraphs.length} paragraphs`);
      for (const paragraph of article.paragraphs) {
        const words = paragraph.split(' ').length;
        check(words >= 40 && words <= 120, name, `a paragraph of ${words} words`);
      }
      // Only the title and summary are derived: everything else is in the front matter or the text.
      check(warnings.map((w) => w.field).sort().join() === 'summary,title', name, `warnings ${JSON.stringify(warnings)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('an archive of 5,000 articles', () => {
  const articles = [...generateArchive(5000)];

  it('covers all 20 sections and 200 authors, some with letters outside ASCII', () => {
    expect(new Set(SECTIONS).size).toBe(20);
    expect(new Set(AUTHORS).size).toBe(200);
    expect(AUTHORS).toEqual(expect.arrayContaining(['José Álvarez', 'Zhang Wěi', 'Chen Xiaoling']));
    expect(new Set(articles.map((a) => a.expected.section))).toEqual(new Set(SECTIONS));
    const authors = new Set(articles.flatMap((a) => frontMatterValue(a.text, 'authors') as string[]));
    expect(authors).toEqual(new Set(AUTHORS));
  });

  it('has distinct publication dates spread over about three years', () => {
    const published = articles.map((a) => frontMatterValue(a.text, 'published') as string);
    expect(new Set(published).size).toBe(articles.length);
    const times = published.map((p) => Date.parse(p)).sort((a, b) => a - b);
    const years = ((times.at(-1) as number) - (times[0] as number)) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(2.9);
    expect(years).toBeLessThan(3.1);
  });

  it('averages between 2 and 5 KB an article, like the seed', () => {
    const bytes = articles.reduce((sum, a) => sum + Buffer.byteLength(a.text), 0);
    const average = bytes / articles.length;
    expect(average).toBeGreaterThan(2048);
    expect(average).toBeLessThan(5120);
  });

  it('varies the shape: photos 0-4, quotes 0-2, related 0-2, paragraphs 6-20', () => {
    const values = (key: 'photos' | 'quotes' | 'related' | 'paragraphs') => new Set(articles.map((a) => a.expected[key]));
    expect(values('photos')).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(values('quotes')).toEqual(new Set([0, 1, 2]));
    expect(values('related')).toEqual(new Set([0, 1, 2]));
    const paragraphs = [...values('paragraphs')];
    expect(Math.min(...paragraphs)).toBe(6);
    expect(Math.max(...paragraphs)).toBe(20);
    expect(articles.some((a) => /[“”]/.test(a.text))).toBe(true);
    expect(articles.some((a) => /^[^\n]* — /m.test(a.text))).toBe(true);
  });
});

describe('writeArchive', () => {
  it('writes <name>.md for every article and counts the bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-generate-'));
    try {
      const out = join(dir, 'archive');
      const { files, bytes } = await writeArchive(out, 300, 99);
      expect(files).toBe(300);
      const names = (await readdir(out)).sort();
      expect(names).toHaveLength(300);
      expect(names[0]).toBe('bench-000000.md');
      expect(names.at(-1)).toBe('bench-000299.md');
      let total = 0;
      for (const name of names) total += (await readFile(join(out, name))).byteLength;
      expect(bytes).toBe(total);
      expect(await readFile(join(out, 'bench-000123.md'), 'utf8')).toBe(generateArticle(123, 99).text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
