import { describe, expect, it } from 'vitest';
import {
  ManifestError,
  parseManifest,
  serializeManifest,
} from '../../../../functions/adapters/shared/manifest-codec';
import type { DagSpec, Manifest, TaskSpec } from '../../../../functions/core/model';
import { taskSpec } from '../../../helpers/specs';

const baseTask: TaskSpec = taskSpec('extract');

const sensor = {
  mode: 'reschedule',
  pokeIntervalSeconds: 60,
  timeoutSeconds: 3600,
  exponentialBackoff: true,
  softFail: false,
} as const;

// One task per operator kind, plus every optional field somewhere, so the round trip covers the whole schema.
const tasks: TaskSpec[] = [
  { ...baseTask, group: 'ingest', doc: 'reads rows', maxRetryDelaySeconds: 600, executionTimeoutSeconds: 60 },
  { ...baseTask, taskId: 'pick', operator: { kind: 'branch' }, upstream: ['extract'] },
  { ...baseTask, taskId: 'gate', operator: { kind: 'short_circuit', ignoreDownstreamTriggerRules: true } },
  { ...baseTask, taskId: 'wait', operator: { kind: 'sensor', sensor } },
  { ...baseTask, taskId: 'join', operator: { kind: 'empty' }, triggerRule: 'none_failed_min_one_success' },
  {
    ...baseTask,
    taskId: 'sh',
    operator: { kind: 'bash', command: 'echo hi', env: { A: '1' }, cwd: '/tmp', skipOnExitCode: [99] },
  },
  {
    ...baseTask,
    taskId: 'box',
    executor: 'ecs',
    operator: {
      kind: 'container',
      environment: 'py',
      script: 'scripts/job.py',
      command: ['python'],
      args: ['-V'],
      env: {},
      cpu: 0.25,
      local: ['python3', '-V'],
    },
  },
  {
    ...baseTask,
    taskId: 'invoke',
    operator: {
      kind: 'lambda_invoke',
      functionName: 'f',
      payload: { a: [1, null, true] },
      invocationType: 'Event',
    },
  },
  {
    ...baseTask,
    taskId: 'call',
    operator: {
      kind: 'http',
      method: 'GET',
      url: 'https://x',
      httpConnId: 'api',
      headers: {},
      body: '{}',
      expectedStatus: [200],
      responseToXcom: true,
      logResponse: false,
    },
  },
  {
    ...baseTask,
    taskId: 'trigger',
    operator: {
      kind: 'trigger_dag_run',
      triggerDagId: 'other',
      triggerRunId: 'child__{{ ds }}',
      logicalDate: '{{ ts }}',
      conf: { k: 'v' },
      waitForCompletion: false,
      pokeIntervalSeconds: 60,
      allowedStates: ['success'],
      failedStates: ['failed'],
    },
    inputs: [
      { kind: 'literal', value: { nested: { deep: 1 } } },
      { kind: 'xcom', taskId: 'extract', key: 'return_value' },
    ],
    mapped: { over: { kind: 'literal', value: [1, 2] } },
  },
  {
    ...baseTask,
    taskId: 'copy',
    operator: { kind: 's3_copy', source: { bucket: 'a', key: 'k' }, dest: { bucket: 'b', key: 'k2' } },
  },
  { ...baseTask, taskId: 'purge', operator: { kind: 's3_delete', bucket: 'a', prefix: 'tmp/' } },
  { ...baseTask, taskId: 'ls', operator: { kind: 's3_list', bucket: 'a', prefix: '' } },
  {
    ...baseTask,
    taskId: 'put',
    upstream: ['ls'],
    operator: { kind: 's3_put', bucket: 'a', key: 'k', fromXcom: { taskId: 'ls', key: 'return_value' } },
  },
];

const dag: DagSpec = {
  dagId: 'etl',
  description: 'daily load',
  doc: '# ETL',
  owner: 'data',
  tags: ['a'],
  schedule: { kind: 'cron', expression: '0 2 * * *' },
  timezone: 'Europe/Amsterdam',
  startDate: '2024-03-27T23:00:00.000Z',
  endDate: '2025-01-01T00:00:00.000Z',
  catchup: true,
  maxActiveRuns: 16,
  maxActiveTasks: 16,
  dagrunTimeoutSeconds: 3600,
  isPausedUponCreation: false,
  params: {
    limit: { default: 10, type: 'integer', minimum: 1, description: 'rows' },
    filter: {
      type: 'object',
      properties: { name: { type: ['string', 'null'], pattern: '^a' } },
      required: ['name'],
      additionalProperties: false,
    },
    days: { type: 'array', items: { type: 'string', format: 'date' }, minItems: 1, maxItems: 7 },
  },
  tasks,
  fileloc: 'etl.dag.ts',
  module: 'code/etl.dag.mjs',
};

const manifest: Manifest = {
  schemaVersion: 1,
  version: '0123456789abcdef',
  dags: [dag, { ...dag, dagId: 'manual', schedule: { kind: 'none' } }],
};

const DELETE = Symbol('delete');

