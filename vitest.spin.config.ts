import { defineConfig } from 'vitest/config';

// The SPIN differential suite (npm run test:spin): needs spin and gcc on the PATH.
export default defineConfig({
  test: {
    include: ['test-spin/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
