import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // They need a running Ceph RGW (`npm run test:rgw`, vitest.rgw.config.ts) or Chromium (`npm run test:browser`).
    exclude: [...configDefaults.exclude, 'tests/rgw/**', 'tests/browser/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
    // s3rver pages ListObjectsV2 with a DES cipher that OpenSSL 3 keeps in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
  },
});
