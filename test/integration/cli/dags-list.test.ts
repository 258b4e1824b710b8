import { describe, expect, it } from 'vitest';
import { fixture, runCli } from './run-cli';

const valid = ['--dags-folder', fixture('valid')];

describe('updraft dags list', () => {
  it('lists each DAG with its schedule and the first run the scheduler would create at --now', async () => {
    const run = await runCli(['dags', 'list', '--json', '--now', '2024-03-31T12:00:00Z', ...valid]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      dags: [
        {
          dag_id: 'etl',
          fileloc: 'etl.dag.ts',
          schedule: '0 2 * * *',
          timezone: 'Europe/Amsterdam',
          is_paused_upon_creation: false,
          tags: ['fixture', 'etl'],
          next_dagrun: '2024-03-28T01:00:00.000Z',
          next_dagrun_data_interval_start: '2024-03-28T01:00:00.000Z',
          next_dagrun_data_interval_end: '2024-03-29T01:00:00.000Z',
          next_dagrun_create_after: '2024-03-29T01:00:00.000Z',
        },
        // catchup false: only the latest complete interval.
        expect.objectContaining({
          dag_id: 'reports_hourly',
          schedule: '@hourly',
          is_paused_upon_creation: true,
          next_dagrun: '2024-03-31T11:00:00.000Z',
        }),
        expect.objectContaining({
          dag_id: 'reports_manual',
          schedule: 'None',
          next_dagrun: null,
          next_dagrun_create_after: null,
        }),
      ],
    });
  });
});
