import { describe, expect, it, vi } from 'vitest';
import { runMain, useLocalStack } from './api-harness';

const stack = useLocalStack('cli-runs-token');

/** The run id a plain `updraft trigger` printed first on its line. */
const runIdOf = (stdout: string) => stdout.trim().split(/\s+/)[0]!;

describe('updraft trigger, runs and logs against a local stack', () => {
  it('triggers with conf; runs show --wait exits 0 with every task successful', async () => {
    const triggered = await stack.cli('trigger', 'rt_linear', '--conf', '{"by": "cli"}', '--json');
    expect(triggered.code, triggered.stderr).toBe(0);
    const run = JSON.parse(triggered.stdout) as { dag_run_id: string; conf: unknown; state: string };
    expect(run.conf).toEqual({ by: 'cli' });
    expect(run.dag_run_id).toMatch(/^manual__/);

    const shown = await stack.cli(
      'runs',
      'show',
      'rt_linear',
      run.dag_run_id,
      '--wait',
      '--poll-seconds',
      '0.2',
    );
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`run ${run.dag_run_id} of rt_linear: success`);
    const [states = '', environments = ''] = shown.stdout.split('\nenvironments:\n');
    const rows = states.split('\n').filter((l) => /^(extract|total|report)\s/.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^\w+\s+success\s+1\s/);
    // Where each ran: TS tasks in worker threads of the run's bundle, with their declared memory.
    const ran = environments.split('\n').filter((l) => /^(extract|total|report)\s/.test(l));
    expect(ran).toHaveLength(3);
    for (const row of ran) expect(row).toMatch(/^\w+\s+worker-thread\s+-\s+-\s+1024 MiB\s+[0-9a-f]{16}$/);

    const json = await stack.cli('runs', 'show', 'rt_linear', run.dag_run_id, '--json');
    const parsed = JSON.parse(json.stdout) as {
      state: string;
      task_instances: { task_id: string; state: string }[];
    };
    expect(parsed.task_instances.map((t) => [t.task_id, t.state])).toEqual([
      ['extract', 'success'],
      ['total', 'success'],
      ['report', 'success'],
    ]);

    const logs = await stack.cli('logs', 'rt_linear', run.dag_run_id, 'extract');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/INFO - extracting for \d{4}-\d{2}-\d{2}/);
  }, 60_000);

  it('prints the run id and state, and logs --follow waits for the task and ends when it finishes', async () => {
    const triggered = await stack.cli('trigger', 'rt_linear', '--run-id', 'follow_me');
    expect(triggered.code, triggered.stderr).toBe(0);
    expect(triggered.stdout).toMatch(/^follow_me {2}queued/);
    const followed = await stack.cli(
      'logs',
      'rt_linear',
      runIdOf(triggered.stdout),
      'extract',
      '--follow',
      '--poll-seconds',
      '0.2',
    );
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/extracting for/);
    const ti = await stack.get<{ state: string }>('/dags/rt_linear/dagRuns/follow_me/taskInstances/extract');
    expect(ti.state).toBe('success');
  }, 60_000);

  it('runs show --wait exits 1 when the run fails, showing the failed task and its reason', async () => {
    const triggered = await stack.cli('trigger', 'rt_timeout', '--run-id', 'too_slow');
    expect(triggered.code, triggered.stderr).toBe(0);
    const shown = await stack.cli(
      'runs',
      'show',
      'rt_timeout',
      'too_slow',
      '--wait',
      '--poll-seconds',
      '0.2',
    );
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('run too_slow of rt_timeout: failed');
    expect(shown.stdout).toMatch(/^sleepy\s+failed\s+1\s+\S+\s+\S/m);
    expect(shown.stderr).toContain('run too_slow of rt_timeout failed');
  }, 60_000);

  it('lists runs, newest first, filtered by state, as a table or JSON', async () => {
    const listed = await stack.cli('runs', 'list', 'rt_linear', '--state', 'success', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const body = JSON.parse(listed.stdout) as { dag_runs: { state: string }[]; total_entries: number };
    expect(body.dag_runs.length).toBeGreaterThanOrEqual(1);
    expect(body.dag_runs.every((r) => r.state === 'success')).toBe(true);
    const table = await stack.cli('runs', 'list', 'rt_linear', '--limit', '1');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^run_id\s+state\s+type\s+logical_date/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);
  }, 30_000);

  it('an unknown DAG is bad input (exit 2) with the API detail', async () => {
    const result = await stack.cli('trigger', 'no_such_dag');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("DAG with dag_id: 'no_such_dag' not found");
    const run = await stack.cli('runs', 'show', 'rt_linear', 'no_such_run');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("DagRun ID: 'no_such_run' not found");
  });

  it.each([['{bad'], ['[1, 2]'], ['"text"']])('--conf %s is bad input (exit 2)', async (conf) => {
    const result = await stack.cli('trigger', 'rt_linear', '--conf', conf);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/option '--conf <json>' argument .* is invalid/);
  });

  it('a wrong token is bad input (exit 2) with a hint', async () => {
    vi.stubEnv('UPDRAFT_API_TOKEN', 'wrong');
    const result = await stack.cli('runs', 'list', 'rt_linear');
    vi.stubEnv('UPDRAFT_API_TOKEN', stack.token);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/refused the token/);
  });

  it.each([
    [
      ['runs', 'list', 'rt_linear', '--api-url', 'ftp://example.com'],
      /argument 'ftp:\/\/example.com' is invalid/,
    ],
    [['logs', 'rt_linear', 'r', 'extract', '--try', '0'], /'--try <n>' argument '0' is invalid/],
    [['runs', 'list', 'rt_linear', '--state', 'done'], /expected one of queued, running, success, failed/],
    [
      ['backfill', 'rt_daily', '--from', 'yesterday', '--to', '2024-01-01'],
      /'--from <iso>' argument 'yesterday'/,
    ],
    [['backfill', 'rt_daily', '--to', '2024-01-01'], /required option '--from <iso>' not specified/],
  ])('%j is bad input (exit 2) before any request', async (args, expected) => {
    const result = await runMain(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
  });

  it('a server that is down fails (exit 1) with the npm start hint', async () => {
    const result = await runMain(['runs', 'list', 'rt_linear', '--api-url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is `npm start` running? (http://127.0.0.1:9)');
  });
});
