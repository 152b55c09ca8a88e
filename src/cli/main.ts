/** The `syndicate` command: thin wiring over the core. `run` takes its I/O so tests can drive it. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ARTICLE_ID, type Article, type ReadWarning } from '../article.js';
import { isFeedFile, type OutputFile, renderSelected } from '../build.js';
import { checkCacheControl, readStoredConfig, readStoredSettings, type StoredConfig, siteConfigFrom } from '../config.js';
import { ArticleError, ConfigError, ConflictError, describeError, FeedCheckError } from '../errors.js';
import { ARTICLES, checkPublicPrefix, STATE, siteConfigKey } from '../layout.js';
import type { Logger } from '../log.js';
import { writeOutputFolder } from '../publish/folder.js';
import { checkArticle, checkFeeds, checkUnreadable, type Finding, FindingTally, profilesFor, sortFindings } from '../preflight.js';
import { isProfileName, PROFILE_NAMES } from '../profiles.js';
import { FeedSelector } from '../select.js';
import type { SiteConfig } from '../site.js';
import { FolderObjectStore } from '../storage/folder-store.js';
import type { ObjectStore } from '../storage/object-store.js';
import { S3ObjectStore } from '../storage/s3-store.js';
import { Syndicator } from '../syndicator.js';
import { announce, httpPinger } from '../websub.js';
import { DEFAULT_DEV_PORT, devPort } from '../dev/port.js';
import { type CliIo, IMPORT_HINT_FROM, importHint, Progress, WarningSummary } from './output.js';
import { findArticleFiles, loadSiteConfig, readArticleFile, readArticleFiles, type ReadFileResult, readSiteConfigFile } from './inputs.js';

/** The CLI reports what it did itself; the syndicator's structured lines are for Lambda logs. */
const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The engine's log, quiet but for what a person must act on (a hub that could not be told, a broken record). */
function errorsOnly(io: CliIo): Logger {
  return {
    ...quietLogger,
    error: (message, fields) => {
      const where = fields?.hub ?? fields?.key;
      io.stderr(`warning: ${message}${where ? ` (${where}: ${fields?.reason})` : ''}\n`);
    },
  };
}

/** The files whose bytes differ from those under `dir` (a missing file differs). */
async function changedFiles(dir: string, files: readonly OutputFile[]): Promise<string[]> {
  const changed: string[] = [];
  for (const file of files) {
    const before = await readFile(join(dir, file.path), 'utf8').catch(() => null);
    if (before !== file.body) changed.push(file.path);
  }
  return changed.sort();
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns,
};

/** An article read from a file, with what the store needs to know about it. */
export interface ReadArticle {
  article: Article;
  file: string;
  /** The id was derived from the URL: another URL deriving the same id is then a collision, not an update. */
  idFromUrl: boolean;
  warnings: readonly ReadWarning[];
}

/**
 * Reads every article, handing each to `accept` as it is read (so a caller may keep only what it needs);
 * throws the first error unless skipping bad files. Two files with the same id, or the same URL, are a
 * collision: the second is refused, naming both (a URL is the article's id in every feed reader).
 */
export async function readEach(paths: readonly string[], output: ReadOutput, skipInvalid: boolean, accept: (read: ReadArticle) => void): Promise<{ read: number; failed: ReadFileResult[] }> {
  const files = await findArticleFiles(paths);
  if (files.length === 0) throw new ArticleError(paths.join(' '), '(files)', 'no article files found (.txt, .md, .json)');
  const warnings = new WarningSummary(output.io, output.verbose);
  const progress = new Progress(output.io, 'reading', files.length);
  try {
    return await readFiles(files, { warnings, progress }, skipInvalid, accept);
  } finally {
    progress.done();
    warnings.flush();
  }
}

/** How reading reports: warnings summarised unless verbose. */
export interface ReadOutput {
  io: CliIo;
  verbose: boolean;
}

