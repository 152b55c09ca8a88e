/**
 * Republish: rebuilds every feed from the stored articles. Invoked with `{}` by hand (or by
 * `syndicate publish`), and by CloudFormation on every deploy through the custom resource in
 * serverless.yml, to which it always answers (SUCCESS or FAILED) so a deploy never hangs: also when the
 * configuration is wrong, which is why the runtime is built inside the handler, never at import; and
 * before the function's own timeout, which is why the republish races the clock.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { describeError } from '../src/errors.js';
import { isCloudFormationEvent, looksLikeCloudFormation } from '../src/lambda/events.js';
import { eventRuntime, runtime } from '../src/lambda/runtime.js';
import { jsonLogger } from '../src/log.js';
import type { PublishOutcome } from '../src/syndicator.js';

/** Time kept back from the function's timeout to answer CloudFormation in (at most half of what is left). */
export const ANSWER_MARGIN_MS = 10_000;
/** One PUT of the answer: a request accepted and never answered is given up and tried again. */
export const ANSWER_ATTEMPT_MS = 2_500;
const ANSWER_ATTEMPTS = 3;

type Answer = { status: 'SUCCESS' | 'FAILED'; reason: string; data: Record<string, unknown> };

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PublishOutcome | undefined> {
  if (isCloudFormationEvent(event)) return deployHook(event, context);
  if (looksLikeCloudFormation(event)) {
    // Nobody can be answered, and a stack deletion must never rebuild the feeds: nothing is done.
    const { RequestType, StackId, RequestId, LogicalResourceId } = event as Partial<CloudFormationCustomResourceEvent>;
    jsonLogger.error('CloudFormation request without a usable ResponseURL: ignored, nothing republished', { RequestType, StackId, RequestId, LogicalResourceId });
    return undefined;
  }
  return eventRuntime().syndicator.republish();
}

/** A DeployId as serverless.yml sets it (scripts/serverless-vars.cjs: the deploy's time in ms); null otherwise. */
function deployTime(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^\d{1,16}$/.test(text) ? Number(text) : null;
}

/**
 * An Update that carries an older DeployId than the one it replaces: CloudFormation rolling back a deploy
 * that failed (possibly because this function answered FAILED). It must succeed, or the stack is left in
 * UPDATE_ROLLBACK_FAILED; the function still runs the failed deploy's code and configuration, so it does
 * not republish (the next deploy will).
 */
function isRollback(event: CloudFormationCustomResourceEvent): boolean {
  if (event.RequestType !== 'Update') return false;
  const next = deployTime(event.ResourceProperties?.DeployId);
  const previous = deployTime(event.OldResourceProperties?.DeployId);
  return next !== null && previous !== null && next < previous;
}

async function deployHook(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): Promise<undefined> {
  const started = Date.now();
  const remaining = context?.getRemainingTimeInMillis?.();
  // When Lambda stops the function; unknown when invoked without a context (tests, tools).
  const end = typeof remaining === 'number' && Number.isFinite(remaining) ? started + remaining : undefined;
  const type: string = event.RequestType;
  let answer: Answer;
  if (event.RequestType === 'Delete') {
    // Removing the stack (or rolling back a failed create) must never depend on the config or the bucket.
    answer = { status: 'SUCCESS', reason: 'nothing to do on delete', data: {} };
  } else if (isRollback(event)) {
    const fields = { RequestId: event.RequestId, DeployId: event.ResourceProperties?.DeployId, from: 'OldResourceProperties' in event ? event.OldResourceProperties?.DeployId : undefined };
    jsonLogger.warn('deploy rollback: answered SUCCESS without republishing', fields);
    answer = { status: 'SUCCESS', reason: 'rollback of a failed deploy: nothing republished', data: {} };
  } else if (type !== 'Create' && type !== 'Update') {
    answer = { status: 'FAILED', reason: `unknown request type ${JSON.stringify(type.slice(0, 100))}`, data: {} };
  } else {
    answer = await republishBefore(end === undefined ? undefined : end - Math.min(ANSWER_MARGIN_MS, (end - started) / 2));
  }
  const body = JSON.stringify({
    Status: answer.status,
    Reason: answer.reason,
    PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : `${event.LogicalResourceId}-republish`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: answer.data,
  });
  await answerCloudFormation(event.ResponseURL, body, end);
  return undefined;
}

/** Republishes, answering FAILED if that is not done by `deadline` (the republish goes on, and is logged). */
async function republishBefore(deadline: number | undefined): Promise<Answer> {
  const work = (async () => runtime().syndicator.republish())();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    if (deadline !== undefined) timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
  });
  try {
    const outcome = await Promise.race([work, late]);
    if (outcome === 'late') {
      const reason = 'the republish did not finish in the time the function has left; it goes on, and the next deploy or a manual republish ({}) finishes it';
      jsonLogger.error('republish on deploy timed out', { reason });
      work.then(
        (done) => jsonLogger.info('republish on deploy finished after CloudFormation was answered', { written: done.written.length }),
        (error: unknown) => jsonLogger.error('republish on deploy failed after CloudFormation was answered', { reason: describeError(error) }),
      );
      return { status: 'FAILED', reason, data: {} };
    }
    return { status: 'SUCCESS', reason: 'feeds republished', data: { written: outcome.written.length } };
  } catch (error) {
    const reason = describeError(error).slice(0, 500);
    jsonLogger.error('republish on deploy failed', { reason });
    return { status: 'FAILED', reason, data: {} };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * PUTs the answer to the pre-signed URL, a few times if the network fails or a PUT gets no answer
 * (each attempt times out): without it the deploy waits for an hour. Never past `end`, when Lambda stops
 * the function.
 */
async function answerCloudFormation(url: string, body: string, end: number | undefined): Promise<void> {
  for (let attempt = 1; attempt <= ANSWER_ATTEMPTS; attempt++) {
    const left = end === undefined ? ANSWER_ATTEMPT_MS : end - Date.now() - 100;
    if (left <= 0) {
      jsonLogger.error('no time left to answer CloudFormation', { attempt });
      return;
    }
    try {
      const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' }, signal: AbortSignal.timeout(Math.min(ANSWER_ATTEMPT_MS, left)) });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return;
      jsonLogger.error('CloudFormation refused the answer', { status: response.status, attempt });
    } catch (error) {
      jsonLogger.error('could not answer CloudFormation', { reason: describeError(error), attempt });
    }
    if (attempt < ANSWER_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}
