/** The article model: the one shape every reader produces and every renderer and store speaks. */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini keeps its bundle small by loading no messages; English ones name what was expected.
z.config(en());

/** Ids become S3 keys and file names: letters, digits, dot, underscore, hyphen; no `..`, slash or NUL. */
export const ARTICLE_ID = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Every length (characters) and count the model allows: the schema below and the raw reader's own check
 * (src/read/valid.ts) both read them from here.
 */
export const LIMITS = {
  url: 2048,
  title: 1000,
  summary: 5000,
  dateline: 200,
  section: 100,
  tag: 100,
  tags: 100,
  author: 200,
  authors: 50,
  publisher: 200,
  attribution: 500,
  attributions: 20,
  paragraph: 100_000,
  paragraphs: 2000,
  quote: 2000,
  quotes: 100,
  speaker: 200,
  role: 300,
  photos: 100,
  caption: 5000,
  credit: 500,
  related: 100,
  relatedLabel: 100,
  relatedTitle: 500,
} as const;

const httpUrl = z.pipe(
  z.string().check(z.trim(), z.maxLength(LIMITS.url, `is longer than ${LIMITS.url} characters`), z.refine(isHttpUrl, 'must be an absolute http(s) URL')),
  z.transform(normaliseUrl),
);

/**
 * The URL as a strict RFC 3986 URI: WHATWG serialisation (punycode host, percent-encoded spaces and
 * non-ASCII), then the few characters it leaves that URIs forbid outside a host ([ ] | ^ ` { } \).
 * JSON Feed validators and feed readers insist on this.
 */
export function normaliseUrl(value: string): string {
  return normaliseParsed(new URL(value));
}