/** A deep copy of the manifest with the value at `path` replaced (or deleted): the point is to break it. */
function broken(...changes: [path: (string | number)[], value: unknown][]): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(manifest));
  for (const [path, value] of changes) {
    let node = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (value === DELETE) delete node[last];
    else node[last] = value;
  }
  return copy;
}

describe('manifest codec', () => {
  it('round-trips a manifest that uses every part of the schema', () => {
    const text = serializeManifest(manifest);
    expect(parseManifest(JSON.parse(text), 'test')).toEqual(manifest);
    expect(serializeManifest(parseManifest(JSON.parse(text), 'test'))).toBe(text);
  });

  it('serializes as 2-space JSON with a trailing newline, in schema key order', () => {
    const text = serializeManifest(manifest);
    expect(text.endsWith('}\n')).toBe(true);
    expect(
      text.startsWith(
        '{\n  "schemaVersion": 1,\n  "version": "0123456789abcdef",\n  "dags": [\n    {\n      "dagId": "etl",',
      ),
    ).toBe(true);
  });

  it('gives the same bytes whatever order keys were inserted in', () => {
    const reversed = JSON.parse(JSON.stringify(manifest), (_key, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    );
    expect(serializeManifest(reversed)).toBe(serializeManifest(manifest));
    // Maps (here: params) come out sorted, fixed shapes in schema order.
    expect(Object.keys(parseManifest(reversed, 't').dags[0]!.params)).toEqual(['days', 'filter', 'limit']);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['not an object', 'hello', /\(root\): Invalid input: expected object/],
    ['null', null, /\(root\): Invalid input/],
    [
      'another schema version',
      broken([['schemaVersion'], 2]),
      /schemaVersion: expected 1, got 2.*rebuild the bundle/,
    ],
    [
      'a missing field',
      broken([['dags', 0, 'timezone'], DELETE]),
      /dags\[0\]\.timezone: Invalid input: expected string, received undefined/,
    ],
    [
      'a wrong type',
      broken([['dags', 0, 'tasks', 1, 'retries'], '3']),
      /dags\[0\]\.tasks\[1\]\.retries: Invalid input: expected number/,
    ],
    [
      'a negative count',
      broken([['dags', 0, 'tasks', 0, 'retries'], -1]),
      /dags\[0\]\.tasks\[0\]\.retries: Too small/,
    ],
    [
      'an unknown operator kind',
      broken([['dags', 0, 'tasks', 0, 'operator', 'kind'], 'python']),
      /dags\[0\]\.tasks\[0\]\.operator\.kind: Invalid discriminator/,
    ],
    [
      'an unknown DAG run state',
      broken([['dags', 0, 'tasks', 9, 'operator', 'failedStates'], ['broken']]),
      /dags\[0\]\.tasks\[9\]\.operator\.failedStates\[0\]: Invalid option/,
    ],
    [
      'an S3 put without a bucket',
      broken([['dags', 0, 'tasks', 13, 'operator', 'bucket'], DELETE]),
      /dags\[0\]\.tasks\[13\]\.operator\.bucket: Invalid input: expected string/,
    ],
    [
      'an unknown trigger rule',
      broken([['dags', 0, 'tasks', 0, 'triggerRule'], 'all_good']),
      /dags\[0\]\.tasks\[0\]\.triggerRule: Invalid option/,
    ],
    ['an unknown key', broken([['dags', 1, 'color'], 'red']), /dags\[1\]: Unrecognized key: "color"/],
    [
      'a nested param problem',
      broken([['dags', 0, 'params', 'days', 'items', 'type'], 'date']),
      /dags\[0\]\.params\.days\.items\.type/,
    ],
    [
      'a non-JSON literal',
      broken([['dags', 0, 'tasks', 9, 'inputs', 0, 'value'], { f: () => 1 }]),
      /dags\[0\]\.tasks\[9\]\.inputs\[0\]\.value/,
    ],
  ];

  it.each(invalid)('rejects %s with a message naming the source and the path', (_name, input, expected) => {
    const error = catchError(() => parseManifest(input, 's3://bucket/bundles/abc/manifest.json'));
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toMatch(/^invalid manifest s3:\/\/bucket\/bundles\/abc\/manifest\.json: /);
    expect(error.message).toMatch(expected);
  });

  it('lists the first three issues and counts the rest, keeping the zod error as cause', () => {
    const input = broken(
      ...tasks.map((_, i): [(string | number)[], unknown] => [['dags', 0, 'tasks', i, 'pool'], 1]),
    );
    const error = catchError(() => parseManifest(input, 'x.json'));
    expect(error.message).toMatch(
      /tasks\[0\]\.pool.*tasks\[1\]\.pool.*tasks\[2\]\.pool: [^;]*\(and 11 more\)$/,
    );
    expect(error.issues).toHaveLength(14);
    expect(error.cause).toBeDefined();
  });

  it('refuses to serialize an invalid manifest', () => {
    const bad = { ...manifest, version: '' };
    expect(() => serializeManifest(bad)).toThrow(ManifestError);
  });
});

function catchError(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (error) {
    return error as ManifestError;
  }
  throw new Error('expected an error');
}
