/**
 * The ObjectStore on S3 (or any S3 API, e.g. s3rver locally), with the SDK's modular commands. The SDK is
 * loaded on first use, not at import: a handler's module init stays small (see docs/BENCHMARKS.md), and
 * requests that never reach S3 (refused, filtered) never pay for it. One client per container.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { assertSafeKey, type ObjectHead, type ObjectStore, type PutOptions, PreconditionFailedError, type StoredObject } from './object-store.js';

export interface S3StoreOptions {
  bucket: string;
  /** An S3 API other than AWS's (s3rver, MinIO): path-style addressing is used. */
  endpoint?: string;
  region?: string;
  /** Attempts for a throttled or failed request (the SDK's standard retry with backoff). */
  maxAttempts?: number;
}

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
  };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export class S3ObjectStore implements ObjectStore {
  readonly name: string;
  private client: Promise<S3Client> | undefined;

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
    // Each caller builds one command and names its output type; send's overloads cannot follow that.
    return (await client.send(make(sdk) as Parameters<S3Client['send']>[0])) as T;
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
      if (status === 416) return { body: Buffer.alloc(0), etag: '', lastModified: new Date(0), metadata: {} };
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const out = await this.send<import('@aws-sdk/client-s3').HeadObjectCommandOutput>((sdk) => new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0), size: out.ContentLength ?? 0, contentType: out.ContentType, metadata: out.Metadata ?? {} };
    } catch (error) {
      if (statusOf(error) === 404 || (error as Error).name === 'NotFound') return null;
      throw error;
    }
  }

  async put(key: string, body: string | Buffer, options: PutOptions = {}): Promise<string> {
    assertSafeKey(key);
    try {
      const out = await this.send<import('@aws-sdk/client-s3').PutObjectCommandOutput>(
        (sdk) => new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          // Always bytes with a known length: a string body can make the SDK treat it as a stream.
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          ContentType: options.contentType,
          CacheControl: options.cacheControl,
          Metadata: options.metadata,
          IfMatch: options.ifMatch,
          IfNoneMatch: options.ifNoneMatch,
        }),
      );
      return out.ETag ?? '';
    } catch (error) {
      const status = statusOf(error);
      // 412: the ETag moved on; 409: a concurrent conditional write to the same key is in flight.
      if (status === 412 || status === 409 || (error as Error).name === 'PreconditionFailed') throw new PreconditionFailedError(key, { cause: error });
      throw error;
    }
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

  async list(prefix: string, limit: number): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.send<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>(
        (sdk) => new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: Math.min(1000, limit - keys.length), ContinuationToken: token }),
      );
      for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys.slice(0, limit);
  }
}
