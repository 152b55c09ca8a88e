/**
 * Mirrors a local folder into the bucket's incoming/ prefix, as a newsroom's uploads would: a new or
 * changed article file is put, a deleted one is deleted (each through the ObjectStore port, so the local
 * S3 emits the events S3 would). Changes are noticed by fs.watch and, in case it misses one (editors that
 * replace files, network folders), by a rescan every half second.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { INCOMING } from '../layout.js';
import { isArticleName } from '../read/index.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface MirrorChange {
  kind: 'put' | 'delete';
  file: string;
  key: string;
}

/** Article files under a folder (hidden files and folders skipped), as paths relative to it with `/`. */
async function articleFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && isArticleName(entry.name)) found.push(relative(folder, path).split(sep).join('/'));
    }
  };
  await walk(folder);
  return found.sort();
}

export class FolderMirror {
  /** What was last put, by relative path: the file's size and mtime (to skip unchanged files cheaply) and content hash. */
  private readonly mirrored = new Map<string, { size: number; mtimeMs: number; hash: string }>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly folder: string,
    private readonly store: ObjectStore,
    private readonly onChange: (change: MirrorChange) => void,
    private readonly onError: (error: unknown) => void,
    /** Runs each write when no handler is running (s3rver rewrites objects in place: src/dev/events.ts). */
    private readonly exclusive: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
  ) {}

  /** Mirrors the folder as it is (removing incoming/ objects it does not hold), then follows its changes. */
  async start(): Promise<void> {
    const present = new Set(await articleFiles(this.folder));
    for (const key of await this.listIncoming()) {
      const file = key.slice(INCOMING.length);
      if (!present.has(file)) await this.remove(file);
    }
    await this.scan();
    this.watcher = watch(this.folder, { recursive: true }, () => this.soon());
    this.watcher.on('error', (error) => this.onError(error));
    this.timer = setInterval(() => this.soon(), 500);
  }

  /** Every key under incoming/ (paged). */
  private async listIncoming(): Promise<string[]> {
    const keys: string[] = [];
    for (;;) {
      const page = await this.store.list(INCOMING, 1000, keys.at(-1));
      keys.push(...page);
      if (page.length < 1000) return keys;
    }
  }

  /** A scan shortly (changes come in bursts: an editor's save is several events). */
  private soon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.scan().catch((error: unknown) => this.onError(error));
    }, 20);
  }

  /** Compares the folder with what was mirrored and puts or deletes the difference; one scan at a time. */
  scan(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.scanOnce();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scanOnce(): Promise<void> {
    const files = await articleFiles(this.folder);
    const present = new Set(files);
    for (const file of files) {
      const info = await stat(join(this.folder, file)).catch(() => null);
      if (!info) continue;
      const known = this.mirrored.get(file);
      if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) continue;
      const body = await readFile(join(this.folder, file)).catch(() => null);
      if (body === null) continue;
      const hash = createHash('sha256').update(body).digest('hex');
      if (known?.hash !== hash) {
        await this.exclusive(() => this.store.put(`${INCOMING}${file}`, body));
        this.onChange({ kind: 'put', file, key: `${INCOMING}${file}` });
      }
      this.mirrored.set(file, { size: info.size, mtimeMs: info.mtimeMs, hash });
    }
    for (const file of [...this.mirrored.keys()]) if (!present.has(file)) await this.remove(file);
  }

  private async remove(file: string): Promise<void> {
    await this.exclusive(() => this.store.delete(`${INCOMING}${file}`));
    this.mirrored.delete(file);
    this.onChange({ kind: 'delete', file, key: `${INCOMING}${file}` });
  }

  /** Stops following the folder; waits for a scan under way. */
  async stop(): Promise<void> {
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    await this.running?.catch(() => undefined);
  }
}
