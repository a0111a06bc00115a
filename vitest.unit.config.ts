import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the unit tests alone, for a fast loop while editing. No TLS certificates
 * are made (no unit test dials anything over TLS) and the type tests are left to `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
