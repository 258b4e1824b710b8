import { describe, expect, it } from 'vitest';
import { useLocalStack } from './api-harness';

const stack = useLocalStack('cli-admin-token');

interface Ti {
  task_id: string;
  state: string | null;
  try_number: number;
}

describe('updraft dags pause, tasks clear and backfill against a local stack', () => {
  it('pauses and unpauses a DAG, as the API then reports', async () => {
    const paused = await stack.cli('dags', 'pause', 'rt_linear');
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout.trim()).toBe('rt_linear is paused');
    expect((await stack.get<{ is_paused: boolean }>('/dags/rt_linear')).is_paused).toBe(true);
    const unpaused = await stack.cli('dags', 'unpause', 'rt_linear', '--json');
    expect(unpaused.code, unpaused.stderr).toBe(0);
    expect((JSON.parse(unpaused.stdout) as { is_paused: boolean }).is_paused).toBe(false);
    expect((await stack.get<{ is_paused: boolean }>('/dags/rt_linear')).is_paused).toBe(false);
    const unknown = await stack.cli('dags', 'pause', 'no_such_dag');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("DAG with dag_id: 'no_such_dag' not found");
  });

  it('tasks clear shows a dry run first and clears with --yes; the cleared tasks run again', async () => {
    expect((await stack.cli('trigger', 'rt_linear', '--run-id', 'to_clear')).code).toBe(0);
    const done = await stack.cli('runs', 'show', 'rt_linear', 'to_clear', '--wait', '--poll-seconds', '0.2');
    expect(done.code, done.stdout + done.stderr).toBe(0);

    const dry = await stack.cli('tasks', 'clear', 'rt_linear', 'to_clear', '--task', 'total', '--downstream');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^total\s+success$/m);
    expect(dry.stdout).toMatch(/^report\s+success$/m);
    expect(dry.stdout).not.toMatch(/^extract/m);
    expect(dry.stdout).toContain('dry run: 2 task instance(s) would be cleared; add --yes');
    const untouched = await stack.get<{ task_instances: Ti[] }>(
      '/dags/rt_linear/dagRuns/to_clear/taskInstances',
    );
    expect(untouched.task_instances.map((t) => t.state)).toEqual(['success', 'success', 'success']);

    const onlyFailed = await stack.cli('tasks', 'clear', 'rt_linear', 'to_clear', '--only-failed', '--yes');
    expect(onlyFailed.stdout).toContain('nothing to clear');

    const unknown = await stack.cli('tasks', 'clear', 'rt_linear', 'to_clear', '--task', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('DAG rt_linear has no task "nope"');

    const applied = await stack.cli(
      'tasks',
      'clear',
      'rt_linear',
      'to_clear',
      '--task',
      'total',
      '--downstream',
      '--yes',
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('cleared 2 task instance(s) of run to_clear');
    const again = await stack.cli(
      'runs',
      'show',
      'rt_linear',
      'to_clear',
      '--wait',
      '--poll-seconds',
      '0.2',
      '--json',
    );
    expect(again.code, again.stderr).toBe(0);
    const tis = (JSON.parse(again.stdout) as { task_instances: Ti[] }).task_instances;
    expect(tis.map((t) => [t.task_id, t.state, t.try_number])).toEqual([
      ['extract', 'success', 1],
      ['total', 'success', 2],
      ['report', 'success', 2],
    ]);
  }, 60_000);

  it('backfill creates one backfill__ run per daily logical date and reports the existing ones', async () => {
    const first = await stack.cli(
      'backfill',
      'rt_daily',
      '--from',
      '2023-12-30',
      '--to',
      '2023-12-31T00:00:00Z',
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^backfill__2023-12-30T00:00:00\+00:00\s+2023-12-30T00:00:00Z\s+created/m);
    expect(first.stdout).toMatch(/^backfill__2023-12-31T00:00:00\+00:00\s+2023-12-31T00:00:00Z\s+created/m);
    expect(first.stdout).toContain('2 run(s) created, 0 already existed');

    const second = await stack.cli(
      'backfill',
      'rt_daily',
      '--from',
      '2023-12-29',
      '--to',
      '2024-01-01',
      '--json',
    );
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as {
      created: number;
      existing: number;
      runs: { dag_run_id: string; outcome: string }[];
    };
    expect(report.runs.map((r) => [r.dag_run_id, r.outcome])).toEqual([
      ['backfill__2023-12-29T00:00:00+00:00', 'created'],
      ['backfill__2023-12-30T00:00:00+00:00', 'exists'],
      ['backfill__2023-12-31T00:00:00+00:00', 'exists'],
      // The scheduler caught up 2024-01-01 (rt_daily has catchup): the logical date is taken.
      ['backfill__2024-01-01T00:00:00+00:00', 'exists'],
    ]);
    expect([report.created, report.existing]).toEqual([1, 3]);
    const runs = await stack.get<{ dag_runs: { dag_run_id: string }[] }>('/dags/rt_daily/dagRuns?limit=100');
    const ids = runs.dag_runs.map((r) => r.dag_run_id);
    for (const day of ['29', '30', '31']) expect(ids).toContain(`backfill__2023-12-${day}T00:00:00+00:00`);
  }, 30_000);

  it('backfill refuses a manual-only DAG and a reversed range (exit 2)', async () => {
    const manual = await stack.cli('backfill', 'rt_linear', '--from', '2024-01-01', '--to', '2024-01-03');
    expect(manual.code).toBe(2);
    expect(manual.stderr).toContain('cannot backfill rt_linear: its schedule is None');
    const reversed = await stack.cli('backfill', 'rt_daily', '--from', '2024-01-03', '--to', '2024-01-01');
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('is after --to');
  });
});
