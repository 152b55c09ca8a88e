/**
 * The XML namespaces our feeds use and the extension elements written in them, as one model that RSS and
 * Atom share: Media RSS for photos, and the partners' own elements (src/render/partners/). Each renderer
 * writes the nodes in its own way (Atom as text, RSS through `feed`'s xml-js objects) and declares on the
 * root exactly the prefixes its nodes use.
 */
import type { Article, Photo } from '../article.js';
import { escapeAttr, escapeHtml } from '../text.js';
import { photosWithUrl, photoType } from './content.js';

export const NAMESPACES = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  // MSN asks for http, not https.
  dcterms: 'http://purl.org/dc/terms/',
  media: 'http://search.yahoo.com/mrss/',
  mi: 'http://schemas.ingestion.microsoft.com/common/',
  snf: 'http://www.smartnews.be/snf',
  webfeeds: 'http://webfeeds.org/rss/1.0',
  at: 'http://purl.org/atompub/tombstones/1.0',
  fh: 'http://purl.org/syndication/history/1.0',
} as const;

export type Prefix = keyof typeof NAMESPACES;

/**
 * An extension element. Attribute values and text are plain (unescaped): each writer escapes them. A
 * child may be unprefixed (SmartNews' `<snf:logo><url>`): it is in no namespace.
 */
export interface XmlNode {
  name: string;
  attributes?: Readonly<Record<string, string>>;
  text?: string;
  children?: readonly XmlNode[];
}

export function prefixOf(name: string): Prefix | null {
  const colon = name.indexOf(':');
  return colon < 0 ? null : (name.slice(0, colon) as Prefix);
}

/** Adds the prefix of every node (and descendant) to `into`. */
export function collectPrefixes(nodes: readonly XmlNode[], into: Set<Prefix>): Set<Prefix> {
  for (const node of nodes) {
    const prefix = prefixOf(node.name);
    if (prefix) into.add(prefix);
    if (node.children) collectPrefixes(node.children, into);
  }
  return into;
}

/** ` xmlns:p="…"` for each prefix, in a fixed order (so the same prefixes give the same bytes). */
export function xmlnsAttributes(prefixes: Iterable<Prefix>): string {
  const wanted = new Set(prefixes);
  return (Object.keys(NAMESPACES) as Prefix[])
    .filter((prefix) => wanted.has(prefix))
    .map((prefix) => ` xmlns:${prefix}="${NAMESPACES[prefix]}"`)
    .join('');
}

/** The node as XML text at `indent` (two spaces a level; empty elements self-closed). */
export function writeNode(node: XmlNode, indent: string): string {
  const attributes = Object.entries(node.attributes ?? {})
    .map(([name, value]) => ` ${name}="${escapeAttr(value)}"`)
    .join('');
  if (node.children && node.children.length > 0) {
    return `${indent}<${node.name}${attributes}>\n${node.children.map((child) => writeNode(child, `${indent}  `)).join('')}${indent}</${node.name}>\n`;
  }
  const text = node.text === undefined ? '' : escapeHtml(node.text);
  return text === '' ? `${indent}<${node.name}${attributes}/>\n` : `${indent}<${node.name}${attributes}>${text}</${node.name}>\n`;
}

// ---- Media RSS (RSS and Atom alike) ----

export interface MediaOptions {
  /** media:title on each photo (MSN reads it): the caption's first sentence. */
  titles?: boolean;
}

/** The lead photo as Media RSS's thumbnail (what partners show beside the headline). */
export function thumbnailNode(photo: Photo & { url: string }): XmlNode {
  const attributes: Record<string, string> = { url: photo.url };
  if (photo.width !== null) attributes.width = String(photo.width);
  if (photo.height !== null) attributes.height = String(photo.height);
  return { name: 'media:thumbnail', attributes };
}

/** A caption's first sentence, at most 150 characters, for media:title. */
function photoTitle(caption: string): string {
  const sentence = /^.*?[.!?](?=\s|$)/s.exec(caption)?.[0] ?? caption;
  return sentence.length <= 150 ? sentence : `${sentence.slice(0, 149).replace(/\s+\S*$/, '')}…`;
}

/** One media:content per photo with a URL (caption and credit inside), then the lead's media:thumbnail. */
export function mediaNodes(article: Article, options: MediaOptions = {}): XmlNode[] {
  const photos = photosWithUrl(article);
  const nodes: XmlNode[] = photos.map((photo) => {
    const attributes: Record<string, string> = { url: photo.url, type: photoType(photo), medium: 'image' };
    if (photo.bytes !== null) attributes.fileSize = String(photo.bytes);
    if (photo.width !== null) attributes.width = String(photo.width);
    if (photo.height !== null) attributes.height = String(photo.height);
    const children: XmlNode[] = [];
    if (options.titles && photo.caption) children.push({ name: 'media:title', attributes: { type: 'plain' }, text: photoTitle(photo.caption) });
    if (photo.caption) children.push({ name: 'media:description', attributes: { type: 'plain' }, text: photo.caption });
    if (photo.credit) children.push({ name: 'media:credit', attributes: { role: 'photographer', scheme: 'urn:ebu' }, text: photo.credit });
    return { name: 'media:content', attributes, children };
  });
  const lead = photos[0];
  if (lead) nodes.push(thumbnailNode(lead));
  return nodes;
}
