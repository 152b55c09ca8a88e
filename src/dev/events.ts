/**
 * S3 event notifications as S3 sends them, from what the local S3 (s3rver) emits, and their delivery to
 * the real handlers as Lambda would: by notification rule (ObjectCreated / ObjectRemoved under incoming/),
 * one invocation at a time, a failed one retried twice (S3 invokes asynchronously), then given up.
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { INCOMING } from '../layout.js';

/** What a handler does with an S3 event (handlers/publish.ts, handlers/unpublish.ts). */
export type S3Handler = (event: S3Event) => Promise<unknown>;

/** The functions serverless.yml subscribes to the bucket: ObjectCreated and ObjectRemoved under incoming/. */
export interface Subscriptions {
  created: S3Handler;
  removed: S3Handler;
}

/** An object key as S3 writes it in a notification: URL-encoded, a space as `+`, `/` kept. */
export function eventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

/**
 * Sequencers that only grow, as S3's do for the events of one key: s3rver's are the millisecond
 * (Date.now() in hex), the same for two writes in one millisecond, which would make an edit look like a
 * replay of the write before it. Sixteen hex digits: the time in ms times 4096, plus a counter.
 */
export class Sequencer {
  private last = 0n;

  next(now = Date.now()): string {
    const candidate = BigInt(now) * 4096n;
    this.last = candidate > this.last ? candidate : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(16, '0');
  }
}

/** A record of s3rver's, in S3's shape (tests/events/*.json): encoded key, growing sequencer, the bucket's ARN. */
export function toS3Record(record: S3EventRecord, sequencer: Sequencer): S3EventRecord {
  const bucket = record.s3.bucket.name;
  const object = { ...record.s3.object, key: eventKey(record.s3.object.key), sequencer: sequencer.next() };
  return {
    ...record,
    eventVersion: '2.1',
    s3: { ...record.s3, configurationId: record.eventName.startsWith('ObjectCreated') ? 'publish' : 'unpublish', bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${bucket}` }, object },
  };
}

/** The function a record goes to under serverless.yml's rules; null when no rule matches. */
export function subscriberOf(record: S3EventRecord, subscriptions: Subscriptions): S3Handler | null {
  if (!record.s3.object.key.startsWith(INCOMING)) return null;
  if (record.eventName.startsWith('ObjectCreated:')) return subscriptions.created;
  if (record.eventName.startsWith('ObjectRemoved:')) return subscriptions.removed;
  return null;
}

export interface Delivery {
  key: string;
  eventName: string;
  /** The handler's answer, or the error of its last attempt. */
  result?: unknown;
  error?: unknown;
  attempts: number;
}

/**
 * Delivers events to the subscribed handlers one at a time, in the order they happened (s3rver emits
 * them as it answers each request). `idle()` resolves once every event so far has been handled.
 */
export class EventBus {
  private queue: Promise<void> = Promise.resolve();
  private readonly sequencer = new Sequencer();

  constructor(
    private readonly subscriptions: Subscriptions,
    private readonly report: (delivery: Delivery) => void,
    /** Waits before each retry (Lambda waits a minute, then two; the dev loop a moment). */
    private readonly retryDelaysMs: readonly number[] = [200, 400],
  ) {}

  /** Takes an event as s3rver emits it. */
  emit(event: S3Event): void {
    for (const raw of event.Records) {
      const handler = subscriberOf(raw, this.subscriptions);
      if (!handler) continue;
      // Shaped now, so the sequencer follows the order of the writes.
      const record = toS3Record(raw, this.sequencer);
      this.queue = this.queue.then(() => this.deliver(handler, { Records: [record] }, raw.s3.object.key, raw.eventName));
    }
  }

  private async deliver(handler: S3Handler, event: S3Event, key: string, eventName: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await handler(event);
        this.report({ key, eventName, result, attempts: attempt });
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt - 1];
        if (delay === undefined) {
          this.report({ key, eventName, error, attempts: attempt });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Runs `task` between deliveries, never during one: s3rver (unlike S3) rewrites an object's file in
   * place, and a read that overlaps the rewrite comes up short and hangs. The dev server reads through this.
   */
  between<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves when every event emitted so far has been delivered. */
  idle(): Promise<void> {
    return this.queue;
  }
}
