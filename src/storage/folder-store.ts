/**
 * An ObjectStore over a local folder: the CLI's default for `syndicate publish --dir`. Writes go to a
 * temporary file renamed into place, so a reader never sees half a file. A compare-and-swap holds a lock
 * file (`.meta/.lock`, created exclusively) while it checks and renames, so two CLI processes on one
 * folder cannot both win it; a lock left by a process that died is taken over. ETags are content hashes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { assertSafeKey, type ObjectHead, type ObjectStore, type PutOptions, PreconditionFailedError, type StoredObject } from './object-store.js';

/** Content type and metadata live beside the tree, so the feed folder holds only the feeds. */
const META_DIR = '.meta';

function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

export class FolderObjectStore implements ObjectStore {
  readonly name: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly root: string) {
    this.name = root;
  }

  private path(key: string): string {
    assertSafeKey(key);
    if (key === META_DIR || key.startsWith(`${META_DIR}/`)) throw new Error(`unsafe object key: ${key}`);
    return join(this.root, ...key.split('/'));
  }

  private metaPath(path: string): string {
    return join(this.root, META_DIR, `${relative(this.root, path)}.json`);
  }

  private async meta(path: string): Promise<{ contentType?: string; metadata: Record<string, string> }> {
    try {
      return JSON.parse(await readFile(this.metaPath(path), 'utf8'));
    } catch {
      return { metadata: {} };
    }
  }

  async get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null> {
    const path = this.path(key);
    try {
      let body: Buffer;
      if (range) {
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(range.end - range.start + 1);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, range.start);
          body = buffer.subarray(0, bytesRead);
        } finally {
          await handle.close();
        }
      } else {
        body = await readFile(path);
      }
      const info = await stat(path);
      const meta = await this.meta(path);
      return { body, etag: range ? etagOf(await readFile(path)) : etagOf(body), lastModified: info.mtime, ...meta };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    const object = await this.get(key);
    if (!object) return null;
    return { etag: object.etag, lastModified: object.lastModified, size: object.body.length, contentType: object.contentType, metadata: object.metadata };
  }

  put(key: string, body: string | Buffer, options: PutOptions = {}): Promise<string> {
    // Serialise writes so a compare-and-swap is atomic within the process.
    const next = this.queue.then(() => this.putNow(key, body, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async putNow(key: string, body: string | Buffer, options: PutOptions): Promise<string> {
    if (options.ifMatch === undefined && options.ifNoneMatch === undefined) return this.write(key, body, options);
    const release = await this.lock();
    try {
      const current = await this.head(key);
      if (options.ifNoneMatch === '*' && current) throw new PreconditionFailedError(key);
      if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
      return await this.write(key, body, options);
    } finally {
      await release();
    }
  }

  /** The folder's compare-and-swap lock, shared by every process using the folder. */
  private async lock(): Promise<() => Promise<void>> {
    const path = join(this.root, META_DIR, '.lock');
    await mkdir(dirname(path), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.lockIsAbandoned(path)) {
        await rm(path, { force: true });
        continue;
      }
      if (attempt > 3000) throw new Error(`${path}: the folder stayed locked by another process for over a minute`);
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 18));
    }
  }

  /** A lock whose process is gone, or that is older than any check-and-rename (30 s). */
  private async lockIsAbandoned(path: string): Promise<boolean> {
    try {
      const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      if (Date.now() - info.mtimeMs > 30_000) return true;
      const pid = Number(text);
      if (!Number.isSafeInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 1_000; // being written
      if (pid === process.pid) return false;
      process.kill(pid, 0);
      return false;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') return true; // its process died
      return false; // gone already (ENOENT: try again) or not ours to judge (EPERM: alive)
    }
  }

  private async write(key: string, body: string | Buffer, options: PutOptions): Promise<string> {
    const path = this.path(key);
    const buffer = typeof body === 'string' ? Buffer.from(body) : body;
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temp, buffer);
    if (options.contentType || options.metadata) {
      await mkdir(dirname(this.metaPath(path)), { recursive: true });
      await writeFile(this.metaPath(path), JSON.stringify({ contentType: options.contentType, metadata: options.metadata ?? {} }));
    }
    await rename(temp, path);
    return etagOf(buffer);
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await rm(path, { force: true });
    await rm(this.metaPath(path), { force: true });
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    assertSafeKey(prefix.replace(/\/$/, ''));
    try {
      const entries = await readdir(join(this.root, ...prefix.split('/').filter(Boolean)), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory())
        .map((e) => `${prefix}${e.name}/`)
        .sort();
    } catch {
      return [];
    }
  }

  async list(prefix: string, limit: number, startAfter?: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!(dir === this.root && entry.name === META_DIR)) await walk(full);
        } else if (!/\.tmp-[0-9a-f]{8}$/.test(entry.name)) {
          keys.push(relative(this.root, full).split(sep).join('/'));
        }
      }
    };
    // Only the folder the prefix names (its part up to the last "/"), not the whole tree.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    assertSafeKey(folder.replace(/\/$/, '') || 'x');
    await walk(join(this.root, ...folder.split('/').filter(Boolean)));
    return keys
      .filter((k) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter))
      .sort()
      .slice(0, limit);
  }
}
