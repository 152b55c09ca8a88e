/** Walks an RFC 5005 archive: from a current document along prev-archive, collecting the items met. */
import { XMLParser } from 'fast-xml-parser';

// Its own parser (not tests/helpers.ts, which needs vitest): the long reliability run uses this too.
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, isArray: (name, jpath) => name === 'item' || name === 'entry' || (name === 'link' && String(jpath).startsWith('feed')) });
const parseXml = (xml: string): Record<string, any> => parser.parse(xml);

export const FEED_URL = 'https://news.test.example/feeds/';

/** Follows prev-archive from the current document; returns the ids met, in order, and the documents visited. */
export function walk(files: { get(path: string): string | undefined }, start: string, format: 'rss' | 'atom' | 'json', base = FEED_URL): { ids: string[]; visited: string[] } {
  const ids: string[] = [];
  const visited: string[] = [];
  let path: string | undefined = start;
  while (path) {
    if (visited.includes(path)) throw new Error(`a loop at ${path}`);
    visited.push(path);
    const body = files.get(path);
    if (body === undefined) throw new Error(`${path} is linked but not written`);
    let next: string | undefined;
    if (format === 'json') {
      const feed = JSON.parse(body);
      for (const item of feed.items) ids.push(item._syndicate.article_id);
      next = feed.next_url;
    } else if (format === 'rss') {
      const channel = parseXml(body).rss.channel;
      for (const item of [channel.item ?? []].flat()) ids.push(item.link);
      next = [channel['atom:link']].flat().find((l: Record<string, string>) => l['@rel'] === 'prev-archive')?.['@href'];
    } else {
      const feed = parseXml(body).feed;
      for (const entry of [feed.entry ?? []].flat()) ids.push(entry.id);
      next = [feed.link].flat().find((l: Record<string, string>) => l['@rel'] === 'prev-archive')?.['@href'];
    }
    // Links are URLs: a section of another script is percent-encoded there, not in the file name.
    path = next?.startsWith(base) ? decodeURI(next.slice(base.length)) : next;
  }
  return { ids, visited };
}


/** Every archive document's prev-archive and next-archive links, by path (RSS), for checking they pair up. */
export function archiveLinks(files: { get(path: string): string | undefined }, paths: readonly string[], base = FEED_URL): Map<string, { prev?: string; next?: string }> {
  const links = new Map<string, { prev?: string; next?: string }>();
  for (const path of paths) {
    const channel = parseXml(files.get(path) ?? '').rss.channel;
    const rel = (name: string) => {
      const href = [channel['atom:link']].flat().find((l: Record<string, string>) => l['@rel'] === name)?.['@href'] as string | undefined;
      return href?.startsWith(base) ? decodeURI(href.slice(base.length)) : href;
    };
    const prev = rel('prev-archive');
    const next = rel('next-archive');
    links.set(path, { ...(prev ? { prev } : {}), ...(next ? { next } : {}) });
  }
  return links;
}

/** What does not pair up: a document whose next-archive does not link back to it as its prev-archive, and so on. */
export function unpairedLinks(links: Map<string, { prev?: string; next?: string }>): string[] {
  const problems: string[] = [];
  for (const [path, { prev, next }] of links) {
    if (next && links.get(next)?.prev !== path) problems.push(`${path} -> next ${next}, whose prev is ${links.get(next)?.prev}`);
    if (prev && links.get(prev)?.next !== path) problems.push(`${path} -> prev ${prev}, whose next is ${links.get(prev)?.next}`);
  }
  return problems;
}
