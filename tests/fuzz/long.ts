/**
 * The long fuzz run: `npm run fuzz` (tsx tests/fuzz/long.ts). The properties of tests/fuzz.test.ts with
 * 100,000 generated cases by default, plus the hand-written hostile inputs.
 *
 *   FUZZ_SEED=<integer>   seed (default fixed, printed at start): the same seed gives the same cases
 *   FUZZ_RUNS=<integer>   generated cases in all (default 100000), shared among the generators
 *
 * A failing case does not stop the run: failures are grouped by kind, the run goes on to the end, then
 * each kind is shrunk by fast-check (replaying the same seed) and printed with its counterexample, and the
 * process exits 1. The last line is the summary: cases, ArticleError vs feeds, failures, time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkInput, describeInput, type FuzzInput, GENERATORS, HOSTILE_CASES, type Outcome } from './arbitraries.js';

const DEFAULT_SEED = 20_240_501;
const seed = Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);
const total = Number(process.env.FUZZ_RUNS ?? 100_000);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(total) || total < 1) {
  console.error('FUZZ_SEED and FUZZ_RUNS must be integers (FUZZ_RUNS at least 1)');
  process.exit(2);
}

/** How long the shrinking of one kind of failure may take. */
const SHRINK_MS = 120_000;

interface Failure {
  kind: string;
  generator: string;
  generatorSeed: number;
  count: number;
  /** The smallest input seen failing this way (by content length), in case shrinking cannot replay it. */
  smallest: FuzzInput;
  message: string;
}

const failures = new Map<string, Failure>();
const outcomes: Record<Outcome | 'failed', number> = { 'article-error': 0, feeds: 0, failed: 0 };
let cases = 0;
const started = performance.now();
let slowest = { ms: 0, generator: '', input: undefined as FuzzInput | undefined };

function size(input: FuzzInput): number {
  return typeof input.content === 'string' ? input.content.length : input.content.byteLength;
}

/** Failures of one kind share a message once numbers, quoted text and long tails are taken out. */
function kindOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')[0]!
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 140);
}

function runOne(generator: string, generatorSeed: number, input: FuzzInput): void {
  cases += 1;
  if (cases % 10_000 === 0) console.log(`  … ${cases} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const caseStarted = performance.now();
  try {
    outcomes[checkInput(input)] += 1;
  } catch (error) {
    outcomes.failed += 1;
    const kind = kindOf(error);
    const known = failures.get(kind);
    if (!known) {
      failures.set(kind, { kind, generator, generatorSeed, count: 1, smallest: input, message: (error as Error)?.message ?? String(error) });
      console.log(`  new failure (${generator}): ${kind}`);
    } else {
      known.count += 1;
      if (size(input) < size(known.smallest)) known.smallest = input;
    }
  } finally {
    const ms = performance.now() - caseStarted;
    if (ms > slowest.ms) slowest = { ms, generator, input };
  }
}

console.log(`fuzz: seed ${seed}${process.env.FUZZ_SEED ? '' : ' (default; set FUZZ_SEED to change)'}, ${total} generated cases${process.env.FUZZ_RUNS ? '' : ' (set FUZZ_RUNS to change)'} + ${HOSTILE_CASES.length} hand-written`);

let assigned = 0;
GENERATORS.forEach(({ name, share, arbitrary }, i) => {
  const runs = i === GENERATORS.length - 1 ? total - assigned : Math.round(total * share);
  assigned += runs;
  if (runs <= 0) return;
  const generatorSeed = seed + i;
  const before = { ...outcomes };
  const t0 = performance.now();
  // The property never fails here: failures are collected so the run reaches every case.
  fc.check(
    fc.property(arbitrary, (input) => {
      runOne(name, generatorSeed, input);
    }),
    { seed: generatorSeed, numRuns: runs },
  );
  console.log(
    `  ${name}: ${runs} cases, ${outcomes['article-error'] - before['article-error']} ArticleError, ${outcomes.feeds - before.feeds} feeds, ${outcomes.failed - before.failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
});
for (const input of HOSTILE_CASES) runOne('hand-written', seed, input);
const fuzzSeconds = (performance.now() - started) / 1000;

// Shrink one counterexample per kind of failure: replay the generator's seed until that kind fails.
let report = '';
for (const failure of failures.values()) {
  const generator = GENERATORS.find((g) => g.name === failure.generator);
  let counterexample: FuzzInput = failure.smallest;
  let replay = '';
  if (generator) {
    const details = fc.check(
      fc.property(generator.arbitrary, (input) => {
        try {
          checkInput(input);
        } catch (error) {
          if (kindOf(error) === failure.kind) throw error;
        }
      }),
      { seed: failure.generatorSeed, numRuns: total, interruptAfterTimeLimit: SHRINK_MS },
    );
    if (details.failed && details.counterexample) {
      counterexample = details.counterexample[0];
      replay = `fast-check replay: { seed: ${details.seed}, path: "${details.counterexamplePath}" } on generator "${failure.generator}"`;
    }
  }
  let message = failure.message;
  try {
    checkInput(counterexample);
  } catch (error) {
    message = (error as Error)?.message ?? String(error);
  }
  report += `\nFAILURE ×${failure.count} (${failure.generator}): ${message}\n${replay ? `${replay}\n` : ''}counterexample:\n${describeInput(counterexample)}\n`;
}
const seconds = (performance.now() - started) / 1000;

if (failures.size > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'syndicate-fuzz-'));
  const file = join(dir, 'counterexamples.txt');
  writeFileSync(file, report);
  console.log(report);
  console.log(`counterexamples written to ${file}`);
}
const slow = slowest.input ? `; slowest case ${slowest.ms.toFixed(0)} ms (${slowest.generator}, ${size(slowest.input)} characters)` : '';
console.log(
  `fuzz summary: seed ${seed}, ${cases} cases: ${outcomes['article-error']} ArticleError, ${outcomes.feeds} feeds, ${outcomes.failed} failed (${failures.size} kinds); ${fuzzSeconds.toFixed(1)} s fuzzing, ${seconds.toFixed(1)} s in all${slow}`,
);
process.exit(failures.size > 0 ? 1 : 0);
