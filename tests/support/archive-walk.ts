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

