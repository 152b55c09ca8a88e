/** Readers: a raw text article (with optional front matter) or a JSON article, chosen by file extension. */
import { isUtf8 } from 'node:buffer';
import type { Photo, ReadResult } from '../article.js';
import * as z from 'zod/mini';
import { ArticleSchema, isHttpUrl } from '../article.js';
import { ArticleError } from '../errors.js';
import { dayNear, monthDayOf, mostCommonDate, mostCommonYear } from './dates.js';
import { type ArticleDraft, finalizeArticle, type ReadContext, articleErrorFromZod } from './finalize.js';
import { splitFrontMatter } from './front-matter.js';
import { cleanHtml, htmlBlocks } from './html.js';
import { CountError, parseRawBody, type RawMarker, type RawPhoto } from './raw.js';

export type { ReadContext } from './finalize.js';

/** Largest article accepted, in bytes: wire copy is tens of kilobytes; this bounds memory and time. */
export const MAX_ARTICLE_BYTES = 2 * 1024 * 1024;

export const ARTICLE_EXTENSIONS = ['.txt', '.md', '.markdown', '.json'] as const;

export function isArticleName(name: string): boolean {
  const lower = name.toLowerCase();
  return ARTICLE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function checkSize(content: string | Uint8Array, source: string): void {
  const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  if (bytes > MAX_ARTICLE_BYTES) {
    throw new ArticleError(source, '(size)', `${bytes} bytes is over the limit of ${MAX_ARTICLE_BYTES} bytes for one article`);
  }
}

/**
 * The bytes as text, refused unless valid UTF-8; a byte order mark at the start goes, as TextDecoder drops
 * it. isUtf8 and toString are native and need no decoder object per call (a fatal TextDecoder made for
 * each article was about 4% of reading 2,000 articles in a fresh process; issue 9).
 */
function decode(content: string | Uint8Array, source: string): string {
  if (typeof content === 'string') return content;
  if (!isUtf8(content)) throw new ArticleError(source, '(encoding)', 'is not valid UTF-8 text');
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads raw wire copy, front matter first when present; with `markdown` (`.md`, `.markdown`) the body is
 * CommonMark (src/read/markdown.ts).
 */
export function readRawArticle(content: string | Uint8Array, context: ReadContext, options: { markdown?: boolean } = {}): ReadResult {
  checkSize(content, context.source);
  const { meta, body, extras } = splitFrontMatter(decode(content, context.source), context.source);
  let parts: ReturnType<typeof parseRawBody>;
  try {
    parts = parseRawBody(body, { markdown: options.markdown === true });
  } catch (error) {
    if (error instanceof CountError) throw new ArticleError(context.source, error.field, error.message, { cause: error });
    throw error;
  }
  const warnings: ReadResult['warnings'] = [];
  for (const url of parts.droppedUrls) warnings.push({ field: 'photos', message: `ignored a photo URL that is not http(s): ${url.slice(0, 100)}` });
  for (const key of extras.unknown) warnings.push({ field: key.slice(0, 100), message: 'front matter key not understood; ignored' });
  for (const url of extras.droppedImages) warnings.push({ field: 'photos', message: `ignored a front matter image that is not an absolute http(s) URL: ${url.slice(0, 100)}` });

  // Photo URLs: front matter first (by position), then the page's image markers, matched to captions.
  const given = meta.photos ?? [];
  const { urls: markerUrls, extra } = matchMarkers(parts.photos, parts.markers);
  const photos: Photo[] = [];
  const count = Math.max(parts.photos.length + extra.length, given.length);
  for (let i = 0; i < count; i++) {
    const found = parts.photos[i] ?? extra[i - parts.photos.length];
    const fromMeta = given[i];
    const url = fromMeta?.url ?? markerUrls[i] ?? null;
    if (url !== null && !isHttpUrl(url)) throw new ArticleError(context.source, `photos[${i}].url`, `"${url.slice(0, 200)}" must be an absolute http(s) URL`);
    photos.push({
      url,
      caption: fromMeta?.caption ?? found?.caption ?? null,
      credit: fromMeta?.credit ?? found?.credit ?? null,
      type: fromMeta?.type ?? null,
      bytes: fromMeta?.bytes ?? null,
      width: fromMeta?.width ?? null,
      height: fromMeta?.height ?? null,
    });
  }

  const draft: ArticleDraft = {
    id: meta.id ?? null,
    url: meta.url ?? null,
    title: meta.title ?? parts.title,
    shortTitle: meta.shortTitle ?? null,
    summary: meta.summary ?? null,
    published: meta.published ?? null,
    updated: meta.updated ?? null,
    dateline: meta.dateline ?? parts.dateline,
    language: meta.language ?? null,
    section: meta.section ?? extras.categories[0] ?? null,
    tags: [...(meta.tags ?? []), ...extras.categories.slice(meta.section === undefined ? 1 : 0)],
    authors: meta.authors ?? (meta.author ? [meta.author] : parts.authors),
    publisher: meta.publisher ?? parts.publisher,
    attribution: parts.attribution,
    paragraphs: parts.paragraphs,
    html: parts.html,
    quotes: parts.quotes,
    photos,
    related: parts.related,
    dateSources: [...givenDays(parts), parts.captionText, parts.paragraphs],
    plainParagraphs: true,
    fromRawReader: true,
  };
  const result = finalizeArticle(draft, context);
  for (const warning of result.warnings) warnings.push(warning);
  if (extras.draft) warnings.push({ field: 'draft', message: 'draft: true; not published' });
  return { ...result, warnings, ...(extras.draft ? { draft: true as const } : {}) };
}

/**
 * Days the raw text gives rather than mentions, best first: a byline's (`| Updated: 2024-02-12 09:15`),
 * then the dateline's month and day in the year the captions or the text write (issue 13). Each is a date
 * source of its own, ahead of the dates found in captions and paragraphs.
 */
function givenDays(parts: ReturnType<typeof parseRawBody>): string[][] {
  const days: string[][] = [];
  if (parts.bylineDate !== null) days.push([parts.bylineDate]);
  const monthDay = parts.datelineDate === null ? null : monthDayOf(parts.datelineDate);
  if (monthDay) {
    const near = mostCommonDate(parts.captionText) ?? mostCommonDate(parts.paragraphs);
    const year = near === null ? (mostCommonYear(parts.captionText) ?? mostCommonYear(parts.paragraphs)) : null;
    const day = near !== null ? dayNear(monthDay.month, monthDay.day, near) : year !== null ? dayNear(monthDay.month, monthDay.day, `${year}-07-02`) : null;
    if (day !== null) days.push([day]);
  }
  return days;
}

const foldText = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * Pairs image markers with captions. A marker whose alt text opens a caption belongs to it; the rest go in
 * order: one to one when there are as many markers as captions, else the markers with a URL fill the
 * captions still without one. Markers left over are photos of their own, their alt text the caption.
 * Each caption and alt text is folded once; the work is linear in the markers (issue 9: a page of markers
 * against thousands of captions took a minute), plus the captions squared at worst.
 */
export function matchMarkers(photos: readonly RawPhoto[], markers: readonly RawMarker[]): { urls: (string | null)[]; extra: (RawPhoto & { url: string })[] } {
  // Loops rather than map here and in parseRawBody: see the note there.
  const urls: (string | null | undefined)[] = [];
  for (let i = 0; i < photos.length; i++) urls.push(undefined);
  const used = new Set<number>();
  // Captions folded and sorted, once the first alt text long enough to match needs them: those an alt text
  // opens stand together, from the first not below it. free(s): the first at or after s still without a
  // marker (taken ones are skipped by pointers, shortened as they are followed); sorted.length when none.
  let sorted: { text: string; k: number }[] | null = null;
  let skip: number[] = [];
  const free = (s: number): number => {
    let r = s;
    while ((skip[r] as number) !== r) r = skip[r] as number;
    for (let t = s; t !== r; ) {
      const after = skip[t] as number;
      skip[t] = r;
      t = after;
    }
    return r;
  };
  let open = photos.length;
  markers.forEach((marker, m) => {
    if (open === 0) return;
    const alt = foldText(marker.alt);
    if (alt.length < 8) return;
    if (sorted === null) {
      sorted = photos
        .flatMap((p, k) => (p.caption === null ? [] : [{ text: foldText(p.caption), k }]))
        .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : a.k - b.k));
      skip = Array.from({ length: sorted.length + 1 }, (_, s) => s);
      open = sorted.length;
    }
    const captions = sorted;
    let lo = 0;
    for (let hi = captions.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if ((captions[mid]?.text as string) < alt) lo = mid + 1;
      else hi = mid;
    }
    // The first caption in the text among those it opens.
    let best = -1;
    for (let s = free(lo); s < captions.length && captions[s]?.text.startsWith(alt); s = free(s + 1)) {
      if (best < 0 || (captions[s]?.k as number) < (captions[best]?.k as number)) best = s;
    }
    const taken = captions[best];
    if (taken) {
      urls[taken.k] = marker.url;
      used.add(m);
      skip[best] = best + 1;
      open--;
    }
  });
  if (markers.length === photos.length) {
    // One to one: marker i to caption i, unless either was paired by alt text.
    for (let i = 0; i < photos.length; i++) {
      if (urls[i] !== undefined || used.has(i)) continue;
      urls[i] = (markers[i] as RawMarker).url;
      used.add(i);
    }
  } else {
    let q = 0;
    for (let i = 0; i < photos.length; i++) {
      if (urls[i] !== undefined) continue;
      while (q < markers.length && (used.has(q) || (markers[q] as RawMarker).url === null)) q++;
      if (q === markers.length) break;
      urls[i] = (markers[q] as RawMarker).url;
      used.add(q++);
    }
  }
  const extra: (RawPhoto & { url: string })[] = [];
  for (let m = 0; m < markers.length; m++) {
    const marker = markers[m] as RawMarker;
    if (!used.has(m) && marker.url !== null) extra.push({ caption: marker.alt || null, credit: null, url: marker.url });
  }
  const all: (string | null)[] = [];
  for (const url of urls) all.push(url ?? null);
  for (const e of extra) all.push(e.url);
  return { urls: all, extra };
}

