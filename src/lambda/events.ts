/** Telling events apart and reading them: S3 notifications, HTTP API requests, CloudFormation. */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyResultV2, CloudFormationCustomResourceEvent, S3Event, S3EventRecord } from 'aws-lambda';
import { timingSafeEqual } from 'node:crypto';
import { ArticleError, ConfigError, ConflictError, describeError, FeedCheckError, StoreError } from '../errors.js';
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

/** A CloudFormation custom-resource request that can be answered: a request type and an http(s) ResponseURL. */
export function isCloudFormationEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  const e = event as CloudFormationCustomResourceEvent;
  return typeof e?.RequestType === 'string' && typeof e?.ResponseURL === 'string' && /^https?:\/\//i.test(e.ResponseURL);
}

/** Shaped like a CloudFormation request (whether or not it can be answered): never a manual republish. */
export function looksLikeCloudFormation(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return ['RequestType', 'StackId', 'RequestId', 'ResponseURL', 'LogicalResourceId'].some((name) => name in event);
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

/** An S3 record this function acts on. */
export interface EventObject {
  key: string;
  /** Orders the events of one key (hex; S3 always sends it). */
  sequencer: string;
  eventTime: string;
  /** The object's ETag when the event was sent (ObjectCreated only). */
  etag?: string;
  /** Its size in bytes, as the event says (ObjectCreated only): an article over the limit is never read. */
  size?: number;
}

/** A record that was not applied, and why. */
export interface Refusal {
  key: string;
  reason: string;
  /** Set when the key is ours but the record is malformed: recorded under errors/ for the key too. */
  field?: 'sequencer' | 'eventTime';
}

/** S3 sequencers are hex (the record format in src/records.ts holds them to the same). */
const SEQUENCER = /^[0-9A-Fa-f]{1,64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** An eventTime further ahead than this would pin the feed's date (a takedown's time is its date). */
export const EVENT_TIME_TOLERANCE_MS = 15 * 60 * 1000;

/**
 * Sorts an S3 notification into the records this function acts on and those it refuses, in event order.
 * Refused, never retried (a retry cannot change them), each logged with the bucket and key:
 * - another bucket than FEED_BUCKET, or another kind of event (a create given to unpublish must never
 *   take an article down);
 * - keys outside incoming/, folder markers, and keys with `..` segments or NUL (never an article);
 * - no valid sequencer or eventTime (S3 always sends both: without them the order of events is unknown),
 *   or an eventTime more than 15 minutes ahead.
 */
export function sortRecords(event: S3Event, want: { kind: 'ObjectCreated' | 'ObjectRemoved'; bucket: string; now: number; log: Logger }): { accepted: EventObject[]; refused: Refusal[] } {
  const accepted: EventObject[] = [];
  const refused: Refusal[] = [];
  for (const record of event.Records) {
    const bucket = record.s3?.bucket?.name;
    let key: string;
    let decoded = true;
    try {
      key = recordKey(record);
    } catch {
      key = String(record.s3?.object?.key ?? '');
      decoded = false;
    }
    const reason = refusalOf(record, decoded ? key : null, want);
    if (reason) {
      want.log.error('S3 record refused', { bucket, key, eventName: record.eventName, eventTime: record.eventTime, sequencer: record.s3?.object?.sequencer, reason });
      const field = /^(sequencer|eventTime): /.exec(reason)?.[1] as Refusal['field'] | undefined;
      refused.push({ key, reason, ...(field ? { field } : {}) });
      continue;
    }
    const etag = record.s3.object.eTag;
    const size = record.s3.object.size;
    accepted.push({ key, sequencer: record.s3.object.sequencer as string, eventTime: record.eventTime, ...(etag ? { etag } : {}), ...(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? { size } : {}) });
  }
  return { accepted, refused };
}

/** Why a record is refused, or null; `key` is null when the event's key is not valid URL encoding. */
function refusalOf(record: S3EventRecord, key: string | null, want: { kind: string; bucket: string; now: number }): string | null {
  const bucket = record.s3?.bucket?.name;
  if (bucket !== want.bucket) return `names the bucket ${JSON.stringify(bucket ?? null)}, not ${want.bucket}`;
  const eventName = String(record.eventName ?? '');
  if (!eventName.startsWith(`${want.kind}:`)) return `is ${JSON.stringify(eventName)}, not ${want.kind}: this function does not act on it`;
  if (key === null) return 'unsafe key: not valid URL encoding';
  if (!isSafeKey(key)) return 'unsafe key: `..` segments, NUL or a leading slash';
  if (!key.startsWith(INCOMING)) return `not under ${INCOMING}`;
  if (key.endsWith('/')) return 'a folder, not an article';
  const sequencer = record.s3.object.sequencer;
  if (typeof sequencer !== 'string' || !SEQUENCER.test(sequencer)) return `sequencer: ${JSON.stringify(sequencer ?? null)} is not an S3 sequencer (without it the order of this key's events is unknown)`;
  const eventTime = record.eventTime;
  const time = typeof eventTime === 'string' && ISO_TIME.test(eventTime) ? Date.parse(eventTime) : Number.NaN;
  if (Number.isNaN(time)) return `eventTime: ${JSON.stringify(eventTime ?? null)} is not an ISO 8601 time`;
  if (time > want.now + EVENT_TIME_TOLERANCE_MS) return `eventTime: ${eventTime} is more than 15 minutes in the future`;
  return null;
}

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** IAM auth (checked by API Gateway, present in the context) or the configured bearer token. */
export function isAuthorised(event: HttpEvent, apiToken: string | undefined): boolean {
  const iam = (event as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext?.authorizer?.iam;
  if (iam?.accessKey || iam?.userArn) return true;
  if (!apiToken) return false;
  const header = headerValue(event, 'authorization');
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1] ?? '');
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The one place errors become HTTP responses. */
export function errorResponse(error: unknown, log: Logger, request: string): APIGatewayProxyResultV2 {
  if (error instanceof ArticleError) return json(400, { error: error.message, field: error.field });
  // The id or URL belongs to another source or article: the request is fine, the store says no.
  if (error instanceof ConflictError) return json(409, { error: error.message, field: error.field });
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

/** A header's value (HTTP API v2 lower-cases names, but a test or a proxy may not); '' when absent. */
export function headerValue(event: HttpEvent, name: string): string {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1] ?? '';
}

/** application/json and any structured-syntax +json type (application/ld+json, application/vnd.x+json...). */
const JSON_TYPE = /^application\/(?:[a-z0-9!#$&^_.+-]+\+)?json$/;
/** Raw article text. */
const TEXT_TYPES = new Set(['text/markdown', 'text/plain', 'text/x-markdown']);

/**
 * How a POST body is read: `json` for a JSON Content-Type; for a raw-text type (text/markdown, text/plain,
 * text/x-markdown) or none, `json` all the same when the body is a JSON object (braces around it: a
 * malformed one is then refused as JSON, never published as the text of an article), else `text`. Any
 * other Content-Type is unsupported (HTTP 415), named in the answer.
 */
export function bodyFormat(contentType: string, body: Buffer): 'json' | 'text' | { unsupported: string } {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (JSON_TYPE.test(type)) return 'json';
  if (type !== '' && !TEXT_TYPES.has(type)) return { unsupported: type };
  const text = body.toString('utf8').replace(/^\uFEFF/, '').trim();
  return text.startsWith('{') && text.endsWith('}') ? 'json' : 'text';
}

/** The request body as bytes (API Gateway may base64-encode it). */
export function requestBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
