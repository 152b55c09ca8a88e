import { defineConfig } from 'vitest/config';

// Tests in a real browser: `npm run test:browser` (needs Debian's chromium; .ci/run installs it).
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
