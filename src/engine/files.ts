/** Writing rendered files (feeds, pages, archive documents): only those that differ from what is stored. */
import type { OutputFile } from '../build.js';
import { checkFeed } from '../check.js';
import type { Engine } from './common.js';

/** Files rendered from one committed state, with their sha256 by path. */
export interface Rendered {
  files: OutputFile[];
  hashes: Record<string, string>;
}

/**
 * Puts each file that differs from what is stored. After a commit, a file whose hash changed from the
 * previous state's is put at once; any other is compared with the stored object's hash (a HEAD), so a
 * retry after a failed write always repairs the files.
 */
export async function writeFiles(engine: Engine, prefix: string, { files, hashes }: Rendered, previous: Record<string, string> | null, cacheControl: (file: OutputFile) => string): Promise<string[]> {
  const { store } = engine;
  const written: string[] = [];
  await Promise.all(
    files.map(async (file) => {
      const hash = hashes[file.path] as string;
      const key = prefix + file.path;
      if (!previous || previous[file.path] === hash) {
        const head = await store.head(key);
        if (head?.metadata.sha256 === hash) return;
      }
      // Nothing unchecked is ever written: a failing feed leaves the published one as it was.
      checkFeed(file.path, file.body);
      await store.put(key, file.body, { contentType: file.contentType, cacheControl: cacheControl(file), metadata: { sha256: hash } });
      written.push(file.path);
    }),
  );
  return written.sort();
}
