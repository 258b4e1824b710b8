import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

// Usage errors are covered in-process (test/unit/scripts/cli-main.test.ts); these check the real entry point.
describe('bin/updraft.ts', () => {
  it('shows help with exit 0', async () => {
    const run = await runCli(['dags', '--help']);
    expect(run.code).toBe(0);
    for (const command of ['build', 'list', 'next-runs']) expect(run.stdout).toContain(command);
  });

  it('exits 2 on bad input, with one error line and no stack trace', async () => {
    const run = await runCli(['dags', 'next-runs', 'etl', '-n', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "error: option '-n, --count <n>' argument 'many' is invalid. expected a whole number from 1 to 1000",
    );
  });
});
