import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../scripts/cli/program';

/** Runs the CLI in-process with captured output: usage errors never build, so no child process is needed. */
async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'updraft', ...args], {
    // Like processIo: every write ends with a newline.
    out: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
  });
  return { code, stdout, stderr };
}

describe('updraft usage errors', () => {
  it.each([
    [
      ['dags', 'next-runs', 'etl', '--now', 'yesterday'],
      /option '--now <iso>' argument 'yesterday' is invalid/,
    ],
    [
      ['dags', 'next-runs', 'etl', '--now', '2024-03-31T12:00:00'],
      /argument '2024-03-31T12:00:00' is invalid. expected an ISO-8601 instant with a zone/,
    ],
    [['dags', 'next-runs', 'etl', '-n', '0'], /option '-n, --count <n>' argument '0' is invalid/],
    [
      ['dags', 'next-runs', 'etl', '-n', 'many'],
      /argument 'many' is invalid. expected a whole number from 1 to 1000/,
    ],
    [['dags', 'list', '--now', '31/03/2024'], /option '--now <iso>' argument '31\/03\/2024' is invalid/],
    [['dags', 'frobnicate'], /error: unknown command 'frobnicate'/],
    [['dags', 'build', '--no-such-option'], /error: unknown option '--no-such-option'/],
    [['dags', 'next-runs'], /error: missing required argument 'dagId'/],
  ])('%j is bad input (exit 2) naming what is wrong', async (args, expected) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('prints the version with exit 0', async () => {
    const result = await run('--version');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

// Commands that need no separate process: the child-process tests in test/integration/cli cover the entry point.
describe('updraft dags commands in-process', () => {
  const valid = ['--dags-folder', 'test/fixtures/dags/valid'];
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'updraft-cli-main-'));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('build --json prints the version, DAG ids and path', async () => {
    const result = await run('dags', 'build', ...valid, '--out', out, '--json');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).toMatchObject({
      dag_count: 3,
      dag_ids: ['etl', 'reports_hourly', 'reports_manual'],
      skipped: [],
    });
    expect(printed.path).toBe(path.join(out, printed.version));
  });

  it('build reports a missing DAGs folder as bad input, without the --skip-invalid hint', async () => {
    const result = await run('dags', 'build', '--dags-folder', 'test/fixtures/dags/nope', '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: DAGs folder test/fixtures/dags/nope does not exist — fix: pass --dags-folder <dir>\n' +
        '1 problem in test/fixtures/dags/nope; nothing was built\n',
    );
  });

  it('next-runs rejects an unknown DAG id and lists the known ones', async () => {
    const result = await run('dags', 'next-runs', 'nope', ...valid);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: unknown DAG "nope"; known DAG ids: etl, reports_hourly, reports_manual',
    );
  });

  it('next-runs of a manual-only DAG is empty', async () => {
    const json = await run(
      'dags',
      'next-runs',
      'reports_manual',
      '--json',
      '--now',
      '2024-03-31T12:00:00Z',
      ...valid,
    );
    expect(JSON.parse(json.stdout)).toEqual({ dag_id: 'reports_manual', runs: [] });
    const text = await run('dags', 'next-runs', 'reports_manual', ...valid);
    expect(text.stdout).toMatch(/DAG "reports_manual" has no upcoming scheduled runs/);
  });

  it('list prints an aligned table', async () => {
    const result = await run('dags', 'list', '--now', '2024-03-31T12:00:00Z', ...valid);
    expect(result.code).toBe(0);
    const [header, etl, hourly, manual] = result.stdout.split('\n');
    expect(header).toMatch(
      /^dag_id\s+schedule\s+timezone\s+paused\s+tags\s+next_logical_date\s+next_run_after$/,
    );
    expect(etl).toMatch(
      /^etl\s+0 2 \* \* \*\s+Europe\/Amsterdam\s+no\s+fixture,etl\s+2024-03-28T01:00:00Z\s+2024-03-29T01:00:00Z$/,
    );
    expect(hourly).toMatch(
      /^reports_hourly\s+@hourly\s+UTC\s+yes\s+-\s+2024-03-31T11:00:00Z\s+2024-03-31T12:00:00Z$/,
    );
    expect(manual).toMatch(/^reports_manual\s+None\s+UTC\s+no\s+-\s+-\s+-$/);
    expect(header?.indexOf('schedule')).toBe(etl?.indexOf('0 2'));
  });

  it('list fails with exit 2 and the problems when a DAG file is invalid', async () => {
    const result = await run('dags', 'list', '--dags-folder', 'test/fixtures/dags/cycle');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: cycle.dag.ts › DAG "cyclic" › task "a": upstream: cycle: a → b → a',
    );
  });
});
