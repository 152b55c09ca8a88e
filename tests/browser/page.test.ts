/**
 * Issue 11, the page in a real browser (`npm run test:browser`, run by .ci/run): headless Chromium (Debian
 * `chromium`) loads the page of a build's output folder over a local HTTP server; the test reads the DOM
 * (every item, alt text on every image, links that reach the feed files) and keeps a screenshot in
 * .ci-artifacts/page.png.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cli, withTempDir } from '../helpers.js';

const root = join(import.meta.dirname, '../..');

describe('in a browser', () => {
  it('headless Chromium renders every item, with alt text on every image and links that reach the feed files', async () => {
    expect(existsSync('/usr/bin/chromium'), 'Debian chromium (.ci/run installs it)').toBe(true);
    await withTempDir(async (dir) => {
      const out = join(dir, 'out');
      const built = await cli(['build', 'examples/articles', '--out', out, '--config', 'examples/site.json', '--no-ping']);
      expect(built.code, built.stderr).toBe(0);
      const server = createServer((request, response) => {
        const path = join(out, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).replace(/\/$/, '/index.html'));
        if (!existsSync(path)) return void response.writeHead(404).end();
        response.writeHead(200, { 'content-type': path.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream' }).end(readFileSync(path));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      try {
        // Run beside the server (a synchronous spawn would stop it from answering).
        const chromium = async (...args: string[]) => (await promisify(execFile)('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', ...args], { encoding: 'utf8', timeout: 60_000 })).stdout;
        const dom = await chromium('--dump-dom', base);
        const items = (readFileSync(join(out, 'feed.json'), 'utf8').match(/"article_id"/g) ?? []).length;
        expect(items).toBeGreaterThan(0);
        expect(dom.match(/<article>/g)).toHaveLength(items);
        const images = [...dom.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
        expect(images.length).toBeGreaterThan(0);
        for (const img of images) expect(img, img).toMatch(/\balt="[^"]+"/);
        expect(dom).toMatch(/<h1>Example Daily: Latest News<\/h1>/);
        for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
          expect(dom).toContain(`href="${file}"`);
          expect((await fetch(new URL(file, base))).status, file).toBe(200);
        }
        mkdirSync(join(root, '.ci-artifacts'), { recursive: true });
        const shot = join(root, '.ci-artifacts', 'page.png');
        await chromium('--window-size=1200,1800', `--screenshot=${shot}`, base);
        expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }, 120_000);
});
