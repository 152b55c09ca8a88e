/** The article model: the one shape every reader produces and every renderer and store speaks. */
import { z } from 'zod';

/** Ids become S3 keys and file names: letters, digits, dot, underscore, hyphen; no `..`, slash or NUL. */
export const ARTICLE_ID = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const httpUrl = z
  .string()
  .trim()
  .max(2048, 'is longer than 2048 characters')
  .refine(isHttpUrl, 'must be an absolute http(s) URL');

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const isoDate = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date');

const text = (max: number) => z.string().max(max, `is longer than ${max} characters`);

export const PhotoSchema = z.object({
  url: httpUrl.nullable().default(null),
  caption: text(5000).nullable().default(null),
  credit: text(500).nullable().default(null),
  type: z
    .string()
    .regex(/^image\/[a-z0-9.+-]+$/, 'must be an image MIME type such as image/jpeg')
    .nullable()
    .default(null),
  bytes: z.number().int().nonnegative().nullable().default(null),
  width: z.number().int().positive().nullable().default(null),
  height: z.number().int().positive().nullable().default(null),
});

export const QuoteSchema = z.object({
  text: text(2000).min(1, 'must not be empty'),
  speaker: text(200).nullable().default(null),
  role: text(300).nullable().default(null),
});

export const RelatedSchema = z.object({
  label: text(100).default('Related'),
  title: text(500).min(1, 'must not be empty'),
  url: httpUrl.nullable().default(null),
});

/** The normalised article (what `syndicate parse` prints and the store keeps). */
export const ArticleSchema = z.object({
  id: z.string().regex(ARTICLE_ID, 'must be 1-128 letters, digits, ".", "_" or "-" (no "..", slashes or NUL)'),
  url: httpUrl.nullable(),
  title: text(1000).min(1, 'must not be empty'),
  summary: text(5000),
  published: isoDate,
  updated: isoDate,
  dateline: text(200).nullable(),
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or en-GB'),
  section: text(100).nullable(),
  tags: z.array(text(100)).max(100),
  authors: z.array(text(200)).max(50),
  publisher: text(200).nullable(),
  attribution: z.array(text(500)).max(20),
  paragraphs: z.array(text(100_000)).min(1, 'must hold at least one paragraph').max(2000),
  quotes: z.array(QuoteSchema).max(100),
  photos: z.array(PhotoSchema).max(100),
  related: z.array(RelatedSchema).max(100),
});

export type Article = z.infer<typeof ArticleSchema>;
export type Photo = z.infer<typeof PhotoSchema>;
export type Quote = z.infer<typeof QuoteSchema>;
export type Related = z.infer<typeof RelatedSchema>;

/** A warning about metadata that was derived rather than given; reported, never silent. */
export interface ReadWarning {
  field: string;
  message: string;
}

export interface ReadResult {
  article: Article;
  warnings: ReadWarning[];
}

/** Newest first; ties broken by id so every order is deterministic. */
export function compareNewestFirst(a: Pick<Article, 'published' | 'id'>, b: Pick<Article, 'published' | 'id'>): number {
  const byDate = Date.parse(b.published) - Date.parse(a.published);
  if (byDate !== 0) return byDate;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
