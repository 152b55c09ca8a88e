/**
 * What the handlers of one container share: the config, one S3 client, the syndicator. Built on first
 * use, not at import, so that a handler can always answer (the deploy hook must answer CloudFormation even
 * when the configuration is wrong). The environment is read and checked once per container; a config
 * error is remembered and thrown again on every invocation (a retry cannot fix it, a new deploy can).
 */
import { readServiceConfig, type ServiceConfig } from '../config.js';
import { describeError } from '../errors.js';
import { jsonLogger, type Logger } from '../log.js';
import { S3ObjectStore } from '../storage/s3-store.js';
import { Syndicator } from '../syndicator.js';

export interface Runtime {
  config: ServiceConfig;
  syndicator: Syndicator;
  log: Logger;
}

export function createRuntime(env: Record<string, string | undefined> = process.env, log: Logger = jsonLogger): Runtime {
  const config = readServiceConfig(env);
  // 5 s an attempt: a request that gets no answer fails well inside the function's 29 s, and is retried.
  const store = new S3ObjectStore({ endpoint: config.endpoint, region: config.region, timeoutMs: 5_000 }, config.bucket);
  const syndicator = new Syndicator(store, { site: config.site, feedPrefix: config.feedPrefix, cacheControl: config.cacheControl, photos: config.photos, ...(config.archiveCacheControl ? { archiveCacheControl: config.archiveCacheControl } : {}) }, log);
  return { config, syndicator, log };
}

let built: { runtime: Runtime } | { error: unknown } | undefined;

/** The container's runtime; throws the configuration error (the same one each time) if there is one. */
export function runtime(): Runtime {
  if (!built) {
    try {
      built = { runtime: createRuntime() };
    } catch (error) {
      built = { error };
    }
  }
  if ('error' in built) throw built.error;
  return built.runtime;
}

/** Forgets the runtime, so the next use reads the environment again (for tools that load handlers twice in one process). */
export function resetRuntime(): void {
  built = undefined;
}

/**
 * The runtime for an S3 event or a manual invocation: a configuration error is logged (naming the
 * variable) and thrown, so Lambda retries the event and finally queues it until a deploy fixes the config.
 */
export function eventRuntime(): Runtime {
  try {
    return runtime();
  } catch (error) {
    jsonLogger.error('configuration error', { reason: describeError(error) });
    throw error;
  }
}
