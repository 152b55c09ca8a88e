/** Errors the product raises on purpose. Each names what it is about, so a caller can map it to a one-line message. */

/** An error about one field of one source: "source: field: reason". */
abstract class FieldError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${field}: ${reason}`, options);
  }
}

/** An error about one thing (a feed file, a folder, a key): "what: reason". */
abstract class TargetError extends Error {
  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${reason}`, options);
  }
}

/** An article that cannot be read: names the source (file, object key or request) and the field. */
export class ArticleError extends FieldError {
  override readonly name = 'ArticleError';
}

/**
 * An article that cannot be published under its id or URL because they belong to another source or
 * article (see src/records.ts): names the source and the field. Retrying does not help.
 */
export class ConflictError extends FieldError {
  override readonly name = 'ConflictError';
}

/** Site configuration that is missing or wrong: names the source and the setting. */
export class ConfigError extends FieldError {
  override readonly name = 'ConfigError';
}

/** A rendered feed that failed the output check; it must never be published. */
export class FeedCheckError extends TargetError {
  override readonly name = 'FeedCheckError';

  get path(): string {
    return this.target;
  }
}

/** Writing output (a folder or a bucket) failed. */
export class PublishError extends TargetError {
  override readonly name = 'PublishError';
}

/** A store read or write failed, or a concurrent writer kept winning. */
export class StoreError extends TargetError {
  override readonly name = 'StoreError';

  get key(): string {
    return this.target;
  }
}

/** One line for a person: the message of a known error, or a generic one with the cause's message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
