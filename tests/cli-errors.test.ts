/** One line naming the value for the mistakes people make on the command line (issue 12 §6). */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, withTempDir } from './helpers.js';
import { type S3Harness, startS3 } from './support/s3.js';

const root = join(import.meta.dirname, '..');
const example = join(root, 'examples/articles');
const siteJson = join(root, 'examples/site.json');

/** stderr as lines, without the empty last one. */
const lines = (stderr: string) => stderr.split('\n').filter((l) => l !== '');

describe('one-line errors naming the value', () => {
  it('parse of a folder', async () => {
    const { code, stderr, stdout } = await cli(['parse', example]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([`error: ${example}: (file): is a folder: parse reads one article file (build and check read folders)`]);
  });

  it('--config pointing at a folder', async () => {
    const { code, stderr } = await cli(['build', example, '--out', '/nonexistent/out', '--config', example]);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([`error: ${example}: (file): cannot be read: is a folder, not a JSON file`]);
  });

  it('an --endpoint that is not an http(s) URL', async () => {
    await withTempDir(async (dir) => {
      const { code, stderr } = await cli(['publish', example, '--bucket', 'feeds', '--endpoint', 'localhost:4568', '--config', siteJson]);
      expect(code).toBe(1);
      expect(lines(stderr)).toEqual(['error: command line: --endpoint: "localhost:4568" must be an http(s) URL such as http://127.0.0.1:4568']);
      expect(dir).toBeTruthy();
    });
  });

  it('an --endpoint nothing answers on', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    try {
      const { code, stderr } = await cli(['publish', example, '--bucket', 'feeds', '--endpoint', 'http://127.0.0.1:9', '--timeout', '1', '--config', siteJson]);
      expect(code).toBe(1);
      const errors = lines(stderr).filter((l) => !l.startsWith('pre-flight'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^error: s3:\/\/feeds at http:\/\/127\.0\.0\.1:9: /);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  describe('on a real S3 API', () => {
    let s3: S3Harness;
    beforeAll(async () => {
      s3 = await startS3();
    });
    afterAll(async () => {
      await s3.stop();
    });

    it('a bucket that does not exist', async () => {
      for (const [name, value] of Object.entries(s3.env())) vi.stubEnv(name, value);
      try {
        const { code, stderr } = await cli(['publish', example, '--bucket', 'no-such-bucket', '--endpoint', s3.endpoint, '--config', siteJson]);
        expect(code).toBe(1);
        expect(lines(stderr).filter((l) => !l.startsWith('pre-flight'))).toEqual([`error: s3://no-such-bucket: no such bucket at ${s3.endpoint} (check --bucket and --endpoint)`]);
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });
});