async function readFiles(files: readonly string[], report: { warnings: WarningSummary; progress: Progress }, skipInvalid: boolean, accept: (read: ReadArticle) => void): Promise<{ read: number; failed: ReadFileResult[] }> {
  let read = 0;
  const failed: ReadFileResult[] = [];
  const seenIds = new Map<string, string>();
  const seenUrls = new Map<string, string>();
  for await (const result of readArticleFiles(files)) {
    const file = result.file;
    report.progress.tick();
    report.warnings.add(file, result.warnings);
    // A draft is read and checked (its warning names it), never published, and claims no id or URL.
    if (!result.error && result.draft) continue;
    let error = result.error;
    const article = result.article;
    if (!error && article) {
      const sameId = seenIds.get(article.id);
      const sameUrl = article.url === null ? undefined : seenUrls.get(article.url);
      if (sameId) error = new ArticleError(file, 'id', `"${article.id}" is also the id of ${sameId}`);
      else if (sameUrl) error = new ArticleError(file, 'url', `"${article.url}" is also the URL of ${sameUrl}`);
      else {
        seenIds.set(article.id, file);
        if (article.url !== null) seenUrls.set(article.url, file);
      }
    }
    if (error) {
      if (!skipInvalid) throw error;
      report.progress.print(`error: ${describeError(error)} (skipped)\n`);
      failed.push({ ...result, error });
      continue;
    }
    const accepted = article as Article;
    accept({ article: accepted, file, idFromUrl: accepted.url !== null && result.warnings.some((w) => w.field === 'id'), warnings: result.warnings });
    read += 1;
  }
  return { read, failed };
}

/** Reads every article into memory (for commands that publish each one). */
export async function readAll(paths: readonly string[], output: ReadOutput, skipInvalid: boolean): Promise<{ articles: ReadArticle[]; failed: ReadFileResult[] }> {
  const articles: ReadArticle[] = [];
  const { failed } = await readEach(paths, output, skipInvalid, (read) => articles.push(read));
  return { articles, failed };
}

interface StoreOptions {
  bucket?: string;
  endpoint?: string;
  /** Seconds one S3 request may wait for an answer (with --bucket only; default 10). */
  timeout?: string;
  /** A folder store (without --bucket; default site-store). */
  dir?: string;
  prefix?: string;
  config?: string;
  cacheControl?: string;
  /** false with --no-ping: the WebSub hubs are not told. */
  ping?: boolean;
}

const DEFAULT_PREFIX = 'feeds/';
const DEFAULT_CACHE_CONTROL = 'public, max-age=300';
const DEFAULT_DIR = 'site-store';
const DEFAULT_TIMEOUT = '10';

/**
 * The store the flags name: a bucket (--bucket, with --endpoint and --timeout), else a folder (--dir).
 * Flags that would be ignored are refused, so a typo or an unset shell variable (`--bucket ""`) never
 * publishes somewhere else than meant.
 */
function chooseStore(options: StoreOptions): ObjectStore {
  if (options.bucket !== undefined) {
    if (options.bucket.trim() === '') throw new ConfigError('command line', '--bucket', 'is empty: name the bucket (or leave --bucket out to publish to a folder, --dir)');
    if (options.dir !== undefined) throw new ConfigError('command line', '--dir', 'cannot be given with --bucket: publish to a bucket or to a folder, not both');
    if (options.endpoint !== undefined && !isEndpoint(options.endpoint)) {
      throw new ConfigError('command line', '--endpoint', `${JSON.stringify(options.endpoint.slice(0, 200))} must be an http(s) URL such as http://127.0.0.1:4568`);
    }
    const timeout = Number(options.timeout ?? DEFAULT_TIMEOUT);
    if (!(timeout > 0 && timeout <= 600)) throw new ConfigError('command line', '--timeout', `"${options.timeout}" must be a number of seconds, at most 600`);
    return new S3ObjectStore({ endpoint: options.endpoint, timeoutMs: timeout * 1000 }, options.bucket);
  }
  for (const [flag, value] of [
    ['--endpoint', options.endpoint],
    ['--timeout', options.timeout],
  ] as const) {
    if (value !== undefined) throw new ConfigError('command line', flag, 'applies to a bucket: give --bucket too (without it the store is a folder, --dir)');
  }
  if (options.dir !== undefined && options.dir.trim() === '') throw new ConfigError('command line', '--dir', 'is empty: name the folder (or leave --dir out for site-store)');
  return new FolderObjectStore(options.dir ?? DEFAULT_DIR);
}