const JsonArticleSchema = z.looseObject({ ...z.partial(ArticleSchema).shape, paragraphs: ArticleSchema.shape.paragraphs });

/** Reads a structured article: the model's own fields, checked by the schema; missing metadata derived. */
export function readJsonArticle(content: string | Uint8Array, context: ReadContext): ReadResult {
  checkSize(content, context.source);
  let value: unknown;
  try {
    value = JSON.parse(decode(content, context.source).replace(/^\uFEFF/, ''));
  } catch (cause) {
    if (cause instanceof ArticleError) throw cause;
    throw new ArticleError(context.source, '(json)', `invalid JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArticleError(context.source, '(json)', 'must be a JSON object');
  // content_html (a CMS export): the body, cleaned by the allowlist (src/read/html.ts) and cut into blocks,
  // each block's text its paragraph. Markup given as `html` (the model's own field, as `syndicate parse`
  // prints it) goes through the same allowlist: no markup reaches a feed unchecked.
  let input = value as Record<string, unknown>;
  let html: string[] | undefined;
  const warnings: ReadResult['warnings'] = [];
  const fromHtml = input.content_html !== undefined && input.content_html !== null;
  if (fromHtml) {
    if (typeof input.content_html !== 'string') throw new ArticleError(context.source, 'content_html', 'must be a string of HTML');
    const blocks = htmlBlocks(input.content_html);
    if (blocks.length === 0) throw new ArticleError(context.source, 'content_html', 'holds no text');
    if (input.paragraphs !== undefined) warnings.push({ field: 'paragraphs', message: 'ignored: content_html gives the body' });
    input = { ...input, paragraphs: blocks.map((b) => b.text) };
    html = blocks.map((b) => b.html);
  } else if (Array.isArray(input.html)) {
    html = input.html.map((h) => (typeof h === 'string' && h !== '' ? cleanHtml(h).html : ''));
  }
  // MSN's short title, as CMS exports name it.
  if (input.short_title !== undefined && input.shortTitle === undefined) {
    const { short_title, ...others } = input;
    input = { ...others, shortTitle: short_title };
  }
  const { html: _given, ...rest } = input;
  const parsed = JsonArticleSchema.safeParse(rest);
  if (!parsed.success) throw articleErrorFromZod(context.source, parsed.error);
  const a = parsed.data;
  const result = finalizeArticle(
    {
      ...a,
      html,
      plainParagraphs: fromHtml,
      dateSources: [a.photos?.map((p) => p.caption ?? '') ?? [], a.paragraphs],
    },
    context,
  );
  return { ...result, warnings: [...warnings, ...result.warnings] };
}

/** Chooses the reader by the name's extension. */
export function readArticle(name: string, content: string | Uint8Array, context: Omit<ReadContext, 'source'> & { source?: string }): ReadResult {
  const full = { ...context, source: context.source ?? name };
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return readJsonArticle(content, full);
  if (isArticleName(lower)) return readRawArticle(content, full, { markdown: lower.endsWith('.md') || lower.endsWith('.markdown') });
  throw new ArticleError(full.source, '(file type)', `is not an article: expected ${ARTICLE_EXTENSIONS.join(', ')}`);
}
