/**
 * Serves the public feed prefix of the bucket on 127.0.0.1, as CloudFront in front of it would: each
 * object with the Content-Type and Cache-Control it was stored with, a folder's index.html for a path
 * ending in `/`, 404 for anything else (the service's own prefixes are never served).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredObject } from '../storage/object-store.js';

/** The object key a request path names under `prefix`; null when it names nothing served. */
export function keyFor(path: string, prefix: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.split('?')[0] ?? '');
  } catch {
    return null;
  }
  const key = decoded.replace(/^\/+/, '');
  if (!key.startsWith(prefix) && `${key}/` !== prefix) return null;
  if (key.includes('\0') || key.split('/').some((part) => part === '..' || part === '.')) return null;
  if (key === prefix.slice(0, -1)) return null;
  return key.endsWith('/') ? `${key}index.html` : key;
}

async function answer(req: IncomingMessage, res: ServerResponse, read: ReadObject, prefix: string): Promise<void> {
  const path = req.url ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  // The home page and the prefix without its slash lead to the site-wide feed's page.
  if (path === '/' || `${path.split('?')[0]}/` === `/${prefix}`) {
    res.writeHead(302, { location: `/${prefix}` }).end();
    return;
  }
  const key = keyFor(path, prefix);
  const object = key === null ? null : await read(key);
  if (!object) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path.slice(0, 200)}\n`);
    return;
  }
  res.writeHead(200, {
    'content-type': object.contentType ?? 'application/octet-stream',
    'content-length': object.body.length,
    'cache-control': 'no-cache',
    etag: object.etag,
  });
  res.end(req.method === 'HEAD' ? undefined : object.body);
}

/** Reads one object of the bucket (null when there is none). */
export type ReadObject = (key: string) => Promise<StoredObject | null>;

/** Starts serving on 127.0.0.1:`port` (0: a free port); resolves with the server and its port. */
export async function serveFeeds(read: ReadObject, prefix: string, port: number, onError: (error: unknown) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    answer(req, res, read, prefix).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the local S3 did not answer\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
