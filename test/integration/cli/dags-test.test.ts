import { describe, expect, it } from 'vitest';
import { fixture, runCli } from './run-cli';

interface TestJson {
  dag_id: string;
  state: string;
  reason: string | null;
  task_instances: {
    task_id: string;
    map_index: number;
    state: string;
    try_number: number;
    reason: string | null;
  }[];
}

const statesOf = (json: TestJson) =>
  Object.fromEntries(
    json.task_instances.map((t) => [`${t.task_id}${t.map_index >= 0 ? `[${t.map_index}]` : ''}`, t.state]),
  );

describe('updraft dags test', () => {
  it.each([
    ['etl_linear', [], { extract: 'success', transform: 'success', load: 'success' }],
    [
      'fan_out_fan_in',
      [],
      {
        fetch_weather: 'failed',
        merge: 'success',
        alert: 'success',
        cleanup: 'success',
        fetch_sales: 'success',
      },
    ],
    [
      'fan_out_fan_in',
      ['--conf', '{"failWeather": false}'],
      { fetch_weather: 'success', alert: 'skipped', cleanup: 'success' },
    ],
    [
      'branch_join',
      ['--logical-date', '2024-07-01T00:00:00Z'],
      {
        pick_source: 'success',
        'old_system.fetch': 'skipped',
        'new_system.fetch': 'success',
        join: 'success',
        report: 'success',
      },
    ],
    [
      'branch_join',
      ['--logical-date', '2024-01-15T00:00:00Z'],
      { 'old_system.clean': 'success', 'new_system.fetch': 'skipped' },
    ],
    [
      'mapped_files',
      ['--conf', '{"files": 3}'],
      { 'count_lines[0]': 'success', 'count_lines[2]': 'success', summarize: 'success' },
    ],
  ])('runs the example %s %j to success', async (dagId, extra, expected) => {
    const run = await runCli(['dags', 'test', dagId, ...extra, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as TestJson;
    expect(json.state).toBe('success');
    expect(statesOf(json)).toMatchObject(expected);
  });

  it('exits 1 when a task throws: downstream upstream_failed, the error printed', async () => {
    const run = await runCli(['dags', 'test', 'failing', '--dags-folder', fixture('failing')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /transform\s+failed\s+1\s+cannot transform 3 rows: column "amount" is missing/,
    );
    expect(run.stdout).toMatch(/load\s+upstream_failed\s+0/);
    expect(run.stdout).toMatch(/notify\s+upstream_failed\s+0/);
    expect(run.stdout).toContain('[transform #1] ERROR cannot transform 3 rows');
    expect(run.stderr).toContain('run manual__');
  });

  it('reports the same outcome as JSON with task logs on stderr', async () => {
    const run = await runCli(['dags', 'test', 'failing', '--dags-folder', fixture('failing'), '--json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as TestJson;
    expect(statesOf(json)).toEqual({
      extract: 'success',
      transform: 'failed',
      load: 'upstream_failed',
      notify: 'upstream_failed',
    });
    expect(json.reason).toBe('leaf tasks failed: notify (upstream_failed)');
    expect(run.stderr).toContain('[extract #1] starting attempt 1');
  });

  it('runs S3 operators against an in-memory sandbox, and fails trigger_dag_run saying where it runs', async () => {
    const lake = await runCli(['dags', 'test', 'op_lake', '--dags-folder', fixture('operators'), '--json']);
    expect(lake.code, lake.stderr).toBe(0);
    expect(statesOf(JSON.parse(lake.stdout) as TestJson)).toEqual({
      put: 'success',
      list: 'success',
      index: 'success',
    });
    // The listed keys, written as JSON: ["in/a.txt"].
    expect(lake.stderr).toContain('wrote 12 bytes to s3://my-data/index.json');
    const parent = await runCli([
      'dags',
      'test',
      'op_parent',
      '--dags-folder',
      fixture('operators'),
      '--json',
    ]);
    expect(parent.code).toBe(1);
    const start = (JSON.parse(parent.stdout) as TestJson).task_instances.find(
      (t) => t.task_id === 'start_child',
    );
    expect(start?.reason).toBe(
      'task "start_child" (trigger_dag_run) needs a DAG-run trigger, which is not configured in this runtime: ' +
        '`updraft dags test` runs a single DAG run; run this DAG in local mode (`updraft dev`)',
    );
  });

  it.each([
    [
      ['dags', 'test', 'nope'],
      /unknown DAG "nope"; known DAG ids: branch_join, create_metrics, etl_linear, fan_out_fan_in, isolated_environments, mapped_files, memory_escalation/,
    ],
    [
      ['dags', 'test', 'mapped_files', '--conf', '{oops'],
      /option '--conf <json>' argument '\{oops' is invalid. not JSON/,
    ],
    [['dags', 'test', 'mapped_files', '--conf', '[1]'], /expected a JSON object/],
    [
      ['dags', 'test', 'mapped_files', '--conf', '{"files": 9}'],
      /invalid conf for DAG "mapped_files": params.files must be <= 4, got 9/,
    ],
    [
      ['dags', 'test', 'etl_linear', '--logical-date', 'yesterday'],
      /--logical-date <iso>' argument 'yesterday' is invalid/,
    ],
  ])('exits 2 on bad input %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
