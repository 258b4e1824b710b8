import { describe, expect, it } from 'vitest';
import {
  bash,
  branch,
  container,
  dag,
  empty,
  group,
  NonRetryableTaskError,
  param,
  SkipTaskError,
  sensor,
  shortCircuit,
  TriggerRule,
  task,
} from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

const states = (r: Awaited<ReturnType<typeof runInMemory>>) =>
  r.result.ok
    ? Object.fromEntries(
        r.result.instances.map((ti) => [
          `${ti.taskId}${ti.mapIndex >= 0 ? `[${ti.mapIndex}]` : ''}`,
          ti.state,
        ]),
      )
    : {};

describe('dags test runtime: real planner, applier, worker path and operators in memory', () => {
  it('passes typed XComs along a linear chain and exposes Airflow context fields', async () => {
    const extract = task('extract', (ctx) => ({
      ds: ctx.ds,
      ts: ctx.ts,
      start: ctx.dataIntervalStart,
      runId: ctx.runId,
    }));
    const double = task('double', (_ctx, input: { ds: string }) => `${input.ds}|${input.ds}`);
    const r = await runInMemory(
      dag({ dagId: 'linear' }, () => void double(extract())),
      {
        logicalDate: '2024-03-05T10:30:00.000Z',
      },
    );
    expect(r.result.ok && r.result.run.state).toBe('success');
    expect(await r.xcomOf('extract')).toEqual({
      ds: '2024-03-05',
      ts: '2024-03-05T10:30:00+00:00',
      start: '2024-03-05T10:30:00.000Z',
      runId: 'manual__2024-03-05T10:30:00+00:00',
    });
    expect(await r.xcomOf('double')).toBe('2024-03-05|2024-03-05');
  });

  it('fails the run when a task throws: downstream upstream_failed, the error recorded and logged', async () => {
    const boom = task('boom', () => {
      throw new Error('source table is missing');
    });
    const after = task('after', () => 1);
    const r = await runInMemory(
      dag({ dagId: 'failing' }, () => void boom().then(after()).then(empty('last'))),
    );
    expect(r.result.ok && r.result.run.state).toBe('failed');
    expect(states(r)).toEqual({ boom: 'failed', after: 'upstream_failed', last: 'upstream_failed' });
    expect(r.byId('boom')?.reason).toBe('source table is missing');
    expect(r.logOf('boom')).toContain('source table is missing');
    expect(r.result.ok && r.result.run.reason).toContain('last (upstream_failed)');
  });

  it('retries with the retry delay on a virtual clock and succeeds on the third attempt', async () => {
    let calls = 0;
    const flaky = task({ taskId: 'flaky', retries: 2, retryDelay: { minutes: 10 } }, (ctx) => {
      calls++;
      if (ctx.tryNumber < 3) throw new Error(`transient ${ctx.tryNumber}`);
      return ctx.tryNumber;
    });
    const r = await runInMemory(dag({ dagId: 'retrying' }, () => void flaky()));
    expect(calls).toBe(3);
    expect(r.byId('flaky')).toMatchObject({ state: 'success', tryNumber: 3 });
    expect(await r.xcomOf('flaky')).toBe(3);
  });

  it('does not retry a NonRetryableTaskError and skips on SkipTaskError', async () => {
    const fatal = task({ taskId: 'fatal', retries: 5 }, () => {
      throw new NonRetryableTaskError('bad credentials');
    });
    const skipper = task('skipper', () => {
      throw new SkipTaskError('nothing new today');
    });
    const r = await runInMemory(dag({ dagId: 'errors' }, () => [fatal(), skipper()]));
    expect(r.byId('fatal')).toMatchObject({ state: 'failed', tryNumber: 1, reason: 'bad credentials' });
    expect(r.byId('skipper')).toMatchObject({ state: 'skipped', reason: 'nothing new today' });
  });

  it('maps over an upstream list and hands the results to the fan-in in order', async () => {
    const list = task('list', () => [3, 1, 2]);
    const square = task('square', (_ctx, n: number) => n * n);
    const total = task('total', (_ctx, xs: number[]) => xs);
    const r = await runInMemory(dag({ dagId: 'mapping' }, () => void total(square.expand(list()))));
    expect(states(r)).toMatchObject({
      'square[0]': 'success',
      'square[1]': 'success',
      'square[2]': 'success',
    });
    expect(await r.xcomOf('total')).toEqual([9, 1, 4]);
  });

  it('skips a mapped task over an empty list, and its all_success downstream too', async () => {
    const none = task('none', (): number[] => []);
    const each = task('each', (_ctx, n: number) => n);
    const r = await runInMemory(
      dag({ dagId: 'empty_map' }, () => void each.expand(none()).then(empty('after'))),
    );
    expect(states(r)).toEqual({ none: 'success', each: 'skipped', after: 'skipped' });
    expect(r.result.ok && r.result.run.state).toBe('success');
  });

  it('follows the chosen branch (a group id) and joins with none_failed_min_one_success', async () => {
    const pick = branch('pick', () => 'b');
    const r = await runInMemory(
      dag({ dagId: 'branching' }, () => {
        const a = empty('a');
        const b = group('b', () => empty('inner'));
        const join = empty({ taskId: 'join', triggerRule: TriggerRule.NoneFailedMinOneSuccess });
        pick().then([a, b]);
        a.then(join);
        b.then(join);
      }),
    );
    expect(states(r)).toEqual({ pick: 'success', a: 'skipped', 'b.inner': 'success', join: 'success' });
    expect(r.byId('a')?.reason).toBe('branch "pick" chose "b"');
  });

  it('fails a branch that returns a task id that is not one of its direct downstream tasks', async () => {
    const pick = branch('pick', () => 'nope');
    const r = await runInMemory(
      dag({ dagId: 'bad_branch' }, () => void pick().then([empty('a'), empty('b')])),
    );
    expect(r.byId('pick')).toMatchObject({ state: 'failed' });
    expect(r.byId('pick')?.reason).toBe(
      'branch "pick" returned "nope", which is not a direct downstream task (options: "a", "b")',
    );
    expect(states(r)).toMatchObject({ a: 'upstream_failed', b: 'upstream_failed' });
  });

  it('skips the direct downstream tasks a branch did not choose', async () => {
    const pick = branch('pick', () => ['a']);
    const r = await runInMemory(
      dag({ dagId: 'branch_all' }, () => void pick().then([empty('a'), empty('b')])),
    );
    expect(states(r)).toEqual({ pick: 'success', a: 'success', b: 'skipped' });
  });

  it('short-circuits everything downstream when the condition is falsy', async () => {
    const check = shortCircuit('check', (ctx) => ctx.params.enabled);
    const r = await runInMemory(
      dag({ dagId: 'gate', params: { enabled: false } }, () => {
        const last = empty({ taskId: 'last', triggerRule: TriggerRule.AllDone });
        check().then(empty('next')).then(last);
      }),
    );
    expect(states(r)).toEqual({ check: 'success', next: 'skipped', last: 'skipped' });
  });

  it('validates conf against params before creating the run', async () => {
    const t = task('t', (ctx) => ctx.params.limit);
    const d = dag(
      { dagId: 'params', params: { limit: param(10, { type: 'integer', minimum: 1 }) } },
      () => void t(),
    );
    const bad = await runInMemory(d, { conf: { limit: 0 } });
    expect(bad.result).toEqual({
      ok: false,
      problem: 'invalid conf for DAG "params": params.limit must be >= 1, got 0',
    });
    const good = await runInMemory(d, { conf: { limit: 5 } });
    expect(await good.xcomOf('t')).toBe(5);
  });

  it('fails an attempt that exceeds its execution timeout with that reason', async () => {
    const slow = task(
      { taskId: 'slow', executionTimeout: 0.05 },
      () => new Promise((resolve) => setTimeout(resolve, 2000)),
    );
    const r = await runInMemory(dag({ dagId: 'slow' }, () => void slow()));
    expect(r.byId('slow')).toMatchObject({ state: 'failed', reason: 'execution_timeout: exceeded 0.05s' });
  });

  it('runs bash commands: last stdout line as XCom, exit 99 skips, other codes fail', async () => {
    const r = await runInMemory(
      dag({ dagId: 'shell' }, () => {
        bash({ taskId: 'echo', command: 'echo first; echo "$GREETING"', env: { GREETING: 'hello' } });
        bash({ taskId: 'skip', command: 'exit 99' });
        bash({ taskId: 'fail', command: 'echo oops >&2; exit 3' });
      }),
    );
    expect(await r.xcomOf('echo')).toBe('hello');
    expect(r.byId('skip')?.state).toBe('skipped');
    expect(r.byId('fail')).toMatchObject({ state: 'failed', reason: 'bash command failed with exit code 3' });
    expect(r.logOf('fail')).toContain('oops');
  });

  it('pokes a sensor until its condition holds and pushes its value', async () => {
    let pokes = 0;
    const wait = sensor(
      { taskId: 'wait', mode: 'poke', pokeIntervalSeconds: 0.01, timeoutSeconds: 5 },
      () => {
        pokes++;
        return pokes >= 3 ? { done: true, xcom: pokes } : false;
      },
    );
    const r = await runInMemory(dag({ dagId: 'sensing' }, () => void wait()));
    expect(r.byId('wait')?.state).toBe('success');
    expect(await r.xcomOf('wait')).toBe(3);
  });

  it('fails a container task in a runtime without a container executor, naming it, without retrying', async () => {
    const r = await runInMemory(
      dag({ dagId: 'declared', defaultArgs: { retries: 3 } }, () => {
        container({ taskId: 'img', image: 'python:3.12' });
      }),
    );
    expect(r.byId('img')).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(r.byId('img')?.reason).toBe(
      'task "img" (container) needs a container executor (ECS Fargate: deploy with `containerTasks` on), which is not configured in this runtime',
    );
  });

  it('hands tasks their connections and variables, and names a missing one with where to create it', async () => {
    const useDb = task('use_db', async (ctx) => {
      const db = await ctx.connection('warehouse');
      return { host: db.host ?? null, login: db.login ?? null, bucket: await ctx.variable('target_bucket') };
    });
    const fallback = task('fallback', (ctx) => ctx.variable('missing_var', 'default-value'));
    const missing = task('missing', (ctx) => ctx.connection('nope'));
    const r = await runInMemory(
      dag({ dagId: 'secrets' }, () => [useDb(), fallback(), missing()]),
      {
        env: {
          UPDRAFT_CONN_WAREHOUSE: 'postgres://etl:s3cret@db.internal:5432/sales',
          UPDRAFT_VAR_TARGET_BUCKET: 'my-bucket',
        },
      },
    );
    expect(await r.xcomOf('use_db')).toEqual({ host: 'db.internal', login: 'etl', bucket: 'my-bucket' });
    expect(await r.xcomOf('fallback')).toBe('default-value');
    expect(r.byId('missing')).toMatchObject({
      state: 'failed',
      reason:
        'connection "nope" not found: create the secret updraft/connections/nope (or UPDRAFT_CONN_NOPE locally)',
    });
  });
});
