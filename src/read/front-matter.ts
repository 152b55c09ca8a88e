/** The optional YAML block (`---` ... `---`) before a raw article's text. */
import { parseDocument } from 'yaml';
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

/** Splits off and checks the front matter; the body is what follows it. */
export function splitFrontMatter(text: string, source: string): { meta: FrontMatter; body: string } {
  if (!OPENING.test(text)) return { meta: {}, body: text };
  const start = (OPENING.exec(text) as RegExpExecArray)[0].length;
  const rest = text.slice(start);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new ArticleError(source, 'front matter', 'opens with --- but has no closing --- line');
  const yamlText = rest.slice(0, closing.index);
  const document = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = first?.linePos?.[0]?.line;
    throw new ArticleError(source, 'front matter', `invalid YAML${line ? ` at line ${line + 1}` : ''}: ${first?.message.split('\n')[0]}`, { cause: first });
  }
  const value: unknown = document.toJS({ maxAliasCount: 50 }) ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ArticleError(source, 'front matter', 'must be a YAML mapping of field: value');
  const parsed = FrontMatterSchema.safeParse(value);
  if (!parsed.success) throw articleErrorFromZod(source, parsed.error);
  return { meta: parsed.data, body: rest.slice(closing.index + closing[0].length) };
}
