import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadHandlers, type Handlers } from './support/handlers.js';
import { cfnEvent, cfnUpdate, httpDelete, httpPost, s3Created, s3Removed } from './support/events.js';
import { startS3, type S3Harness } from './support/s3.js';
import { cli, quietConsole, withTempDir } from './helpers.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';

let s3: S3Harness;
beforeEach(async () => { quietConsole(); s3 = await startS3(); });
afterEach(async () => { vi.restoreAllMocks(); vi.unstubAllEnvs(); await s3.stop(); });
const auth = { authorization: 'Bearer test-token-123' };
const art = (id: string) => `---\nid: ${id}\nurl: https://news.test.example/${id}\nsection: World\npublished: 2024-05-01T08:00:00Z\n---\nBEIJING - Story ${id} opens here.\nSecond paragraph.\n`;
const out = (...a: unknown[]) => process.stdout.write(`PROBE ${a.map((x) => typeof x === 'string' ? x : JSON.stringify(x)).join(' ')}\n`);

it('cache control newline', async () => {
  const h = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123', CACHE_CONTROL: 'public,\nmax-age=300' }));
  const r: any = await h.publish(httpPost(art('cc'), 'text/markdown', auth));
  out('cc http', r.statusCode, r.body);
  out('cc keys', await s3.store().list('', 50));
  out('cc stored cfg', (await s3.store().get('config/site.json'))?.body.toString());
});
it('http odd bodies', async () => {
  const h = await loadHandlers(s3.env({ API_TOKEN: 'test-token-123' }));
  let r: any = await h.publish(httpPost(JSON.stringify({ id: 'js', title: 'JSON story', paragraphs: ['Para one of the JSON story.'] }), 'text/plain', auth));
  out('json as text', r.statusCode, r.body.slice(0, 400));
  r = await h.publish(httpPost(JSON.stringify({ id: 'js2', title: 'JSON story', paragraphs: ['Para one.'] }), '', auth));
  out('json no ctype', r.statusCode, r.body.slice(0, 300));
  r = await h.publish(httpPost('', 'text/markdown', auth));
  out('empty', r.statusCode, r.body);
  const ev = httpPost(Buffer.from(art('b64')).toString('base64'), 'text/markdown', auth); ev.isBase64Encoded = true;
  r = await h.publish(ev); out('b64', r.statusCode, r.body.slice(0, 100));
  const ev2 = httpPost(art('noepoch'), 'text/markdown', auth); delete ev2.requestContext.timeEpoch;
  r = await h.publish(ev2); out('noepoch', r.statusCode, r.body.slice(0, 200));
  const ev3 = httpDelete('b64'); delete ev3.requestContext.timeEpoch;
  r = await h.unpublish(ev3); out('del noepoch', r.statusCode, r.body.slice(0, 200));
  await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'articles/quar.json', Body: '{"format":2,"id":"quar"' }));
  r = await h.unpublish(httpDelete('quar')); out('del quarantined', r.statusCode, r.body.slice(0, 300));
  r = await h.unpublish(httpDelete('quar')); out('del quarantined again', r.statusCode, r.body.slice(0, 300));
  const ev4 = httpPost('x', 'text/markdown', auth); ev4.body = undefined;
  r = await h.publish(ev4); out('nobody', r.statusCode, r.body.slice(0, 200));
});
it('cfn without ResponseURL', async () => {
  const h = await loadHandlers(s3.env());
  const ev = cfnEvent('http://x', 'Delete'); delete ev.ResponseURL;
  s3.resetCounts();
  const r = await h.republish(ev).then((x) => x, (e) => `threw ${e}`);
  out('cfn no url', r, s3.counts);
});
it('cli', async () => {
  await withTempDir(async (dir) => {
    const { writeFile, mkdir, readdir } = await import('node:fs/promises');
    await writeFile(`${dir}/file`, 'x');
    await writeFile(`${dir}/a.md`, art('a'));
    await writeFile(`${dir}/site.json`, JSON.stringify({ title: 'T', url: 'https://t.example/' }));
    out('dir file', await cli(['publish', `${dir}/a.md`, '--dir', `${dir}/file`, '--config', `${dir}/site.json`]));
    out('meta prefix', await cli(['publish', `${dir}/a.md`, '--dir', `${dir}/store`, '--config', `${dir}/site.json`, '--prefix', '.meta/']));
    out('after meta', await cli(['publish', '--dir', `${dir}/store`]));
    await mkdir(`${dir}/s2/config`, { recursive: true });
    await writeFile(`${dir}/s2/config/site.json`, '{garbage');
    out('corrupt stored + --config', await cli(['publish', `${dir}/a.md`, '--dir', `${dir}/s2`, '--config', `${dir}/site.json`]));
    await mkdir(`${dir}/out/sections`, { recursive: true });
    await writeFile(`${dir}/out/sections/notes.txt`, 'precious');
    await writeFile(`${dir}/out/rss.xml`, 'old');
    out('build over sections', await cli(['build', `${dir}/a.md`, '--out', `${dir}/out`]), await readdir(`${dir}/out/sections`));
    out('build out file', await cli(['build', `${dir}/a.md`, '--out', `${dir}/file`]));
    out('timeout', await cli(['publish', `${dir}/a.md`, '--dir', `${dir}/s3`, '--config', `${dir}/site.json`, '--timeout', '0']));
    out('bucket empty', await cli(['publish', `${dir}/a.md`, '--bucket', '', '--dir', `${dir}/s4`, '--config', `${dir}/site.json`]));
    out('unpub odd', await cli(['unpublish', 'a\nb', '--dir', `${dir}/s4`]));
  });
});
