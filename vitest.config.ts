import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
    // s3rver pages ListObjectsV2 with a DES cipher that OpenSSL 3 keeps in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
  },
});
