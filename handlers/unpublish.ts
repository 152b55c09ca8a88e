/**
 * Unpublish (a takedown): S3 ObjectRemoved under incoming/, or DELETE /articles/{id}. The article leaves
 * every feed it was in; Atom feeds carry a tombstone and JSON feeds list it under `_syndicate.deleted`.
 */
import type { APIGatewayProxyResultV2, S3Event } from 'aws-lambda';
import { ARTICLE_ID } from '../src/article.js';
import { errorResponse, type HttpEvent, incomingRecords, isAuthorised, isHttpEvent, isS3Event, json, recordKey } from '../src/lambda/events.js';
import { createRuntime } from '../src/lambda/runtime.js';

const runtime = createRuntime();

export async function handler(event: S3Event | HttpEvent): Promise<APIGatewayProxyResultV2 | { processed: number }> {
  if (isHttpEvent(event)) return unpublishRequest(event);
  if (!isS3Event(event)) throw new Error('unpublish: unsupported event (expected an S3 notification or an HTTP API request)');
  const records = incomingRecords(event);
  for (const record of records) {
    await runtime.syndicator.unpublishObject(recordKey(record), record.s3.object.sequencer ?? null, record.eventTime);
  }
  return { processed: records.length };
}

async function unpublishRequest(event: HttpEvent): Promise<APIGatewayProxyResultV2> {
  const request = event.requestContext.requestId;
  if (!isAuthorised(event, runtime.config.apiToken)) return json(401, { error: 'credentials required' });
  const id = event.pathParameters?.id ?? '';
  if (!ARTICLE_ID.test(id)) return json(400, { error: `request ${request}: id: "${id.slice(0, 80)}" is not an article id`, field: 'id' });
  try {
    const outcome = await runtime.syndicator.unpublishId(id, new Date(event.requestContext.timeEpoch).toISOString());
    return json(outcome.status === 'not-found' ? 404 : 200, outcome);
  } catch (error) {
    return errorResponse(error, runtime.log, request);
  }
}
