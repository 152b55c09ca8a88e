/**
 * Republish: rebuilds every feed from the stored articles. Invoked with `{}` by hand (or by
 * `syndicate publish`), and by CloudFormation on every deploy through the custom resource in
 * serverless.yml, to which it always answers (SUCCESS or FAILED) so a deploy never hangs: also when the
 * configuration is wrong, which is why the runtime is built inside the handler, never at import.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describeError } from '../src/errors.js';
import { isCloudFormationEvent } from '../src/lambda/events.js';
import { eventRuntime, runtime } from '../src/lambda/runtime.js';
import { jsonLogger } from '../src/log.js';
import type { PublishOutcome } from '../src/syndicator.js';

export async function handler(event: unknown): Promise<PublishOutcome | undefined> {
  if (isCloudFormationEvent(event)) return deployHook(event);
  return eventRuntime().syndicator.republish();
}

async function deployHook(event: CloudFormationCustomResourceEvent): Promise<undefined> {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason: string;
  let data: Record<string, unknown> = {};
  if (event.RequestType === 'Delete') {
    // Removing the stack (or rolling back a failed create) must never depend on the config or the bucket.
    reason = 'nothing to do on delete';
  } else {
    try {
      const outcome = await runtime().syndicator.republish();
      reason = 'feeds republished';
      data = { written: outcome.written.length };
    } catch (error) {
      status = 'FAILED';
      reason = describeError(error).slice(0, 500);
      jsonLogger.error('republish on deploy failed', { reason });
    }
  }
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : `${event.LogicalResourceId}-republish`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  await answerCloudFormation(event.ResponseURL, body);
  return undefined;
}

/** PUTs the answer to the pre-signed URL, a few times if the network fails: without it the deploy waits for an hour. */
async function answerCloudFormation(url: string, body: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
      if (response.ok) return;
      jsonLogger.error('CloudFormation refused the answer', { status: response.status, attempt });
    } catch (error) {
      jsonLogger.error('could not answer CloudFormation', { reason: describeError(error), attempt });
    }
    if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}
