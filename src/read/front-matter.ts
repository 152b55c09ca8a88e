/** The optional YAML block (`---` ... `---`) before a raw article's text. */
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import * as z from 'zod/mini';
import { isHttpUrl, PhotoSchema } from '../article.js';
import { ArticleError } from '../errors.js';
import { stripXmlForbidden } from '../text.js';
import { articleErrorFromZod } from './finalize.js';

const stringish = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
const dateish = z.pipe(
  z.union([z.string(), z.date()]),
  z.transform((v: string | Date) => (v instanceof Date ? v.toISOString() : v)),
);
const names = z.pipe(
  z.union([z.string(), z.number(), z.object({ name: z.string() })]),
  z.transform((v: string | number | { name: string }) => (typeof v === 'object' ? v.name : String(v))),
);
// A list, or one value written without brackets.
const listOfNames = z.union([z.array(names), z.pipe(names, z.transform((v: string) => [v]))]);

const PhotoFields = z.extend(z.partial(PhotoSchema), { url: z.optional(z.nullable(z.string())) });
type PhotoFields = z.output<typeof PhotoFields>;
const FrontMatterPhoto = z.union([z.pipe(z.string(), z.transform((url: string): PhotoFields => ({ url }))), PhotoFields]);

export const FrontMatterSchema = z.looseObject({
  id: z.optional(stringish),
  url: z.optional(z.string()),
  title: z.optional(stringish),
  shortTitle: z.optional(stringish),
  summary: z.optional(z.string()),
  published: z.optional(dateish),
  updated: z.optional(dateish),
  section: z.optional(stringish),
  tags: z.optional(listOfNames),
  authors: z.optional(listOfNames),
  author: z.optional(z.string()),
  language: z.optional(z.string()),
  publisher: z.optional(z.string()),
  dateline: z.optional(z.string()),
  photos: z.optional(z.array(FrontMatterPhoto)),
});

export type FrontMatter = z.output<typeof FrontMatterSchema>;

/** Fields FrontMatterSchema takes as plain strings (dates stay strings under the YAML core schema). */
const TEXT_FIELDS = new Set(['url', 'summary', 'published', 'updated', 'author', 'language', 'publisher', 'dateline']);
/** Fields it takes as a string or a number (`stringish`), and lists of such names (or one without brackets). */
const NAME_FIELDS = new Set(['id', 'title', 'shortTitle', 'section']);
const LIST_FIELDS = new Set(['tags', 'authors']);

/** A string, or a number the schema accepts (finite) as its String; null for anything else. */
function plainName(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/**
 * What FrontMatterSchema gives for plain front matter, the kind nearly every article carries (known fields
 * only, each a string or number, lists of them, photos as bare URLs), without a pass through zod's generic
 * machinery, slowest in a fresh process (issue 9: cold reading). Null for anything else (another
 * field, an object, a null, a list where a string goes), which then goes through the schema, so a
 * refusal is still in its words. tests/read-valid.test.ts holds it to the schema.
 */
export function plainFrontMatter(value: Record<string, unknown>): FrontMatter | null {
  const meta: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (TEXT_FIELDS.has(key)) {
      if (typeof v !== 'string') return null;
      meta[key] = v;
    } else if (NAME_FIELDS.has(key)) {
      const name = plainName(v);
      if (name === null) return null;
      meta[key] = name;
    } else if (LIST_FIELDS.has(key)) {
      const items = Array.isArray(v) ? v : [v];
      const names: string[] = [];
      for (const item of items) {
        const name = plainName(item);
        if (name === null) return null;
        names.push(name);
      }
      meta[key] = names;
    } else if (key === 'photos') {
      if (!Array.isArray(v) || !v.every((item) => typeof item === 'string')) return null;
      meta[key] = v.map((url: string) => ({ url }));
    } else {
      return null;
    }
  }
  return meta as FrontMatter;
}

/**
 * Keys other tools write (Jekyll, Hugo, Ghost) and the field each stands for (issue 12). The model's own key
 * wins when both are given.
 */
export const FRONT_MATTER_ALIASES: Readonly<Record<string, string>> = {
  date: 'published',
  short_title: 'shortTitle',
  lastmod: 'updated',
  last_modified_at: 'updated',
  description: 'summary',
  excerpt: 'summary',
  custom_excerpt: 'summary',
  image: 'photos',
  images: 'photos',
  feature_image: 'photos',
  author: 'authors',
  lang: 'language',
  permalink: 'url',
  canonical_url: 'url',
};

/** Keys read but not fields of the model: categories (section and tags) and draft (never published). */
const EXTRA_KEYS = new Set(['categories', 'category', 'draft']);

