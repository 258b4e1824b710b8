import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../../../../functions/core/model';
import { formatProblem, type Problem } from '../../../../functions/core/validation/problem';
import { validateDag, validateDags } from '../../../../functions/core/validation/validate-dag';
import { specOf, t } from '../planner/fixtures';

/** A valid scheduled DAG: extract → load. */
const valid = (overrides: Partial<DagSpec> = {}): DagSpec =>
  specOf({
    dagId: 'etl',
    schedule: { kind: 'cron', expression: '0 2 * * *' },
    timezone: 'Europe/Amsterdam',
    startDate: '2024-01-01T00:00:00.000Z',
    tasks: [
      t('extract'),
      t('load', ['extract'], { inputs: [{ kind: 'xcom', taskId: 'extract', key: 'return_value' }] }),
    ],
    ...overrides,
  });

type Expected = Partial<Record<keyof Problem, string | RegExp>>;

const match = (expected: Expected) =>
  expect.objectContaining(
    Object.fromEntries(
      Object.entries(expected).map(([k, v]) => [k, typeof v === 'string' ? v : expect.stringMatching(v)]),
    ),
  );

describe('validateDag', () => {
  it('a valid DAG has no problems', () => {
    expect(validateDag(valid())).toEqual([]);
    expect(validateDag(valid({ schedule: { kind: 'none' }, startDate: undefined }))).toEqual([]);
  });

  it.each<[name: string, spec: DagSpec, problems: Expected[]]>([
    // ids
    [
      'invalid DAG id',
      valid({ dagId: 'my dag!' }),
      [{ field: 'dagId', message: 'invalid id "my dag!"', fix: /letters, digits/ }],
    ],
    ['empty DAG id', valid({ dagId: '' }), [{ field: 'dagId', message: 'invalid id ""' }]],
    [
      'DAG id over 250 characters',
      valid({ dagId: 'x'.repeat(251) }),
      [{ field: 'dagId', message: /^invalid id/ }],
    ],
    [
      'invalid task id',
      valid({ tasks: [t('ok'), t('no/slash')] }),
      [{ taskId: 'no/slash', field: 'taskId', message: 'invalid id "no/slash"' }],
    ],
    [
      'duplicate task id, reported once at the second definition',
      valid({ tasks: [t('a'), t('a'), t('b')] }),
      [{ taskId: 'a', field: 'taskId', message: 'duplicate task id', fix: /unique taskId/ }],
    ],
    // graph
    [
      'unknown upstream',
      valid({ tasks: [t('a', ['ghost'])] }),
      [{ taskId: 'a', field: 'upstream', message: 'depends on unknown task "ghost"' }],
    ],
    [
      'cycle, printed as a path',
      valid({ tasks: [t('a', ['b']), t('b', ['a']), t('c', ['a'])] }),
      [{ taskId: 'a', field: 'upstream', message: 'cycle: a → b → a', fix: /acyclic/ }],
    ],
    ['self-dependency', valid({ tasks: [t('a', ['a'])] }), [{ taskId: 'a', message: 'cycle: a → a' }]],
    // schedule and dates
    [
      'bad cron expression',
      valid({ schedule: { kind: 'cron', expression: '61 * * * *' } }),
      [{ field: 'schedule', message: /"61 \* \* \* \*"/ }],
    ],
    [
      'bad cron trigger',
      valid({ schedule: { kind: 'cron_trigger', expression: '* *' } }),
      [{ field: 'schedule', message: /expected 5 fields/ }],
    ],
    [
      'bad duration',
      valid({ schedule: { kind: 'delta', duration: 'PT0S' } }),
      [{ field: 'schedule', message: /"PT0S"/ }],
    ],
    [
      'a cron expression stored as a duration (the timetable would throw on every tick)',
      valid({ schedule: { kind: 'delta', duration: '0 2 * * *' } }),
      [{ field: 'schedule', message: /invalid ISO-8601 duration "0 2 \* \* \*"/ }],
    ],
    [
      'a duration stored as a cron expression',
      valid({ schedule: { kind: 'cron', expression: 'PT1H' } }),
      [{ field: 'schedule', message: /invalid cron expression "PT1H"/ }],
    ],
    [
      'bad timezone (the schedule is not reported twice)',
      valid({ timezone: 'Mars/Olympus' }),
      [{ field: 'timezone', message: /unknown timezone "Mars\/Olympus"/, fix: /IANA/ }],
    ],
    [
      'endDate before startDate',
      valid({ endDate: '2023-12-31T00:00:00.000Z' }),
      [
        {
          field: 'endDate',
          message: 'endDate 2023-12-31T00:00:00.000Z is before startDate 2024-01-01T00:00:00.000Z',
        },
      ],
    ],
    ['endDate equal to startDate is fine', valid({ endDate: '2024-01-01T00:00:00.000Z' }), []],
    [
      'startDate not a date',
      valid({ startDate: 'soon' }),
      [{ field: 'startDate', message: 'not a date: "soon"' }],
    ],
    [
      'endDate not a date',
      valid({ endDate: 'later' }),
      [{ field: 'endDate', message: 'not a date: "later"' }],
    ],
    [
      'scheduled DAG without startDate',
      valid({ startDate: undefined }),
      [{ field: 'startDate', message: 'a scheduled DAG needs a startDate', fix: /schedule: null/ }],
    ],
    [
      '@once without startDate',
      valid({ schedule: { kind: 'once' }, startDate: undefined }),
      [{ field: 'startDate' }],
    ],
    [
      'maxActiveRuns below 1',
      valid({ maxActiveRuns: 0 }),
      [{ field: 'maxActiveRuns', message: 'must be a whole number >= 1, got 0' }],
    ],
    [
      'maxActiveTasks not whole',
      valid({ maxActiveTasks: 1.5 }),
      [{ field: 'maxActiveTasks', message: 'must be a whole number >= 1, got 1.5' }],
    ],
    // params
    [
      'params default violating its schema',
      valid({ params: { limit: { type: 'integer', minimum: 1, default: 0 } } }),
      [
        {
          field: 'params.limit',
          message: 'params.limit.default must be >= 1, got 0',
          fix: /satisfy the schema/,
        },
      ],
    ],
    [
      'params default with the wrong type',
      valid({ params: { day: { type: 'string', format: 'date', default: 20240101 } } }),
      [{ field: 'params.day', message: 'params.day.default must be of type string, got 20240101' }],
    ],
    [
      'params pattern that does not compile',
      valid({ params: { p: { pattern: '(' } } }),
      [{ field: 'params.p', message: /not a valid regular expression/ }],
    ],
    // task fields
    [
      'unknown trigger rule',
      valid({ tasks: [t('a', [], { triggerRule: 'sometimes' as never })] }),
      [{ field: 'triggerRule', message: 'unknown trigger rule "sometimes"' }],
    ],
    [
      'negative retries',
      valid({ tasks: [t('a', [], { retries: -1 })] }),
      [{ field: 'retries', message: 'must be a whole number >= 0, got -1' }],
    ],
    [
      'memory below 128 MiB',
      valid({ tasks: [t('a', [], { memoryMiB: 64 })] }),
      [{ field: 'memoryMiB', message: 'must be a whole number of MiB >= 128, got 64' }],
    ],
    [
      'no pool slots',
      valid({ tasks: [t('a', [], { poolSlots: 0 })] }),
      [{ field: 'poolSlots', message: 'must be a whole number >= 1, got 0' }],
    ],
    [
      'a blank pool name',
      valid({ tasks: [t('a', [], { pool: ' ' })] }),
      [{ field: 'pool', message: '" " is not a pool name' }],
    ],
    // Callbacks: literal notifier fields are checked, templates are left to run time
    [
      'SNS notifier with a malformed topic ARN, webhook with a relative URL',
      valid({
        callbacks: {
          onSuccess: [],
          onFailure: [{ kind: 'sns', topicArn: 'ops-alerts', message: 'm' }],
          onSlaMiss: [],
        },
        tasks: [
          t('a', [], {
            callbacks: {
              onSuccess: [],
              onFailure: [],
              onRetry: [{ kind: 'webhook', url: '/hooks/retry', method: 'POST', headers: {}, body: '' }],
            },
          }),
        ],
      }),
      [
        {
          field: 'onFailure[0].topicArn',
          message: 'not an SNS topic ARN: "ops-alerts"',
          fix: 'use arn:aws:sns:<region>:<account>:<topic>',
        },
        {
          taskId: 'a',
          field: 'onRetry[0].url',
          message: 'not an http(s) URL: "/hooks/retry"',
          fix: 'use an absolute http:// or https:// URL',
        },
      ],
    ],
    [
      'templated notifier fields are not checked before the run',
      valid({
        callbacks: {
          onSuccess: [{ kind: 'sns', topicArn: '{{ var.value.topic }}', message: 'm' }],
          onFailure: [],
          onSlaMiss: [],
        },
      }),
      [],
    ],
    // Lambda limits
    [
      'Lambda task longer than 15 minutes',
      valid({ tasks: [t('a', [], { executionTimeoutSeconds: 901 })] }),
      [
        {
          taskId: 'a',
          field: 'executionTimeout',
          message: "901s exceeds Lambda's 900s limit",
          fix: /executor: 'ecs'/,
        },
      ],
    ],
    [
      'Lambda task of exactly 15 minutes',
      valid({ tasks: [t('a', [], { executionTimeoutSeconds: 900 })] }),
      [],
    ],
    [
      'Lambda task with more than 10240 MiB',
      valid({ tasks: [t('a', [], { memoryMiB: 10_241 })] }),
      [
        {
          taskId: 'a',
          field: 'memoryMiB',
          message: "10241 MiB exceeds Lambda's 10240 MiB limit",
          fix: /executor: 'ecs'/,
        },
      ],
    ],
    ['Lambda task with exactly 10240 MiB', valid({ tasks: [t('a', [], { memoryMiB: 10_240 })] }), []],
    [
      'ECS tasks may be long and big',
      valid({ tasks: [t('a', [], { executor: 'ecs', executionTimeoutSeconds: 86_400, memoryMiB: 30_720 })] }),
      [],
    ],
    // XCom inputs
    [
      'XCom input from a task that is not upstream',
      valid({
        tasks: [t('a'), t('b', [], { inputs: [{ kind: 'xcom', taskId: 'a', key: 'return_value' }] })],
      }),
      [{ taskId: 'b', field: 'inputs', message: 'reads the XCom of "a", which is not an upstream task' }],
    ],
    [
      'mapping over a task that is not upstream',
      valid({
        tasks: [t('a'), t('m', [], { mapped: { over: { kind: 'xcom', taskId: 'a', key: 'return_value' } } })],
      }),
      [{ taskId: 'm', field: 'inputs' }],
    ],
  ])('%s', (_name, spec, problems) => {
    expect(validateDag(spec)).toEqual(
      problems.map((p) => match({ file: spec.fileloc, dagId: spec.dagId, ...p })),
    );
  });

  it('reports every problem at once, in a stable order', () => {
    const spec = valid({ dagId: 'bad id', timezone: 'Nowhere', tasks: [t('a', ['ghost']), t('a')] });
    expect(validateDag(spec).map((p) => p.field)).toEqual(['dagId', 'timezone', 'taskId', 'upstream']);
  });
});

