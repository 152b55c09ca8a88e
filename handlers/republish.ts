/**
 * Republish: rebuilds every feed from the stored articles. Invoked with `{}` by hand (or by
 * `syndicate publish`), and by CloudFormation on every deploy through the custom resource in
 * serverless.yml, to which it always answers (SUCCESS or FAILED) so a deploy never hangs.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describeError } from '../src/errors.js';
import { isCloudFormationEvent } from '../src/lambda/events.js';
import { createRuntime } from '../src/lambda/runtime.js';
import type { PublishOutcome } from '../src/syndicator.js';

const runtime = createRuntime();

export async function handler(event: unknown): Promise<PublishOutcome | undefined> {
  if (isCloudFormationEvent(event)) return deployHook(event);
  return runtime.syndicator.republish();
}

async function deployHook(event: CloudFormationCustomResourceEvent): Promise<undefined> {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'feeds republished';
  let data: Record<string, unknown> = {};
  try {
    if (event.RequestType !== 'Delete') {
      const outcome = await runtime.syndicator.republish();
      data = { written: outcome.written.length };
    } else {
      reason = 'nothing to do on delete';
    }
  } catch (error) {
    status = 'FAILED';
    reason = describeError(error).slice(0, 500);
    runtime.log.error('republish on deploy failed', { reason });
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
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) runtime.log.error('could not answer CloudFormation', { status: response.status });
  return undefined;
}
