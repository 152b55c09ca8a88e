/** What a handler's container builds once at start: config, one S3 client, the syndicator. */
import { readServiceConfig, type ServiceConfig } from '../config.js';
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
  const store = new S3ObjectStore({ endpoint: config.endpoint, region: config.region }, config.bucket);
  const syndicator = new Syndicator(store, { site: config.site, feedPrefix: config.feedPrefix, cacheControl: config.cacheControl, photos: config.photos }, log);
  return { config, syndicator, log };
}
