/**
 * Turns what a reader found into a valid Article: derives what is missing (reporting each derivation as a
 * warning), cleans every text field, and checks the result against the schema. Shared by both readers.
 */
import type * as z from 'zod/mini';
import { ARTICLE_ID, type Article, ArticleSchema, type ReadResult, type ReadWarning } from '../article.js';
import { ArticleError } from '../errors.js';
import { isoSeconds, shortHash, slugify, toPlainText, truncateAtWord } from '../text.js';
import { findDates, mostCommonDate } from './dates.js';
import { checkedArticle } from './valid.js';

export const TITLE_MAX = 110;
export const SUMMARY_MAX = 300;

/** Everything a reader may know; all optional but paragraphs. */
export interface ArticleDraft {
  id?: string | null;
  url?: string | null;
  title?: string | null;
  /** A title for small cards (MSN's mi:shortTitle). */
  shortTitle?: string | null;
  summary?: string | null;
  published?: string | null;
  updated?: string | null;
  dateline?: string | null;
  language?: string | null;
  section?: string | null;
  tags?: string[];
  authors?: string[];
  publisher?: string | null;
  attribution?: string[];
  paragraphs: string[];
  /** Each paragraph's cleaned markup, '' for a plain one (Markdown and content_html; see Article.html). */
  html?: string[];
  quotes?: Article['quotes'];
  photos?: Article['photos'];
  related?: Article['related'];
  /** Text whose dates date the article, in order of trust. */
  dateSources?: string[][];
  /** The paragraphs are plain text already (the raw reader cleans as it reads): not cleaned twice. */
  plainParagraphs?: boolean;
  /**
   * Built by the raw reader: checked by checkedArticle (src/read/valid.ts) rather than by a second pass of
   * ArticleSchema, which runs only when that check fails, to report the refusal in its words.
   */
  fromRawReader?: boolean;
}

export interface ReadContext {
  /** File name, object key or request id: named in every error and warning. */
  source: string;
  /** When the article was received (file mtime, object LastModified): the date of last resort. */
  receivedAt?: Date;
  /** Language when the article does not say. */
  defaultLanguage?: string;
  /**
   * Dates from the article alone, never from when or where it was read (`build`: the same committed file
   * gives the same feeds on every clone): without one, it is dated UNDATED, with a warning.
   */
  stableDates?: boolean;
}

/** The date of an article that gives none, read with stableDates: fixed, and plainly a placeholder. */
export const UNDATED = '1970-01-01T00:00:00Z';

/** Id from a URL: its path as a slug, with a hash where the slug alone could collide. */
export function idFromUrl(url: string): string {
  const parsed = new URL(url);
  const path = slugify(decodeURIComponent(parsed.pathname.replace(/\.(s?html?|php|aspx?)$/i, '')), 96);
  if (path === '' || parsed.search !== '' || path.length >= 96) return `${path || 'article'}-${shortHash(url, 10)}`.replace(/^-/, '');
  return path;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const RFC_2822 = /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:GMT|UTC|UT|Z|[+-]\d{4})$/;

/**
 * A date as ISO 8601 (UTC, seconds). Accepts ISO 8601 (no zone means UTC, so a build never depends on the
 * machine's zone), RFC 2822, or a written date ("April 25, 2019"); rejects impossible days like 30 February.
 */
export function normaliseDate(value: string, source: string, field: string): string {
  const text = value.trim();
  const fail = () => new ArticleError(source, field, `"${text.slice(0, 60)}" is not a valid date (use ISO 8601, e.g. 2019-04-25T08:00:00Z)`);
  const iso = ISO_DATE.exec(text);
  if (iso) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = iso;
    if (!isCalendarDay(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) throw fail();
    const time = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
    if (Number.isNaN(time)) throw fail();
    return isoSeconds(new Date(time));
  }
  if (RFC_2822.test(text)) {
    const time = Date.parse(text);
    if (Number.isNaN(time)) throw fail();
    return isoSeconds(new Date(time));
  }
  const written = findDates(text);
  if (written.length === 1 && written[0]?.index === 0 && written[0].length === text.replace(/[.\s]+$/, '').length) {
    return `${written[0].day}T00:00:00Z`;
  }
  throw fail();
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const clean = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  const text = toPlainText(value);
  return text === '' ? null : text;
};

/** Joins a zod path the way people write it: photos[0].url. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || '(article)';
}

/** A zod issue in words: "is missing" rather than "expected array, received undefined". */
export function zodMessage(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'is invalid';
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `is missing (expected ${issue.expected})`;
  return issue.message;
}

export function articleErrorFromZod(source: string, error: z.core.$ZodError, prefix = ''): ArticleError {
  const issue = error.issues[0];
  const field = fieldPath([...(prefix ? [prefix] : []), ...(issue?.path ?? [])]);
  return new ArticleError(source, field, zodMessage(issue), { cause: error });
}

