/**
 * The Lambda loop on a laptop (`syndicate dev`, `npm run dev`): an embedded local S3 (s3rver), its object
 * events delivered to the real handlers as S3 would deliver them, a folder mirrored into incoming/, and
 * the feeds served on 127.0.0.1. The handlers are the deployed ones (handlers/*.ts), configured through
 * the environment as in Lambda; only the bucket, its endpoint and the credentials are the local S3's.
 */
import type { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { handler as publish } from '../../handlers/publish.js';
import { handler as republish } from '../../handlers/republish.js';
import { handler as unpublish } from '../../handlers/unpublish.js';
import { readServiceConfig } from '../config.js';
import { ConfigError, describeError } from '../errors.js';
import { resetRuntime } from '../lambda/runtime.js';
import { S3ObjectStore } from '../storage/s3-store.js';
import { type Delivery, EventBus, type S3Handler } from './events.js';
import { FolderMirror, type MirrorChange } from './mirror.js';
import { serveFeeds } from './serve.js';

const BUCKET = 'dev-feeds';
/** s3rver accepts only these credentials. */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

export interface DevOptions {
  /** The folder mirrored into incoming/ (created if missing). */
  folder: string;
  port: number;
  /** Where the local S3 keeps its data; a temporary folder (removed on stop) when not given. */
  storeDir?: string;
  /** The handlers' environment (SITE_TITLE, FEED_PREFIX, ...); the bucket, endpoint and credentials are set here. */
  env?: Record<string, string | undefined>;
  /** One line for a person, per thing that happened. */
  log?: (line: string) => void;
}

export interface DevLoop {
  /** Where the feeds are served: http://127.0.0.1:PORT/feeds/ */
  url: string;
  port: number;
  /** Resolves once every change seen so far is mirrored and every event handled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** A handler's answer to an S3 event, in a few words. */
function describeDelivery(delivery: Delivery): string {
  const what = delivery.eventName.startsWith('ObjectCreated') ? 'publish' : 'unpublish';
  if (delivery.error !== undefined) return `${what} ${delivery.key}: failed after ${delivery.attempts} attempts (Lambda would queue it): ${describeError(delivery.error)}`;
  const result = delivery.result as { processed?: number; refused?: { reason: string }[] } | undefined;
  const refused = result?.refused?.map((r) => `refused: ${r.reason}`).join('; ');
  return `${what} ${delivery.key}: ${refused || 'done'}`;
}

export async function startDev(options: DevOptions): Promise<DevLoop> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const S3rver = await loadS3rver();
  const folder = resolve(options.folder);
  await mkdir(folder, { recursive: true });
  const temporary = options.storeDir === undefined;
  const directory = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'syndicate-dev-')));
  await mkdir(directory, { recursive: true });
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const s3Address = (await s3.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${s3Address.port}`;
  const stops: (() => Promise<unknown>)[] = [async () => s3.close(), async () => temporary && rm(directory, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // The environment is set before the server starts, so the port is known for SITE_URL: serve first.
    const base = { ...process.env, ...options.env };
    const feedPrefix = readServiceConfig({ FEED_BUCKET: BUCKET, SITE_URL: 'http://127.0.0.1/', ...base }).feedPrefix;
    const store = new S3ObjectStore({ endpoint, timeoutMs: 5_000 }, BUCKET);
    for (const [name, value] of Object.entries(CREDENTIALS)) process.env[name] = value;
    const bus = new EventBus({ created: publish as S3Handler, removed: unpublish as S3Handler }, (delivery) => log(describeDelivery(delivery)));
    // Reads take turns with the handlers (src/dev/events.ts EventBus.between).
    const read = (key: string) => bus.between(() => store.get(key));
    const { server, port } = await serveFeeds(read, feedPrefix, options.port, (error) => log(`serve: ${describeError(error)}`));
    stops.push(() => closeServer(server));
    const local = `http://127.0.0.1:${port}/`;
    const env: Record<string, string | undefined> = { ...base, ...CREDENTIALS, AWS_REGION: 'us-east-1', FEED_BUCKET: BUCKET, S3_ENDPOINT: endpoint, SITE_URL: base.SITE_URL ?? local };
    // Checked now, naming the variable, rather than at the first event.
    readServiceConfig(env);
    Object.assign(process.env, env);
    resetRuntime();

    // s3rver is a Koa application: its events come through EventEmitter (its typings leave that out).
    (s3 as unknown as EventEmitter).on('event', (event: S3Event) => bus.emit(event));
    // As on a deploy: every feed rebuilt from what the store holds (a kept --store has some).
    await republish({});
    const mirror = new FolderMirror(
      folder,
      store,
      (change: MirrorChange) => log(`${change.kind === 'put' ? 'put' : 'deleted'} s3://${BUCKET}/${change.key}`),
      (error) => log(`watch: ${describeError(error)}`),
      (task) => bus.between(task),
    );
    await mirror.start();
    stops.push(() => mirror.stop());
    const url = `${local}${feedPrefix}`;
    return {
      url,
      port,
      settled: async () => {
        await mirror.scan();
        await bus.idle();
      },
      stop: async () => {
        await mirror.stop();
        await bus.idle();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** s3rver, a devDependency: present in a clone after `npm ci`, not in a package installed with --omit=dev. */
async function loadS3rver(): Promise<typeof import('s3rver')> {
  try {
    return (await import('s3rver')).default;
  } catch (cause) {
    throw new ConfigError('syndicate dev', 's3rver', 'the local S3 is not installed: run `npm install --save-dev s3rver` (it comes with a clone of the repository after `npm ci`)', { cause });
  }
}
