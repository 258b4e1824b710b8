import { defineConfig } from 'vitest/config';

// One JSON report per run: .ci/run turns it into the `N passed, N failed` line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/fauxqs.global.ts', 'test/setup/dynamo.global.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    testTimeout: 30_000,
    // Handlers log one JSON line per tick and attempt; tests keep only warnings and errors.
    env: { UPDRAFT_LOG_LEVEL: 'warn' },
    coverage: {
      provider: 'v8',
      include: ['functions/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.reports/coverage',
      thresholds: { 'functions/core/**': { lines: 90 } },
    },
  },
});
