import { describe, expect, it } from 'vitest';
import { ArticleSchema, isHttpUrl, normaliseUrl } from '../src/article.js';
import { makeArticle } from './helpers.js';

describe('article URLs', () => {
  it.each([
    ['https://img.example.test/]]>.jpg', 'https://img.example.test/%5D%5D%3E.jpg'],
    ['https://ex.com/a b?x=[1]&y=|', 'https://ex.com/a%20b?x=%5B1%5D&y=%7C'],
    ['https://ÉX.com/é', 'https://xn--x-9fa.com/%C3%A9'],
    ['https://u:p@ex.com/{x}', 'https://u:p@ex.com/%7Bx%7D'],
    ['https://news.example.com/world/2019-04/25/x', 'https://news.example.com/world/2019-04/25/x'],
    ['https://img.example.test/%zz.jpg', 'https://img.example.test/%25zz.jpg'],
    ['https://img.example.test/a.jpg#x#y', 'https://img.example.test/a.jpg#x%23y'],
    ['http://aa.aaa?a#%', 'http://aa.aaa/?a#%25'],
    ['https://x.test/%41ok', 'https://x.test/%41ok'],
  ])('normalises %s to a strict URI', (input, expected) => {
    expect(normaliseUrl(input)).toBe(expected);
  });

  it('refuses a host that URIs do not allow', () => {
    expect(isHttpUrl('https:"//img.example.test/a.jpg')).toBe(false);
    expect(isHttpUrl('https://img.example.test/a.jpg')).toBe(true);
    expect(isHttpUrl('http://[::1]:8080/x')).toBe(true);
  });

  it('stores every URL of an article normalised', () => {
    const parsed = ArticleSchema.parse(
      makeArticle({
        url: 'https://news.test.example/a story',
        related: [{ label: 'READ MORE', title: 't', url: 'https://x.test/[y]' }],
        photos: [{ url: 'https://img.test/p|q.jpg', caption: null, credit: null, type: null, bytes: null, width: null, height: null }],
      }),
    );
    expect([parsed.url, parsed.related[0]?.url, parsed.photos[0]?.url]).toEqual(['https://news.test.example/a%20story', 'https://x.test/%5By%5D', 'https://img.test/p%7Cq.jpg']);
  });
});
