/**
 * The one storage port: a flat key space of objects, as S3 has. The S3 adapter is what Lambda uses; the
 * folder adapter is the CLI's default; the memory adapter is for unit tests. Conditional writes
 * (ifMatch / ifNoneMatch) are compare-and-swap: they throw PreconditionFailedError when the object's
 * ETag is not the one expected, and are how concurrent writers of one object avoid lost updates.
 */

export interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType?: string;
  /** As put (kept by the memory store, for tests). */
  cacheControl?: string;
  metadata: Record<string, string>;
}

export interface ObjectHead {
  etag: string;
  lastModified: Date;
  size: number;
  contentType?: string;
  metadata: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
  /** Write only if the current object has this ETag. */
  ifMatch?: string;
  /** Write only if no object exists. */
  ifNoneMatch?: '*';
}

export interface ObjectStore {
  /** A human-readable name for logs and errors, e.g. s3://bucket or a folder path. */
  readonly name: string;
  get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectHead | null>;
  /** Returns the new ETag. */
  put(key: string, body: string | Buffer, options?: PutOptions): Promise<string>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix in ascending order, at most `limit`, after `startAfter` when given. */
  list(prefix: string, limit: number, startAfter?: string): Promise<string[]>;
  /** The "folders" right under a prefix (S3 CommonPrefixes with delimiter "/"), each ending in "/". */
  listPrefixes(prefix: string): Promise<string[]>;
}

export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`${key}: precondition failed (another writer changed it)`, options);
  }
}

/** The distinct next path segments (with trailing "/") of keys under a prefix. */
export function prefixesOf(keys: Iterable<string>, prefix: string): string[] {
  const found = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const slash = key.indexOf('/', prefix.length);
    if (slash >= 0) found.add(key.slice(0, slash + 1));
  }
  return [...found].sort();
}

/** Object keys must be plain relative paths: no `..` segments, no NUL, no leading slash. */
export function assertSafeKey(key: string): void {
  if (key === '' || key.includes('\0') || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`unsafe object key: ${JSON.stringify(key.slice(0, 200))}`);
  }
}
