/** The `syndicate` command: thin wiring over the core. `run` takes its I/O so tests can drive it. */
import { Command, CommanderError } from 'commander';
import type { Article } from '../article.js';
import { renderSelected } from '../build.js';
import { FeedSelector } from '../select.js';
import { ArticleError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { replaceFolder } from '../publish/folder.js';
import { FolderObjectStore } from '../storage/folder-store.js';
import { S3ObjectStore } from '../storage/s3-store.js';
import { Syndicator } from '../syndicator.js';
import { findArticleFiles, loadSiteConfig, readArticleFile, readArticleFiles, type ReadFileResult } from './inputs.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The CLI reports what it did itself; the syndicator's structured lines are for Lambda logs. */
const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function reportWarnings(io: CliIo, result: ReadFileResult): void {
  for (const w of result.warnings) io.stderr(`warning: ${result.file}: ${w.field}: ${w.message}\n`);
}

/**
 * Reads every article, handing each to `accept` as it is read (so a caller may keep only what it needs);
 * throws the first error unless skipping bad files.
 */
export async function readEach(paths: readonly string[], io: CliIo, skipInvalid: boolean, accept: (article: Article) => void): Promise<{ read: number; failed: ReadFileResult[] }> {
  const files = await findArticleFiles(paths);
  if (files.length === 0) throw new ArticleError(paths.join(' '), '(files)', 'no article files found (.txt, .md, .json)');
  let read = 0;
  const failed: ReadFileResult[] = [];
  const seen = new Map<string, string>();
  for await (const result of readArticleFiles(files)) {
    const file = result.file;
    reportWarnings(io, result);
    let error = result.error;
    if (!error && result.article) {
      const other = seen.get(result.article.id);
      if (other) error = new ArticleError(file, 'id', `"${result.article.id}" is also the id of ${other}`);
      else seen.set(result.article.id, file);
    }
    if (error) {
      if (!skipInvalid) throw error;
      io.stderr(`error: ${describeError(error)} (skipped)\n`);
      failed.push({ ...result, error });
      continue;
    }
    accept(result.article as Article);
    read += 1;
  }
  return { read, failed };
}

/** Reads every article into memory (for commands that publish each one). */
export async function readAll(paths: readonly string[], io: CliIo, skipInvalid: boolean): Promise<{ articles: Article[]; failed: ReadFileResult[] }> {
  const articles: Article[] = [];
  const { failed } = await readEach(paths, io, skipInvalid, (article) => articles.push(article));
  return { articles, failed };
}

export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = new Command()
    .name('syndicate')
    .description('Turn articles into RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds with photos and attribution.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command('parse')
    .description('print the normalised article as JSON')
    .argument('<file>', 'a .txt, .md or .json article')
    .action(async (file: string) => {
      const result = await readArticleFile(file);
      reportWarnings(io, result);
      if (result.error) throw result.error;
      io.stdout(`${JSON.stringify(result.article, null, 2)}\n`);
    });

  program
    .command('build')
    .description('build the site-wide and section feeds into a folder')
    .argument('[paths...]', 'article files or folders', ['articles'])
    .requiredOption('-o, --out <dir>', 'output folder (replaced as a whole)')
    .option('-c, --config <file>', 'site config (JSON)')
    .option('--skip-invalid', 'build the other articles when some cannot be read', false)
    .action(async (paths: string[], options: { out: string; config?: string; skipInvalid: boolean }) => {
      const site = await loadSiteConfig(options.config);
      const selector = new FeedSelector(site);
      const { read, failed } = await readEach(paths, io, options.skipInvalid, (article) => selector.offer(article));
      const files = renderSelected(selector.feeds(), site);
      await replaceFolder(options.out, files);
      for (const file of files) io.stdout(`wrote ${options.out.replace(/\/$/, '')}/${file.path} (${Buffer.byteLength(file.body)} bytes)\n`);
      io.stdout(`${read} article(s) in ${files.length / 3} feed(s)${failed.length ? `; ${failed.length} skipped` : ''}\n`);
    });

  program
    .command('publish')
    .description('publish articles to a bucket (or a folder) and update their feeds; with no articles, republish every feed')
    .argument('[paths...]', 'article files or folders')
    .option('-b, --bucket <name>', 'S3 bucket (credentials from the usual AWS environment)')
    .option('-e, --endpoint <url>', 'an S3 API other than AWS, e.g. http://127.0.0.1:4568 for s3rver')
    .option('-d, --dir <folder>', 'publish into a local folder instead of a bucket', 'site-store')
    .option('-p, --prefix <prefix>', 'key prefix of the feeds', 'feeds/')
    .option('-c, --config <file>', 'site config (JSON)')
    .option('--cache-control <value>', 'Cache-Control of feed objects', 'public, max-age=300')
    .option('--skip-invalid', 'publish the other articles when some cannot be read', false)
    .option('--import', 'load an archive: store every article, then rebuild each feed once', false)
    .action(
      async (
        paths: string[],
        options: { bucket?: string; endpoint?: string; dir: string; prefix: string; config?: string; cacheControl: string; skipInvalid: boolean; import: boolean },
      ) => {
        const site = await loadSiteConfig(options.config);
        const store = options.bucket
          ? new S3ObjectStore({ endpoint: options.endpoint }, options.bucket)
          : new FolderObjectStore(options.dir);
        const prefix = options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
        const syndicator = new Syndicator(store, { site, feedPrefix: prefix, cacheControl: options.cacheControl }, quietLogger);
        if (paths.length === 0) {
          const outcome = await syndicator.republish();
          for (const file of outcome.written) io.stdout(`wrote ${store.name}/${prefix}${file}\n`);
          io.stdout(`republished every feed: ${outcome.written.length} file(s) changed\n`);
          return;
        }
        const { articles, failed } = await readAll(paths, io, options.skipInvalid);
        if (options.import) {
          const { stored, refused } = await syndicator.importArticles(articles);
          for (const r of refused) io.stderr(`error: ${r.reason} (skipped)\n`);
          const outcome = await syndicator.republish();
          for (const file of outcome.written) io.stdout(`wrote ${store.name}/${prefix}${file}\n`);
          const skipped = failed.length + refused.length;
          io.stdout(`imported ${stored} article(s); ${outcome.written.length} feed file(s) written${skipped ? `; ${skipped} skipped` : ''}\n`);
          if (refused.length && !options.skipInvalid) throw new ArticleError(refused[0]?.id ?? '', 'id', `${refused.length} article(s) refused`);
          return;
        }
        for (const article of articles) {
          const outcome = await syndicator.publishArticle(article);
          for (const file of outcome.written) io.stdout(`wrote ${store.name}/${prefix}${file}\n`);
          io.stdout(`${outcome.status}: ${article.id}\n`);
        }
        if (failed.length) io.stdout(`${failed.length} skipped\n`);
      },
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`error: ${describeError(error)}\n`);
    return 1;
  }
}
