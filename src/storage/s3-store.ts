/** The ObjectStore on S3 (or any S3 API, e.g. s3rver locally), with the SDK's modular commands. */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { assertSafeKey, type ObjectHead, type ObjectStore, type PutOptions, PreconditionFailedError, type StoredObject } from './object-store.js';

export interface S3StoreOptions {
  bucket: string;
  /** An S3 API other than AWS's (s3rver, MinIO): path-style addressing is used. */
  endpoint?: string;
  region?: string;
  /** Attempts for a throttled or failed request (the SDK's standard retry with backoff). */
  maxAttempts?: number;
}

/** One client per container: created once at module load of a handler, reused across invocations. */
export function createS3Client(options: Omit<S3StoreOptions, 'bucket'>): S3Client {
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 4,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    // Checksums only where S3 requires them: no aws-chunked framing of small bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode;
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export class S3ObjectStore implements ObjectStore {
  readonly name: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.name = `s3://${bucket}`;
  }

  async get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
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
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0), size: out.ContentLength ?? 0, contentType: out.ContentType, metadata: out.Metadata ?? {} };
    } catch (error) {
      if (statusOf(error) === 404 || (error as Error).name === 'NotFound') return null;
      throw error;
    }
  }

  async put(key: string, body: string | Buffer, options: PutOptions = {}): Promise<string> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
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
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async list(prefix: string, limit: number): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: Math.min(1000, limit - keys.length), ContinuationToken: token }),
      );
      for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys.slice(0, limit);
  }
}
