/** Finding and reading article files and the site config for the CLI. */
import { readdir, readFile, stat } from 'node:fs/promises';
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

export interface ReadFileResult {
  file: string;
  article?: Article;
  warnings: ReadWarning[];
  error?: Error;
}

export async function readArticleFile(file: string): Promise<ReadFileResult> {
  try {
    const info = await stat(file);
    if (info.size > MAX_ARTICLE_BYTES) {
      throw new ArticleError(file, '(size)', `${info.size} bytes is over the limit of ${MAX_ARTICLE_BYTES} bytes for one article`);
    }
    const content = await readFile(file);
    const { article, warnings } = readArticle(file, content, { source: file, receivedAt: info.mtime });
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
