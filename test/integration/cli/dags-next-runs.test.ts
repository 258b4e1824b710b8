import { describe, expect, it } from 'vitest';
import { fixture, runCli } from './run-cli';

const valid = ['--dags-folder', fixture('valid')];

/** Airflow's run for the interval starting at `start` of a daily 02:00 Europe/Amsterdam DAG (01:00Z before DST). */
function airflowRun(start: string, end: string) {
  return {
    run_id: `scheduled__${start.replace('.000Z', '+00:00')}`,
    logical_date: start,
    data_interval_start: start,
    data_interval_end: end,
    run_after: end,
  };
}

describe('updraft dags next-runs', () => {
  it('prints the runs Airflow would create for a catchup DAG across the DST switch', async () => {
    const run = await runCli([
      'dags',
      'next-runs',
      'etl',
      '-n',
      '3',
      '--now',
      '2024-03-31T12:00:00Z',
      '--json',
      ...valid,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      dag_id: 'etl',
      runs: [
        airflowRun('2024-03-28T01:00:00.000Z', '2024-03-29T01:00:00.000Z'),
        airflowRun('2024-03-29T01:00:00.000Z', '2024-03-30T01:00:00.000Z'),
        // Ends at 03:00 CEST on the day clocks go forward: still 01:00Z.
        airflowRun('2024-03-30T01:00:00.000Z', '2024-03-31T01:00:00.000Z'),
      ],
    });
  });

  it('prints an aligned table by default', async () => {
    const run = await runCli([
      'dags',
      'next-runs',
      'etl',
      '-n',
      '2',
      '--now',
      '2024-03-31T12:00:00Z',
      ...valid,
    ]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^run_id\s+logical_date\s+data_interval_start\s+data_interval_end\s+run_after$/);
    expect(lines[1]).toMatch(
      /^scheduled__2024-03-28T01:00:00\+00:00 {2}2024-03-28T01:00:00Z {2}2024-03-28T01:00:00Z {2}2024-03-29T01:00:00Z {2}2024-03-29T01:00:00Z$/,
    );
    // Aligned: every column starts at the same offset on every line.
    const starts = lines.map((l) => [...l.matchAll(/(?:^| {2})(\S)/g)].map((m) => m.index + m[0].length - 1));
    expect(starts[1]).toEqual(starts[0]);
    expect(starts[2]).toEqual(starts[0]);
  });
});
