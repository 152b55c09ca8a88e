/**
 * What the CLI prints while it works, for a person: warnings summarised by kind (each one with
 * --verbose), a progress bar on a terminal for long runs (plain lines otherwise), hints.
 */
import type { ReadWarning } from '../article.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal: a progress bar may redraw one line. */
  isTTY?: boolean;
  /** The terminal's width in columns (a terminal only). */
  columns?: number;
}

/** Files named on a summary line; the rest are counted. */
const FILES_SHOWN = 3;

/**
 * The kind of a warning: its field and its message up to the first ": " (what follows is this file's
 * value). `title: derived from the lead paragraph: "Putin and Kim..."` is of the kind
 * `title: derived from the lead paragraph`.
 */
export function warningKind(warning: ReadWarning): string {
  const cut = warning.message.indexOf(': ');
  return `${warning.field}: ${cut < 0 ? warning.message : warning.message.slice(0, cut)}`;
}

/**
 * Warnings about the articles read. With `verbose` each is printed as it comes, one line each; otherwise
 * they are kept by kind and `flush` prints one line per kind: the count and the first few files (a kind
 * seen once is printed whole, as with --verbose).
 */
export class WarningSummary {
  private readonly kinds = new Map<string, { files: string[]; count: number; first: string }>();

  constructor(
    private readonly io: CliIo,
    private readonly verbose: boolean,
  ) {}

  add(file: string, warnings: readonly ReadWarning[]): void {
    for (const warning of warnings) {
      const line = `warning: ${file}: ${warning.field}: ${warning.message}`;
      if (this.verbose) {
        this.io.stderr(`${line}\n`);
        continue;
      }
      const kind = warningKind(warning);
      const entry = this.kinds.get(kind) ?? { files: [], count: 0, first: line };
      entry.count += 1;
      if (entry.files.length < FILES_SHOWN) entry.files.push(file);
      this.kinds.set(kind, entry);
    }
  }

  /** How many warnings were seen. */
  get count(): number {
    let total = 0;
    for (const entry of this.kinds.values()) total += entry.count;
    return total;
  }

  /** Prints the summary lines, most frequent kind first, and forgets them. */
  flush(): void {
    const entries = [...this.kinds.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
    for (const [kind, { files, count, first }] of entries) {
      if (count === 1) {
        this.io.stderr(`${first}\n`);
        continue;
      }
      const more = count - files.length;
      this.io.stderr(`warning: ${kind}: ${count} files (${files.join(', ')}${more > 0 ? ` and ${more} more; --verbose lists each` : ''})\n`);
    }
    this.kinds.clear();
  }
}

/** Runs shorter than this print no progress: they are over before anyone looks. */
export const PROGRESS_FROM = 300;
/** A terminal's bar is redrawn at most this often. */
const REDRAW_MS = 100;

/**
 * Progress through `total` items, on stderr: a bar redrawn in place on a terminal, else a plain line at
 * every tenth. Silent for runs under PROGRESS_FROM items. `done` clears the bar (a terminal) so the lines
 * printed after it start clean.
 */
export class Progress {
  private count = 0;
  private lastDraw = 0;
  private lastTenth = 0;
  private readonly active: boolean;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.active = total >= PROGRESS_FROM;
  }

  tick(): void {
    this.count += 1;
    if (!this.active) return;
    if (this.io.isTTY) {
      const time = this.now();
      if (time - this.lastDraw < REDRAW_MS && this.count < this.total) return;
      this.lastDraw = time;
      this.io.stderr(`\r${this.bar()}`);
      return;
    }
    const tenth = Math.floor((this.count * 10) / this.total);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.io.stderr(`${this.label}: ${this.count}/${this.total} (${tenth * 10}%)\n`);
    }
  }

  /** The line a terminal shows: `reading [#########.........]  450/1000  45%`, fitted to its width. */
  bar(): string {
    const percent = Math.floor((this.count * 100) / this.total);
    const counts = ` ${String(this.count).padStart(String(this.total).length)}/${this.total} ${String(percent).padStart(3)}%`;
    const width = Math.max(10, Math.min(40, (this.io.columns ?? 80) - this.label.length - counts.length - 4));
    const filled = Math.round((width * this.count) / this.total);
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${counts}`;
  }

  /** Prints a line (on stderr, or through `write`), clearing the bar first; the next tick draws it again. */
  print(text: string, write: (text: string) => void = this.io.stderr): void {
    this.clear();
    write(text);
  }

  done(): void {
    this.clear();
  }

  private clear(): void {
    if (!(this.active && this.io.isTTY && this.lastDraw > 0)) return;
    this.io.stderr(`\r${' '.repeat(this.bar().length)}\r`);
    this.lastDraw = 0;
  }
}

/**
 * Publishing one by one costs a round of reads and writes of every feed per article: measured on 5,000
 * articles, 368 s against 11.5 s with --import (issue 12). Over this many, `publish` says so.
 */
export const IMPORT_HINT_FROM = 1000;

export function importHint(count: number): string {
  return `hint: publishing ${count} articles one by one updates their feeds ${count} times; \`syndicate publish --import\` stores them all, then builds each feed once (5,000 articles: 11.5 s instead of 368 s)\n`;
}
