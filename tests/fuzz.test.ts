/**
 * Fuzzing, short run (part of `npm test`): any raw or JSON article, however mangled, either gives an
 * ArticleError naming its source and a field, or feeds that pass every output check; never anything else.
 * The same properties run with 100,000+ cases in `npm run fuzz` (tests/fuzz/long.ts). A failure prints
 * fast-check's seed and path; set FUZZ_SEED to replay a run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArticleError } from '../src/errors.js';
import { readArticle } from '../src/read/index.js';
import { checkContentHtml, checkInput, GENERATORS, HOSTILE_CASES, htmlTags } from './fuzz/arbitraries.js';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const RUNS: Record<string, number> = { 'raw text': 300, 'json article': 250, 'json text mutation': 200, bytes: 150 };

describe('fuzzing the readers and the feeds built from them', () => {
  for (const { name, arbitrary } of GENERATORS) {
    it(`${name}: an ArticleError naming a field, or checked feeds`, () => {
      const tally = { 'article-error': 0, feeds: 0 };
      fc.assert(
        fc.property(arbitrary, (input) => {
          tally[checkInput(input)] += 1;
        }),
        { numRuns: RUNS[name] ?? 200, seed },
      );
      // Neither outcome may be all there is: the generators must reach both the readers' checks and the renderers.
      if (name !== 'bytes') expect(tally.feeds).toBeGreaterThan(0);
      expect(tally['article-error']).toBeGreaterThan(0);
    });
  }
});

describe('hand-written hostile inputs', () => {
  it.each(HOSTILE_CASES.map((input, i) => [i, input.name, input] as const))('%i %s', (_i, _name, input) => {
    const started = performance.now();
    expect(['article-error', 'feeds']).toContain(checkInput(input));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the checks themselves', () => {
  it('find markup that did not come from the renderer', () => {
    expect(() => checkContentHtml('<p>fine &lt;script&gt;</p>', 'x')).not.toThrow();
    expect(() => checkContentHtml('<p><script>alert(1)</script></p>', 'x')).toThrow(/<script>/);
    expect(() => checkContentHtml('<img src="https://img.example.test/a.jpg" onerror="alert(1)">', 'x')).toThrow(/onerror/);
    expect(() => checkContentHtml('<a href="javascript:alert(1)">x</a>', 'x')).toThrow(/http/);
    expect(() => checkContentHtml('<p>a < b</p>', 'x')).toThrow(/did not write/);
    expect(htmlTags('<a href="https://x.example/?a=1&amp;b=2">t</a>')[0]?.attributes.href).toBe('https://x.example/?a=1&b=2');
  });

  it('accept an ArticleError only when it names the source and a field', () => {
    expect(checkInput({ name: 'bad.md', content: '---\npublished: 2024-02-30\n---\nBody.\n' })).toBe('article-error');
    expect(() => readArticle('bad.md', '---\npublished: 2024-02-30\n---\nBody.\n', {})).toThrow(ArticleError);
    expect(checkInput({ name: 'good.md', content: 'BEIJING - A body line.\n', receivedAt: new Date('2024-01-01T00:00:00Z') })).toBe('feeds');
  });
});
