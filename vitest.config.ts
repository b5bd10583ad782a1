import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests are bounded by work (counts), not by time; this only stops a hung test.
    testTimeout: 1_800_000,
    // Two cores: more workers than that only adds contention.
    maxWorkers: 2,
    // Parsed trees are not cached across runs here (src/lang/saved.ts): test/lang/saved.test.ts tests the cache.
    env: { DIRTYRACE_CACHE: 'off' },
  },
});
