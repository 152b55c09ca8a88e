/**
 * Publish: S3 ObjectCreated under incoming/, or POST /articles (a JSON or raw text body, by Content-Type;
 * IAM auth or the API token). Stores the article, then regenerates and publishes the feeds that contain it.
 */
import type { APIGatewayProxyResultV2, S3Event } from 'aws-lambda';
import { bodyFormat, errorResponse, type HttpEvent, headerValue, isAuthorised, isHttpEvent, isS3Event, json, type Refusal, requestBody, sortRecords } from '../src/lambda/events.js';
import { eventRuntime, runtime } from '../src/lambda/runtime.js';
import { jsonLogger } from '../src/log.js';
import { readArticle } from '../src/read/index.js';

export async function handler(event: S3Event | HttpEvent): Promise<APIGatewayProxyResultV2 | { processed: number; refused: Refusal[] }> {
  if (isHttpEvent(event)) return publishRequest(event);
  if (!isS3Event(event)) throw new Error('publish: unsupported event (expected an S3 notification or an HTTP API request)');
  const { config, syndicator, log } = eventRuntime();
  const { accepted, refused } = sortRecords(event, { kind: 'ObjectCreated', bucket: config.bucket, now: Date.now(), log });
  // One record after another: records for one key must apply in order. A thrown error (S3 unavailable)
  // lets Lambda retry the event; unreadable articles are recorded under errors/ and not retried.
  for (const object of accepted) {
    await syndicator.publishObject(object.key, object.sequencer, { eventTime: object.eventTime, ...(object.etag ? { etag: object.etag } : {}), ...(object.size !== undefined ? { size: object.size } : {}) });
  }
  // A malformed record for one of our keys is recorded under errors/ as well, so the newsroom sees it.
  for (const refusal of refused) if (refusal.field) await syndicator.recordRefusal(refusal.key, refusal.field, refusal.reason);
  return { processed: accepted.length, refused };
}

async function publishRequest(event: HttpEvent): Promise<APIGatewayProxyResultV2> {
  const request = event.requestContext.requestId;
  try {
    const { config, syndicator } = runtime();
    if (!isAuthorised(event, config.apiToken)) return json(401, { error: 'credentials required' });
    const body = requestBody(event);
    const format = bodyFormat(headerValue(event, 'content-type'), body);
    if (typeof format === 'object') {
      return json(415, { error: `Content-Type ${JSON.stringify(format.unsupported.slice(0, 100))} is not supported: send application/json (or a +json type) for a JSON article, text/markdown or text/plain for raw text`, field: 'content-type' });
    }
    const source = `request ${request}`;
    const { article, warnings } = readArticle(format === 'json' ? 'request.json' : 'request.md', body, { source, receivedAt: new Date(event.requestContext.timeEpoch), defaultLanguage: config.site.language });
    // An id derived from the URL must not silently take over an id another URL derived.
    const idFromUrl = article.url !== null && warnings.some((w) => w.field === 'id');
    const outcome = await syndicator.publishArticle(article, { idFromUrl, source });
    return json(outcome.status === 'published' ? 201 : 200, { ...outcome, warnings });
  } catch (error) {
    return errorResponse(error, jsonLogger, request);
  }
}
