/**
 * An article's expected parse, as tests/fixtures/corpus-expected and tests/fixtures/agencies-expected hold
 * it, and the article cut down to the same terms: shared by tests/corpus.test.ts and tests/agencies.test.ts.
 */
import type { Article } from '../../src/article.js';

/** Far from any date in the corpora, so a fallback to it cannot pass for a date found in the text. */
export const RECEIVED = new Date('2031-07-08T09:10:11Z');

export interface Expected {
  paragraphs: number;
  firstParagraphStartsWith: string;
  lastParagraphStartsWith: string;
  dateline: string | null;
  photos: { caption?: string | null; credit?: string | null; url?: string | null }[];
  quotes: { textStartsWith: string; speaker: string | null; role: string | null }[];
  related: { label: string; title: string }[];
  attribution: string[];
  publisher: string | null;
  authors: string[];
  /** YYYY-MM-DD of published, or null: no date in the text, so published is the time received. */
  date: string | null;
}

/** The article cut down to what the expected summary says, in the summary's own terms. */
export function summarise(article: Article, expected: Expected) {
  return {
    paragraphs: article.paragraphs.length,
    firstParagraphStartsWith: article.paragraphs[0]?.slice(0, expected.firstParagraphStartsWith.length),
    lastParagraphStartsWith: article.paragraphs.at(-1)?.slice(0, expected.lastParagraphStartsWith.length),
    dateline: article.dateline,
    photos: article.photos.map((p) => ({ caption: p.caption?.slice(0, 40).trimEnd() ?? null, credit: p.credit, url: p.url })),
    quotes: article.quotes.map((q) => ({ textStartsWith: q.text.slice(0, 30).trimEnd(), speaker: q.speaker, role: q.role })),
    related: article.related.map((r) => ({ label: r.label, title: r.title })),
    attribution: article.attribution,
    publisher: article.publisher,
    authors: article.authors,
    published: article.published,
  };
}

/** The expected summary in the terms of summarise(). */
export function wanted(expected: Expected) {
  return {
    paragraphs: expected.paragraphs,
    firstParagraphStartsWith: expected.firstParagraphStartsWith,
    lastParagraphStartsWith: expected.lastParagraphStartsWith,
    dateline: expected.dateline,
    photos: expected.photos.map((p) => ({ caption: p.caption ?? null, credit: p.credit ?? null, url: p.url ?? null })),
    quotes: expected.quotes.map((q) => ({ textStartsWith: q.textStartsWith, speaker: q.speaker, role: q.role })),
    related: expected.related.map((r) => ({ label: r.label.toUpperCase(), title: r.title })),
    attribution: expected.attribution,
    publisher: expected.publisher,
    authors: expected.authors,
    published: expected.date === null ? RECEIVED.toISOString().replace(/\.\d{3}Z$/, 'Z') : `${expected.date}T00:00:00Z`,
  };
}
