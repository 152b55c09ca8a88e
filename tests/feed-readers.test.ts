/** Common Node feed readers (rss-parser, feedparser) read our RSS and Atom without error. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import FeedParser from 'feedparser';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/article.js';
import { buildFeeds } from '../src/build.js';
import { readArticle } from '../src/read/index.js';
import { makeSite } from './helpers.js';

const corpus = join(import.meta.dirname, 'fixtures/corpus');

function corpusArticles(): Article[] {
  return readdirSync(corpus)
    .sort()
    .map((name) => readArticle(name, readFileSync(join(corpus, name)), { receivedAt: new Date('2024-01-01T00:00:00Z') }).article);
}

function feedparse(xml: string): Promise<FeedParser.Item[]> {
  return new Promise((resolve, reject) => {
    const items: FeedParser.Item[] = [];
    const parser = new FeedParser({ normalize: true, addmeta: false });
    parser.on('error', reject);
    parser.on('readable', () => {
      let item: FeedParser.Item | null = parser.read();
      while (item) {
        items.push(item);
        item = parser.read();
      }
    });
    parser.on('end', () => resolve(items));
    Readable.from([xml]).pipe(parser);
  });
}

describe('Node feed readers', () => {
  const articles = corpusArticles();
  const files = buildFeeds(articles, makeSite());
  const body = (path: string) => files.find((f) => f.path === path)?.body ?? '';

  it.each(['rss.xml', 'atom.xml'])('rss-parser reads %s with every item, title and date', async (path) => {
    const feed = await new Parser().parseString(body(path));
    expect(feed.items).toHaveLength(articles.length);
    for (const item of feed.items) {
      expect(item.title).toBeTruthy();
      expect(Number.isNaN(Date.parse(item.isoDate ?? ''))).toBe(false);
    }
  });

  it.each(['rss.xml', 'atom.xml'])('feedparser reads %s with unique guids and the photo enclosures', async (path) => {
    const items = await feedparse(body(path));
    expect(items).toHaveLength(articles.length);
    expect(new Set(items.map((i) => i.guid)).size).toBe(articles.length);
    const withPhotos = articles.filter((a) => a.photos.some((p) => p.url)).length;
    expect(items.filter((i) => i.enclosures.length > 0)).toHaveLength(withPhotos);
    for (const item of items) expect(item.pubdate).toBeInstanceOf(Date);
  });
});
