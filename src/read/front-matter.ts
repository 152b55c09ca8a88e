/** The optional YAML block (`---` ... `---`) before a raw article's text. */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PhotoSchema } from '../article.js';
import { ArticleError } from '../errors.js';
import { articleErrorFromZod } from './finalize.js';

const stringish = z.union([z.string(), z.number()]).transform(String);
const dateish = z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString() : v));
const names = z.union([z.string(), z.number(), z.object({ name: z.string() })]).transform((v) => (typeof v === 'object' ? v.name : String(v)));
// A list, or one value written without brackets.
const listOfNames = z.union([z.array(names), names.transform((v) => [v])]);

const PhotoFields = PhotoSchema.partial().extend({ url: z.string().nullable().optional() });
const FrontMatterPhoto = z.union([z.string().transform((url): z.infer<typeof PhotoFields> => ({ url })), PhotoFields]);

export const FrontMatterSchema = z
  .object({
    id: stringish.optional(),
    url: z.string().optional(),
    title: stringish.optional(),
    summary: z.string().optional(),
    published: dateish.optional(),
    updated: dateish.optional(),
    section: stringish.optional(),
    tags: listOfNames.optional(),
    authors: listOfNames.optional(),
    author: z.string().optional(),
    language: z.string().optional(),
    publisher: z.string().optional(),
    dateline: z.string().optional(),
    photos: z.array(FrontMatterPhoto).optional(),
  })
  .passthrough();

export type FrontMatter = z.infer<typeof FrontMatterSchema>;

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
