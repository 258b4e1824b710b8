import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../../functions/core/model';
import {
  bash,
  branch,
  container,
  dag,
  empty,
  group,
  http,
  lambdaInvoke,
  s3Copy,
  s3Delete,
  s3List,
  s3Put,
  sensor,
  shortCircuit,
  task,
  triggerDagRun,
} from '../../../functions/sdk';
import { specOf, taskOf } from './helpers';

/** The operator and executor of the task `x` that `build` declares. */
function declared(build: () => unknown) {
  const spec = specOf(dag({ dagId: 'd' }, build));
  const { operator, executor } = taskOf(spec, 'x');
  return { operator, executor };
}

describe('operators: defaults and every option', () => {
  it.each<[name: string, build: () => unknown, operator: OperatorSpec, executor?: string]>([
    ['empty by id', () => empty('x'), { kind: 'empty' }],
    ['empty with options', () => empty({ taskId: 'x', retries: 1 }), { kind: 'empty' }],
    [
      'bash defaults',
      () => bash({ taskId: 'x', command: 'echo hi' }),
      { kind: 'bash', command: 'echo hi', env: {}, skipOnExitCode: [99] },
    ],
    [
      'bash options',
      () => bash({ taskId: 'x', command: 'make', env: { A: '1' }, cwd: '/tmp', skipOnExitCode: [3, 4] }),
      { kind: 'bash', command: 'make', env: { A: '1' }, cwd: '/tmp', skipOnExitCode: [3, 4] },
    ],
    [
      'container defaults (runs on ECS)',
      () => container({ taskId: 'x', image: 'python:3.12' }),
      { kind: 'container', environment: 'python-3.12', command: [], args: [], env: {}, cpu: 0.25 },
      'ecs',
    ],
    [
      'container options',
      () =>
        container({
          taskId: 'x',
          image: 'img',
          command: ['python', 'job.py'],
          args: ['--day', '{{ ds }}'],
          env: { MODE: 'full' },
          cpu: 2,
          local: ['python3', 'job.py'],
          executor: 'lambda',
        }),
      {
        kind: 'container',
        environment: 'img',
        command: ['python', 'job.py'],
        args: ['--day', '{{ ds }}'],
        env: { MODE: 'full' },
        cpu: 2,
        local: ['python3', 'job.py'],
      },
      // A container always runs as one: Fargate in AWS, a process or Docker locally.
      'ecs',
    ],
    [
      'lambdaInvoke defaults',
      () => lambdaInvoke({ taskId: 'x', functionName: 'fn' }),
      { kind: 'lambda_invoke', functionName: 'fn', payload: {}, invocationType: 'RequestResponse' },
    ],
    [
      'lambdaInvoke options',
      () =>
        lambdaInvoke({
          taskId: 'x',
          functionName: 'arn:fn',
          payload: [1, { a: null }],
          invocationType: 'Event',
        }),
      { kind: 'lambda_invoke', functionName: 'arn:fn', payload: [1, { a: null }], invocationType: 'Event' },
    ],
    [
      'http defaults',
      () => http({ taskId: 'x', url: 'https://example.com' }),
      {
        kind: 'http',
        url: 'https://example.com',
        method: 'GET',
        headers: {},
        responseToXcom: true,
        logResponse: false,
      },
    ],
    [
      'http options',
      () =>
        http({
          taskId: 'x',
          url: 'https://api',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          expectedStatus: [200, 201],
          responseToXcom: false,
          httpConnId: 'api',
          logResponse: true,
        }),
      {
        kind: 'http',
        url: 'https://api',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        expectedStatus: [200, 201],
        responseToXcom: false,
        httpConnId: 'api',
        logResponse: true,
      },
    ],
    [
      'http with an empty body keeps it',
      () => http({ taskId: 'x', url: 'u', body: '' }),
      expect.objectContaining({ body: '' }),
    ],
    [
      'triggerDagRun defaults',
      () => triggerDagRun({ taskId: 'x', triggerDagId: 'other' }),
      {
        kind: 'trigger_dag_run',
        triggerDagId: 'other',
        conf: {},
        waitForCompletion: false,
        pokeIntervalSeconds: 60,
        allowedStates: ['success'],
        failedStates: ['failed'],
      },
    ],
    [
      'triggerDagRun options',
      () =>
        triggerDagRun({
          taskId: 'x',
          triggerDagId: 'other',
          conf: { day: '2024-01-01' },
          waitForCompletion: true,
          pokeIntervalSeconds: 5,
          triggerRunId: 'child',
          logicalDate: '2024-01-01T00:00:00Z',
          allowedStates: ['success', 'failed'],
          failedStates: [],
        }),
      {
        kind: 'trigger_dag_run',
        triggerDagId: 'other',
        conf: { day: '2024-01-01' },
        waitForCompletion: true,
        pokeIntervalSeconds: 5,
        triggerRunId: 'child',
        logicalDate: '2024-01-01T00:00:00Z',
        allowedStates: ['success', 'failed'],
        failedStates: [],
      },
    ],
    [
      's3Copy',
      () => s3Copy({ taskId: 'x', source: { bucket: 'a', key: 'k' }, dest: { bucket: 'b', key: 'k2' } }),
      { kind: 's3_copy', source: { bucket: 'a', key: 'k' }, dest: { bucket: 'b', key: 'k2' } },
    ],
    [
      's3Delete by keys',
      () => s3Delete({ taskId: 'x', bucket: 'a', keys: ['k1', 'k2'] }),
      { kind: 's3_delete', bucket: 'a', keys: ['k1', 'k2'] },
    ],
    [
      's3Delete by prefix',
      () => s3Delete({ taskId: 'x', bucket: 'a', prefix: 'tmp/' }),
      { kind: 's3_delete', bucket: 'a', prefix: 'tmp/' },
    ],
    [
      's3List defaults to the whole bucket',
      () => s3List({ taskId: 'x', bucket: 'a' }),
      { kind: 's3_list', bucket: 'a', prefix: '' },
    ],
    [
      's3Put with a body',
      () => s3Put({ taskId: 'x', bucket: 'a', key: 'k', body: 'hello' }),
      { kind: 's3_put', bucket: 'a', key: 'k', body: 'hello' },
    ],
    [
      's3Put from a task id reads its return value',
      () => s3Put({ taskId: 'x', bucket: 'a', key: 'k', fromXcom: 'up' }),
      { kind: 's3_put', bucket: 'a', key: 'k', fromXcom: { taskId: 'up', key: 'return_value' } },
    ],
    ['branch', () => branch('x', () => 'a')(), { kind: 'branch' }],
    [
      'shortCircuit defaults to ignoring downstream trigger rules',
      () => shortCircuit('x', () => false)(),
      { kind: 'short_circuit', ignoreDownstreamTriggerRules: true },
    ],
    [
      'shortCircuit respecting downstream trigger rules',
      () => shortCircuit({ taskId: 'x', ignoreDownstreamTriggerRules: false }, () => false)(),
      { kind: 'short_circuit', ignoreDownstreamTriggerRules: false },
    ],
    [
      'sensor defaults (reschedule mode, 60 s pokes, 7 days)',
      () => sensor({ taskId: 'x' }, () => true)(),
      {
        kind: 'sensor',
        sensor: {
          mode: 'reschedule',
          pokeIntervalSeconds: 60,
          timeoutSeconds: 604_800,
          exponentialBackoff: false,
          softFail: false,
        },
      },
    ],
    [
      'sensor options',
      () =>
        sensor(
          {
            taskId: 'x',
            mode: 'poke',
            pokeIntervalSeconds: 5,
            timeoutSeconds: 600,
            exponentialBackoff: true,
            softFail: true,
          },
          () => true,
        )(),
      {
        kind: 'sensor',
        sensor: {
          mode: 'poke',
          pokeIntervalSeconds: 5,
          timeoutSeconds: 600,
          exponentialBackoff: true,
          softFail: true,
        },
      },
    ],
  ])('%s', (_name, build, operator, executor = 'lambda') => {
    expect(declared(build)).toEqual({ operator, executor });
  });

  it('operator-specific options do not leak into the task spec', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        sensor({ taskId: 's', softFail: true, retries: 2 }, () => true)();
        shortCircuit({ taskId: 'c', ignoreDownstreamTriggerRules: false, retries: 2 }, () => true)();
        bash({ taskId: 'b', command: 'true', retries: 2 });
      }),
    );
    for (const t of spec.tasks) {
      expect(Object.keys(t).sort()).toEqual(
        [
          'taskId',
          'operator',
          'upstream',
          'inputs',
          'triggerRule',
          'retries',
          'retryDelaySeconds',
          'retryExponentialBackoff',
          'dependsOnPast',
          'pool',
          'poolSlots',
          'priorityWeight',
          'executor',
          'memoryMiB',
          'owner',
        ].sort(),
      );
      expect(t.retries).toBe(2);
    }
  });

  it('a container runs on ECS even when defaultArgs say lambda; its own executor option wins', () => {
    const spec = specOf(
      dag({ dagId: 'd', defaultArgs: { executor: 'lambda', memoryMiB: 2048 } }, () => {
        container({ taskId: 'c', image: 'i' });
      }),
    );
    expect(taskOf(spec, 'c')).toMatchObject({ executor: 'ecs', memoryMiB: 2048 });
  });

  it('operators inside groups are prefixed; a duplicate operator id is kept for validation to report', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        group('g', () => bash({ taskId: 'b', command: 'true' }));
        empty('dup');
        empty('dup');
      }),
    );
    expect(spec.tasks.map((t) => [t.taskId, t.group])).toEqual([
      ['g.b', 'g'],
      ['dup', undefined],
      ['dup', undefined],
    ]);
  });

  it('s3Put from a task output reads that key and makes the task upstream', () => {
    const spec = specOf(
      dag({ dagId: 'd' }, () => {
        const rows = task('rows', () => [1, 2])();
        s3Put({ taskId: 'x', bucket: 'a', key: 'k', fromXcom: rows.xcom('count') });
      }),
    );
    const put = taskOf(spec, 'x');
    expect(put.operator).toEqual({
      kind: 's3_put',
      bucket: 'a',
      key: 'k',
      fromXcom: { taskId: 'rows', key: 'count' },
    });
    expect(put.upstream).toEqual(['rows']);
  });

  it('function-like tasks keep their function for the worker; declarative ones have none', () => {
    const poke = () => true;
    const pick = () => 'a';
    const d = dag({ dagId: 'd' }, () => {
      sensor({ taskId: 's' }, poke)();
      branch('b', pick)();
      http({ taskId: 'h', url: 'u' });
      task({ taskId: 'f', retries: 1 }, () => 1)();
    });
    expect(d.taskCallable('s')).toBe(poke);
    expect(d.taskCallable('b')).toBe(pick);
    expect(d.taskCallable('h')).toBeUndefined();
    expect(d.taskCallable('f')).toBeTypeOf('function');
  });
});