describe('validateDags', () => {
  it('reports a DAG id defined in two files, naming the first', () => {
    const problems = validateDags([
      valid({ fileloc: 'one.dag.ts' }),
      valid({ fileloc: 'two.dag.ts' }),
      valid({ dagId: 'other', fileloc: 'two.dag.ts' }),
    ]);
    expect(problems).toEqual([
      {
        file: 'two.dag.ts',
        dagId: 'etl',
        message: 'DAG id is already defined in one.dag.ts',
        fix: 'give each DAG a unique dagId',
      },
    ]);
  });

  it('includes each DAG’s own problems', () => {
    expect(validateDags([valid(), valid({ dagId: 'x', maxActiveRuns: 0 })])).toEqual([
      match({ dagId: 'x', field: 'maxActiveRuns' }),
    ]);
  });
});

describe('formatProblem', () => {
  it.each<[Problem, string]>([
    [
      {
        file: 'etl.dag.ts',
        dagId: 'etl',
        taskId: 'load',
        field: 'retries',
        message: 'must be >= 0',
        fix: 'use 0 or more',
      },
      'etl.dag.ts › DAG "etl" › task "load": retries: must be >= 0 — fix: use 0 or more',
    ],
    [{ file: 'etl.dag.ts', message: 'no DAG exported' }, 'etl.dag.ts: no DAG exported'],
    [{ dagId: 'etl', field: 'schedule', message: 'bad' }, 'DAG "etl": schedule: bad'],
    [{ message: 'something broke' }, 'something broke'],
  ])('%j', (problem, line) => {
    expect(formatProblem(problem)).toBe(line);
  });
});
