/** Event fixtures from tests/events, with the parts a test varies filled in. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'events');

function load(name: string): any {
  return JSON.parse(readFileSync(join(dir, name), 'utf8'));
}

/** An S3 notification from a fixture, for one bucket and key (keys are URL-encoded in events). */
function s3Event(fixture: string, bucket: string, key: string, sequencer: string): any {
  const event = load(fixture);
  const record = event.Records[0];
  record.s3.bucket.name = bucket;
  record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
  record.s3.object.key = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  record.s3.object.sequencer = sequencer;
  return event;
}

/**
 * An ObjectCreated record. S3 sends the new object's ETag; the fixture's is an empty object's, so it is
 * left out unless the test gives the real one (the handler then publishes whatever the object is now).
 */
export function s3Created(bucket: string, key: string, sequencer = '0055AED6DCD90281E5', options: { etag?: string; eventTime?: string } = {}): any {
  const event = s3Event('s3-object-created.json', bucket, key, sequencer);
  const record = event.Records[0];
  if (options.etag === undefined) delete record.s3.object.eTag;
  else record.s3.object.eTag = options.etag.replace(/^"|"$/g, '');
  if (options.eventTime !== undefined) record.eventTime = options.eventTime;
  return event;
}

export function s3Removed(bucket: string, key: string, sequencer = '0055AED6DCD90281F0', eventTime = '2019-04-26T08:30:00.000Z'): any {
  const event = s3Event('s3-object-removed.json', bucket, key, sequencer);
  event.Records[0].eventTime = eventTime;
  return event;
}

export function httpPost(body: string, contentType: string, headers: Record<string, string> = {}): any {
  const event = load('http-post-article.json');
  event.body = body;
  event.headers = { ...event.headers, 'content-type': contentType, ...headers };
  return event;
}

export function httpDelete(id: string, options: { iam?: boolean; headers?: Record<string, string> } = {}): any {
  const event = load('http-delete-article.json');
  event.pathParameters.id = id;
  event.rawPath = `/articles/${id}`;
  event.requestContext.http.path = `/articles/${id}`;
  if (options.iam === false) delete event.requestContext.authorizer;
  event.headers = { ...event.headers, ...(options.headers ?? {}) };
  return event;
}

export function cfnUpdate(responseUrl: string): any {
  return cfnEvent(responseUrl, 'Update');
}

/** A CloudFormation custom-resource request; a Create has no PhysicalResourceId or old properties yet. */
export function cfnEvent(responseUrl: string, requestType: 'Create' | 'Update' | 'Delete'): any {
  const event = load('cfn-deploy-update.json');
  event.ResponseURL = responseUrl;
  event.RequestType = requestType;
  if (requestType === 'Create') {
    delete event.PhysicalResourceId;
    delete event.OldResourceProperties;
  }
  if (requestType === 'Delete') delete event.OldResourceProperties;
  return event;
}
