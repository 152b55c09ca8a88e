/**
 * MSN Partner Hub: `dcterms:modified` on every item; a takedown kept for a while as an item with an
 * expiry in the past and a newer modified date (removing an item tells MSN nothing); `mi:shortTitle`
 * when the title is over 54 characters and the article gives one; media:title on photos; content HTML
 * reduced to the elements MSN keeps, with photo credits in its `span class="copyright"` form.
 */
import { DAY_MS } from '../../article.js';
import { PROFILES } from '../../profiles.js';
import type { DeletedEntry } from '../../select.js';
import { isoSeconds } from '../../text.js';
import type { XmlNode } from '../namespaces.js';
import type { PartnerRendering } from './model.js';

/** MSN shows a short title on small cards: asked for when the title is longer than this. */
export const SHORT_TITLE_FROM = 54;

/**
 * Elements MSN would strip (some with their content), as the nearest one it keeps: quotes and asides as
 * div, their footer as p, cite as i, h6 as h5, code as span. Any other element not kept is unwrapped.
 */
const RENAMED: Readonly<Record<string, string>> = { blockquote: 'div', aside: 'div', footer: 'p', cite: 'i', h6: 'h5', code: 'span', pre: 'div', section: 'div', header: 'div', article: 'div', caption: 'p', dl: 'ul', dt: 'li', dd: 'li', u: 'i', s: 'span', del: 'span', ins: 'span', mark: 'b', abbr: 'span', q: 'i' };
const KEPT = PROFILES.msn.allowedTags ?? new Set<string>();
const VOID = new Set(['img', 'br', 'hr', 'wbr']);

/**
 * The content HTML with only MSN's elements. Our content HTML is well-formed with every `<`, `>` and
 * quote in text and attribute values escaped (src/render/content.ts, the sanitiser for CMS HTML), so
 * each tag is one match of the pattern below.
 */
export function msnContent(html: string): string {
  // What each open element became, so its end tag matches (a credit's <small> becomes a span).
  const open: string[] = [];
  return html.replace(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*)?)>/g, (_tag, close: string, rawName: string, rest: string) => {
    const name = rawName.toLowerCase();
    if (close) {
      if (VOID.has(name)) return '';
      const became = open.pop();
      return became ? `</${became}>` : '';
    }
    // Photo credits in the form MSN reads: <span class="copyright"> inside the figcaption.
    let kept = name === 'small' && /\bclass="credit"/.test(rest) ? 'span' : KEPT.has(name) ? name : RENAMED[name];
    const attributes = kept === 'span' && name === 'small' ? ' class="copyright"' : rest;
    if (VOID.has(name)) return kept === undefined || name === 'hr' ? '' : `<${kept}${attributes}>`;
    // An element it would strip: unwrapped (its content kept), its end tag dropped with it.
    kept ??= '';
    open.push(kept);
    return kept ? `<${kept}${attributes}>` : '';
  });
}

const iso = (when: string) => isoSeconds(new Date(when));

/**
 * When MSN is told the item expired and changed: the takedown, or its publication if the takedown is
 * dated before it (a delete event replayed with an old time), so the modified date is never older than
 * the version MSN ingested.
 */
function expiredAt(entry: DeletedEntry): string {
  return entry.published !== undefined && Date.parse(entry.published) > Date.parse(entry.when) ? entry.published : entry.when;
}

export const msn: PartnerRendering = {
  name: 'msn',
  mediaTitles: true,
  content: msnContent,
  item(article) {
    const nodes: XmlNode[] = [{ name: 'dcterms:modified', text: iso(article.updated) }];
    if (article.title.length > SHORT_TITLE_FROM && article.shortTitle) nodes.push({ name: 'mi:shortTitle', text: article.shortTitle });
    return nodes;
  },
  expired: {
    /** Takedowns of the last `takedownDays` before the feed's date (its newest change, so no "now"). */
    select(deleted, { spec, updated }) {
      const days = spec.takedownDays ?? 7;
      const since = updated.getTime() - days * DAY_MS;
      return deleted.filter((entry) => Date.parse(expiredAt(entry)) >= since);
    },
    nodes(entry: DeletedEntry) {
      // Expired at the takedown, modified at the takedown (newer than any version MSN ingested).
      const at = iso(expiredAt(entry));
      return [
        { name: 'dcterms:modified', text: at },
        { name: 'dcterms:valid', text: `end=${at}; scheme=W3C-DTF` },
        { name: 'mi:expirationDate', text: at },
      ];
    },
  },
};
