/** An in-memory ObjectStore with real compare-and-swap semantics, for unit tests. */
import { createHash } from 'node:crypto';
import { assertSafeKey, type ObjectHead, prefixesOf, type ObjectStore, type PutOptions, PreconditionFailedError, type StoredObject } from './object-store.js';

export class MemoryObjectStore implements ObjectStore {
  readonly name = 'memory';
  readonly objects = new Map<string, StoredObject>();
  /** Requests made, by kind: what the benchmarks and request-budget tests count. */
  readonly requests = { get: 0, head: 0, put: 0, delete: 0, list: 0 };
  private clock = Date.UTC(2024, 0, 1);

  async get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null> {
    this.requests.get += 1;
    const object = this.objects.get(key);
    if (!object) return null;
    return range ? { ...object, body: object.body.subarray(range.start, range.end + 1) } : { ...object };
  }

  async head(key: string): Promise<ObjectHead | null> {
    this.requests.head += 1;
    const object = this.objects.get(key);
    if (!object) return null;
    return { etag: object.etag, lastModified: object.lastModified, size: object.body.length, contentType: object.contentType, metadata: object.metadata };
  }

  async put(key: string, body: string | Buffer, options: PutOptions = {}): Promise<string> {
    assertSafeKey(key);
    this.requests.put += 1;
    const current = this.objects.get(key);
    if (options.ifNoneMatch === '*' && current) throw new PreconditionFailedError(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
    const buffer = typeof body === 'string' ? Buffer.from(body) : body;
    const etag = `"${createHash('md5').update(buffer).digest('hex')}"`;
    this.clock += 1000;
    this.objects.set(key, { body: buffer, etag, lastModified: new Date(this.clock), contentType: options.contentType, ...(options.cacheControl ? { cacheControl: options.cacheControl } : {}), metadata: { ...(options.metadata ?? {}) } });
    return etag;
  }

  async delete(key: string): Promise<void> {
    this.requests.delete += 1;
    this.objects.delete(key);
  }

  async list(prefix: string, limit: number, startAfter?: string): Promise<string[]> {
    this.requests.list += 1;
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter))
      .sort()
      .slice(0, limit);
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    this.requests.list += 1;
    return prefixesOf(this.objects.keys(), prefix);
  }

  totalRequests(): number {
    return Object.values(this.requests).reduce((a, b) => a + b, 0);
  }
}
