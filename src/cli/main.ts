/** The `syndicate` command: thin wiring over the core. `run` takes its I/O so tests can drive it. */
import { Command, CommanderError } from 'commander';
import type { Article } from '../article.js';
import { buildFeeds } from '../build.js';
import { ArticleError, describeError } from '../errors.js';
import { replaceFolder } from '../publish/folder.js';
import { findArticleFiles, loadSiteConfig, readArticleFile, type ReadFileResult } from './inputs.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function reportWarnings(io: CliIo, result: ReadFileResult): void {
  for (const w of result.warnings) io.stderr(`warning: ${result.file}: ${w.field}: ${w.message}\n`);
}

/** Reads every article; returns them, or throws the first error unless skipping bad files. */
export async function readAll(paths: readonly string[], io: CliIo, skipInvalid: boolean): Promise<{ articles: Article[]; failed: ReadFileResult[] }> {
  const files = await findArticleFiles(paths);
  if (files.length === 0) throw new ArticleError(paths.join(' '), '(files)', 'no article files found (.txt, .md, .json)');
  const articles: Article[] = [];
  const failed: ReadFileResult[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const result = await readArticleFile(file);
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
    articles.push(result.article as Article);
  }
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
      const { articles, failed } = await readAll(paths, io, options.skipInvalid);
      const files = buildFeeds(articles, site);
      await replaceFolder(options.out, files);
      for (const file of files) io.stdout(`wrote ${options.out.replace(/\/$/, '')}/${file.path} (${Buffer.byteLength(file.body)} bytes)\n`);
      io.stdout(`${articles.length} article(s) in ${files.length / 3} feed(s)${failed.length ? `; ${failed.length} skipped` : ''}\n`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`error: ${describeError(error)}\n`);
    return 1;
  }
}
