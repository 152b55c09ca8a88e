import { defineConfig } from 'vitest/config';

// Tests against a real Ceph RGW: `npm run test:rgw` starts one (scripts/rgw-up.sh), runs these, stops it.
export default defineConfig({
  test: {
    include: ['tests/rgw/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
