/**
 * The raw reader: wire copy scraped from a web page, one paragraph a line, with photo captions and credits,
 * pull quotes, related-story lines, agency attribution and page leftovers mixed in. It sorts each line into
 * what it is; only body text becomes paragraphs.
 */
import { isHttpUrl } from '../article.js';
import { escapeHtml, stripXmlForbidden, titleCaseName, toPlainText as toPlain } from '../text.js';
import { bareCredit, closingAttribution, isAgencyAlone, isConventionCredit, mastheadByline, readDateline, readsAsCaption } from './conventions.js';
import { cleanHtml } from './html.js';
import { inlineMarkdown, type MarkdownBlock, markdownBlocks, mayHoldMarkdown, renderInlineMarkdown } from './markdown.js';

/** Lines reaching here have had their spacing folded and forbidden characters removed by splitLines. */
const toPlainText = (text: string) => toPlain(text, { spacingDone: true });

export interface RawPhoto {
  caption: string | null;
  credit: string | null;
}
export interface RawMarker {
  alt: string;
  url: string | null;
}
export interface RawQuote {
  text: string;
  speaker: string | null;
  role: string | null;
}
export interface RawRelated {
  label: string;
  title: string;
  url: string | null;
}

/** What the raw text says, before front matter and derivation fill the rest. */
export interface RawParts {
  title: string | null;
  dateline: string | null;
  paragraphs: string[];
  /** For each paragraph, its markup when it has any (Markdown: links, emphasis, lists, headings...), else ''. */
  html: string[];
  quotes: RawQuote[];
  /** Captioned photos in order of appearance. */
  photos: RawPhoto[];
  /** Image markers `![alt](url) |` in order; their URLs are photo URLs. */
  markers: RawMarker[];
  related: RawRelated[];
  attribution: string[];
  authors: string[];
  publisher: string | null;
  /** Text that dates the article, captions first: they describe the event. */
  captionText: string[];
  /** Markers whose URL was dropped (not http(s)), to warn about. */
  droppedUrls: string[];
  /** The month and day of the dateline ("Feb 12"), without a year: the published day once a year is found. */
  datelineDate: string | null;
  /** A day (YYYY-MM-DD) a byline gives (`| Updated: 2024-02-12 09:15`): better than any found in the text. */
  bylineDate: string | null;
}

