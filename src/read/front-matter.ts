/** The optional YAML block (`---` ... `---`) before a raw article's text. */
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import * as z from 'zod/mini';
import { PhotoSchema } from '../article.js';
import { ArticleError } from '../errors.js';
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

/** Splits off and checks the front matter; the body is what follows it. */
export function splitFrontMatter(text: string, source: string): { meta: FrontMatter; body: string } {
  if (!OPENING.test(text)) return { meta: {}, body: text };
  const start = (OPENING.exec(text) as RegExpExecArray)[0].length;
  const rest = text.slice(start);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new ArticleError(source, 'front matter', 'opens with --- but has no closing --- line');
  const yamlText = rest.slice(0, closing.index);
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
  const parsed = FrontMatterSchema.safeParse(value);
  if (!parsed.success) throw articleErrorFromZod(source, parsed.error);
  return { meta: parsed.data, body: rest.slice(closing.index + closing[0].length) };
}
