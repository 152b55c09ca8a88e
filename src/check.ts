/** The output check every feed passes before it is written: well-formed XML, or a valid JSON Feed 1.1. */
import { SaxesParser } from 'saxes';
import { FeedCheckError } from './errors.js';
// Compiled from the JSON Feed 1.1 schema at install time (scripts/build-jsonfeed-validator.mjs).
import validateJsonFeed from './generated/jsonfeed-validator.js';

/** Throws FeedCheckError unless the text is well-formed, namespace-correct XML. */
export function checkXml(path: string, xml: string): void {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('doctype', () => {
    failure ??= new Error('a DOCTYPE is not allowed in a feed');
  });
  parser.write(xml).close();
  if (failure) throw new FeedCheckError(path, `not well-formed XML: ${failure.message}`, { cause: failure });
}

/** Throws FeedCheckError unless the text is JSON valid against the JSON Feed 1.1 schema. */
export function checkJsonFeed(path: string, text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new FeedCheckError(path, 'not valid JSON', { cause });
  }
  if (!validateJsonFeed(value)) {
    const first = validateJsonFeed.errors?.[0];
    throw new FeedCheckError(path, `not a valid JSON Feed 1.1: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(), { cause: validateJsonFeed.errors });
  }
  if ((value as { version?: unknown }).version !== 'https://jsonfeed.org/version/1.1') {
    throw new FeedCheckError(path, 'not a JSON Feed 1.1: version must be https://jsonfeed.org/version/1.1');
  }
}

/** Throws FeedCheckError unless the page, past its doctype, parses as XML (so every value was escaped). */
export function checkPage(path: string, html: string): void {
  const doctype = '<!DOCTYPE html>\n';
  if (!html.startsWith(doctype)) throw new FeedCheckError(path, 'not an HTML page: it must open with <!DOCTYPE html>');
  checkXml(path, html.slice(doctype.length));
}

/** Checks one output file by its name. */
export function checkFeed(path: string, body: string): void {
  if (path.endsWith('.json')) checkJsonFeed(path, body);
  else if (path.endsWith('.html')) checkPage(path, body);
  else checkXml(path, body);
}
