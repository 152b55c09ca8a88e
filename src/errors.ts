/** Errors the product raises on purpose. Each names what it is about, so a caller can map it to a one-line message. */

/** An article that cannot be read: names the source (file, object key or request) and the field. */
export class ArticleError extends Error {
  override readonly name = 'ArticleError';
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${field}: ${reason}`, options);
  }
}

/** Site configuration that is missing or wrong: names the source and the setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${field}: ${reason}`, options);
  }
}

/** A rendered feed that failed the output check; it must never be published. */
export class FeedCheckError extends Error {
  override readonly name = 'FeedCheckError';
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason}`, options);
  }
}

/** Writing output (a folder or a bucket) failed. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${reason}`, options);
  }
}

/** A store read or write failed, or a concurrent writer kept winning. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${key}: ${reason}`, options);
  }
}

/** One line for a person: the message of a known error, or a generic one with the cause's message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
