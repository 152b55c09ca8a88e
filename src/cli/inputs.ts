/** Finding and reading article files and the site config for the CLI. */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Article, ReadWarning } from '../article.js';
import { ArticleError, ConfigError } from '../errors.js';
import { isArticleName, MAX_ARTICLE_BYTES, readArticle } from '../read/index.js';
import { parseSiteConfig, type SiteConfig } from '../site.js';

/** Article files under the given files and folders, each folder walked in name order. */
export async function findArticleFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (cause) {
      throw new ArticleError(path, '(file)', 'cannot be read: no such file or folder', { cause });
    }
    if (info.isDirectory()) {
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const child = join(path, entry.name);
        if (entry.isDirectory()) found.push(...(await findArticleFiles([child])));
        else if (isArticleName(entry.name)) found.push(child);
      }
    } else {
      found.push(path);
    }
  }
  return found;
}

/**
 * Reads many files in order, keeping a few reads in flight ahead of the one being parsed, so disk and
 * parsing overlap. Results come in the order of `files`.
 */
export async function* readArticleFiles(files: readonly string[], ahead = 16): AsyncGenerator<ReadFileResult> {
  const loads: Promise<{ content: Buffer; mtime: Date }>[] = [];
  const start = (i: number) => {
    if (i < files.length) {
      const load = loadFile(files[i] as string);
      load.catch(() => undefined); // handled when its turn comes
      loads[i] = load;
    }
  };
  for (let i = 0; i < Math.min(ahead, files.length); i++) start(i);
  for (let i = 0; i < files.length; i++) {
    start(i + ahead);
    yield await readArticleFile(files[i] as string, loads[i]);
    delete loads[i];
  }
}

export interface ReadFileResult {
  file: string;
  article?: Article;
  warnings: ReadWarning[];
  error?: Error;
}

/** The bytes and modification time of a file: one open, and the size checked before reading. */
async function loadFile(file: string): Promise<{ content: Buffer; mtime: Date }> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (info.size > MAX_ARTICLE_BYTES) {
      throw new ArticleError(file, '(size)', `${info.size} bytes is over the limit of ${MAX_ARTICLE_BYTES} bytes for one article`);
    }
    return { content: await handle.readFile(), mtime: info.mtime };
  } finally {
    await handle.close();
  }
}

export async function readArticleFile(file: string, loaded?: Promise<{ content: Buffer; mtime: Date }>): Promise<ReadFileResult> {
  try {
    const { content, mtime } = await (loaded ?? loadFile(file));
    const { article, warnings } = readArticle(file, content, { source: file, receivedAt: mtime });
    return { file, article, warnings };
  } catch (error) {
    if (error instanceof ArticleError) return { file, warnings: [], error };
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { file, warnings: [], error: new ArticleError(file, '(file)', `cannot be read: ${reason}`, { cause: error }) };
  }
}

export async function loadSiteConfig(file: string | undefined): Promise<SiteConfig> {
  if (!file) return parseSiteConfig({}, '(defaults)');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, '(file)', 'cannot be read', { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(file, '(json)', `invalid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseSiteConfig(value, file);
}
