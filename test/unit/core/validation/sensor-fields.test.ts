import { describe, expect, it } from 'vitest';
import type { OperatorSpec, SensorSpec } from '../../../../functions/core/model';
import { formatProblem } from '../../../../functions/core/validation/problem';
import { checkSensorFields } from '../../../../functions/core/validation/sensor-fields';
import { validateDag } from '../../../../functions/core/validation/validate-dag';
import { specOf, t } from '../planner/fixtures';

const sensor: SensorSpec = {
  mode: 'reschedule',
  pokeIntervalSeconds: 60,
  timeoutSeconds: 600,
  exponentialBackoff: false,
  softFail: false,
};
const check = (operator: OperatorSpec) => checkSensorFields(t('x', [], { operator }));

describe('built-in sensor fields', () => {
  it.each<[name: string, operator: OperatorSpec, expected: { field: string; message: string }[]]>([
    ['valid s3 key', { kind: 's3_key_sensor', bucket: 'b-1', keys: ['k'], match: 'exact', sensor }, []],
    [
      'templated bucket',
      { kind: 's3_key_sensor', bucket: '{{ var.value.b }}', keys: ['k'], match: 'exact', sensor },
      [],
    ],
    [
      'bad bucket, no key',
      { kind: 's3_key_sensor', bucket: 'B', keys: [], match: 'exact', sensor },
      [
        { field: 'bucket', message: 'invalid bucket name "B"' },
        { field: 'key', message: 'is empty' },
      ],
    ],
    [
      'zero interval',
      {
        kind: 's3_key_sensor',
        bucket: 'bkt',
        keys: ['k'],
        match: 'exact',
        sensor: { ...sensor, pokeIntervalSeconds: 0 },
      },
      [{ field: 'pokeIntervalSeconds', message: 'must be > 0, got 0' }],
    ],
    [
      'relative http url without a connection, status in both lists',
      {
        kind: 'http_sensor',
        method: 'GET',
        url: 'status',
        headers: {},
        expectedStatus: [404],
        pendingStatus: [404],
        sensor,
      },
      [
        { field: 'url', message: '"status" is not an absolute http(s) URL' },
        { field: 'pendingStatus', message: '[404] also in expectedStatus' },
      ],
    ],
    [
      'run states without a task id',
      {
        kind: 'external_task_sensor',
        externalDagId: 'up',
        allowedStates: ['upstream_failed'],
        failedStates: [],
        executionDeltaSeconds: 0,
        sensor,
      },
      [{ field: 'allowedStates', message: 'unknown DAG run state "upstream_failed"' }],
    ],
    [
      'task states with a task id, one in both',
      {
        kind: 'external_task_sensor',
        externalDagId: 'up',
        externalTaskId: 'load',
        allowedStates: ['success', 'skipped'],
        failedStates: ['skipped'],
        executionDeltaSeconds: 0,
        sensor,
      },
      [{ field: 'failedStates', message: '["skipped"] also in allowedStates' }],
    ],
    [
      'athena without query or database, bad location and workgroup',
      {
        kind: 'athena_query',
        query: ' ',
        database: '',
        workgroup: 'my wg',
        outputLocation: 'results/',
        sensor,
      },
      [
        { field: 'query', message: 'is empty' },
        { field: 'database', message: 'is empty' },
        { field: 'workgroup', message: 'invalid workgroup name "my wg"' },
        { field: 'outputLocation', message: '"results/" is not an s3:// location' },
      ],
    ],
  ])('%s', (_name, operator, expected) => {
    expect(check(operator).map(({ field, message }) => ({ field, message }))).toEqual(expected);
  });

  it('names the DAG, task, field and value in the build message', () => {
    const op: OperatorSpec = {
      kind: 'athena_query',
      query: 'SELECT 1',
      database: 'db',
      outputLocation: 'x',
      sensor,
    };
    const [problem] = validateDag(specOf({ dagId: 'ranking', tasks: [t('rank', [], { operator: op })] }));
    expect(formatProblem(problem!)).toMatch(
      /DAG "ranking" › task "rank": outputLocation: "x" is not an s3:\/\/ location — fix: use s3:\/\/bucket\/prefix\//,
    );
  });
});
