/**
 * Rich article bodies (issue 12): HTML from a CMS export (`content_html`) or rendered from Markdown, cleaned
 * by an allowlist. htmlparser2 (a well-kept, streaming HTML parser: tolerant, linear, no DOM) reads the
 * markup; this module keeps the allowed elements and attributes from its events and writes them again,
 * every text and attribute escaped, every element closed in order: the result is well-formed (XHTML-safe)
 * whatever the input, and holds nothing the table below does not name. No regular expression ever looks
 * at markup. (sanitize-html works the same way over htmlparser2 but brings postcss: 288 KB minified against
 * ~27 KB here; js-xss escapes what it does not allow but leaves unbalanced tags as they are. See
 * docs/decisions.md.)
 */
import { Parser } from 'htmlparser2';
import { normalisedHttpUrl } from '../article.js';
import { escapeAttr, escapeHtml, stripXmlForbidden } from '../text.js';

/** Elements kept, with the attributes each may keep (URLs and numbers are checked below). */
const ALLOWED: Record<string, readonly string[]> = {
  p: [],
  br: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  a: ['href', 'title', 'target'],
  em: [],
  i: [],
  strong: [],
  b: [],
  u: [],
  s: [],
  del: [],
  ins: [],
  mark: [],
  small: [],
  sub: [],
  sup: [],
  abbr: ['title'],
  cite: [],
  q: [],
  code: [],
  pre: [],
  blockquote: [],
  ul: [],
  ol: ['start'],
  li: [],
  dl: [],
  dt: [],
  dd: [],
  table: [],
  caption: [],
  thead: [],
  tbody: [],
  tfoot: [],
  tr: [],
  th: ['colspan', 'rowspan', 'scope'],
  td: ['colspan', 'rowspan'],
  figure: [],
  figcaption: [],
  img: ['src', 'alt', 'width', 'height', 'title'],
  hr: [],
};

/** The attributes each allowed element may carry, for tests and the fuzzers' check of content HTML. */
export const ALLOWED_HTML: Readonly<Record<string, readonly string[]>> = { ...ALLOWED, a: [...ALLOWED.a as string[], 'rel'] };

const VOID = new Set(['br', 'img', 'hr']);

/** Elements that close an open paragraph, as an HTML parser reading the output again would. */
const CLOSES_P = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'dl', 'table', 'blockquote', 'pre', 'figure', 'hr']);

/** Elements dropped with everything inside them: code, page furniture, embedded documents. */
const DROPPED = new Set([
  'script',
  'style',
  'noscript',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'template',
  'textarea',
  'select',
  'option',
  'button',
  'title',
  'head',
  'audio',
  'video',
  'canvas',
  'map',
  'xmp',
  'plaintext',
  'noembed',
  'noframes',
]);

/** Block elements: their text stands apart from the text around it in the plain version. */
const BLOCKS = new Set(['p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'caption', 'tr', 'th', 'td', 'figure', 'figcaption', 'pre', 'hr', 'div', 'section', 'article', 'aside', 'header', 'footer']);

/** Elements that open a block of the article of their own when they stand at the top level. */
const TOP_BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'dl', 'table', 'figure', 'pre', 'hr']);

export interface CleanHtml {
  /** The allowed markup, well-formed, escaped. */
  html: string;
  /** Its text, white space folded (what titles, summaries and the plain paragraphs hold). */
  text: string;
  /** Each link's http(s) or mailto URL, in order. */
  links: string[];
}

