/**
 * Raw reading from a cold process (issue 9): a fresh node reads articles once, as a publish handler or
 * `syndicate build` meets them right after start-up. bench/run.ts bundles this file (esbuild, as the
 * handlers are bundled) and runs it several times; the texts come from a JSON file it wrote (an array of
 * { name, text }), so generating them is not timed. With `--schema`, each article is also parsed by
 * ArticleSchema once read: what reading cost when every article took the schema's second pass. Prints
 * one line of JSON: articles, bytes, ms, MB/s.
 *
 *   node cold-read.js TEXTS.json [--schema]
 */
import { readFileSync } from 'node:fs';
import { ArticleSchema } from '../src/article.js';
import { readArticle } from '../src/read/index.js';

const [file, flag] = process.argv.slice(2);
if (!file) throw new Error('usage: node cold-read.js TEXTS.json [--schema]');
const texts = (JSON.parse(readFileSync(file, 'utf8')) as { name: string; text: string }[]).map((t) => ({ name: t.name, body: Buffer.from(t.text) }));
const bytes = texts.reduce((sum, t) => sum + t.body.byteLength, 0);
const schema = flag === '--schema';
const start = process.hrtime.bigint();
for (const t of texts) {
  const { article } = readArticle(t.name, t.body, {});
  if (schema) ArticleSchema.parse(article);
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ articles: texts.length, bytes, ms, mbPerS: bytes / 1e6 / (ms / 1000) }));