/** What the front matter says beyond the model's fields. */
export interface FrontMatterExtras {
  /** `draft: true` (Jekyll, Hugo): the article is not to be published. */
  draft: boolean;
  /** `categories` / `category`: the first is the section when none is given, the rest tags. */
  categories: string[];
  /** Keys not understood, each once, in order: reported, then ignored. */
  unknown: string[];
  /** Images given by an alias (`image: /img/a.jpg`) whose URL is not absolute http(s): reported, left out. */
  droppedImages: string[];
}

const KNOWN = new Set(['id', 'url', 'title', 'shortTitle', 'summary', 'published', 'updated', 'section', 'tags', 'authors', 'language', 'publisher', 'dateline', 'photos']);

function nameList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))) out.push(String(item));
    else if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') out.push((item as { name: string }).name);
  }
  return out;
}

/**
 * The mapping with aliases renamed to the model's keys (the model's own key first), categories and draft
 * taken out, and the keys not understood listed.
 */
export function resolveAliases(value: Record<string, unknown>): { fields: Record<string, unknown>; extras: FrontMatterExtras } {
  const fields: Record<string, unknown> = {};
  const extras: FrontMatterExtras = { draft: false, categories: [], unknown: [], droppedImages: [] };
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (KNOWN.has(key)) {
      fields[key] = v;
    } else if (EXTRA_KEYS.has(key)) {
      if (key === 'draft') extras.draft = v === true || v === 'true' || v === 'yes';
      else extras.categories.push(...nameList(v));
    } else if (FRONT_MATTER_ALIASES[key] !== undefined) {
      const target = FRONT_MATTER_ALIASES[key] as string;
      if (value[target] !== undefined || fields[target] !== undefined) continue;
      if (target === 'photos') {
        const images = (Array.isArray(v) ? v : [v]).filter((image) => {
          const url = typeof image === 'string' ? image : (image as { url?: unknown } | null)?.url;
          if (typeof url === 'string' && isHttpUrl(url)) return true;
          extras.droppedImages.push(typeof url === 'string' ? url : JSON.stringify(image ?? null).slice(0, 100));
          return false;
        });
        if (images.length > 0) fields[target] = images;
      }
      else if (target === 'authors') fields[target] = v === null ? undefined : v;
      else fields[target] = v;
    } else if (!extras.unknown.includes(key)) {
      extras.unknown.push(key);
    }
  }
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return { fields, extras };
}

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /\r?\n---[ \t]*(\r?\n|$)/;

/**
 * YAML aliases make one node appear in many places; nested, they explode into billions of nodes for any
 * code that walks the value (the "billion laughs"). Front matter has no use for them: a node seen twice
 * is refused, which also bounds this walk by the size of the text.
 */
function rejectSharedNodes(value: unknown, source: string): void {
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (seen.has(node)) throw new ArticleError(source, 'front matter', 'YAML aliases (*name) are not allowed');
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) walk(child);
  };
  walk(value);
}

const NO_EXTRAS: FrontMatterExtras = { draft: false, categories: [], unknown: [], droppedImages: [] };

/** Splits off and checks the front matter; the body is what follows it. */
export function splitFrontMatter(text: string, source: string): { meta: FrontMatter; body: string; extras: FrontMatterExtras } {
  if (!OPENING.test(text)) return { meta: {}, body: text, extras: NO_EXTRAS };
  const start = (OPENING.exec(text) as RegExpExecArray)[0].length;
  const rest = text.slice(start);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new ArticleError(source, 'front matter', 'opens with --- but has no closing --- line');
  // Control characters (a BEL in a title, a NUL) are dropped as they are from the body, not refused (issue 12).
  const yamlText = stripXmlForbidden(rest.slice(0, closing.index));
  let value: unknown;
  try {
    // YAML 1.2 core schema: dates stay strings (checked later), duplicate keys are errors.
    value = load(yamlText, { schema: CORE_SCHEMA, filename: source }) ?? {};
  } catch (cause) {
    if (!(cause instanceof YAMLException)) throw cause;
    const line = cause.mark?.line;
    throw new ArticleError(source, 'front matter', `invalid YAML${line !== undefined ? ` at line ${line + 1}` : ''}: ${cause.reason}`, { cause });
  }
  rejectSharedNodes(value, source);
  if (typeof value !== 'object' || Array.isArray(value)) throw new ArticleError(source, 'front matter', 'must be a YAML mapping of field: value');
  const body = rest.slice(closing.index + closing[0].length);
  const { fields, extras } = resolveAliases(value as Record<string, unknown>);
  const plain = plainFrontMatter(fields);
  if (plain) return { meta: plain, body, extras };
  const parsed = FrontMatterSchema.safeParse(fields);
  if (!parsed.success) throw articleErrorFromZod(source, parsed.error);
  return { meta: parsed.data, body, extras };
}