const MARKER = /!\[([^\]]{0,300})\]\(([^)\s]{0,2048})(?:\s+"[^"]{0,300}")?\)/g;
const MARKER_LINE = /^(?:\s*!\[[^\]]*\]\([^)]*\)\s*\|?)+\s*$/;
const PIPE_LINE = /^([^|]{1,100}?)\s*\|\s*$/;
const PUBLICATION = /\b(DAILY|NEWS|TIMES|POST|HERALD|PRESS|TRIBUNE|JOURNAL|GAZETTE|TELEGRAPH|CHRONICLE|AGENCY|MEDIA|NETWORK|WEEKLY|MONITOR|REVIEW|XINHUA)\b/;
const RELATED = /^(READ MORE|ALSO READ|READ ALSO|RELATED|RELATED STORY|RELATED STORIES|SEE ALSO|MORE|Read more|Also read|Related|Related story|Related stories|See also)\s*[:：]\s*(.+)$/;
// [title](url): the URL may hold one level of parentheses, as javascript:alert(1) does.
const MARKDOWN_LINK = /^\[([^\]]{1,500})\]\(((?:[^()\s]|\([^()\s]{0,200}\)){1,2048})\)\s*\|?$/;
const LOOSE_LINK = /^\[([^\]]{1,500})\]\(/;
// "By" and names (capitalised words, joined by commas or "and"), optionally "in City".
const NAME = "\\p{Lu}[\\p{L}'’.-]*(?:\\s+(?:\\p{Lu}[\\p{L}'’.-]*|de|van|von|bin|al|da|del|la|le))*";
const BYLINE = new RegExp(`^By\\s+(${NAME}(?:\\s*(?:,|\\band\\b|&)\\s*${NAME})*(?:\\s+(?:in|from)\\s+\\p{Lu}[\\p{L} ,.'’-]*)?)$`, 'u');
const CONTACT = /^(Contact the (writer|writers|reporter|author)s?\b|Email:|E-mail:)/i;
const NAV_WORDS = /^(share|print|email|e-mail|facebook|twitter|x|wechat|weibo|linkedin|whatsapp|top|back to top|comments?)$/i;
const RIGHTS_LINE = /^copyright\b|all rights reserved\.?$/i;
const PAREN_LINE = /^[([]\s*([^()[\]]{1,200}?)\s*[)\]]$/;
const TRAILING_CREDIT = /^(.*\S)\s*[([]\s*([^()[\]]{2,200}?)\s*[)\]]\s*$/;
const PHOTO_WORDS = /\b(PHOTO|PHOTOS|PHOTOGRAPH|PROVIDED|COURTESY)\b/;
const CREDIT_WORDS = /\b(PHOTO|PHOTOS|PHOTOGRAPH|FILE|PROVIDED|COURTESY|POOL|IMAGE|IMAGES|VCG|IC|AP|AFP|REUTERS|GETTY|EPA|XINHUA|CHINA DAILY|AGENCIES|CNS|SPUTNIK|TASS|BLOOMBERG)\b/;
const ATTRIBUTION_PHRASE = /^(with\b.*\binputs?\b.*|agencies|xinhua|reuters|ap|afp|dpa|tass|kyodo|yonhap|bernama|anadolu|bloomberg|cgtn|china daily|china news service|source:.*|sources:.*|.*\bcontributed to this (story|report|article)\.?)$/i;
const SENTENCE_END = /[.!?:;…]["'”’)\]]*$/;
// Datelines, and the agencies' photo credits, closing lines and bylines: the table in conventions.ts.
/** Markdown's own inline syntax (emphasis, code, links, escapes), beside HTML's < and &. */
const MARKDOWN_SYNTAX = /[*_`[\]\\]/;
const ABBREVIATION_END = /\b(Ltd|Co|Inc|Corp|Plc|Jr|Sr|Bros|Dept|Univ|St)\.$/;
// A speaker's name does not open with a preposition or article: "In Zurich, officials said" is prose.
const SPEAKER = /^(?!(?:In|On|At|The|A|An|For|From|With|By|As|After|Before|During|Since|Under|Over|To|Of|But|And|When|While|If)\s)(\p{Lu}[\p{L}'’.-]*(?:\s+(?:\p{Lu}[\p{L}'’.-]*|de|van|von|bin|al|da|del|la|le)){1,4}),\s+(\S.{1,119})$/u;

/** Folds a line to letters and digits, for finding text that repeats another's. */
function fold(text: string): string {
  // Letters and digits of any script stay; ASCII punctuation, general punctuation (curly quotes,
  // dashes) and CJK punctuation go. A plain character class: far faster than \p{L} on every line.
  return text
    .toLowerCase()
    .replace(/[^a-z0-9\u00C0-\u1FFF\u2070-\u2FFF\u3040-\uFF00\uFF10-\uFFEF]+/g, ' ')
    .trim();
}

/** Whether fold() keeps this UTF-16 code unit (lower case): its class, as a range test. */
function isFoldChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0xc0 && c <= 0x1fff) || (c >= 0x2070 && c <= 0x2fff) || (c >= 0x3040 && c <= 0xff00) || (c >= 0xff10 && c <= 0xffef);
}

/**
 * A bracketed text that reads as a photo credit: in capitals with a slash, a photo word, or a name. At
 * the end of a line a lone capitalised word such as (EPA) or (AP) is an acronym or an attribution, not a
 * credit; on its own line under a caption it is one.
 */
function isCreditText(inner: string, standalone: boolean): boolean {
  if (/^photo\s*[/:]/i.test(inner)) return true;
  if (/\p{Ll}/u.test(inner) || !/\p{Lu}/u.test(inner)) return false;
  if (inner.includes('/') || PHOTO_WORDS.test(inner)) return true;
  const words = inner.split(/\s+/).length;
  if (standalone) return CREDIT_WORDS.test(inner) || words <= 6;
  return words >= 2 && words <= 6;
}

type Kind =
  | 'text'
  | 'caption'
  | 'credit'
  | 'marker'
  | 'leftover'
  | 'publication'
  | 'related'
  | 'attribution'
  | 'byline'
  | 'quote'
  | 'speaker'
  | 'title'
  | 'rich';

interface Line {
  text: string;
  kind: Kind;
  /** For captions with the credit on the same line; for credit lines, the credit. */
  credit?: string;
  /** A credit written without brackets (`ZOU HONG / CHINA DAILY`): a credit only under a caption. */
  bare?: boolean;
  /** A byline's date (YYYY-MM-DD) and masthead, when it gives them. */
  date?: string;
  publisher?: string;
  /** A Markdown block (heading, list, block quote, code): its cleaned markup; `text` is its plain text. */
  html?: string;
  block?: MarkdownBlock['kind'];
}

/** A Markdown block standing where its lines stood. */
interface RichItem {
  html: string;
  text: string;
  kind: MarkdownBlock['kind'];
}

/**
 * Splits into lines; joins a hard-wrapped line with the next when the sentence plainly runs on. In Markdown,
 * the lines of a heading, list, block quote or fenced code give one item in their place (markdown.ts).
 */
function splitLines(body: string, markdown: boolean): (string | RichItem)[] {
  // Characters XML forbids go once, here, for the whole text: every line after this is clean.
  const text = stripXmlForbidden(body.replace(/^\uFEFF/, '')).replace(/\r\n?/g, '\n');
  const raw = text.split('\n');
  const blocks = markdown ? markdownBlocks(text) : [];
  const lines: (string | RichItem)[] = [];
  let previousBlank = true;
  let nextBlock = 0;
  for (let n = 0; n < raw.length; n++) {
    const block = blocks[nextBlock];
    if (block !== undefined && n === block.start) {
      nextBlock++;
      const only = block.end - block.start === 1 ? (raw[n] as string).trim() : null;
      // One line that wire copy reads as something other than body text ("- AFP", "# (XINHUA)") stays wire copy.
      if (only === null || classify(only, [], []).kind === 'text') {
        if (block.kind !== 'rule' && block.text !== '') lines.push({ html: block.html, text: block.text, kind: block.kind });
        n = block.end - 1;
        previousBlank = true;
        continue;
      }
    }
    const rawLine = raw[n] as string;
    const spaced = /[\t\u00A0\u1680\u2000-\u200B\u2028\u2029\u202F\u205F\u3000\uFEFF]/.test(rawLine) ? rawLine.replace(/[\t\u00A0\u1680\u2000-\u200B\u2028\u2029\u202F\u205F\u3000\uFEFF]/g, ' ') : rawLine;
    const line = (spaced.includes('  ') ? spaced.replace(/ {2,}/g, ' ') : spaced).trim();
    if (line === '') {
      previousBlank = true;
      continue;
    }
    const previous = lines[lines.length - 1];
    const last = typeof previous === 'string' ? previous : undefined;
    // Hard wrapping: a line of wrap width ending mid-sentence, then a line opening with a lower-case word
    // ("iPhone" is a name, not a continuation). Related-story lines are never wrapped into.
    if (
      !previousBlank &&
      last !== undefined &&
      last.length >= 40 &&
      last.length <= 100 &&
      /[\p{Ll},]$/u.test(last) &&
      /^\p{Ll}+(?![\p{Lu}\d])/u.test(line) &&
      !RELATED.test(last)
    ) {
      lines[lines.length - 1] = `${last} ${line}`;
    } else {
      lines.push(line);
    }
    previousBlank = false;
  }
  return lines;
}

function classify(text: string, markers: RawMarker[], droppedUrls: string[]): Line {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // Prechecks keep every pattern off lines it cannot match, and the patterns with nested repetition off
  // long lines altogether: no input can make them backtrack for long.
  if (first === 0x21 /* ! */ && last !== 0x20 && text.length <= 4000 && /\)\s*\|?$/.test(text) && MARKER_LINE.test(text)) {
    for (const m of text.matchAll(MARKER)) {
      const url = (m[2] ?? '').trim();
      const alt = toPlainText(m[1] ?? '');
      const http = url !== '' && isHttpUrl(url);
      if (url !== '' && !http) droppedUrls.push(url);
      markers.push({ alt, url: http ? url : null });
    }
    return { text, kind: 'marker' };
  }
  const related = RELATED.exec(text);
  if (related) return { text: (related[2] ?? '').trim(), kind: 'related', credit: (related[1] ?? '').toUpperCase() };
  const pipe = last === 0x7c /* | */ || text.endsWith(' ') ? PIPE_LINE.exec(text) : null;
  if (pipe) {
    const name = (pipe[1] ?? '').trim();
    if (!/\p{Ll}/u.test(name) && PUBLICATION.test(name)) return { text: name, kind: 'publication' };
    return { text, kind: 'leftover' };
  }
  if (text === '|' || (text.length <= 16 && NAV_WORDS.test(text)) || (text.length <= 200 && RIGHTS_LINE.test(text)) || CONTACT.test(text)) {
    return { text, kind: 'leftover' };
  }
  const byline = first === 0x42 /* B */ && text.length <= 120 ? BYLINE.exec(text) : null;
  if (byline && !SENTENCE_END.test(text)) return { text: (byline[1] ?? '').trim(), kind: 'byline' };
  const masthead = mastheadByline(text);
  if (masthead) return { text: masthead.byline, kind: 'byline', date: masthead.date, publisher: masthead.publisher };
  const closes = last === 0x29 /* ) */ || last === 0x5d; /* ] */
  const paren = closes && (first === 0x28 || first === 0x5b) ? PAREN_LINE.exec(text) : null;
  if (paren) {
    const inner = (paren[1] ?? '').trim();
    // Capitals on a line of their own are a credit (under a caption) until shown otherwise: a closing one
    // with nothing after it is the article's attribution, decided once all lines are known.
    if (isCreditText(inner, true) || isConventionCredit(inner, first === 0x5b)) return { text: inner, kind: 'credit', credit: inner };
    if (ATTRIBUTION_PHRASE.test(inner)) return { text: inner, kind: 'attribution' };
    return { text: inner, kind: 'attribution' };
  }
  const trailing = closes && text.length <= 2000 ? TRAILING_CREDIT.exec(text) : null;
  if (trailing) {
    const inner = (trailing[2] ?? '').trim();
    const before = (trailing[1] ?? '').trim();
    const agency = isAgencyAlone(inner) && last === 0x29;
    if (agency ? readsAsCaption(before) : (isCreditText(inner, false) && !ATTRIBUTION_PHRASE.test(inner)) || isConventionCredit(inner, last === 0x5d)) {
      return { text: before, kind: 'caption', credit: inner };
    }
  }
  const closing = closingAttribution(text);
  if (closing !== null) return { text: closing, kind: 'attribution' };
  const bare = bareCredit(text);
  if (bare) {
    if (bare.at === 0) return { text, kind: 'credit', credit: text, bare: true };
    return { text: text.slice(0, bare.at).trim(), kind: 'caption', credit: bare.credit };
  }
  return { text, kind: 'text' };
}

function parseRelated(label: string, text: string, markdown: boolean): RawRelated {
  const link = MARKDOWN_LINK.exec(text);
  // A link keeps its text; its URL only if it is http(s) (javascript:, data: and the like are dropped).
  if (link) return { label, title: toPlainText(link[1] ?? ''), url: isHttpUrl(link[2] ?? '') ? (link[2] ?? null) : null };
  // A link in markup (`<a href>`) or in any other Markdown form: through the allowlist, which keeps only
  // http(s) and mailto targets. One link to an http(s) page is the story's.
  if (text.includes('<') || (markdown && mayHoldMarkdown(text))) {
    const clean = markdown ? inlineMarkdown(text.replace(/\s*\|$/, '')) : cleanHtml(text.replace(/\s*\|$/, ''));
    const http = clean.links.filter(isHttpUrl);
    if (clean.text !== '' && clean.links.length === 1 && http.length === 1) return { label, title: clean.text, url: http[0] as string };
    if (clean.text !== '' && clean.links.length > 0) return { label, title: clean.text, url: null };
  }
  // Something link-shaped we cannot read: its text only, never its target.
  const loose = LOOSE_LINK.exec(text);
  if (loose) return { label, title: toPlainText(loose[1] ?? ''), url: null };
  return { label, title: toPlainText(text.replace(/\s*\|$/, '')), url: null };
}

function parseByline(text: string): string[] {
  const names = text.replace(/\s+(?:in|from)\s+[\p{Lu}][\p{L} ,.'’-]*$/u, '');
  return names
    .split(/\s*(?:,|\band\b|&)\s*/)
    .map((name) => titleCaseName(name.trim()))
    .filter((name) => name.length > 1);
}

// ---------------------------------------------------------------------------------------------------------
// Pull quotes: a short display line whose words stand again inside a longer body line (before or after it).
// Comparing every short line with every body line is quadratic (issue 9: 13 s for 2,490 pairs), so the
// places where the short lines' opening words stand are found first, for all of them together, and only
// those places are compared, nearest first, within a budget per line. Plain lower case finds nearly all
// pull quotes; folding punctuation away (curly vs straight quotes) is a second chance, for lines whose
// opening stands in a longer line, as folding costs most in reading a line.

/**
 * Characters a short line may be compared over, each way (as written, then folded), nearest places first (a
 * pull quote stands near the text it repeats): some 200 comparisons of a 60-character line, 40 of the
 * longest. It bounds the work per line by a constant whatever the text; only longer lines holding the
 * line's opening count, and in an article few do.
 */
const QUOTE_BUDGET = 12_000;
/** Places kept per opening, and in all: an opening standing more often than this is no pull quote's. */
const MAX_PLACES = 1024;
const MAX_PLACES_IN_ALL = 1 << 20;
/** Up to this many keys, placesOf searches for each in turn (FEW_KEYS x MAX_PLACES is under MAX_PLACES_IN_ALL). */
const FEW_KEYS = 4;

interface QuoteShape {
  /** Line index. */
  i: number;
  /** The line in lower case. */
  own: string;
  /** Its first 8 to 12 characters from its first letter or digit. */
  opening: string;
  /** Where the opening stands in `own`. */
  lead: number;
}

interface Places {
  lines: number[];
  at: number[];
}

const HASH_BASE = 0x01000193;

function hashOf(text: string, from: number, length: number): number {
  let h = 0;
  for (let k = from; k < from + length; k++) h = (Math.imul(h, HASH_BASE) + text.charCodeAt(k)) | 0;
  return h;
}

/**
 * Where each key stands in the texts (texts no longer than `shorterThanAll` skipped), in text order, at
 * most MAX_PLACES places a key and MAX_PLACES_IN_ALL in all. A few keys are looked for one by one with the
 * engine's substring search (faster than hashing every position, as an article has one or two); more in
 * one rolling-hash pass over the texts per key length (openings have 8 to 12 characters: at most five
 * passes), whatever their number. Both give the same places.
 */
function placesOf(texts: readonly string[], keys: ReadonlySet<string>, shorterThanAll: number): Map<string, Places> {
  const found = new Map<string, Places>();
  if (keys.size <= FEW_KEYS) {
    for (const key of keys) {
      const places: Places = { lines: [], at: [] };
      found.set(key, places);
      for (let t = 0; t < texts.length && places.lines.length < MAX_PLACES; t++) {
        const text = texts[t] as string;
        if (text.length <= shorterThanAll) continue;
        for (let p = text.indexOf(key); p >= 0 && places.lines.length < MAX_PLACES; p = text.indexOf(key, p + 1)) {
          places.lines.push(t);
          places.at.push(p);
        }
      }
    }
    return found;
  }
  const byLength = new Map<number, Map<number, { key: string; places: Places }[]>>();
  for (const key of keys) {
    const places: Places = { lines: [], at: [] };
    found.set(key, places);
    const table = byLength.get(key.length) ?? new Map<number, { key: string; places: Places }[]>();
    byLength.set(key.length, table);
    const h = hashOf(key, 0, key.length);
    const same = table.get(h);
    if (same) same.push({ key, places });
    else table.set(h, [{ key, places }]);
  }
  let kept = 0;
  for (const [length, table] of byLength) {
    // Most positions match no key: a byte per hash slot rules them out without a Map lookup. Sized to the
    // keys (an article has one or two), as zeroing a large table per article costs more than the pass.
    let mask = 255;
    while (mask < 65535 && mask < table.size * 32) mask = mask * 2 + 1;
    const filter = new Uint8Array(mask + 1);
    for (const h of table.keys()) filter[(h ^ (h >>> 16)) & mask] = 1;
    let power = 1; // HASH_BASE ** (length - 1), for taking the leaving character out of the hash
    for (let k = 1; k < length; k++) power = Math.imul(power, HASH_BASE);
    for (let t = 0; t < texts.length; t++) {
      const text = texts[t] as string;
      if (text.length <= shorterThanAll || text.length < length) continue;
      let h = hashOf(text, 0, length);
      for (let p = 0; ; p++) {
        if (filter[(h ^ (h >>> 16)) & mask] === 1) {
          for (const { key, places } of table.get(h) ?? []) {
            if (places.lines.length < MAX_PLACES && kept < MAX_PLACES_IN_ALL && text.startsWith(key, p)) {
              places.lines.push(t);
              places.at.push(p);
              kept++;
            }
          }
        }
        if (p + length >= text.length) break;
        h = (Math.imul((h - Math.imul(text.charCodeAt(p), power)) | 0, HASH_BASE) + text.charCodeAt(p + length)) | 0;
      }
    }
  }
  return found;
}

/** Whether the sorted list holds the value (binary search). */
function holds(sorted: readonly number[], value: number): boolean {
  let lo = 0;
  for (let hi = sorted.length; lo < hi; ) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] === value;
}

/**
 * Calls `look` on the places (indexes into `lines`, sorted) nearest to line `i` first, until it returns true
 * or QUOTE_BUDGET is spent, each look costing `cost`; `look` returns null for a place it passes over.
 */
function nearestFirst(lines: readonly number[], i: number, cost: number, look: (k: number) => boolean | null): boolean {
  let after = 0; // the first place at or after line i; `before`, the one before it
  for (let hi = lines.length; after < hi; ) {
    const mid = (after + hi) >>> 1;
    if ((lines[mid] as number) < i) after = mid + 1;
    else hi = mid;
  }
  let before = after - 1;
  for (let spent = 0; spent < QUOTE_BUDGET && (before >= 0 || after < lines.length); ) {
    const k = after >= lines.length || (before >= 0 && i - (lines[before] as number) <= (lines[after] as number) - i) ? before-- : after++;
    const found = look(k);
    if (found) return true;
    if (found === false) spent += cost;
  }
  return false;
}

/** Whether a longer text line holds the short line in lower case where its opening stands. */
function repeatsVerbatim(shape: QuoteShape, lower: readonly string[], places: Places): boolean {
  if (places.lines.length === 0) return false;
  // Without the quotation marks around it (and a closing full stop); `anchor`: where the opening stands in it.
  const stripped = shape.own.replace(/^["'“‘]+|["'”’.]+$/g, '');
  const anchor = shape.lead - (/^["'“‘]*/.exec(shape.own)?.[0].length ?? 0);
  return nearestFirst(places.lines, shape.i, stripped.length, (k) => {
    const j = places.lines[k] as number;
    if ((lower[j] as string).length <= shape.own.length) return null; // not longer (or the line itself)
    const from = (places.at[k] as number) - anchor;
    const other = lower[j] as string;
    // The last character first: a place that shares the opening mostly differs before the end.
    // (In bounds first: reading past the end is a slow path that throws away the optimised code.)
    const end = from + stripped.length;
    return from >= 0 && end <= other.length && other.charCodeAt(end - 1) === stripped.charCodeAt(stripped.length - 1) && other.startsWith(stripped, from);
  });
}

/** Words in a line of single spaces, as split(' ') counts them, without making the array. */
function wordCount(text: string): number {
  let n = 1;
  for (let at = text.indexOf(' '); at >= 0; at = text.indexOf(' ', at + 1)) n++;
  return n;
}

/**
 * Whether a longer text line that holds the short line's opening as written holds the whole line folded
 * (curly and straight quotes alike), where its folded opening stands.
 */
function repeatsFolded(shape: QuoteShape, folded: string, lower: readonly string[], places: Places, folds: readonly string[], foldPlaces: Places): boolean {
  return nearestFirst(foldPlaces.lines, shape.i, folded.length, (k) => {
    const j = foldPlaces.lines[k] as number;
    if ((lower[j] as string).length <= shape.own.length || !holds(places.lines, j)) return null;
    const from = foldPlaces.at[k] as number;
    const other = folds[j] as string;
    const end = from + folded.length;
    return end <= other.length && other.charCodeAt(end - 1) === folded.charCodeAt(folded.length - 1) && other.startsWith(folded, from);
  });
}

/**
 * Marks pull quotes (and the `Name, Role` line under one as its speaker). Whether a line repeats another
 * depends on the text only, so it is found for every candidate first; lines are marked in order after.
 */
function markPullQuotes(lines: Line[], plain: (line: Line) => string): void {
  // Compared as read, markup gone: a display line that carries a link matches its sentence (issue 12).
  const lower: string[] = [];
  for (const l of lines) lower.push(l.kind === 'text' ? plain(l).toLowerCase() : '');
  const shapes: QuoteShape[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    // Pull quotes are display lines: no closing full stop (a short paragraph repeated in a longer one is
    // still a paragraph), and at least four words.
    const own = lower[i] as string;
    if (line.kind !== 'text' || own.length > 300 || /[.!?]["'”’]*$/.test(own)) continue;
    let lead = 0;
    while (lead < own.length && !isFoldChar(own.charCodeAt(lead))) lead++;
    const opening = own.slice(lead, lead + 12);
    if (opening.length < 8 || wordCount(own) < 4) continue;
    shapes.push({ i, own, opening, lead });
  }
  if (shapes.length === 0) return;
  const places = placesOf(lower, new Set(shapes.map((s) => s.opening)), Math.min(...shapes.map((s) => s.own.length)));
  const placesOfShape = (shape: QuoteShape) => places.get(shape.opening) as Places;
  const repeats = new Set(shapes.filter((shape) => repeatsVerbatim(shape, lower, placesOfShape(shape))).map((s) => s.i));

  // Folded, as a second chance: only lines whose opening stands in a longer line are folded, and the lines
  // holding their openings, each once.
  const longest = new Map<string, number>(); // per opening, the longest line holding it
  for (const [opening, { lines: holding }] of places) longest.set(opening, holding.reduce((n, j) => Math.max(n, (lower[j] as string).length), 0));
  const second = shapes.flatMap((shape) => {
    if (repeats.has(shape.i) || (longest.get(shape.opening) as number) <= shape.own.length) return [];
    const folded = fold(plain(lines[shape.i] as Line));
    return folded.length >= 16 && wordCount(folded) >= 4 ? [{ shape, folded }] : [];
  });
  if (second.length > 0) {
    const holding = new Set<number>();
    for (const opening of new Set(second.map(({ shape }) => shape.opening))) for (const j of (places.get(opening) as Places).lines) holding.add(j);
    const folds: string[] = [];
    for (let j = 0; j < lines.length; j++) folds.push(holding.has(j) ? fold(plain(lines[j] as Line)) : '');
    const key = (folded: string) => folded.slice(0, 12);
    const foldPlaces = placesOf(folds, new Set(second.map(({ folded }) => key(folded))), Math.min(...second.map(({ folded }) => folded.length)) - 1);
    for (const { shape, folded } of second) {
      if (repeatsFolded(shape, folded, lower, placesOfShape(shape), folds, foldPlaces.get(key(folded)) as Places)) repeats.add(shape.i);
    }
  }

  for (const shape of shapes) {
    const line = lines[shape.i] as Line;
    // A line taken as the speaker of the quote above it stays the speaker.
    if (line.kind !== 'text' || !repeats.has(shape.i)) continue;
    line.kind = 'quote';
    // A `Name, Role` line right under it is its speaker. A role may end in an abbreviation ("Ltd.").
    const next = lines[shape.i + 1];
    const who = next?.kind === 'text' ? plain(next) : '';
    if (next?.kind === 'text' && SPEAKER.test(who) && (!SENTENCE_END.test(who) || ABBREVIATION_END.test(who))) next.kind = 'speaker';
  }
}

/** More lines than any article has; past it the text is refused before the line-by-line comparisons. */
export const MAX_LINES = 5000;

/** Longer than any paragraph may be (the model's limit). */
export const MAX_LINE = 100_000;

/** Most photos an article may have (the model's limit, src/article.ts). */
export const MAX_PHOTOS = 100;

/**
 * Text shaped like no article, found on a count before any work on pairs of lines or markers (issue 9):
 * names the article field the count is about.
 */
export class CountError extends Error {
  constructor(
    readonly field: 'paragraphs' | 'photos',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the body of a raw article (front matter already removed). Pure. With `markdown` (a `.md` file) the
 * body is CommonMark: its blocks and inline markup are kept (markdown.ts), its paragraphs' lines read as
 * wire copy.
 */
export function parseRawBody(body: string, options: { markdown?: boolean } = {}): RawParts {
  const markdown = options.markdown === true;
  const markers: RawMarker[] = [];
  const droppedUrls: string[] = [];
  const split = splitLines(body, markdown);
  if (split.length > MAX_LINES) throw new CountError('paragraphs', `${split.length} lines is more than the ${MAX_LINES} an article may have`);
  const longest = split.reduce((n, l) => Math.max(n, typeof l === 'string' ? l.length : l.html.length), 0);
  if (longest > MAX_LINE) throw new CountError('paragraphs', `a line of ${longest} characters is longer than the ${MAX_LINE} a paragraph may have`);
  // A loop, not map: arrays from map change elements kind once map is optimised into its caller, and each
  // change throws away the caller's optimised code (issue 9: reading from a cold process).
  const lines: Line[] = [];
  for (const item of split) lines.push(typeof item === 'string' ? classify(item, markers, droppedUrls) : { text: item.text, kind: 'rich', html: item.html, block: item.kind });
  // A line's text as read: markup stripped; in Markdown, its inline Markdown rendered and stripped.
  // (Plain text as the reader always made it from markup, tags stripped and then entities decoded: text
  // that spells a tag stays text in the content HTML, never one in a plain-text field.)
  // Lines whose only markup is HTML read as they always did; text spelling a tag never survives into a
  // plain-text field.
  const fromRendered = (rendered: string): string => {
    const text = toPlain(rendered);
    return text.includes('<') ? toPlain(text) : text;
  };
  const plainText = (text: string): string => (markdown && MARKDOWN_SYNTAX.test(text) ? fromRendered(renderInlineMarkdown(text)) : toPlainText(text));
  const plainOf = new Map<Line, string>();
  const plain = (line: Line): string => {
    // Most lines hold no markup: their text is their plain text (no lookup, nothing kept).
    if (line.kind !== 'rich' && !line.text.includes('<') && !line.text.includes('&') && !(markdown && mayHoldMarkdown(line.text))) return line.text;
    let text = plainOf.get(line);
    if (text === undefined) {
      text = line.kind === 'rich' ? line.text : plainText(line.text);
      plainOf.set(line, text);
    }
    return text;
  };
  // Every marker with a URL ends up a photo (with a caption or of its own): too many is certain now.
  const markerPhotos = markers.reduce((n, m) => n + (m.url === null ? 0 : 1), 0);
  if (markerPhotos > MAX_PHOTOS) throw new CountError('photos', `holds more than ${MAX_PHOTOS} items: the text has ${markerPhotos} image markers with a URL`);

  // A credit line under a text line makes that line a caption. A credit-looking line with nothing but
  // page furniture after it, and no slash, is the article's attribution, e.g. a closing "(AP)". The loop
  // never changes whether a line is content (text stays text or caption), so the last one is found once.
  const isContent = (l: Line) => l.kind === 'text' || l.kind === 'caption' || l.kind === 'related' || l.kind === 'rich';
  let lastContent = lines.length - 1;
  while (lastContent >= 0 && !isContent(lines[lastContent] as Line)) lastContent--;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    if (line.kind !== 'credit') continue;
    const previous = lines[i - 1];
    if (line.bare && previous?.kind !== 'text') {
      line.kind = 'text'; // capitals with a slash are a credit only under a caption
    } else if (!line.text.includes('/') && !/^photo/i.test(line.text) && lastContent < i) {
      line.kind = 'attribution';
    } else if (isAgencyAlone(line.text) && !(previous?.kind === 'text' && readsAsCaption(plain(previous)))) {
      line.kind = 'attribution'; // "(XINHUA)" under an ordinary paragraph: the article's agency (issue 12)
    } else if (previous?.kind === 'text') {
      previous.kind = 'caption';
      previous.credit = line.text;
      line.kind = 'leftover'; // taken with its caption
    }
  }
  // Each caption, and each credit without one, is a photo: refused on the count before any pairing.
  const photoCount = lines.reduce((n, l) => n + (l.kind === 'caption' || l.kind === 'credit' ? 1 : 0), 0);
  if (photoCount > MAX_PHOTOS) throw new CountError('photos', `holds more than ${MAX_PHOTOS} items: the text has ${photoCount} photo captions and credits`);

  markPullQuotes(lines, plain);

  // A headline at the very top: a short unpunctuated line before anything else that is text (in Markdown,
  // a heading there).
  const first = lines.find((l) => l.kind !== 'marker' && l.kind !== 'leftover' && l.kind !== 'publication');
  if (first?.kind === 'rich' && first.block === 'heading' && lines.some((l) => l.kind === 'text' || l.kind === 'rich')) {
    const firstIndex = lines.indexOf(first);
    if (lines.slice(firstIndex + 1).some((l) => l.kind === 'text' || l.kind === 'rich')) first.kind = 'title';
  }
  const headline = first ? plain(first) : '';
  // A headline is one phrase: no sentence end inside or at its close, no bracketed tail such as a credit.
  if (first?.kind === 'text' && headline.length <= 160 && !SENTENCE_END.test(headline) && !/[.!?]\s/.test(headline) && !/[)\]]$/.test(headline)) {
    const firstIndex = lines.indexOf(first);
    const hasBodyAfter = lines.slice(firstIndex + 1).some((l) => l.kind === 'text' || l.kind === 'rich');
    if (hasBodyAfter) first.kind = 'title';
  }

  const parts: RawParts = {
    title: null,
    dateline: null,
    paragraphs: [],
    html: [],
    quotes: [],
    photos: [],
    markers,
    related: [],
    attribution: [],
    authors: [],
    publisher: null,
    captionText: [],
    droppedUrls,
    datelineDate: null,
    bylineDate: null,
  };
  let mastheadPublisher: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    switch (line.kind) {
      case 'text': {
        const text = line.text.includes('](') ? line.text.replace(MARKER, '') : line.text;
        if (markdown && mayHoldMarkdown(text)) {
          // Inline Markdown (links, emphasis, code) reaches the content HTML; the paragraph is its text.
          const rendered = renderInlineMarkdown(text);
          const paragraph = MARKDOWN_SYNTAX.test(text) ? fromRendered(rendered) : toPlainText(text);
          if (paragraph === '') break;
          // Its markup, unless that markup's text spells a tag (kept plain, escaped, as before).
          const rich = cleanHtml(rendered);
          parts.paragraphs.push(paragraph);
          parts.html.push(rich.html.includes('<') && rich.text !== '' && !rich.text.includes('<') ? `<p>${rich.html.trim()}</p>` : '');
          break;
        }
        const paragraph = toPlainText(text);
        if (paragraph !== '') {
          parts.paragraphs.push(paragraph);
          parts.html.push('');
        }
        break;
      }
      case 'rich':
        parts.paragraphs.push(line.text);
        parts.html.push(line.html ?? '');
        break;
      case 'title':
        parts.title = plain(line);
        break;
      case 'caption':
        parts.photos.push({ caption: plainText(line.text), credit: line.credit ? plainText(line.credit) : null });
        parts.captionText.push(line.text);
        break;
      case 'credit':
        // A credit with no caption above it still belongs to a photo.
        parts.photos.push({ caption: null, credit: plainText(line.text) });
        break;
      case 'quote': {
        const next = lines[i + 1];
        const speaker = next?.kind === 'speaker' ? SPEAKER.exec(plain(next)) : null;
        parts.quotes.push({
          text: plain(line).replace(/^["“‘']+|["”’']+$/g, ''),
          speaker: speaker ? toPlainText(speaker[1] ?? '') : null,
          role: speaker ? toPlainText(speaker[2] ?? '') : null,
        });
        break;
      }
      case 'related':
        parts.related.push(parseRelated(line.credit ?? 'RELATED', line.text, markdown));
        break;
      case 'attribution':
        parts.attribution.push(plainText(line.text));
        break;
      case 'byline':
        parts.authors.push(...parseByline(toPlainText(line.text)));
        if (line.date !== undefined) parts.bylineDate ??= line.date;
        if (line.publisher !== undefined) mastheadPublisher ??= toPlainText(line.publisher);
        break;
      case 'publication':
        parts.publisher ??= toPlainText(line.text);
        break;
      default:
        break; // markers, speaker lines (taken with their quote), page leftovers
    }
  }

  // The publication line names the publisher; a byline's masthead does when there is none.
  parts.publisher ??= mastheadPublisher;

  const lead = parts.paragraphs[0];
  const dateline = lead === undefined ? null : readDateline(lead);
  if (lead !== undefined && dateline) {
    parts.dateline = dateline.dateline;
    parts.datelineDate = dateline.date;
    if (dateline.agency && !parts.attribution.includes(dateline.agency)) parts.attribution.push(dateline.agency);
    parts.paragraphs[0] = lead.slice(dateline.length);
    // Its markup loses the dateline too, when the markup opens with the same text; else the lead is plain.
    const html = parts.html[0];
    const opening = `<p>${escapeHtml(lead.slice(0, dateline.length))}`;
    if (html) parts.html[0] = html.startsWith(opening) ? `<p>${html.slice(opening.length).trimStart()}` : '';
  }
  return parts;
}
