import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../../functions/core/model';
import { athenaQuery, dag, externalTaskSensor, httpSensor, s3KeySensor } from '../../../functions/sdk';
import { specOf, taskOf } from './helpers';

const defaults = {
  mode: 'reschedule',
  pokeIntervalSeconds: 60,
  timeoutSeconds: 7 * 86_400,
  exponentialBackoff: false,
  softFail: false,
} as const;

/** The operator of the task `x` that `build` declares. */
function declared(build: () => unknown): OperatorSpec {
  return taskOf(specOf(dag({ dagId: 'd' }, build)), 'x').operator;
}

describe('built-in sensors: defaults and options', () => {
  it.each<[name: string, build: () => unknown, operator: OperatorSpec]>([
    [
      's3KeySensor one key',
      () => s3KeySensor({ taskId: 'x', bucket: 'b', key: 'k' }),
      { kind: 's3_key_sensor', bucket: 'b', keys: ['k'], match: 'exact', sensor: defaults },
    ],
    [
      's3KeySensor wildcards, poke mode',
      () => s3KeySensor({ taskId: 'x', bucket: 'b', key: ['a/*', 'b/?'], wildcardMatch: true, mode: 'poke' }),
      {
        kind: 's3_key_sensor',
        bucket: 'b',
        keys: ['a/*', 'b/?'],
        match: 'wildcard',
        sensor: { ...defaults, mode: 'poke' },
      },
    ],
    [
      's3KeySensor prefix',
      () => s3KeySensor({ taskId: 'x', bucket: 'b', prefix: 'in/', softFail: true }),
      {
        kind: 's3_key_sensor',
        bucket: 'b',
        keys: ['in/'],
        match: 'prefix',
        sensor: { ...defaults, softFail: true },
      },
    ],
    [
      'httpSensor defaults',
      () => httpSensor({ taskId: 'x', url: 'https://h/x' }),
      {
        kind: 'http_sensor',
        url: 'https://h/x',
        method: 'GET',
        headers: {},
        pendingStatus: [404],
        sensor: defaults,
      },
    ],
    [
      'httpSensor options',
      () =>
        httpSensor({
          taskId: 'x',
          url: '/ready',
          httpConnId: 'api',
          method: 'POST',
          headers: { a: '1' },
          body: '{}',
          expectedStatus: [200],
          pendingStatus: [404, 503],
          responseContains: 'ok',
          exponentialBackoff: true,
          maxWaitSeconds: 600,
        }),
      {
        kind: 'http_sensor',
        url: '/ready',
        httpConnId: 'api',
        method: 'POST',
        headers: { a: '1' },
        body: '{}',
        expectedStatus: [200],
        pendingStatus: [404, 503],
        responseContains: 'ok',
        sensor: { ...defaults, exponentialBackoff: true, maxWaitSeconds: 600 },
      },
    ],
    [
      'externalTaskSensor defaults',
      () => externalTaskSensor({ taskId: 'x', externalDagId: 'up' }),
      {
        kind: 'external_task_sensor',
        externalDagId: 'up',
        allowedStates: ['success'],
        failedStates: [],
        executionDeltaSeconds: 0,
        sensor: defaults,
      },
    ],
    [
      'externalTaskSensor with a task and a delta',
      () =>
        externalTaskSensor({
          taskId: 'x',
          externalDagId: 'up',
          externalTaskId: 'load',
          failedStates: ['failed'],
          executionDelta: { hours: 1 },
        }),
      {
        kind: 'external_task_sensor',
        externalDagId: 'up',
        externalTaskId: 'load',
        allowedStates: ['success'],
        failedStates: ['failed'],
        executionDeltaSeconds: 3600,
        sensor: defaults,
      },
    ],
    [
      'athenaQuery',
      () =>
        athenaQuery({
          taskId: 'x',
          query: 'SELECT 1',
          database: 'db',
          workgroup: 'wg',
          outputLocation: 's3://r/',
          pokeIntervalSeconds: 30,
        }),
      {
        kind: 'athena_query',
        query: 'SELECT 1',
        database: 'db',
        workgroup: 'wg',
        outputLocation: 's3://r/',
        sensor: { ...defaults, pokeIntervalSeconds: 30 },
      },
    ],
  ])('%s', (_name, build, operator) => {
    expect(declared(build)).toEqual(operator);
  });

  it('accepts a negative delta in seconds (a later external run) and names a bad one', () => {
    const op = declared(() => externalTaskSensor({ taskId: 'x', externalDagId: 'up', executionDelta: -60 }));
    expect(op).toMatchObject({ executionDeltaSeconds: -60 });
    expect(() =>
      declared(() =>
        externalTaskSensor({ taskId: 'x', externalDagId: 'up', executionDelta: { weeks: 1 } as never }),
      ),
    ).toThrow('executionDelta: unknown duration unit "weeks"');
  });
});
