import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../../../functions/core/model';
import { formatProblem } from '../../../../functions/core/validation/problem';
import { validateDag } from '../../../../functions/core/validation/validate-dag';
import { specOf, t } from '../planner/fixtures';

const http = (fields: Partial<Extract<OperatorSpec, { kind: 'http' }>> = {}): OperatorSpec => ({
  kind: 'http',
  method: 'GET',
  url: 'https://api.example.com/x',
  headers: {},
  responseToXcom: true,
  logResponse: false,
  ...fields,
});
const trigger = (fields: Partial<Extract<OperatorSpec, { kind: 'trigger_dag_run' }>> = {}): OperatorSpec => ({
  kind: 'trigger_dag_run',
  triggerDagId: 'child',
  conf: {},
  waitForCompletion: true,
  pokeIntervalSeconds: 60,
  allowedStates: ['success'],
  failedStates: ['failed'],
  ...fields,
});

/** The rendered problems of a one-task DAG "etl" (plus an upstream "up") running `operator`. */
function problemsOf(operator: OperatorSpec, upstream: string[] = []): string[] {
  const spec = specOf({ dagId: 'etl', tasks: [t('up'), t('x', upstream, { operator })] });
  return validateDag(spec).map(formatProblem);
}

describe('validateDag: operator fields', () => {
  it.each<[name: string, operator: OperatorSpec, upstream?: string[]]>([
    ['an http call', http()],
    ['an http call relative to a connection', http({ url: '/v1/items', httpConnId: 'api' })],
    ['a templated http url', http({ url: '{{ var.value.base_url }}/items' })],
    ['a trigger with templated fields', trigger({ triggerRunId: 'c__{{ ds }}', logicalDate: '{{ ts }}' })],
    [
      'an S3 copy',
      { kind: 's3_copy', source: { bucket: 'raw', key: 'a' }, dest: { bucket: 'curated', key: 'b' } },
    ],
    ['an S3 delete by keys', { kind: 's3_delete', bucket: 'raw', keys: ['a', 'b'] }],
    ['an S3 list of a whole bucket', { kind: 's3_list', bucket: 'raw', prefix: '' }],
    ['a templated S3 bucket', { kind: 's3_list', bucket: 'raw-{{ var.value.env }}', prefix: '' }],
    [
      'an S3 put of an upstream XCom',
      { kind: 's3_put', bucket: 'raw', key: 'k', fromXcom: { taskId: 'up', key: 'return_value' } },
      ['up'],
    ],
  ])('accepts %s', (_name, operator, upstream) => {
    expect(problemsOf(operator, upstream)).toEqual([]);
  });

  it.each<[name: string, operator: OperatorSpec, expected: string]>([
    ['an unknown HTTP method', http({ method: 'FETCH' }), 'task "x": method: unknown HTTP method "FETCH"'],
    [
      'a relative url without a connection',
      http({ url: '/items' }),
      'url: "/items" is not an absolute http(s) URL',
    ],
    [
      'a status outside 100-599',
      http({ expectedStatus: [200, 42] }),
      'expectedStatus: 42 is not an HTTP status',
    ],
    ['an empty expectedStatus', http({ expectedStatus: [] }), 'expectedStatus: is empty'],
    [
      'an invalid connection id',
      http({ httpConnId: 'my conn' }),
      'httpConnId: invalid connection id "my conn"',
    ],
    [
      'an invalid DAG id to trigger',
      trigger({ triggerDagId: 'no such/dag' }),
      'triggerDagId: invalid DAG id "no such/dag"',
    ],
    [
      'a logical date that is not a date',
      trigger({ logicalDate: 'tomorrow' }),
      'logicalDate: not a date: "tomorrow"',
    ],
    ['a zero poke interval', trigger({ pokeIntervalSeconds: 0 }), 'pokeIntervalSeconds: must be > 0, got 0'],
    [
      'an unknown run state',
      trigger({ failedStates: ['crashed' as never] }),
      'failedStates: unknown DAG run state "crashed"',
    ],
    [
      'a state both allowed and failed',
      trigger({ allowedStates: ['success', 'failed'] }),
      'failedStates: ["failed"] also in allowedStates',
    ],
    [
      'an invalid bucket name',
      { kind: 's3_list', bucket: 'My_Bucket', prefix: '' },
      'bucket: invalid bucket name "My_Bucket"',
    ],
    [
      'an empty copy destination key',
      { kind: 's3_copy', source: { bucket: 'raw', key: 'a' }, dest: { bucket: 'raw', key: '' } },
      'dest.key: is empty',
    ],
    [
      'a delete with keys and a prefix',
      { kind: 's3_delete', bucket: 'raw', keys: ['a'], prefix: 'p/' },
      'keys: give exactly one',
    ],
    [
      'a delete of a whole bucket',
      { kind: 's3_delete', bucket: 'raw', prefix: '' },
      'prefix: is empty, which would delete the whole bucket',
    ],
    [
      'a put with neither body nor fromXcom',
      { kind: 's3_put', bucket: 'raw', key: 'k' },
      'body: give exactly one of body and fromXcom',
    ],
    [
      'a put from a task that is not upstream',
      { kind: 's3_put', bucket: 'raw', key: 'k', fromXcom: { taskId: 'up', key: 'return_value' } },
      'fromXcom: reads the XCom of "up", which is not an upstream task',
    ],
  ])('rejects %s, naming the DAG, task, field and value', (_name, operator, expected) => {
    const problems = problemsOf(operator);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('DAG "etl" › task "x": ');
    expect(problems[0]).toContain(expected);
  });
});
