import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from './run-cli';

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'updraft-cli-build-'));
});
afterAll(() => rm(out, { recursive: true, force: true }));

describe('updraft dags build', () => {
  it('builds the same version twice and writes manifest + code once', async () => {
    const target = path.join(out, 'valid');
    const args = ['dags', 'build', '--dags-folder', fixture('valid'), '--out', target];
    const [first, second] = [await runCli(args), await runCli(args)];
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const version = /built bundle ([0-9a-f]{16}): 3 DAGs → (.+)$/m.exec(first.stdout);
    expect(version).not.toBeNull();
    expect(second.stdout).toBe(first.stdout);
    expect(version?.[2]).toBe(path.join(target, version?.[1] ?? ''));
    expect(await readdir(target)).toEqual([version?.[1]]);
    const manifest = JSON.parse(
      await readFile(path.join(target, version?.[1] ?? '', 'manifest.json'), 'utf8'),
    );
    expect(manifest.version).toBe(version?.[1]);
    expect(manifest.dags.map((d: { dagId: string }) => d.dagId)).toEqual([
      'etl',
      'reports_hourly',
      'reports_manual',
    ]);
  });

  // Each line must let the author fix the DAG without reading our code: file, DAG, task, what is wrong.
  it.each([
    ['cycle', ['cycle.dag.ts', 'DAG "cyclic"', 'task "a"', 'cycle: a → b → a']],
    ['duplicate-task', ['duplicate.dag.ts', 'DAG "duplicated"', 'task "x"', 'duplicate task id']],
    ['bad-cron', ['bad-cron.dag.ts', 'DAG "bad_cron"', 'schedule', '"61 * * * *"']],
    [
      'throws-on-import',
      [
        'throws.dag.ts',
        'environment variable UPDRAFT_FIXTURE_SURELY_UNSET is not set',
        '(at throws.dag.ts:5:',
      ],
    ],
    [
      'syntax-error',
      ['broken.dag.ts', 'broken.dag.ts:7:7', 'The symbol "retries" has already been declared'],
    ],
    ['mixed', ['bad.dag.ts', 'DAG "bad"', 'task "a"', 'cycle: a → a']],
  ])('fails on %s with exit 2, a clear problem line and no bundle', async (scenario, expected) => {
    const target = path.join(out, scenario);
    const run = await runCli(['dags', 'build', '--dags-folder', fixture(scenario), '--out', target]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const line = run.stderr.split('\n').find((l) => l.startsWith('error: '));
    for (const part of expected) expect(line).toContain(part);
    expect(run.stderr).toMatch(/problems? in .*; nothing was built/);
    // Our own stack must never leak: only the author's file may appear.
    expect(run.stderr).not.toMatch(/\n\s+at |scripts\/bundle|node:internal/);
    await expect(readdir(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('with --skip-invalid builds the good DAG of mixed/ and warns about the bad file', async () => {
    const target = path.join(out, 'mixed-skip');
    const run = await runCli([
      'dags',
      'build',
      '--dags-folder',
      fixture('mixed'),
      '--out',
      target,
      '--skip-invalid',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: bad.dag.ts › DAG "bad" › task "a"');
    expect(run.stderr).toContain('skipped: bad.dag.ts');
    expect(run.stdout).toMatch(/: 1 DAG → /);
    const [version] = await readdir(target);
    const manifest = JSON.parse(await readFile(path.join(target, version ?? '', 'manifest.json'), 'utf8'));
    expect(manifest.dags.map((d: { dagId: string }) => d.dagId)).toEqual(['good']);
    expect(await readdir(path.join(target, version ?? '', 'code'))).toEqual([
      'good.dag.mjs',
      'good.dag.mjs.map',
    ]);
  });
});
