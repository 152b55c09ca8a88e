/**
 * Issue 12: rich article bodies (CommonMark `.md`, JSON `content_html` through the allowlist), stable
 * identity, front-matter aliases, and the wire-copy robustness fixes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFeeds } from '../src/build.js';
import { cleanHtml, htmlBlocks } from '../src/read/html.js';
import { readArticle } from '../src/read/index.js';
import { parseRawBody } from '../src/read/raw.js';
import { renderContentHtml } from '../src/render/content.js';
import { checkContentHtml, htmlTags } from './fuzz/arbitraries.js';
import { makeSite } from './helpers.js';

const RECEIVED = { receivedAt: new Date('2024-05-01T08:00:00Z') };
const html = (name: string, text: string) => renderContentHtml(readArticle(name, text, RECEIVED).article, 'Pub');

/** Every element closed, in order (void elements self-closed): the markup is well-formed. */
function expectBalanced(markup: string): void {
  const open: string[] = [];
  for (const at of markup.matchAll(/<(\/?)([a-z][a-z0-9]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, self] = at;
    if (self === '/' || name === 'img' || name === 'br' || name === 'hr') continue;
    if (closing) expect(open.pop(), markup).toBe(name);
    else open.push(name as string);
  }
  expect(open).toEqual([]);
}

describe('.md bodies are CommonMark, with the wire copy still read', () => {
  const MD = [
    '---',
    'title: Leaders meet',
    'date: 2024-05-01',
    '---',
    'BEIJING - Leaders met *today* in [Beijing](https://example.com/bj) and **agreed** on `trade`.',
    '',
    '## What they agreed',
    '',
    '- lower tariffs',
    '- a [joint fund](https://example.com/fund)',
    '',
    '1. first',
    '2. second',
    '',
    '> A block quote from the communique.',
    '',
    'A plain paragraph with a link to [evil](javascript:alert(1)) text.',
    'READ MORE: [Earlier talks](https://example.com/earlier)',
  ].join('\n');

  it('keeps inline links, emphasis, lists, headings and block quotes in the content HTML', () => {
    const out = html('a.md', MD);
    expect(out).toContain('<strong class="dateline">BEIJING</strong> — Leaders met <em>today</em> in <a href="https://example.com/bj">Beijing</a> and <strong>agreed</strong> on <code>trade</code>.');
    expect(out).toContain('<h2>What they agreed</h2>');
    expect(out).toMatch(/<ul>\s*<li>lower tariffs<\/li>\s*<li>a <a href="https:\/\/example.com\/fund">joint fund<\/a><\/li>\s*<\/ul>/);
    expect(out).toMatch(/<ol>\s*<li>first<\/li>/);
    expect(out).toMatch(/<blockquote>\s*<p>A block quote from the communique.<\/p>\s*<\/blockquote>/);
    expect(out).not.toMatch(/href="javascript/i);
    checkContentHtml(out, 'a.md');
    expectBalanced(out);
  });

  it('keeps the paragraphs plain text, the dateline and the related line', () => {
    const { article } = readArticle('a.md', MD, RECEIVED);
    expect(article.dateline).toBe('BEIJING');
    expect(article.paragraphs[0]).toBe('Leaders met today in Beijing and agreed on trade.');
    expect(article.paragraphs).toContain('What they agreed');
    expect(article.related).toEqual([{ label: 'READ MORE', title: 'Earlier talks', url: 'https://example.com/earlier' }]);
    expect(article.html).toHaveLength(article.paragraphs.length);
    expect(article.summary).not.toContain('*');
  });

  it('reads a plain .txt file as before: asterisks stay, markup is stripped', () => {
    const { article } = readArticle('a.txt', 'BEIJING - Leaders met *today* and <b>agreed</b>.', RECEIVED);
    expect(article.paragraphs).toEqual(['Leaders met *today* and agreed.']);
    expect(article.html).toBeUndefined();
  });

  it('takes a heading at the top as the title', () => {
    const { article } = readArticle('a.md', '# Leaders meet in Beijing\n\nBEIJING - Leaders met on Thursday, May 2, 2024.', RECEIVED);
    expect(article.title).toBe('Leaders meet in Beijing');
    expect(article.paragraphs).toEqual(['Leaders met on Thursday, May 2, 2024.']);
  });

  it('reads a one-line list that wire copy reads otherwise (a closing "- AFP") as wire copy', () => {
    const { article } = readArticle('a.md', 'PARIS - France said on Monday, May 6, 2024, it would act.\n\n- AFP', RECEIVED);
    expect(article.attribution).toContain('AFP');
  });

  it('reads pathological Markdown in time linear in its size', () => {
    for (const unit of ['*a', '[', '> ', '- ', '_a ', '<a ', '![', '**a *', '`']) {
      const small = unit.repeat(Math.ceil(10_000 / unit.length));
      const big = unit.repeat(Math.ceil(200_000 / unit.length));
      const time = (text: string) => {
        const start = performance.now();
        try {
          readArticle('p.md', `BEIJING - Body text, May 1, 2024.\n\n${text}`, RECEIVED);
        } catch {
          // refused on a count is fine: the time is what is measured
        }
        return performance.now() - start;
      };
      time(small);
      const t = time(big);
      // 200 KB: well under a second on a shared machine; a quadratic reader takes minutes.
      expect(t, unit).toBeLessThan(2000);
    }
  });
});

describe('JSON content_html is cleaned by the allowlist', () => {
  const json = (value: Record<string, unknown>) => JSON.stringify({ published: '2024-05-01T08:00:00Z', title: 'A <b>bold</b> title', ...value });

  it('keeps links, lists, tables, headings, emphasis and figures; drops the rest', () => {
    const content = [
      '<p>Read <a href="https://example.com/a" onclick="x()" target="_blank">this</a>, <a href="mailto:desk@example.com">mail us</a> or <a href="javascript:alert(1)">not this</a>.</p>',
      '<script>alert(1)</script><style>p{}</style>',
      '<h3>Figures</h3><table><thead><tr><th scope="col">Year</th></tr></thead><tbody><tr><td colspan="2">2024</td></tr></tbody></table>',
      '<ul><li><em>one</em><li>two</ul>',
      '<figure><img src="https://img.example.com/a.jpg" alt="A" onerror="x()"><img src="/relative.jpg"><figcaption>Caption</figcaption></figure>',
      '<div><span>loose text</span> <iframe src="https://evil.example/"></iframe></div>',
    ].join('');
    const { article } = readArticle('a.json', json({ content_html: content }), RECEIVED);
    expect(article.title).toBe('A bold title');
    const out = renderContentHtml(article, 'Pub');
    expect(out).toContain('<a href="https://example.com/a" target="_blank" rel="noopener noreferrer">this</a>');
    expect(out).toContain('<a href="mailto:desk@example.com">mail us</a>');
    expect(out).toContain('not this');
    expect(out).not.toMatch(/javascript|onclick|onerror|<script|<style|<iframe|relative\.jpg/);
    expect(out).toContain('<th scope="col">Year</th>');
    expect(out).toContain('<td colspan="2">2024</td>');
    expect(out).toContain('<ul><li><em>one</em></li><li>two</li></ul>');
    expect(out).toContain('<img src="https://img.example.com/a.jpg" alt="A" />');
    expect(out).toMatch(/<p>loose text\s*<\/p>/);
    checkContentHtml(out, 'content_html');
    expectBalanced(out);
    expect(article.paragraphs[0]).toBe('Read this, mail us or not this.');
  });

  it('builds feeds that pass their checks', () => {
    const { article } = readArticle('a.json', json({ content_html: '<p>Body <a href="https://example.com/">link</a> &amp; more.</p><ol><li>x</li></ol>' }), RECEIVED);
    expect(() => buildFeeds([article], makeSite())).not.toThrow();
  });

  it('cleans markup given as the model’s own html field too', () => {
    const { article } = readArticle('a.json', json({ paragraphs: ['Body text.'], html: ['<p onclick="x()">Body <script>alert(1)</script>text.</p>'] }), RECEIVED);
    expect(article.html).toEqual(['<p>Body text.</p>']);
  });

  it('refuses content_html that is not a string or holds no text', () => {
    expect(() => readArticle('a.json', json({ content_html: 5 }), RECEIVED)).toThrow(/content_html/);
    expect(() => readArticle('a.json', json({ content_html: '<script>x</script>' }), RECEIVED)).toThrow(/content_html/);
  });

  const markup = fc.array(
    fc.oneof(
      fc.constantFrom('<p>', '</p>', '<a href="https://x.example/">', '<a href="javascript:1">', '</a>', '<ul>', '<li>', '</ul>', '<table><tr><td>', '</table>', '<em>', '</em>', '<img src=x onerror=1>', '<script>', '</script>', '<svg><a xlink:href="javascript:1">', '&amp;', '&lt;', '<!--', '-->', '<![CDATA[', ']]>', '<h2>', '</h2>', '<b><i>', '</b>', '"', "'", '\u0000', '\u0007', '\uD800'),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 40 },
  );

  it('gives well-formed markup of allowed elements only, and is idempotent (property)', () => {
    fc.assert(
      fc.property(markup, (parts) => {
        const input = parts.join('');
        const clean = cleanHtml(input);
        checkContentHtml(clean.html, 'cleanHtml');
        expectBalanced(clean.html);
        expect(htmlTags(clean.html).some((t) => t.name === 'script')).toBe(false);
        expect(cleanHtml(clean.html).html).toBe(clean.html);
        expect(clean.text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        for (const block of htmlBlocks(input)) {
          expect(block.text).not.toBe('');
          expectBalanced(block.html);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('stable identity (issue 12)', () => {
  const TEXT = 'BEIJING - Leaders met on Thursday and agreed on trade.\nA second paragraph of the story.';

  it('derives the same id whenever and wherever the file is read', () => {
    const a = readArticle('a.md', TEXT, { receivedAt: new Date('2024-05-01T08:00:00Z') });
    const b = readArticle('a.md', TEXT, { receivedAt: new Date('2025-01-01T00:00:00Z') });
    expect(a.article.id).toBe(b.article.id);
    expect(a.dateReceived).toBe(true);
  });

  it('dates an undated article the same on every build, with a warning', () => {
    const a = readArticle('a.md', TEXT, { stableDates: true });
    const b = readArticle('a.md', TEXT, { stableDates: true, receivedAt: new Date() });
    expect(a.article.published).toBe('1970-01-01T00:00:00Z');
    expect(b.article).toEqual(a.article);
    expect(a.warnings.map((w) => w.field)).toContain('published');
    expect(buildFeeds([a.article], makeSite())).toEqual(buildFeeds([b.article], makeSite()));
  });
});

describe('front matter people already write (issue 12)', () => {
  const BODY = 'BEIJING - The body of the story, long enough to be read as a paragraph.';

  it('accepts Jekyll, Hugo and Ghost keys as aliases', () => {
    const text = [
      '---',
      'date: 2024-05-01T08:00:00Z',
      'lastmod: 2024-05-02T08:00:00Z',
      'description: The summary.',
      'image: https://img.example.com/a.jpg',
      'categories: [World, Asia]',
      'author: Jane Doe',
      '---',
      BODY,
    ].join('\n');
    const { article, warnings } = readArticle('a.md', text, {});
    expect(article.published).toBe('2024-05-01T08:00:00Z');
    expect(article.updated).toBe('2024-05-02T08:00:00Z');
    expect(article.summary).toBe('The summary.');
    expect(article.photos[0]?.url).toBe('https://img.example.com/a.jpg');
    expect(article.section).toBe('World');
    expect(article.tags).toEqual(['Asia']);
    expect(article.authors).toEqual(['Jane Doe']);
    expect(warnings.filter((w) => w.field !== 'id' && w.field !== 'title')).toEqual([]);
  });

  it('takes excerpt and a single category; the model’s own key wins over an alias', () => {
    const { article } = readArticle('a.md', `---\nexcerpt: From excerpt.\nsummary: From summary.\ncategory: Business\npublished: 2024-05-01\ndate: 2020-01-01\n---\n${BODY}`, {});
    expect(article.summary).toBe('From summary.');
    expect(article.section).toBe('Business');
    expect(article.published).toBe('2024-05-01T00:00:00Z');
  });

  it('marks a draft, and warns once per key not understood', () => {
    const result = readArticle('a.md', `---\ndraft: true\nlayout: post\nlayout_extra: 1\ndate: 2024-05-01\n---\n${BODY}`, {});
    expect(result.draft).toBe(true);
    const unknown = result.warnings.filter((w) => /not understood/.test(w.message)).map((w) => w.field);
    expect(unknown).toEqual(['layout', 'layout_extra']);
    expect(readArticle('a.md', `---\ndraft: false\ndate: 2024-05-01\n---\n${BODY}`, {}).draft).toBeUndefined();
  });

  it('drops a relative image with a warning instead of refusing the article', () => {
    const { article, warnings } = readArticle('a.md', `---\nimage: /assets/a.jpg\ndate: 2024-05-01\n---\n${BODY}`, {});
    expect(article.photos).toEqual([]);
    expect(warnings.some((w) => w.field === 'photos' && w.message.includes('/assets/a.jpg'))).toBe(true);
  });
});

describe('wire copy read more robustly (issue 12)', () => {
  it('cleans control characters in front matter as in the body, dropping them (no U+FFFD)', () => {
    const { article } = readArticle('a.md', '---\ntitle: "Leaders\u0007 meet\u0000"\nsummary: A\u0001 summary\n---\nBEIJING - Body\u0007 text, May 1, 2024.', {});
    expect(article.title).toBe('Leaders meet');
    expect(article.summary).toBe('A summary');
    expect(JSON.stringify(article)).not.toMatch(/\uFFFD|\\u000[0-8]/);
  });

  const BODY = 'Officials said on Tuesday that the new programme would start in the spring, with funding from the city.';

  it('matches a pull quote that carries a trailing link to its sentence; the speaker line is no paragraph', () => {
    for (const name of ['a.txt', 'a.md']) {
      const text = [
        BODY,
        'We will publish every field <a href="https://example.com/data">here</a>',
        'Jane Doe, Data Editor',
        '"We will publish every field here, and the code that reads it," Doe said on Tuesday.',
      ].join('\n');
      const { article } = readArticle(name, text, RECEIVED);
      expect(article.quotes, name).toEqual([{ text: 'We will publish every field here', speaker: 'Jane Doe', role: 'Data Editor' }]);
      expect(article.paragraphs.some((p) => p.includes('Jane Doe'))).toBe(false);
    }
  });

  it('reads a standalone (XINHUA) after an ordinary paragraph as attribution, not a caption', () => {
    const parts = parseRawBody([BODY, '(XINHUA)', 'A spokesman said the talks will resume in Geneva next week, after both sides consult.'].join('\n'));
    expect(parts.photos).toEqual([]);
    expect(parts.attribution).toEqual(['XINHUA']);
    expect(parts.paragraphs).toHaveLength(2);
  });

  it('reads a mixed-case (Xinhua) at the end of a caption as its credit', () => {
    const parts = parseRawBody(['Workers plant trees in a park in Beijing, April 25, 2023. (Xinhua)', BODY].join('\n'));
    expect(parts.photos).toEqual([{ caption: 'Workers plant trees in a park in Beijing, April 25, 2023.', credit: 'Xinhua' }]);
  });

  it('keeps a related line’s link when the source has one as markup', () => {
    const parts = parseRawBody([BODY, 'READ MORE: <a href="https://example.com/earlier">Earlier talks</a>', 'ALSO READ: <a href="javascript:alert(1)">Bad</a>'].join('\n'));
    expect(parts.related).toEqual([
      { label: 'READ MORE', title: 'Earlier talks', url: 'https://example.com/earlier' },
      { label: 'ALSO READ', title: 'Bad', url: null },
    ]);
  });
});
