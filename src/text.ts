/** Text helpers shared by readers and renderers. Pure functions, no I/O. */
import { createHash } from 'node:crypto';
import { decodeHTML } from 'entities';
import striptags from 'striptags';

// Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes every character XML 1.0 cannot carry, so any field can go into any feed. */
export function stripXmlForbidden(value: string): string {
  // isWellFormed is a native scan for lone surrogates: the look-around pattern runs only when one exists.
  const whole = value.isWellFormed() ? value : value.replace(LONE_SURROGATE, '');
  XML_FORBIDDEN.lastIndex = 0;
  return XML_FORBIDDEN.test(whole) ? whole.replace(XML_FORBIDDEN, '') : whole;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML or XML element content. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** Escapes text for an HTML or XML attribute value (either quote). */
export function escapeAttr(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

// Elements whose content is code or page furniture, never article text: dropped with their content.
const NON_TEXT_ELEMENTS = /<(script|style|noscript|iframe|svg|math|template|textarea|title|object)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

/**
 * Plain text from text that may hold markup: tags are dropped (striptags), script, style and the like
 * with their content, entities decoded (entities), forbidden characters removed, white space folded.
 * Fast path when there is no markup.
 */
export function toPlainText(value: string, options: { spacingDone?: boolean } = {}): string {
  // Text whose spacing was folded by the raw reader has had forbidden characters removed as well.
  let text = options.spacingDone ? value : stripXmlForbidden(value);
  let marked = false;
  if (text.includes('<') || text.includes('&')) {
    text = stripXmlForbidden(decodeHTML(striptags(text.replace(NON_TEXT_ELEMENTS, ' '))));
    marked = true;
  }
  // Lines from the raw reader have their spacing folded already; markup removal can undo that.
  if (options.spacingDone && !marked) return text;
  return /\s\s|[\t\n\r\f\v\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim();
}

/** A short stable hash (hex) of a string. */
export function shortHash(value: string, length = 16): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** URL-safe lowercase slug: letters and digits of any script are kept, the rest become single hyphens. */
export function slugify(value: string, maxLength = 80): string {
  const slug = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return cutAt(slug, maxLength, '-');
}

function cutAt(value: string, maxLength: number, separator: string): string {
  if (value.length <= maxLength) return value;
  // Never half of a surrogate pair (S3 and the SDK refuse a key holding one).
  const cut = value.slice(0, /[\uD800-\uDBFF]/.test(value.charAt(maxLength - 1)) ? maxLength - 1 : maxLength);
  const at = cut.lastIndexOf(separator);
  return (at > maxLength / 2 ? cut.slice(0, at) : cut).replace(/[-\s]+$/, '');
}

/** Shortens text to at most maxLength characters, cut at a word, with an ellipsis when cut. */
export function truncateAtWord(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  const room = maxLength - 1;
  const cut = value.slice(0, room + 1);
  const at = cut.lastIndexOf(' ');
  // Never half a surrogate pair (an emoji cut in two is not text XML can carry).
  const end = /[\uD800-\uDBFF]/.test(value[room - 1] ?? '') ? room - 1 : room;
  const head = (at > room / 2 ? cut.slice(0, at) : value.slice(0, end)).replace(/[\s,;:.\-–—]+$/, '');
  return `${head}…`;
}

/** Title Case for names written in capitals on the wire (`WANG XIAODONG` -> `Wang Xiaodong`). */
export function titleCaseName(value: string): string {
  if (/\p{Ll}/u.test(value)) return value;
  return value.toLowerCase().replace(/(^|[\s'’-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/** ISO 8601 without milliseconds: what every output writes for a date. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
