import { defineConfig } from 'vitest/config';

// The SPIN differential suite (npm run test:spin): needs spin and gcc on the PATH.
export default defineConfig({
  test: {
    include: ['test-spin/**/*.test.ts'],
    // Tests are bounded by work (counts), not by time; this only stops a hung test.
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
    // Parsed trees are not cached across runs here (src/lang/saved.ts): test/lang/saved.test.ts tests the cache.
    env: { DIRTYRACE_CACHE: 'off' },
  },
});
