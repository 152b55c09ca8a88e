/** Fresh fixtures for tests: articles and site configs built per test, never shared state. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { expect, vi } from 'vitest';
import type { Article } from '../src/article.js';
import { run } from '../src/cli/main.js';
import { ArticleError } from '../src/errors.js';
import { parseSiteConfig, type SiteConfig } from '../src/site.js';

export function makeSite(overrides: Record<string, unknown> = {}): SiteConfig {
  return parseSiteConfig(
    {
      title: 'Test Daily',
      url: 'https://news.test.example/',
      feedUrl: 'https://news.test.example/feeds/',
      description: 'Test stories',
      publisher: 'Test Daily Group',
      copyright: 'Copyright Test Daily Group',
      ...overrides,
    },
    'test',
  );
}

let counter = 0;

export function makeArticle(overrides: Partial<Article> = {}): Article {
  counter += 1;
  const id = overrides.id ?? `story-${counter}`;
  return {
    id,
    url: `https://news.test.example/stories/${id}`,
    title: `Story ${counter}`,
    summary: 'A summary.',
    published: '2024-03-01T10:00:00Z',
    updated: '2024-03-01T10:00:00Z',
    dateline: 'BEIJING',
    language: 'en',
    section: 'World',
    tags: ['tag one'],
    authors: ['Jane Reporter'],
    publisher: 'Wire Agency News',
    attribution: ['Xinhua'],
    paragraphs: ['First paragraph of the story.', 'Second paragraph.'],
    quotes: [{ text: 'A quotable line', speaker: 'Li Wei', role: 'Spokesperson' }],
    photos: [
      {
        url: 'https://img.test.example/a.jpg',
        caption: 'A caption for the lead photo.',
        credit: 'JOHN DOE / AGENCY',
        type: null,
        bytes: 1234,
        width: 800,
        height: 600,
      },
      { url: 'https://img.test.example/b.png', caption: 'Second photo', credit: 'PHOTO / XINHUA', type: null, bytes: null, width: null, height: null },
      { url: null, caption: 'A photo with no URL', credit: 'NO URL / POOL', type: null, bytes: null, width: null, height: null },
    ],
    related: [{ label: 'READ MORE', title: 'Earlier story', url: null }],
    ...overrides,
  };
}

/** A strict XML to object parser for assertions (attributes kept with an @ prefix). */
export function parseXml(xml: string): Record<string, any> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name, jpath) =>
      ['item', 'entry', 'media:content', 'dc:creator', 'category', 'author', 'enclosure'].includes(name) ||
      (name === 'link' && String(jpath).startsWith('feed')),
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    htmlEntities: false,
  });
  return parser.parse(xml, true) as Record<string, any>;
}

/** Every element and attribute prefix a document uses, every xmlns it declares (prefix to URI), and those declared below the root. */
export function namespaceUse(xml: string): { used: Set<string>; declared: Map<string, string>; declaredBelowRoot: string[] } {
  const used = new Set<string>();
  const declared = new Map<string, string>();
  const declaredBelowRoot: string[] = [];
  let depth = 0;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag) => {
    for (const name of [tag.name, ...Object.keys(tag.attributes)]) {
      if (name.startsWith('xmlns:')) {
        declared.set(name.slice(6), String(tag.attributes[name]));
        if (depth > 0) declaredBelowRoot.push(name);
      } else if (name.includes(':') && !name.startsWith('xml:')) used.add(name.slice(0, name.indexOf(':')));
    }
    depth += 1;
  });
  parser.on('closetag', () => {
    depth -= 1;
  });
  parser.write(xml).close();
  return { used, declared, declaredBelowRoot };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'syndicate-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs fn and returns the ArticleError it throws (failing the test if it throws anything else or nothing). */
export function articleError(fn: () => unknown): ArticleError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ArticleError);
  return caught as ArticleError;
}

/** Runs the `syndicate` command in-process and collects what it printed. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Silences the handlers' JSON log lines (restore with vi.restoreAllMocks); tests may still read the spies. */
export function quietConsole(): void {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
}
