import { defineConfig } from 'vitest/config';

// The HTML report in a real browser (npm run test:browser): needs Debian's chromium at
// /usr/bin/chromium (apt-get install chromium); playwright-core drives it, no browser download.
export default defineConfig({
  test: {
    include: ['test-browser/**/*.test.ts'],
    // Tests are bounded by work (counts), not by time; this only stops a hung test.
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    maxWorkers: 1,
  },
});
