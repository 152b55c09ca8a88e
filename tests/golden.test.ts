/**
 * Golden files: whole feeds built from the seed, compared byte for byte. After a deliberate output change,
 * regenerate with `UPDATE_GOLDEN=1 npx vitest run tests/golden.test.ts` and review the diff.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFeeds } from '../src/build.js';
import { readArticle } from '../src/read/index.js';
import { parseSiteConfig } from '../src/site.js';

const root = join(import.meta.dirname, '..');
const update = process.env.UPDATE_GOLDEN === '1';

function compare(dir: string, files: { path: string; body: string }[]) {
  for (const file of files) {
    const golden = join(root, 'tests/golden', dir, file.path);
    if (update) {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, file.body);
    }
    expect(file.body, file.path).toBe(readFileSync(golden, 'utf8'));
  }
}

describe('golden feeds', () => {
  it('the bundled example (the seed with front matter) builds to the golden feeds', () => {
    const site = parseSiteConfig(JSON.parse(readFileSync(join(root, 'examples/site.json'), 'utf8')), 'examples/site.json');
    const name = 'examples/articles/putin-kim-vladivostok.md';
    const { article } = readArticle(name, readFileSync(join(root, name)), {});
    const files = buildFeeds([article], site);
    expect(files.map((f) => f.path)).toEqual(['rss.xml', 'atom.xml', 'feed.json', 'index.html', 'sections/world/rss.xml', 'sections/world/atom.xml', 'sections/world/feed.json', 'sections/world/index.html']);
    compare('example', files);
  });

  it('the raw seed, with no front matter, builds to the golden feeds', () => {
    const name = 'tests/fixtures/corpus/000_d3dd0a195eb72f24.txt';
    const { article } = readArticle(name, readFileSync(join(root, name)), { receivedAt: new Date('2019-04-26T03:00:00Z') });
    compare('seed-raw', buildFeeds([article], parseSiteConfig({}, 'defaults')));
  });
});
