/**
 * The ObjectStore on S3 (or any S3 API, e.g. s3rver locally), with the SDK's modular commands. The SDK is
 * loaded on first use, not at import: a handler's module init stays small (see docs/BENCHMARKS.md), and
 * requests that never reach S3 (refused, filtered) never pay for it. One client per container.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { StoreError } from '../errors.js';
import { assertSafeKey, type ObjectHead, type ObjectStore, type PutOptions, PreconditionFailedError, type StoredObject } from './object-store.js';

export interface S3StoreOptions {
  bucket: string;
  /** An S3 API other than AWS's (s3rver, MinIO): path-style addressing is used. */
  endpoint?: string;
  region?: string;
  /** Attempts for a throttled or failed request (the SDK's standard retry with backoff). */
  maxAttempts?: number;
  /** How long one attempt may wait for the connection and then for each answer (default 10 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdkModule: Promise<S3Sdk> | undefined;
const loadSdk = (): Promise<S3Sdk> => {
  sdkModule ??= import('@aws-sdk/client-s3');
  return sdkModule;
};

export function s3ClientConfig(options: Omit<S3StoreOptions, 'bucket'>): S3ClientConfig {
  return {
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 4,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    // Checksums only where S3 requires them: no aws-chunked framing of small bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Without these an endpoint that accepts the connection and never answers hangs a request forever.
    // (throwOnRequestTimeout: the handler only logs a warning otherwise, and the request waits on.)
    requestHandler: { connectionTimeout: Math.min(3_000, timeoutOf(options)), requestTimeout: timeoutOf(options), throwOnRequestTimeout: true },
  };
}

const timeoutOf = (options: Omit<S3StoreOptions, 'bucket'>) => options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

/** Failures where no answer came at all (after the SDK's retries): the endpoint is named, not a key. */
function isUnanswered(error: unknown): boolean {
  if (statusOf(error) !== undefined) return false;
  const { name, code } = error as { name?: string; code?: string };
  return name === 'TimeoutError' || name === 'RequestTimeout' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code ?? '');
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

const unquote = (etag: string): string => etag.replace(/^"(.*)"$/, '$1');

/**
 * A GET or HEAD refused with 403. On AWS that is also how a missing key answers when the caller may not
 * list the bucket, so it is never read as "missing": that would hide a real permissions problem.
 */
export class S3AccessDeniedError extends Error {
  override readonly name = 'S3AccessDeniedError';
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `s3://${bucket}/${key}: access denied (403). S3 also answers 403 for a key that does not exist unless the role ` +
        `may s3:ListBucket on the bucket ${bucket}; grant that so missing keys read as 404, or grant the read that was denied.`,
      options,
    );
  }
}

export class S3ObjectStore implements ObjectStore {
  readonly name: string;
  private client: Promise<S3Client> | undefined;
  /**
   * How this server wants If-Match ETags: AWS takes them in quotes, as S3 returns them; Ceph RGW answers
   * 412 to a quoted one even when it matches. Unknown until a conditional PUT shows which.
   */
  private ifMatchForm: 'unknown' | 'quoted' | 'unquoted' = 'unknown';

  /** Either a ready client (tests) or the options to create one on first use (handlers, CLI). */
  constructor(
    client: S3Client | Omit<S3StoreOptions, 'bucket'>,
    private readonly bucket: string,
  ) {
    this.name = `s3://${bucket}`;
    if ('send' in client) this.client = Promise.resolve(client);
    else this.options = client;
  }

  private options: Omit<S3StoreOptions, 'bucket'> = {};

  private async send<T>(make: (sdk: S3Sdk) => unknown): Promise<T> {
    const sdk = await loadSdk();
    this.client ??= Promise.resolve(new sdk.S3Client(s3ClientConfig(this.options)));
    const client = await this.client;
    try {
      // Each caller builds one command and names its output type; send's overloads cannot follow that.
      return (await client.send(make(sdk) as Parameters<S3Client['send']>[0])) as T;
    } catch (error) {
      if (!isUnanswered(error)) throw error;
      const where = this.options.endpoint ?? 'AWS';
      const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
      throw new StoreError(
        `${this.name} at ${where}`,
        `no answer (${(error as Error).message || (error as Error).name}) within ${timeoutOf(this.options) / 1000} s${attempts ? ` per attempt, ${attempts} attempts` : ''}`,
        { cause: error },
      );
    }
  }

