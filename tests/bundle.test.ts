/**
 * The Lambda bundles take only the parts of libraries the handlers call (scripts/bundle-plugins.cjs, used
 * by serverless.yml and bench/cold-start.ts): feed's XML writer without xml-js's parser (and sax), js-yaml's
 * loader without its dumper. Reading and feed building bundled that way must give exactly what the
 * libraries whole give.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateArticle } from '../bench/generate.js';
import { buildFeeds } from '../src/build.js';
import type { ArticleError } from '../src/errors.js';
import { readArticle } from '../src/read/index.js';
import { makeSite } from './helpers.js';

const root = join(import.meta.dirname, '..');
const plugins = createRequire(import.meta.url)('../scripts/bundle-plugins.cjs') as Plugin[];

interface Bundled {
  readArticle: typeof readArticle;
  buildFeeds: typeof buildFeeds;
  ArticleError: typeof ArticleError;
}

let dir: string;
let bundled: Bundled;
let inputs: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  const result = await build({
    stdin: {
      contents: "export { readArticle } from './src/read/index.ts'; export { buildFeeds } from './src/build.ts'; export { ArticleError } from './src/errors.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins,
    metafile: true,
    write: false,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  inputs = Object.keys(result.metafile.inputs);
  const file = join(dir, 'bundle.mjs');
  writeFileSync(file, result.outputFiles[0]?.contents ?? '');
  bundled = (await import(pathToFileURL(file).href)) as Bundled;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the handlers’ bundles', () => {
  it('leave out sax, xml-js’s parsers and js-yaml’s dumper', () => {
    expect(inputs.some((f) => f.includes('node_modules/sax/'))).toBe(false);
    expect(inputs.some((f) => /xml-js\/lib\/(xml2js|xml2json|json2xml)/.test(f))).toBe(false);
    expect(inputs.some((f) => f.includes('js-yaml/lib/dumper'))).toBe(false);
    expect(inputs.some((f) => f.includes('js-yaml/lib/loader'))).toBe(true);
    expect(inputs.some((f) => f.includes('xml-js/lib/js2xml'))).toBe(true);
    // markdown-it's linkify-it is never called (linkify off): an inert stand-in is bundled instead.
    expect(inputs.some((f) => f.includes('node_modules/linkify-it/'))).toBe(false);
    expect(inputs.some((f) => f.includes('node_modules/markdown-it/'))).toBe(true);
  });

  it('read front matter and build all three feeds exactly as the libraries whole do', () => {
    const site = makeSite();
    const texts = Array.from({ length: 20 }, (_, i) => generateArticle(i * 104_729)).map(({ name, text }) => ({ name, text }));
    for (const corpus of ['000_d3dd0a195eb72f24.txt', '004_hk-harbour-of-light-festival.txt']) {
      const text = readFileSync(join(root, 'tests', 'fixtures', 'corpus', corpus), 'utf8');
      texts.push({ name: corpus.replace(/\.txt$/, ''), text: `---\ntitle: "Front matter: a \\"quoted\\" title"\ntags: [one, 2, three]\nphotos:\n  - https://img.example.test/a.jpg\n---\n${text}` });
    }
    texts.push({
      name: 'rich-markdown',
      text: '---\ntitle: Rich\n---\nBEIJING - A *lead* with a [link](https://example.com/a?b=1&c=2) and a bare https://example.com/bare URL.\n\n## A heading\n\n- one **item**\n- two\n\n> a block quote\n\nREAD MORE: [An earlier story](https://example.com/earlier)\n',
    });
    const received = new Date('2024-01-01T00:00:00Z');
    const whole = texts.map((t) => readArticle(`${t.name}.md`, t.text, { receivedAt: received }));
    const ours = texts.map((t) => bundled.readArticle(`${t.name}.md`, t.text, { receivedAt: received }));
    expect(JSON.parse(JSON.stringify(ours))).toStrictEqual(JSON.parse(JSON.stringify(whole)));
    const articles = whole.map((r) => r.article);
    expect(bundled.buildFeeds(articles, site)).toStrictEqual(buildFeeds(articles, site));
  });

  it('refuse bad YAML with the same error', () => {
    const received = { receivedAt: new Date('2024-01-01T00:00:00Z') };
    const cases: [string, string][] = [
      ['title: [unclosed', 'front matter'],
      ['title: a\ntitle: b', 'front matter'],
      ['a: &x [1]\nb: *x', 'front matter'],
      ['published: 2024-02-30', 'published'],
      ['tags: {a: 1}', 'tags'],
    ];
    for (const [yaml, field] of cases) {
      const text = `---\n${yaml}\n---\nBEIJING - Body text of the story, long enough to read.\n`;
      const expected = (() => {
        try {
          readArticle('a.md', text, received);
        } catch (error) {
          return error as ArticleError;
        }
        throw new Error(`expected ${JSON.stringify(yaml)} to be refused`);
      })();
      expect(expected.field).toBe(field);
      expect(() => bundled.readArticle('a.md', text, received)).toThrow(bundled.ArticleError);
      expect(() => bundled.readArticle('a.md', text, received)).toThrow(expected.message);
    }
  });
});
