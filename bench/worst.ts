/**
 * Reading linearity (issue 9): each worst case of bench/pathological.ts read at 10 KB to the 2 MB limit,
 * as milliseconds per MB. A linear reader gives the same figure at every size: the ratio of the 2 MB figure
 * to the 10 KB one stays near 1 (under 2 is the bar); a quadratic one grows it with the size.
 *
 *   npx tsx bench/worst.ts [READER_MODULE]    prints the table and the rows as JSON; READER_MODULE (default
 *                                             src/read/index.ts) times another copy of the reader (the one
 *                                             before a change); BENCH_WORST=name,... picks cases,
 *                                             BENCH_RUNS and BENCH_SLOW_MS as in measureWorst
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WORST_CASES, WORST_SIZES, type WorstOutcome } from './pathological.js';
import { fmt, type Stats, stats } from './stats.js';

type Read = (name: string, content: string, context: { receivedAt?: Date }) => { article: { photos: unknown[]; quotes: unknown[]; paragraphs: unknown[] } };

export interface WorstRow {
  name: string;
  /** The size asked for (WORST_SIZES), and the text's size in bytes (at most that). */
  size: number;
  bytes: number;
  /** Milliseconds per read. */
  ms: Stats;
  msPerMb: number;
  outcome: string;
  /** The outcome is the one the case says it must be. */
  expected: boolean;
}

const RECEIVED = new Date('2024-05-01T08:00:00Z');

function readOnce(read: Read, text: string): string {
  try {
    const { article } = read('worst.md', text, { receivedAt: RECEIVED });
    return `read: ${article.photos.length} photos, ${article.quotes.length} quotes, ${article.paragraphs.length} paragraphs`;
  } catch (error) {
    const e = error as { name?: string; field?: string };
    if (e.name !== 'ArticleError') throw error;
    return `refused: ${e.field}`;
  }
}

const describeOutcome = (o: WorstOutcome) => ('refused' in o ? `refused: ${o.refused}` : `read: ${o.read.photos} photos, ${o.read.quotes} quotes, ${o.read.paragraphs} paragraphs`);

/**
 * Times every case at every size. A sample reads the text enough times to take about as long as one read
 * at the largest size (small texts are read hundreds of times), so timer and GC noise weigh alike at every
 * size; `runs` samples, the median kept. A sample that takes over `slowMs` ends that size after one run
 * (a quadratic reader at 2 MB takes minutes).
 */
export function measureWorst(read: Read, options: { runs?: number; slowMs?: number; sizes?: readonly number[]; names?: readonly string[] } = {}): WorstRow[] {
  const { runs = 7, slowMs = 5000, sizes = WORST_SIZES, names = Object.keys(WORST_CASES) } = options;
  const largest = Math.max(...sizes);
  const rows: WorstRow[] = [];
  for (const name of names) {
    const worst = WORST_CASES[name];
    if (!worst) throw new Error(`no worst case named ${name}`);
    for (const size of sizes) {
      const text = worst.generate(size);
      const bytes = Buffer.byteLength(text);
      const outcome = readOnce(read, text); // also the warm-up
      const reps = Math.max(1, Math.round(largest / bytes));
      const samples: number[] = [];
      for (let r = 0; r < runs; r++) {
        const start = process.hrtime.bigint();
        for (let k = 0; k < reps; k++) readOnce(read, text);
        const ms = Number(process.hrtime.bigint() - start) / 1e6 / reps;
        samples.push(ms);
        if (ms > slowMs) break;
      }
      const ms = stats(samples);
      rows.push({ name, size, bytes, ms, msPerMb: ms.median / (bytes / 1e6), outcome, expected: outcome === describeOutcome(worst.outcome(size)) });
    }
  }
  return rows;
}

/** The 2 MB figure over the 10 KB one, per case: linear is near 1. */
export function linearity(rows: readonly WorstRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of new Set(rows.map((r) => r.name))) {
    const mine = rows.filter((r) => r.name === name).sort((a, b) => a.bytes - b.bytes);
    const first = mine[0];
    const last = mine[mine.length - 1];
    if (first && last) out[name] = last.msPerMb / first.msPerMb;
  }
  return out;
}

/** The table for docs/BENCHMARKS.md: one row per case, ms per MB at each size, then the ratio. */
export function worstTable(rows: readonly WorstRow[]): string[] {
  const label = (size: number) => (size >= 1e6 ? `${Math.round(size / 1e6)} MB` : `${Math.round(size / 1e3)} KB`);
  const sizes = [...new Set(rows.map((r) => label(r.size)))];
  const ratio = linearity(rows);
  const lines = [`| case | ms per MB at ${sizes.join(' / ')} | 2 MB / 10 KB | outcome at 2 MB; ms per read |`, '| --- | --- | --- | --- |'];
  for (const name of new Set(rows.map((r) => r.name))) {
    const mine = rows.filter((r) => r.name === name).sort((a, b) => a.bytes - b.bytes);
    // ¹: one run only (a read that slow is not repeated).
    const cells = mine.map((r) => `${fmt(r.msPerMb, r.msPerMb < 10 ? 1 : 0)}${r.ms.runs === 1 ? '¹' : ''}`).join(' / ');
    const last = mine[mine.length - 1];
    const outcome = last ? `${last.outcome}${last.expected ? '' : ' (UNEXPECTED)'}; ${fmt(last.ms.median, last.ms.median < 10 ? 1 : 0)}` : '';
    lines.push(`| ${name} | ${cells} | ${fmt(ratio[name] ?? Number.NaN, 2)} | ${outcome} |`);
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const module = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../src/read/index.ts'));
  const { readArticle } = (await import(pathToFileURL(module).href)) as { readArticle: Read };
  const names = process.env.BENCH_WORST?.split(',');
  const rows = measureWorst(readArticle, { runs: Number(process.env.BENCH_RUNS ?? 7), slowMs: Number(process.env.BENCH_SLOW_MS ?? 5000), ...(names ? { names } : {}) });
  for (const line of worstTable(rows)) console.log(line);
  console.log(JSON.stringify(rows));
}
