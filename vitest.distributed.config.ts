import { defineConfig } from 'vitest/config';

// The distributed-search suite (npm run test:distributed): needs nats-server on the PATH.
export default defineConfig({
  test: {
    include: ['test-distributed/**/*.test.ts'],
    // Tests are bounded by work (counts), not by time; this only stops a hung test.
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    maxWorkers: 1,
    env: { DIRTYRACE_CACHE: 'off' },
  },
});
