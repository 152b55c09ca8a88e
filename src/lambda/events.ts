/** Telling events apart and reading them: S3 notifications, HTTP API requests, CloudFormation. */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyResultV2, CloudFormationCustomResourceEvent, S3Event, S3EventRecord } from 'aws-lambda';
import { timingSafeEqual } from 'node:crypto';
import { ArticleError, ConfigError, describeError, FeedCheckError, StoreError } from '../errors.js';
import type { Logger } from '../log.js';
import { assertSafeKey } from '../storage/object-store.js';
import { INCOMING } from '../layout.js';

export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithIAMAuthorizer;

export function isS3Event(event: unknown): event is S3Event {
  return Array.isArray((event as S3Event)?.Records) && (event as S3Event).Records.every((r) => r?.eventSource === 'aws:s3');
}

export function isHttpEvent(event: unknown): event is HttpEvent {
  return typeof (event as HttpEvent)?.requestContext?.http?.method === 'string';
}

export function isCloudFormationEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  const e = event as CloudFormationCustomResourceEvent;
  return typeof e?.RequestType === 'string' && typeof e?.ResponseURL === 'string';
}

/** S3 event keys are URL-encoded with `+` for spaces. */
export function recordKey(record: S3EventRecord): string {
  return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
}

function isSafeKey(key: string): boolean {
  try {
    assertSafeKey(key);
    return true;
  } catch {
    return false;
  }
}

/**
 * Records for incoming articles only; anything else in the bucket is not ours to act on. A key with `..`
 * segments or NUL can never be an article: it is dropped (and logged by the caller), not retried.
 */
export function incomingRecords(event: S3Event): S3EventRecord[] {
  return event.Records.filter((r) => {
    let key: string;
    try {
      key = recordKey(r);
    } catch {
      return false; // malformed percent-encoding
    }
    return key.startsWith(INCOMING) && !key.endsWith('/') && isSafeKey(key);
  });
}

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** IAM auth (checked by API Gateway, present in the context) or the configured bearer token. */
export function isAuthorised(event: HttpEvent, apiToken: string | undefined): boolean {
  const iam = (event as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext?.authorizer?.iam;
  if (iam?.accessKey || iam?.userArn) return true;
  if (!apiToken) return false;
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1] ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1] ?? '');
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The one place errors become HTTP responses. */
export function errorResponse(error: unknown, log: Logger, request: string): APIGatewayProxyResultV2 {
  if (error instanceof ArticleError) return json(400, { error: error.message, field: error.field });
  if (error instanceof FeedCheckError) {
    log.error('feed check failed; nothing published', { request, reason: error.message });
    return json(500, { error: 'a feed failed its output check; nothing was published' });
  }
  if (error instanceof ConfigError) {
    log.error('configuration error', { request, reason: error.message });
    return json(500, { error: 'the service is misconfigured' });
  }
  log.error('request failed', { request, reason: describeError(error), kind: error instanceof StoreError ? 'store' : 'unexpected' });
  return json(503, { error: 'temporarily unavailable; try again' });
}

/** The request body as bytes (API Gateway may base64-encode it). */
export function requestBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