function normaliseParsed(url: URL): string {
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  // (The host is already ASCII, lower case and free of these characters after parsing.)
  const encode = (part: string) =>
    part
      .replace(/%(?![0-9A-Fa-f]{2})/g, '%25') // a stray % is a literal percent sign
      .replace(/[[\]|^`{}\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  // A fragment may not hold a second #.
  const hash = url.hash ? `#${encode(url.hash.slice(1)).replaceAll('#', '%23')}` : '';
  const rest = `${encode(url.pathname)}${encode(url.search)}${hash}`;
  return `${url.protocol}//${auth}${url.host}${rest}`;
}

export function isHttpUrl(value: string): boolean {
  try {
    return isHttp(new URL(value));
  } catch {
    return false;
  }
}

function isHttp(url: URL): boolean {
  // The host as RFC 3986 allows it (WHATWG parsing lets through hosts such as `"`).
  return (url.protocol === 'http:' || url.protocol === 'https:') && /^(?:[a-z0-9._~-]+|\[[0-9a-f:.]+\])$/i.test(url.hostname);
}

/** normaliseUrl of the value if isHttpUrl, else null: the two with one parse. */
export function normalisedHttpUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return isHttp(url) ? normaliseParsed(url) : null;
}

/** A date as the model stores it: ISO 8601 that Date.parse reads. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));
}

const isoDate = z.string().check(z.refine(isIsoDate, 'must be an ISO 8601 date'));

/** A photo's MIME type as the model keeps it. */
export const IMAGE_TYPE = /^image\/[a-z0-9.+-]+$/;

const text = (max: number) => z.string().check(z.maxLength(max, `is longer than ${max} characters`));
const nonEmptyText = (max: number) => z.string().check(z.maxLength(max, `is longer than ${max} characters`), z.minLength(1, 'must not be empty'));
const nullableDefault = <T extends z.ZodMiniType>(schema: T) => z._default(z.nullable(schema), null as never);
const count = (check: z.core.$ZodCheck<number>) => nullableDefault(z.int().check(check));

export const PhotoSchema = z.object({
  url: nullableDefault(httpUrl),
  caption: nullableDefault(text(LIMITS.caption)),
  credit: nullableDefault(text(LIMITS.credit)),
  type: nullableDefault(z.string().check(z.regex(IMAGE_TYPE, 'must be an image MIME type such as image/jpeg'))),
  bytes: count(z.gte(0)),
  width: count(z.gt(0)),
  height: count(z.gt(0)),
});

export const QuoteSchema = z.object({
  text: nonEmptyText(LIMITS.quote),
  speaker: nullableDefault(text(LIMITS.speaker)),
  role: nullableDefault(text(LIMITS.role)),
});

export const RelatedSchema = z.object({
  label: z._default(text(LIMITS.relatedLabel), 'Related'),
  title: nonEmptyText(LIMITS.relatedTitle),
  url: nullableDefault(httpUrl),
});

/** The normalised article (what `syndicate parse` prints and the store keeps). */
const list = <T extends z.ZodMiniType>(item: T, max: number) => z.array(item).check(z.maxLength(max, `holds more than ${max} items`));

export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export const ArticleSchema = z.object({
  id: z.string().check(z.regex(ARTICLE_ID, 'must be 1-128 letters, digits, ".", "_" or "-" (no "..", slashes or NUL)')),
  url: z.nullable(httpUrl),
  title: nonEmptyText(LIMITS.title),
  /** A title for small cards (MSN's mi:shortTitle, at most 54 characters); absent unless the article gives one. */
  shortTitle: z.optional(nonEmptyText(54)),
  summary: text(LIMITS.summary),
  published: isoDate,
  updated: isoDate,
  dateline: z.nullable(text(LIMITS.dateline)),
  language: z.string().check(z.regex(LANGUAGE_TAG, 'must be a language tag such as en or en-GB')),
  section: z.nullable(text(LIMITS.section)),
  tags: list(text(LIMITS.tag), LIMITS.tags),
  authors: list(text(LIMITS.author), LIMITS.authors),
  publisher: z.nullable(text(LIMITS.publisher)),
  attribution: list(text(LIMITS.attribution), LIMITS.attributions),
  paragraphs: list(text(LIMITS.paragraph), LIMITS.paragraphs).check(z.minLength(1, 'must hold at least one paragraph')),
  /**
   * Each paragraph's markup when it has any (issue 12: Markdown's links, emphasis, lists, headings and block
   * quotes; a CMS's content_html), '' for a plain one; absent when no paragraph has markup. Only the readers
   * write it, through the allowlist of src/read/html.ts: well-formed, escaped, http(s) and mailto links only.
   * The paragraph beside it is its plain text (summaries, budgets and partners' checks read that).
   */
  html: z.optional(list(text(LIMITS.paragraph), LIMITS.paragraphs)),
  quotes: list(QuoteSchema, LIMITS.quotes),
  photos: list(PhotoSchema, LIMITS.photos),
  related: list(RelatedSchema, LIMITS.related),
});

export type Article = z.output<typeof ArticleSchema>;
export type Photo = z.output<typeof PhotoSchema>;
export type Quote = z.output<typeof QuoteSchema>;
export type Related = z.output<typeof RelatedSchema>;

/** A warning about metadata that was derived rather than given; reported, never silent. */
export interface ReadWarning {
  field: string;
  message: string;
}

export interface ReadResult {
  article: Article;
  warnings: ReadWarning[];
  /**
   * The article gives no date: its dates are the time it was received (ReadContext.receivedAt). The store
   * then keeps the date its record already has (the first time it was received), so a replay or a new upload
   * of the same article does not move it (issue 12).
   */
  dateReceived?: true;
  /** Front matter says `draft: true` (Jekyll, Hugo): read and checked, but not to be published. */
  draft?: true;
}

/** The article without what only its content needs (body, summary, quotes, photos, related): its place and name. */
export function withoutContent(article: Article): Article {
  const { html: _html, ...rest } = article;
  return { ...rest, summary: '', paragraphs: [''], quotes: [], photos: [], related: [] };
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How many of `items` (newest first) are recent: published within `days` of the first, at most `cap`
 * (the news sitemap's articles, and the part of the site's window that holds them).
 */
export function recentCount(items: readonly Pick<Article, 'published'>[], recent: { days: number; cap: number }): number {
  const first = items[0];
  if (!first) return 0;
  const horizon = Date.parse(first.published) - recent.days * DAY_MS;
  let n = 0;
  while (n < items.length && n < recent.cap && Date.parse((items[n] as Pick<Article, 'published'>).published) >= horizon) n++;
  return n;
}

/** Newest first; ties broken by id so every order is deterministic. */
export function compareNewestFirst(a: Pick<Article, 'published' | 'id'>, b: Pick<Article, 'published' | 'id'>): number {
  const byDate = Date.parse(b.published) - Date.parse(a.published);
  if (byDate !== 0) return byDate;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
