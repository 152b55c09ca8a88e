/**
 * `npm run reliability`: the long runs behind docs/RELIABILITY.md. First the store's invariants over
 * random interleavings explored by fast-check's scheduler (INTERLEAVING_RUNS, default 20,000; see
 * tests/support/interleavings.ts); then, through the real handlers against s3rver behind the
 * fault-injecting proxy, RELIABILITY_PUBLISHES (default 1000) publishes and RELIABILITY_TAKEDOWNS (200)
 * takedowns with RELIABILITY_RATE (0.2) of requests failing, and races. Exits non-zero if anything did not hold.
 */
import fc from 'fast-check';
import { resetRuntime } from '../../src/lambda/runtime.js';
import type { Handlers } from '../support/handlers.js';
import { runScenario as runInterleaving, scenarioArbitrary } from '../support/interleavings.js';
import { runScenario, type ScenarioReport } from '../support/reliability.js';
import { startS3 } from '../support/s3.js';

// The handlers log a JSON line per event; the summary below is what this run is for.
console.log = () => undefined;
console.warn = () => undefined;
console.error = () => undefined;
const print = (line: string) => process.stdout.write(`${line}\n`);

const publishes = Number(process.env.RELIABILITY_PUBLISHES ?? 1000);
const takedowns = Number(process.env.RELIABILITY_TAKEDOWNS ?? 200);
const rate = Number(process.env.RELIABILITY_RATE ?? 0.2);
const sections = 20;

let generation = 0;
/** Outside vitest: set the environment, forget the runtime the last handlers built (it reads the config once), import fresh handler modules. */
async function loadHandlers(env: Record<string, string>): Promise<Handlers> {
  Object.assign(process.env, env);
  resetRuntime();
  generation += 1;
  const load = (name: string) => import(`../../handlers/${name}.ts?run=${generation}`);
  const [publish, unpublish, republish] = await Promise.all([load('publish'), load('unpublish'), load('republish')]);
  return { publish: publish.handler, unpublish: unpublish.handler, republish: republish.handler };
}

async function run(name: string, options: Parameters<typeof runScenario>[2]): Promise<ScenarioReport> {
  const s3 = await startS3();
  try {
    const handlers = await loadHandlers(s3.env({ FEED_ITEMS: String(Math.ceil(options.publishes / options.sections) + 10) }));
    const report = await runScenario(s3, handlers, options);
    const requests = Object.values(report.requests).reduce((a, b) => a + b, 0);
    print(
      `${name}: ${report.events} events (${options.publishes} publishes, ${options.takedowns} takedowns), ${requests} S3 requests through the proxy; ` +
        `${report.retriedEvents} events needed Lambda's retry, at most ${report.attemptsMax} attempts; ${report.failedEvents.length} went to the failed-events queue (recorded there, and under errors/ when S3 accepted the record); ` +
        `${report.published} articles in their feeds, ${report.withdrawn} withdrawn; problems: ${report.problems.length}; ` +
        `after redriving ${report.afterRedrive.redriven} failed events: ${report.afterRedrive.problems.length} misplaced articles, ${report.afterRedrive.errorsLeft} errors/ records left; ${report.seconds.toFixed(0)} s`,
    );
    for (const problem of report.afterRedrive.problems.slice(0, 10)) print(`  after redrive: ${problem}`);
    for (const problem of report.problems.slice(0, 20)) print(`  problem: ${problem}`);
    for (const failed of report.failedEvents.slice(0, 5)) print(`  failed event: ${failed.kind} ${failed.key}: ${failed.reason}`);
    return report;
  } finally {
    await s3.stop();
  }
}

/** The interleavings: each scenario under one random schedule of its store requests, with injected faults. */
async function interleavings(runs: number): Promise<number> {
  const started = Date.now();
  const totals = { attempts: 0, faults: 0, redriven: 0, faulty: 0 };
  const result = await fc.check(
    fc.asyncProperty(scenarioArbitrary, fc.scheduler(), async (scenario, s) => {
      const outcome = await runInterleaving(scenario, s);
      totals.attempts += outcome.attempts;
      totals.faults += outcome.faultsInjected;
      totals.redriven += outcome.redriven;
      if (scenario.faults.rate > 0) totals.faulty += 1;
      if (outcome.problems.length > 0) throw new Error(outcome.problems.join('\n'));
    }),
    { numRuns: runs, seed: Number(process.env.INTERLEAVING_SEED ?? 20261129) },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  print(
    `interleavings: ${result.numRuns} scenarios, each under its own random schedule (${totals.faulty} with injected faults: ${totals.faults} faults, ` +
      `${totals.attempts} invocations, ${totals.redriven} redriven from the failed-events queue); I1-I5 ${result.failed ? 'FAILED' : 'held'}; ${seconds} s`,
  );
  if (result.failed) print(`  counterexample (seed ${result.seed}, path ${result.counterexamplePath}): ${fc.stringify(result.counterexample)}\n  ${String((result.errorInstance as Error | undefined)?.message ?? '')}`);
  return result.failed ? 1 : 0;
}

const interleavingProblems = await interleavings(Number(process.env.INTERLEAVING_RUNS ?? 20_000));

const reports = [
  await run(`faults ${rate * 100}% (500, 503 SlowDown, resets)`, { publishes, takedowns, sections, concurrency: 8, faults: { rate, kinds: ['500', '503', 'reset'], seed: 2019 } }),
  await run('faults 20% with delays too', { publishes: Math.floor(publishes / 4), takedowns: Math.floor(takedowns / 4), sections, concurrency: 8, faults: { rate: 0.2, kinds: ['500', '503', 'reset', 'delay'], seed: 4 } }),
  await run('race: 60 publishes and 12 takedowns at once on one section', { publishes: 60, takedowns: 12, sections: 1, concurrency: 60, faults: null }),
];
const problems = interleavingProblems + reports.reduce((n, r) => n + r.problems.length + r.afterRedrive.problems.length + r.afterRedrive.errorsLeft, 0);
print(problems === 0 ? 'all held' : `${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
