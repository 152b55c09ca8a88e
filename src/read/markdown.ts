/**
 * Markdown bodies (`.md`, issue 12): CommonMark, read by markdown-it (its `commonmark` preset: the spec and
 * nothing else, linear on any input, nesting bounded), then cleaned by the allowlist in html.ts, so raw
 * HTML in Markdown is kept as far as the allowlist allows and no further.
 *
 * Wire copy and Markdown meet line by line: the lines of a Markdown paragraph (and of a raw HTML block) are
 * wire-copy lines, sorted by the raw reader into captions, credits, pull quotes, related lines and the
 * rest, each body line its own paragraph with its inline Markdown (links, emphasis, code, images) kept.
 * Headings, lists, block quotes and fenced code are blocks of their own. One departure from the spec:
 * indented code is off, since scraped wire copy is often indented (fenced code still works).
 */
import MarkdownIt from 'markdown-it';
import { type CleanHtml, cleanHtml } from './html.js';

type Markdown = InstanceType<typeof MarkdownIt>;

let parser: Markdown | null = null;

function markdown(): Markdown {
  if (parser === null) {
    parser = new MarkdownIt('commonmark', { html: true, xhtmlOut: true });
    parser.disable('code');
  }
  return parser;
}

/** A block of the body that is not wire copy: its lines (end exclusive), cleaned markup and text. */
export interface MarkdownBlock {
  start: number;
  end: number;
  kind: 'heading' | 'list' | 'quote' | 'code' | 'rule';
  html: string;
  text: string;
}

const RICH: Record<string, MarkdownBlock['kind']> = {
  heading_open: 'heading',
  bullet_list_open: 'list',
  ordered_list_open: 'list',
  blockquote_open: 'quote',
  fence: 'code',
  hr: 'rule',
};

/**
 * The blocks of a Markdown body (lines split on \n, as the raw reader splits them) that are not wire-copy
 * lines, in order.
 */
export function markdownBlocks(text: string): MarkdownBlock[] {
  // Most wire copy in a .md file has no line that can open a block (a heading, list, quote, fence or
  // rule, or a setext underline): then markdown-it's block pass would find none, and is skipped.
  if (!BLOCK_START.test(text)) return [];
  const md = markdown();
  const env = {};
  const tokens = md.parse(text, env);
  const blocks: MarkdownBlock[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as (typeof tokens)[number];
    if (token.level !== 0 || token.nesting < 0 || !token.map) continue;
    const kind = RICH[token.type];
    // Find the token closing this one (same level), to render the block alone.
    let j = i;
    if (token.nesting === 1) {
      let depth = 0;
      for (; j < tokens.length; j++) {
        depth += (tokens[j] as (typeof tokens)[number]).nesting;
        if (depth === 0) break;
      }
    }
    if (kind) {
      const clean = cleanHtml(md.renderer.render(tokens.slice(i, j + 1), md.options, env));
      blocks.push({ start: token.map[0], end: token.map[1], kind, html: clean.html.trim(), text: clean.text });
    }
    i = j;
  }
  return blocks;
}

/**
 * A line that may open one of the blocks above (CommonMark's block starts, up to three spaces in): `#`,
 * a list marker, `>`, a fence, a thematic break or a setext underline. Lines are short tests, linear.
 */
const BLOCK_START = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>|```|~~~|(?:[-*_][ \t]*){3,}$|=+[ \t]*$)/m;

/** One line's inline Markdown as HTML, not yet cleaned. */
export function renderInlineMarkdown(line: string): string {
  return markdown().renderInline(line);
}

/** One line's inline Markdown as cleaned HTML (without a paragraph around it) and its text. */
export function inlineMarkdown(line: string): CleanHtml {
  return cleanHtml(renderInlineMarkdown(line));
}

/** Characters that can make a line's inline Markdown differ from its plain text. */
export function mayHoldMarkdown(line: string): boolean {
  // * _ ` [ < & \  (! only opens an image, with [). One regular expression scan: every line of every
  // Markdown body is asked, several times (a loop over char codes cost a 10,000-article build 0.3 s).
  return MARKDOWN_CHARACTERS.test(line);
}

const MARKDOWN_CHARACTERS = /[*_`[<&\\]/;
