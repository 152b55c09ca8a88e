/**
 * Publish: S3 ObjectCreated under incoming/, or POST /articles (JSON or raw text body; IAM auth or the
 * API token). Stores the article, then regenerates and publishes the feeds that contain it.
 */
import type { APIGatewayProxyResultV2, S3Event } from 'aws-lambda';
import { readArticle } from '../src/read/index.js';
import { errorResponse, type HttpEvent, incomingRecords, isAuthorised, isHttpEvent, isS3Event, json, recordKey, requestBody } from '../src/lambda/events.js';
import { createRuntime } from '../src/lambda/runtime.js';

const runtime = createRuntime();

export async function handler(event: S3Event | HttpEvent): Promise<APIGatewayProxyResultV2 | { processed: number }> {
  if (isHttpEvent(event)) return publishRequest(event);
  if (!isS3Event(event)) throw new Error('publish: unsupported event (expected an S3 notification or an HTTP API request)');
  // One record after another: records for one key must apply in order. A thrown error (S3 unavailable)
  // lets Lambda retry the event; unreadable articles are recorded under errors/ and not retried.
  const records = incomingRecords(event);
  for (const record of records) {
    await runtime.syndicator.publishObject(recordKey(record), record.s3.object.sequencer ?? null);
  }
  return { processed: records.length };
}

async function publishRequest(event: HttpEvent): Promise<APIGatewayProxyResultV2> {
  const request = event.requestContext.requestId;
  if (!isAuthorised(event, runtime.config.apiToken)) return json(401, { error: 'credentials required' });
  try {
    const type = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    const name = /json/i.test(type) ? 'request.json' : 'request.md';
    const { article, warnings } = readArticle(name, requestBody(event), {
      source: `request ${request}`,
      receivedAt: new Date(event.requestContext.timeEpoch),
      defaultLanguage: runtime.config.site.language,
    });
    const outcome = await runtime.syndicator.publishArticle(article);
    return json(outcome.status === 'published' ? 201 : 200, { ...outcome, warnings });
  } catch (error) {
    return errorResponse(error, runtime.log, request);
  }
}
