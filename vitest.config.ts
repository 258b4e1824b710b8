import { defineConfig } from 'vitest/config';

// One JSON report per run: .ci/run turns it into the `N passed, N failed` line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    testTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['functions/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.reports/coverage',
      thresholds: { 'functions/core/**': { lines: 90 } },
    },
  },
});