/** A link target: http(s) (normalised as the model keeps URLs) or mailto; null for anything else. */
function linkUrl(value: string): string | null {
  const trimmed = value.trim();
  if (/^mailto:/i.test(trimmed)) {
    // An address and nothing that could leave the attribute or the scheme (escaped anyway).
    const rest = trimmed.slice(7);
    return rest.length > 0 && rest.length <= 500 && !/[\s<>"']/.test(rest) ? `mailto:${rest}` : null;
  }
  return normalisedHttpUrl(trimmed);
}

const isCount = (value: string) => /^\d{1,5}$/.test(value.trim()) && Number(value) > 0;

/** The attributes kept on an element, written out; null when the element itself must go (an image without a usable URL). */
function keptAttributes(name: string, attributes: Record<string, string>): string | null {
  const allowed = ALLOWED[name] ?? [];
  let out = '';
  let blank = false;
  for (const attribute of allowed) {
    const raw = attributes[attribute];
    if (raw === undefined) continue;
    let value: string | null = stripXmlForbidden(raw);
    if (attribute === 'href') value = linkUrl(value);
    else if (attribute === 'src') value = normalisedHttpUrl(value.trim());
    else if (attribute === 'width' || attribute === 'height' || attribute === 'colspan' || attribute === 'rowspan' || attribute === 'start') value = isCount(value) ? String(Number(value)) : null;
    else if (attribute === 'target') {
      blank = value.trim().toLowerCase() === '_blank';
      value = blank ? '_blank' : null;
    } else if (attribute === 'scope') value = /^(row|col|rowgroup|colgroup)$/i.test(value.trim()) ? value.trim().toLowerCase() : null;
    else value = value.replace(/\s+/g, ' ').trim().slice(0, 1000);
    if (value === null) {
      if (name === 'img' && attribute === 'src') return null;
      continue;
    }
    out += ` ${attribute}="${escapeAttr(value)}"`;
  }
  if (name === 'img' && !out.includes(' src="')) return null;
  if (name === 'a') {
    // A link opening a new window must not hand the opener to the page it opens.
    if (blank) out += ' rel="noopener noreferrer"';
  }
  return out;
}

/**
 * Cleans HTML to the allowlist. Linear in the input: one pass of the parser, a stack of open elements
 * bounded by MAX_DEPTH (deeper elements are unwrapped, their text kept).
 */
export function cleanHtml(input: string): CleanHtml {
  return new Cleaner().run(input);
}

/** Nesting kept at most: deeper elements are unwrapped (their text stays). */
const MAX_DEPTH = 64;

class Cleaner {
  out = '';
  text = '';
  links: string[] = [];
  /** Allowed elements open in `out`, innermost last. */
  open: string[] = [];
  /** For each element the parser has open: whether it was written (kept) or not. */
  parserStack: (string | null)[] = [];
  /** Inside an element dropped with its content: how deep. */
  dropping = 0;
  /** Top-level block boundaries in `out` (offsets where a new top block starts). */
  cuts: number[] = [];

  run(input: string): CleanHtml {
    const parser = new Parser(
      {
        onopentag: (name, attributes) => this.openTag(name, attributes),
        ontext: (text) => this.addText(text),
        onclosetag: (name) => this.closeTag(name),
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
    );
    parser.write(stripXmlForbidden(input));
    parser.end();
    while (this.open.length > 0) this.closeTop();
    return { html: this.out, text: this.text.replace(/\s+/g, ' ').trim(), links: this.links };
  }

  private boundary(): void {
    if (this.text !== '' && !this.text.endsWith(' ')) this.text += ' ';
  }

  private openTag(name: string, attributes: Record<string, string>): void {
    if (this.dropping > 0 || DROPPED.has(name)) {
      if (!VOID.has(name)) {
        this.dropping++;
        this.parserStack.push(null);
      }
      return;
    }
    if (BLOCKS.has(name)) this.boundary();
    const allowed = ALLOWED[name] !== undefined && this.open.length < MAX_DEPTH && !(name === 'a' && this.open.includes('a'));
    const attrs = allowed ? keptAttributes(name, attributes) : null;
    // A link without a target it may keep is its text alone.
    const href = name === 'a' && attributes.href !== undefined ? linkUrl(stripXmlForbidden(attributes.href)) : null;
    if (name === 'a' && href === null) {
      this.parserStack.push(null);
      return;
    }
    if (!allowed || attrs === null) {
      if (name === 'img' && attributes.alt) this.addText(` ${attributes.alt} `);
      if (!VOID.has(name)) this.parserStack.push(null);
      return;
    }
    // What a parser reading the output would close by itself is closed here: the output reads back the same.
    if (CLOSES_P.has(name) && this.open.includes('p')) this.closeDownTo('p');
    if (name === 'li' && this.open.includes('li') && this.open.lastIndexOf('li') > Math.max(this.open.lastIndexOf('ul'), this.open.lastIndexOf('ol'))) this.closeDownTo('li');
    if (this.open.length === 0 && TOP_BLOCKS.has(name)) this.cuts.push(this.out.length);
    if (VOID.has(name)) {
      this.out += `<${name}${attrs} />`;
      return;
    }
    if (href !== null) this.links.push(href);
    this.out += `<${name}${attrs}>`;
    this.open.push(name);
    this.parserStack.push(name);
  }

  private closeTag(name: string): void {
    if (VOID.has(name)) return;
    const kept = this.parserStack.pop();
    if (kept === undefined) return;
    if (kept === null) {
      if (this.dropping > 0) this.dropping--;
      if (BLOCKS.has(name)) this.boundary();
      return;
    }
    // Close what is open down to it (the parser closes in order, so this is the innermost).
    const at = this.open.lastIndexOf(kept);
    if (at < 0) return;
    while (this.open.length > at) this.closeTop();
    if (BLOCKS.has(name)) this.boundary();
  }

  private closeDownTo(name: string): void {
    const at = this.open.lastIndexOf(name);
    while (this.open.length > at) this.closeTop();
  }

  private closeTop(): void {
    const name = this.open.pop() as string;
    this.out += `</${name}>`;
  }

  private addText(raw: string): void {
    if (this.dropping > 0) return;
    const text = stripXmlForbidden(raw);
    if (text === '') return;
    if (this.open.length === 0 && /\S/.test(text)) this.cuts.push(this.out.length);
    this.out += escapeHtml(text);
    this.text += text;
  }
}

/** One block of a rich body: its markup (a `<p>`, list, heading, table, figure...) and its text. */
export interface HtmlBlock {
  html: string;
  text: string;
}

/**
 * A cleaned body cut into the article's blocks: each top-level element one block, loose text and inline
 * markup between them wrapped in a paragraph. Blocks without text (an empty paragraph, an image alone)
 * are left out: every block of the model has text.
 */
export function htmlBlocks(input: string): HtmlBlock[] {
  const cleaner = new Cleaner();
  const { html } = cleaner.run(input);
  const cuts = [...new Set([0, ...cleaner.cuts, html.length])].sort((a, b) => a - b);
  const blocks: HtmlBlock[] = [];
  let loose = '';
  const flushLoose = () => {
    if (loose.trim() !== '') {
      const piece = cleanHtml(loose);
      if (piece.text !== '') blocks.push({ html: `<p>${piece.html.trim()}</p>`, text: piece.text });
    }
    loose = '';
  };
  for (let k = 0; k + 1 < cuts.length; k++) {
    const piece = html.slice(cuts[k], cuts[k + 1]);
    const tag = /^<([a-z0-9]+)/.exec(piece)?.[1];
    if (tag && TOP_BLOCKS.has(tag)) {
      flushLoose();
      const clean = cleanHtml(piece);
      if (clean.text !== '') blocks.push({ html: clean.html, text: clean.text });
    } else {
      loose += piece;
    }
  }
  flushLoose();
  return blocks;
}