  async get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null> {
    try {
      const out = await this.send<import('@aws-sdk/client-s3').GetObjectCommandOutput>(
        (sdk) => new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
      return {
        body,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || (error as Error).name === 'NoSuchKey') return null;
      if (status === 416) {
        // A range from 0 of an empty object: the object is there, empty; its ETag still says which it is.
        const head = await this.head(key);
        return head ? { body: Buffer.alloc(0), etag: head.etag, lastModified: head.lastModified, contentType: head.contentType, metadata: head.metadata } : null;
      }
      if (status === 403) throw new S3AccessDeniedError(this.bucket, key, { cause: error });
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const out = await this.send<import('@aws-sdk/client-s3').HeadObjectCommandOutput>((sdk) => new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0), size: out.ContentLength ?? 0, contentType: out.ContentType, metadata: out.Metadata ?? {} };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || (error as Error).name === 'NotFound') return null;
      if (status === 403) throw new S3AccessDeniedError(this.bucket, key, { cause: error });
      throw error;
    }
  }

  async put(key: string, body: string | Buffer, options: PutOptions = {}): Promise<string> {
    assertSafeKey(key);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const quoted = options.ifMatch !== undefined && options.ifMatch !== unquote(options.ifMatch);
    const ifMatch = quoted && this.ifMatchForm === 'unquoted' ? unquote(options.ifMatch!) : options.ifMatch;
    try {
      const etag = await this.putObject(key, bytes, options, ifMatch);
      if (quoted && ifMatch === options.ifMatch) this.ifMatchForm = 'quoted';
      return etag;
    } catch (error) {
      const status = statusOf(error) ?? ((error as Error).name === 'PreconditionFailed' ? 412 : undefined);
      const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined;
      if (!conditional || status === undefined || !(status === 409 || status === 412 || status >= 500)) throw error;
      // 409 (AWS: a conditional write to the key was in flight) and 412 are lost races. One HEAD first when
      // (a) it is still a 5xx after the SDK's retries (RGW answers some losers 500; a retry then gets 412, but
      // the SDK's retries run out), or (b) a quoted If-Match got 412 from a server whose form is not known.
      const probeQuoting = status === 412 && quoted && this.ifMatchForm === 'unknown';
      if (status < 500 && !probeQuoting) throw new PreconditionFailedError(key, { cause: error });
      const current = await this.head(key);
      if (probeQuoting && current && unquote(current.etag) === unquote(options.ifMatch!)) {
        // The ETag we sent is the current one, yet 412: a server that wants it unquoted (RGW). Once more so.
        this.ifMatchForm = 'unquoted';
        return this.put(key, body, options);
      }
      const holds = options.ifNoneMatch === '*' ? current === null : current !== null && unquote(current.etag) === unquote(options.ifMatch!);
      // A 5xx while the condition still holds is a server failure, not a lost race. When it no longer holds,
      // a lost race is the answer even if an earlier attempt's write landed: the stored ETag cannot tell our
      // write from another writer's identical bytes (two CAS writers of n + 1), so this errs towards redoing.
      if (status >= 500 && holds) throw error;
      throw new PreconditionFailedError(key, { cause: error });
    }
  }

  private async putObject(key: string, bytes: Buffer, options: PutOptions, ifMatch: string | undefined): Promise<string> {
    const out = await this.send<import('@aws-sdk/client-s3').PutObjectCommandOutput>(
      (sdk) => new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        // Always bytes with a known length: a string body can make the SDK treat it as a stream.
        Body: bytes,
        ContentType: options.contentType,
        CacheControl: options.cacheControl,
        Metadata: options.metadata,
        IfMatch: ifMatch,
        IfNoneMatch: options.ifNoneMatch,
      }),
    );
    return out.ETag ?? '';
  }

  async delete(key: string): Promise<void> {
    await this.send((sdk) => new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.send<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>(
        (sdk) => new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const item of out.CommonPrefixes ?? []) if (item.Prefix) prefixes.push(item.Prefix);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return prefixes.sort();
  }

  async list(prefix: string, limit: number, startAfter?: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.send<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>(
        (sdk) =>
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            MaxKeys: Math.min(1000, limit - keys.length),
            ...(token ? { ContinuationToken: token } : startAfter !== undefined ? { StartAfter: startAfter } : {}),
          }),
      );
      for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys.slice(0, limit);
  }
}
