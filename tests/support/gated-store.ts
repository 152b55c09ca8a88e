/**
 * An ObjectStore wrapper for hand-picked interleavings and injected failures: a call matching a gate waits
 * (before it reaches the store) until the test releases it; a call matching a fault throws, before or after
 * it reached the store (a lost response, or a Lambda that died right after the write).
 */
import type { ObjectHead, ObjectStore, PutOptions, StoredObject } from '../../src/storage/object-store.js';

export type Operation = 'get' | 'head' | 'put' | 'delete' | 'list' | 'listPrefixes';
export type CallMatcher = (op: Operation, key: string) => boolean;

export interface Gate {
  /** Resolves when a matching call arrives (and is being held). */
  reached: Promise<void>;
  release(): void;
}

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export class GatedStore implements ObjectStore {
  readonly name: string;
  private gates: { match: CallMatcher; gate: Gate; open: Promise<void>; hit: () => void; used: boolean }[] = [];
  private faults: { match: CallMatcher; after: boolean; remaining: number }[] = [];
  readonly calls: { op: Operation; key: string }[] = [];

  constructor(private readonly inner: ObjectStore) {
    this.name = inner.name;
  }

  /** Holds the first call matching `match` until released. */
  hold(match: CallMatcher): Gate {
    let release!: () => void;
    let hit!: () => void;
    const open = new Promise<void>((r) => {
      release = r;
    });
    const reached = new Promise<void>((r) => {
      hit = r;
    });
    const gate: Gate = { reached, release };
    this.gates.push({ match, gate, open, hit, used: false });
    return gate;
  }

  /** The next `times` calls matching `match` throw: before reaching the store, or `after` it did the work. */
  fail(match: CallMatcher, options: { after?: boolean; times?: number } = {}): void {
    this.faults.push({ match, after: options.after ?? false, remaining: options.times ?? 1 });
  }

  private async enter(op: Operation, key: string): Promise<{ failAfter: boolean }> {
    this.calls.push({ op, key });
    const gate = this.gates.find((g) => !g.used && g.match(op, key));
    if (gate) {
      gate.used = true;
      gate.hit();
      await gate.open;
    }
    const fault = this.faults.find((f) => f.remaining > 0 && f.match(op, key));
    if (fault) {
      fault.remaining -= 1;
      if (!fault.after) throw new InjectedFault(`injected failure before ${op} ${key}`);
      return { failAfter: true };
    }
    return { failAfter: false };
  }

  private async run<T>(op: Operation, key: string, work: () => Promise<T>): Promise<T> {
    const { failAfter } = await this.enter(op, key);
    const result = await work();
    if (failAfter) throw new InjectedFault(`injected failure after ${op} ${key}`);
    return result;
  }

  get(key: string, range?: { start: number; end: number }): Promise<StoredObject | null> {
    return this.run('get', key, () => this.inner.get(key, range));
  }
  head(key: string): Promise<ObjectHead | null> {
    return this.run('head', key, () => this.inner.head(key));
  }
  put(key: string, body: string | Buffer, options?: PutOptions): Promise<string> {
    return this.run('put', key, () => this.inner.put(key, body, options));
  }
  delete(key: string): Promise<void> {
    return this.run('delete', key, () => this.inner.delete(key));
  }
  list(prefix: string, limit: number, startAfter?: string): Promise<string[]> {
    return this.run('list', prefix, () => this.inner.list(prefix, limit, startAfter));
  }
  listPrefixes(prefix: string): Promise<string[]> {
    return this.run('listPrefixes', prefix, () => this.inner.listPrefixes(prefix));
  }
}

/** Matches one operation on keys starting with a prefix. */
export const on =
  (op: Operation, prefix: string): CallMatcher =>
  (o, key) =>
    o === op && key.startsWith(prefix);
