// Runs one `syndicate build` in this process and reports wall time and peak memory (RSS) as JSON.
const { run } = await import(new URL('../dist/cli.js', import.meta.url).href);
const quiet = { stdout: () => {}, stderr: () => {} };
const start = process.hrtime.bigint();
const code = await run(process.argv.slice(2), quiet);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ code, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
