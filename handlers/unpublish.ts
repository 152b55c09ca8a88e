/**
 * Unpublish (a takedown): S3 ObjectRemoved under incoming/, or DELETE /articles/{id}. The article leaves
 * every feed it was in; Atom feeds carry a tombstone and JSON feeds list it under `_syndicate.deleted`.
 */
import type { APIGatewayProxyResultV2, S3Event } from 'aws-lambda';
import { ARTICLE_ID } from '../src/article.js';
import { errorResponse, type HttpEvent, isAuthorised, isHttpEvent, isS3Event, json, type Refusal, sortRecords } from '../src/lambda/events.js';
import { eventRuntime, runtime } from '../src/lambda/runtime.js';
import { jsonLogger } from '../src/log.js';

export async function handler(event: S3Event | HttpEvent): Promise<APIGatewayProxyResultV2 | { processed: number; refused: Refusal[] }> {
  if (isHttpEvent(event)) return unpublishRequest(event);
  if (!isS3Event(event)) throw new Error('unpublish: unsupported event (expected an S3 notification or an HTTP API request)');
  const { config, syndicator, log } = eventRuntime();
  // Only ObjectRemoved records of this bucket: anything else reaching this function must never take an article down.
  const { accepted, refused } = sortRecords(event, { kind: 'ObjectRemoved', bucket: config.bucket, now: Date.now(), log });
  for (const object of accepted) await syndicator.unpublishObject(object.key, object.sequencer, object.eventTime);
  // A malformed record for one of our keys is recorded under errors/ as well, so the newsroom sees it.
  for (const refusal of refused) if (refusal.field) await syndicator.recordRefusal(refusal.key, refusal.field, refusal.reason);
  return { processed: accepted.length, refused };
}

async function unpublishRequest(event: HttpEvent): Promise<APIGatewayProxyResultV2> {
  const request = event.requestContext.requestId;
  try {
    const { config, syndicator } = runtime();
    if (!isAuthorised(event, config.apiToken)) return json(401, { error: 'credentials required' });
    const id = event.pathParameters?.id ?? '';
    if (!ARTICLE_ID.test(id)) return json(400, { error: `request ${request}: id: "${id.slice(0, 80)}" is not an article id`, field: 'id' });
    // Withdrawn again is still 'withdrawn' (DELETE is idempotent); an id never published is 404.
    const outcome = await syndicator.unpublishId(id, new Date(event.requestContext.timeEpoch).toISOString());
    return json(outcome.status === 'not-found' ? 404 : 200, outcome);
  } catch (error) {
    return errorResponse(error, jsonLogger, request);
  }
}