/** An S3 endpoint: an absolute http(s) URL with a host. */
function isEndpoint(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * An error from the store the flags named, in one line naming the value to check: a bucket that does
 * not exist (S3's NoSuchBucket). Others are described as they are.
 */
function describeStoreError(error: unknown, options: StoreOptions | undefined): string {
  const name = (error as { name?: string; Code?: string } | null)?.name;
  if (options?.bucket !== undefined && name === 'NoSuchBucket') {
    return `s3://${options.bucket}: no such bucket at ${options.endpoint ?? 'AWS'} (check --bucket and --endpoint)`;
  }
  return describeError(error);
}

/** A stored configuration that cannot be read: the error says how to replace it. */
function replaceHint(error: unknown, flags: string): never {
  if (error instanceof ConfigError) throw new ConfigError(error.source, error.field, `${error.reason} (pass ${flags} to replace it)`, { cause: error });
  throw error;
}

/**
 * The store and a Syndicator over it, with the configuration to publish with: the site from --config,
 * else the one the store remembers (config/site.json); the feed prefix and cache control from the command
 * line, else the store's, else the defaults. A store with no configuration and no --config is refused:
 * publishing it with placeholder settings would rewrite every feed under another title and URL. Every
 * flag is checked before the store is touched, so a refusal writes nothing.
 */
async function openStore(options: StoreOptions, use: { articles: boolean; io: CliIo }): Promise<{ store: ObjectStore; syndicator: Syndicator; prefix: string; site: SiteConfig }> {
  const flagPrefix = options.prefix === undefined ? undefined : checkPublicPrefix(options.prefix, 'command line', '--prefix');
  const flagCacheControl = options.cacheControl === undefined ? undefined : checkCacheControl(options.cacheControl, 'command line', '--cache-control');
  const fileValue = options.config === undefined ? undefined : await readSiteConfigFile(options.config);
  // Checked before the store is touched (derived again below, once the feed prefix is known).
  if (options.config !== undefined) siteConfigFrom(fileValue, { source: options.config });
  const store = chooseStore(options);
  let stored: Partial<StoredConfig> | null = null;
  if (options.config === undefined) {
    stored = await readStoredConfig(store).catch((error: unknown) => replaceHint(error, '--config, --prefix and --cache-control'));
  } else if (flagPrefix === undefined || flagCacheControl === undefined) {
    // The stored site is replaced by --config: only the prefix and Cache-Control are taken from it.
    stored = await readStoredSettings(store).catch((error: unknown) => replaceHint(error, '--prefix and --cache-control'));
  }
  const prefix = flagPrefix ?? stored?.feedPrefix ?? DEFAULT_PREFIX;
  const cacheControl = flagCacheControl ?? stored?.cacheControl ?? DEFAULT_CACHE_CONTROL;
  // The site as Lambda derives it: without a feedUrl, the feeds are under the site URL and the prefix.
  let site = options.config === undefined ? stored?.site : siteConfigFrom(fileValue, { source: options.config, feedPrefix: prefix });
  const where = `${store.name.replace(/\/$/, '')}/${siteConfigKey}`;
  if (!site && use.articles && (await isEmptyStore(store))) {
    // A store nothing was ever published to: publishing articles with the defaults rewrites nothing.
    site = siteConfigFrom({}, { source: '(defaults)', feedPrefix: prefix });
    use.io.stderr(`warning: ${where}: no --config and none stored yet: publishing with the default settings (title "${site.title}", ${site.url}); the store remembers them (pass --config to change them)\n`);
  }
  if (!site) throw new ConfigError(where, '(file)', 'this store has no site configuration yet; pass --config <site.json> (the store then remembers it)');
  const syndicator = new Syndicator(store, { site, feedPrefix: prefix, cacheControl, ...(options.ping === false ? { pinger: null } : {}) }, errorsOnly(use.io));
  return { store, syndicator, prefix, site };
}

/** No record and no feed state: nothing was ever published to this store. */
async function isEmptyStore(store: ObjectStore): Promise<boolean> {
  const found = await Promise.all([ARTICLES, STATE].map((prefix) => store.list(prefix, 1)));
  return found.every((keys) => keys.length === 0);
}

/** Refusals the store makes of one article (its id or URL is another's, a date, a feed check): the others go on. */
const isRefusal = (error: unknown) => error instanceof ConflictError || error instanceof ArticleError || error instanceof FeedCheckError;

export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // Set by a command that did what it could but must still fail (refused articles, unknown ids).
  let exitCode = 0;
  // The store a command opened, to name it in an error.
  let storeFlags: StoreOptions | undefined;
  const open = (options: StoreOptions, use: { articles: boolean; io: CliIo }) => {
    storeFlags = options;
    return openStore(options, use);
  };
  const program = new Command()
    .name('syndicate')
    .description('Turn articles into RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds with photos and attribution.')
    .version(packageJson.version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command('parse')
    .description('print the normalised article as JSON')
    .argument('<file>', 'a .txt, .md or .json article')
    .action(async (file: string) => {
      if ((await stat(file).catch(() => null))?.isDirectory()) throw new ArticleError(file, '(file)', 'is a folder: parse reads one article file (build and check read folders)');
      const result = await readArticleFile(file);
      new WarningSummary(io, true).add(file, result.warnings);
      if (result.error) throw result.error;
      io.stdout(`${JSON.stringify(result.article, null, 2)}\n`);
    });

  program
    .command('build')
    .description('build the site-wide and section feeds into a folder')
    .argument('[paths...]', 'article files or folders', ['articles'])
    .requiredOption('-o, --out <dir>', 'output folder (other files in it are left alone)')
    .option('-c, --config <file>', 'site config (JSON)')
    .option('--skip-invalid', 'build the other articles when some cannot be read', false)
    .option('--no-ping', "do not tell the site's WebSub hubs of the feeds that changed")
    .option('-v, --verbose', 'print every warning (by default, one line per kind with a count)', false)
    .action(async (paths: string[], options: { out: string; config?: string; skipInvalid: boolean; ping: boolean; verbose: boolean }) => {
      const site = await loadSiteConfig(options.config);
      const selector = new FeedSelector(site);
      // Where each article came from, for the pre-flight check of those the feeds carry (weak: an article
      // the selector drops is forgotten with it).
      const inputs = new WeakMap<Article, ReadArticle>();
      const { read, failed } = await readEach(paths, { io, verbose: options.verbose }, options.skipInvalid, (input) => {
        selector.offer(input.article);
        inputs.set(input.article, input);
      });
      const feeds = selector.feeds();
      const files = renderSelected(feeds, site, {
        onOverBudget: (note) => io.stderr(`warning: ${note.path}: ${note.left} oldest item(s) left out to stay within ${note.feedBytes} bytes\n`),
      });
      // The partners' pre-flight rules on what the feeds carry, summarised once (`syndicate check` reads every file).
      const tally = new FindingTally();
      const now = new Date();
      for (const article of new Set(feeds.flatMap((feed) => feed.articles))) {
        const input = inputs.get(article);
        if (input) tally.add(checkArticle(input, profilesFor(), site, now));
      }
      tally.add(checkFeeds(files, profilesFor(), site));
      io.stderr(`${tally.summary()}\n`);
      // Hubs hear of the feed files whose bytes differ from what the folder held (new ones included).
      const changed = options.ping && site.hubs.length > 0 ? await changedFiles(options.out, files.filter((file) => isFeedFile(file.path))) : [];
      await writeOutputFolder(options.out, files);
      for (const file of files) io.stdout(`wrote ${options.out.replace(/\/$/, '')}/${file.path} (${Buffer.byteLength(file.body)} bytes)\n`);
      if (changed.length > 0) {
        await announce(
          changed.map((path) => new URL(path, site.feedUrl).toString()),
          { hubs: site.hubs, pinger: httpPinger() },
          null,
          errorsOnly(io),
        );
      }
      io.stdout(`${read} article(s) in ${feeds.length} feed(s)${failed.length ? `; ${failed.length} skipped` : ''}\n`);
    });

  program
    .command('check')
    .description("report what each partner would refuse or downgrade in these articles and their feeds (exit 1 on a refusal)")
    .argument('[paths...]', 'article files or folders', ['articles'])
    .option('--profile <name>', `one partner: ${PROFILE_NAMES.join(', ')} (default: all)`)
    .option('-c, --config <file>', 'site config (JSON)')
    .option('--json', 'print the findings as a JSON array', false)
    .action(async (paths: string[], options: { profile?: string; config?: string; json: boolean }) => {
      if (options.profile !== undefined && !isProfileName(options.profile)) {
        throw new ConfigError('--profile', 'profile', `"${options.profile}" is not a profile; use one of ${PROFILE_NAMES.join(', ')}`);
      }
      const profiles = profilesFor(options.profile);
      const site = await loadSiteConfig(options.config);
      const files = await findArticleFiles(paths);
      if (files.length === 0) throw new ArticleError(paths.join(' '), '(files)', 'no article files found (.txt, .md, .json)');
      const selector = new FeedSelector(site);
      const findings: Finding[] = [];
      const now = new Date();
      for await (const result of readArticleFiles(files)) {
        if (result.error || !result.article) {
          findings.push(...checkUnreadable(result.file, result.error ? describeError(result.error) : 'cannot be read', profiles));
          continue;
        }
        selector.offer(result.article);
        findings.push(...checkArticle({ file: result.file, article: result.article, warnings: result.warnings }, profiles, site, now));
      }
      findings.push(...checkFeeds(renderSelected(selector.feeds(), site, { check: false }), profiles, site));
      sortFindings(findings);
      if (options.json) {
        io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
      } else {
        const rows = [['severity', 'profile', 'rule', 'file', 'id', 'message'], ...findings.map((f) => [f.severity, f.profile, f.rule, f.file, f.id ?? '', f.message])];
        const widths = rows[0]?.map((_, i) => Math.min(40, Math.max(...rows.map((r) => (r[i] ?? '').length)))) ?? [];
        for (const row of rows) io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`);
        const rejects = findings.filter((f) => f.severity === 'reject').length;
        io.stdout(`${files.length} file(s), ${profiles.length} profile(s): ${rejects} reject, ${findings.length - rejects} warn\n`);
      }
      if (findings.some((f) => f.severity === 'reject')) exitCode = 1;
    });

  const storeOptions = (command: Command) =>
    command
      .option('-b, --bucket <name>', 'S3 bucket (credentials from the usual AWS environment)')
      .option('-e, --endpoint <url>', 'with --bucket: an S3 API other than AWS, e.g. http://127.0.0.1:4568 for s3rver')
      .option('--timeout <seconds>', `with --bucket: how long one S3 request may wait for an answer (then retried, at most 4 attempts; default ${DEFAULT_TIMEOUT})`)
      .option('-d, --dir <folder>', `without --bucket: a local folder as the store (default ${DEFAULT_DIR})`)
      .option('-c, --config <file>', "site config (JSON); without it, the store's own (config/site.json)")
      .option('-p, --prefix <prefix>', `key prefix of the feeds (default: the store's, else ${DEFAULT_PREFIX})`)
      .option('--cache-control <value>', `Cache-Control of feed objects (default: the store's, else "${DEFAULT_CACHE_CONTROL}")`)
      .option('--no-ping', "do not tell the site's WebSub hubs of the feeds that changed");

  storeOptions(
    program
      .command('publish')
      .description('publish articles to a bucket (or a folder) and update their feeds; with no articles, republish every feed')
      .argument('[paths...]', 'article files or folders'),
  )
    .option('--skip-invalid', 'publish the other articles when some cannot be read or are refused (exit 0)', false)
    .option('--import', 'load an archive: store every article, then rebuild each feed once', false)
    .option('-v, --verbose', 'print every warning (by default, one line per kind with a count)', false)
    .action(async (paths: string[], options: StoreOptions & { skipInvalid: boolean; import: boolean; verbose: boolean }) => {
      const { store, syndicator, prefix, site } = await open(options, { articles: paths.length > 0, io });
      const wrote = (files: readonly string[]) => {
        for (const file of files) io.stdout(`wrote ${store.name}/${prefix}${file}\n`);
      };
      if (paths.length === 0) {
        const outcome = await syndicator.republish();
        wrote(outcome.written);
        io.stdout(`republished every feed: ${outcome.written.length} file(s) changed\n`);
        return;
      }
      const { articles, failed } = await readAll(paths, { io, verbose: options.verbose }, options.skipInvalid);
      // The partners' pre-flight rules, summarised once (`syndicate check` lists each finding).
      const now = new Date();
      const tally = new FindingTally();
      for (const input of articles) tally.add(checkArticle(input, profilesFor(), site, now));
      io.stderr(`${tally.summary()}\n`);
      let refused = 0;
      if (options.import) {
        const imported = await syndicator.importArticles(articles.map((a) => a.article));
        for (const r of imported.refused) io.stderr(`error: ${r.reason}\n`);
        const outcome = await syndicator.republish();
        wrote(outcome.written);
        const skipped = failed.length + imported.refused.length;
        io.stdout(`imported ${imported.stored} article(s); ${outcome.written.length} feed file(s) written${skipped ? `; ${skipped} skipped` : ''}\n`);
        refused = imported.refused.length;
      } else {
        if (articles.length >= IMPORT_HINT_FROM) io.stderr(importHint(articles.length));
        const progress = new Progress(io, 'publishing', articles.length);
        for (const { article, file, idFromUrl } of articles) {
          progress.tick();
          try {
            const outcome = await syndicator.publishArticle(article, { idFromUrl, source: file });
            const lines = [...outcome.written.map((written) => `wrote ${store.name}/${prefix}${written}`), `${outcome.status}: ${article.id}`];
            progress.print(`${lines.join('\n')}\n`, io.stdout);
          } catch (error) {
            if (!isRefusal(error)) throw error;
            progress.print(`error: ${describeError(error)}\n`);
            refused += 1;
          }
        }
        progress.done();
        if (failed.length) io.stdout(`${failed.length} skipped\n`);
      }
      if (refused > 0 && !options.skipInvalid) exitCode = 1;
    });

  storeOptions(
    program
      .command('unpublish')
      .description("take articles down by id (an editor's takedown): they leave their feeds, with tombstones in Atom and JSON Feed")
      .argument('<ids...>', 'article ids'),
  ).action(async (ids: string[], options: StoreOptions) => {
    const { store, syndicator, prefix } = await open(options, { articles: false, io });
    for (const id of ids) {
      if (!ARTICLE_ID.test(id)) {
        io.stderr(`error: ${id.slice(0, 200)}: id: not an article id (1-128 letters, digits, ".", "_" or "-", no "..")\n`);
        exitCode = 1;
        continue;
      }
      const outcome = await syndicator.unpublishId(id, new Date().toISOString());
      for (const file of outcome.written) io.stdout(`wrote ${store.name}/${prefix}${file}\n`);
      if (outcome.status === 'not-found') {
        io.stdout(`not found: ${id}\n`);
        exitCode = 1;
      } else {
        io.stdout(`${outcome.status}: ${id}\n`);
      }
    }
  });

  program
    .command('dev')
    .description('the Lambda loop on this machine: a local S3 whose events run the real handlers, FOLDER mirrored into incoming/, the feeds served on 127.0.0.1')
    .argument('[folder]', 'the articles folder to mirror into incoming/ (created if missing)', 'articles')
    .option('--port <port>', `port to serve the feeds on (default: DEV_PORT, else ${DEFAULT_DEV_PORT}; 0 picks a free one)`)
    .option('--store <dir>', "keep the local S3's data in this folder (default: a temporary one, removed on exit)")
    .action(async (folder: string, options: { port?: string; store?: string }) => {
      const port = devPort(options.port, process.env);
      // Loaded here only: the dev loop needs s3rver, a devDependency (docs/decisions.md).
      const { startDev } = await import('../dev/index.js');
      const dev = await startDev({ folder, port, storeDir: options.store, log: (line) => io.stderr(`${line}\n`) });
      io.stdout(`dev: mirroring ${folder} into incoming/; feeds at ${dev.url}rss.xml, ${dev.url}atom.xml, ${dev.url}feed.json, page at ${dev.url}\n`);
      io.stdout('dev: drop, edit or delete article files in the folder; Ctrl-C stops\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dev.stop();
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`error: ${describeStoreError(error, storeFlags)}\n`);
    return 1;
  }
}
