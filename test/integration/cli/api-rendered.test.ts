import { describe, expect, it } from 'vitest';
import { useLocalStack } from './api-harness';

const stack = useLocalStack('cli-rendered-token', 'test/fixtures/dags/templated');

describe('rendered templates through the API and `runs show --rendered`', () => {
  it('shows what the templated fields rendered to for a real run', async () => {
    const triggered = await stack.cli(
      'trigger',
      'templated_report',
      '--conf',
      '{"by": "ana"}',
      '--logical-date',
      '2024-02-28T00:00:00Z',
      '--json',
    );
    expect(triggered.code, triggered.stderr).toBe(0);
    const runId = (JSON.parse(triggered.stdout) as { dag_run_id: string }).dag_run_id;
    const waited = await stack.cli(
      'runs',
      'show',
      'templated_report',
      runId,
      '--wait',
      '--poll-seconds',
      '0.2',
    );
    expect(waited.code, waited.stderr).toBe(0);

    const shown = await stack.cli('runs', 'show', 'templated_report', runId, '--rendered');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(
      [
        'rendered templates:',
        '  export:',
        '    command: echo "export orders for 2024-02-28 by ana"',
        '      echo "next day 2024-02-29"',
        '    env.TARGET: s3://fallback-bucket/20240228/',
      ].join('\n'),
    );

    const ti = await stack.get<{ rendered_fields: Record<string, string> }>(
      `/dags/templated_report/dagRuns/${encodeURIComponent(runId)}/taskInstances/export`,
    );
    expect(ti.rendered_fields).toEqual({
      command: 'echo "export orders for 2024-02-28 by ana"\necho "next day 2024-02-29"',
      'env.TARGET': 's3://fallback-bucket/20240228/',
    });
    const log = await stack.cli('logs', 'templated_report', runId, 'export');
    expect(log.stdout).toContain('export orders for 2024-02-28 by ana');
  });
});