export function finalizeArticle(draft: ArticleDraft, context: ReadContext): ReadResult {
  const { source } = context;
  const warnings: ReadWarning[] = [];
  const warn = (field: string, message: string) => warnings.push({ field, message });

  const texts = draft.plainParagraphs ? draft.paragraphs : draft.paragraphs.map((p) => toPlainText(p));
  const paragraphs: string[] = [];
  const html: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (texts[i] === '') continue;
    paragraphs.push(texts[i] as string);
    html.push(draft.html?.[i] ?? '');
  }
  if (paragraphs.length === 0) throw new ArticleError(source, 'paragraphs', 'the article has no body text');
  const lead = paragraphs[0] as string;

  let title = clean(draft.title);
  if (!title) {
    const sentence = /^(.{20,}?[.!?])(\s|$)/.exec(lead)?.[1];
    title = truncateAtWord(sentence && sentence.length <= TITLE_MAX ? sentence : lead, TITLE_MAX);
    warn('title', `derived from the lead paragraph: "${title}"`);
  }

  let summary = clean(draft.summary);
  if (!summary) {
    summary = truncateAtWord(lead, SUMMARY_MAX);
    warn('summary', 'derived from the lead paragraph');
  }

  let published: string;
  let dateReceived = false;
  if (draft.published) {
    published = normaliseDate(draft.published, source, 'published');
  } else {
    const day = (draft.dateSources ?? []).map((texts) => mostCommonDate(texts)).find((d) => d !== null);
    if (day) {
      published = `${day}T00:00:00Z`;
      warn('published', `derived from a date in the text: ${day}`);
    } else if (context.stableDates) {
      published = UNDATED;
      warn('published', `no date in the front matter or the text; dated ${UNDATED} so every build gives the same feeds (add "date:" to the front matter)`);
    } else if (context.receivedAt && !Number.isNaN(context.receivedAt.getTime())) {
      published = isoSeconds(context.receivedAt);
      dateReceived = true;
      warn('published', `no date in the text; using the time it was first received: ${published}`);
    } else {
      throw new ArticleError(source, 'published', 'missing, and no date can be derived from the text');
    }
  }
  const updated = draft.updated ? normaliseDate(draft.updated, source, 'updated') : published;
  if (Date.parse(updated) < Date.parse(published)) throw new ArticleError(source, 'updated', `${updated} is before published ${published}`);

  const url = clean(draft.url);
  let id = draft.id?.trim() || null;
  if (id !== null && !ARTICLE_ID.test(id)) {
    throw new ArticleError(source, 'id', `"${id.slice(0, 80)}" must be 1-128 letters, digits, ".", "_" or "-" (no "..", slashes or NUL)`);
  }
  if (!id) {
    if (url) {
      try {
        id = idFromUrl(url);
      } catch (cause) {
        throw new ArticleError(source, 'url', `"${url.slice(0, 200)}" is not a valid URL`, { cause });
      }
      warn('id', `derived from the URL: ${id}`);
    } else {
      // The title and the text only: the same file gives the same id on every clone and every run, whatever
      // its date (issue 12). An edit of the text makes another id: an explicit id or URL keeps one.
      id = `a-${shortHash([title, ...paragraphs].join('\n'))}`;
      warn('id', `no id or URL; derived from a hash of the title and text (an edit changes it: give an id or url): ${id}`);
    }
  }

  // A short title over MSN's 54 characters would be refused by the model: dropped, with a warning.
  let shortTitle = clean(draft.shortTitle);
  if (shortTitle && shortTitle.length > 54) {
    warn('shortTitle', `ignored: ${shortTitle.length} characters, over 54`);
    shortTitle = null;
  }
  const candidate = {
    id,
    url,
    title,
    ...(shortTitle ? { shortTitle } : {}),
    summary,
    published,
    updated,
    dateline: clean(draft.dateline),
    language: draft.language?.trim() || context.defaultLanguage || 'en',
    section: clean(draft.section),
    tags: cleanUnique(draft.tags),
    authors: cleanUnique(draft.authors),
    publisher: clean(draft.publisher),
    attribution: cleanUnique(draft.attribution),
    paragraphs,
    quotes: mapList(draft.quotes, (q) => ({ text: clean(q.text) ?? '', speaker: clean(q.speaker), role: clean(q.role) })),
    photos: mapList(draft.photos, (p) => ({ ...p, caption: clean(p.caption), credit: clean(p.credit) })),
    related: mapList(draft.related, (r) => ({ label: clean(r.label) ?? 'Related', title: clean(r.title) ?? '', url: r.url })),
    ...(html.some((h) => h !== '') ? { html } : {}),
  };
  const received = dateReceived ? { dateReceived: true as const } : {};
  const checked = draft.fromRawReader ? checkedArticle(candidate) : null;
  if (checked) return { article: checked, warnings, ...received };
  const parsed = ArticleSchema.safeParse(candidate);
  if (!parsed.success) throw articleErrorFromZod(source, parsed.error);
  return { article: parsed.data, warnings, ...received };
}

/** The items mapped, by a loop (see parseRawBody's lines: arrays from map change kind once optimised). */
function mapList<T, U>(items: readonly T[] | undefined, f: (item: T) => U): U[] {
  const out: U[] = [];
  for (const item of items ?? []) out.push(f(item));
  return out;
}

/** Each value cleaned, empty ones left out, each kept once (a loop: see parseRawBody's lines). */
function cleanUnique(values: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values ?? []) {
    const text = clean(value);
    if (text !== null && !seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  }
  return out;
}
