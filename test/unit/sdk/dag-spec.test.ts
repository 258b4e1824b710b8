import { describe, expect, it } from 'vitest';
import { DAG_BRAND } from '../../../functions/core/dag-definition';
import type { ScheduleSpec, TaskSpec } from '../../../functions/core/model';
import { type DagOptions, dag, empty, isDag, param, type TaskOptions, task } from '../../../functions/sdk';
import { definitionError, LOCATION, specOf, taskOf } from './helpers';

const TASK_DEFAULTS: Omit<TaskSpec, 'taskId' | 'operator' | 'upstream' | 'inputs'> = {
  triggerRule: 'all_success',
  retries: 0,
  retryDelaySeconds: 300,
  retryExponentialBackoff: false,
  dependsOnPast: false,
  pool: 'default_pool',
  poolSlots: 1,
  priorityWeight: 1,
  executor: 'lambda',
  memoryMiB: 1024,
  owner: 'updraft',
};

/** The spec of one `empty` task `x` in a DAG with these options. */
const oneTask = (taskOptions: Omit<TaskOptions, 'taskId'> = {}, dagOptions: Omit<DagOptions, 'dagId'> = {}) =>
  taskOf(specOf(dag({ dagId: 'd', ...dagOptions }, () => empty({ taskId: 'x', ...taskOptions }))), 'x');

describe('Dag.toSpec: DAG options', () => {
  it('applies every default and omits unset optional fields', () => {
    expect(specOf(dag({ dagId: 'd' }, () => {}))).toEqual({
      dagId: 'd',
      owner: 'updraft',
      tags: [],
      schedule: { kind: 'none' },
      timezone: 'UTC',
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      isPausedUponCreation: false,
      params: {},
      tasks: [],
      ...LOCATION,
    });
  });

  it('serializes every option', () => {
    const options: DagOptions = {
      dagId: 'full',
      description: 'the description',
      doc: '# docs',
      owner: 'data-eng',
      tags: ['etl', 'daily'],
      schedule: '0 2 * * *',
      timezone: 'Europe/Amsterdam',
      startDate: '2024-01-01',
      endDate: new Date('2024-12-31T00:00:00Z'),
      catchup: true,
      maxActiveRuns: 3,
      maxActiveTasks: 4,
      dagrunTimeout: { hours: 1, minutes: 30 },
      isPausedUponCreation: true,
      params: { limit: 10 },
    };
    expect(specOf(dag(options, () => {}))).toEqual({
      dagId: 'full',
      description: 'the description',
      doc: '# docs',
      owner: 'data-eng',
      tags: ['etl', 'daily'],
      schedule: { kind: 'cron', expression: '0 2 * * *' },
      timezone: 'Europe/Amsterdam',
      startDate: '2023-12-31T23:00:00.000Z',
      endDate: '2024-12-31T00:00:00.000Z',
      catchup: true,
      maxActiveRuns: 3,
      maxActiveTasks: 4,
      dagrunTimeoutSeconds: 5400,
      isPausedUponCreation: true,
      params: { limit: { default: 10 } },
      tasks: [],
      ...LOCATION,
    });
  });

  it.each<[name: string, schedule: DagOptions['schedule'], spec: ScheduleSpec]>([
    ['omitted: manual only', undefined, { kind: 'none' }],
    ['null: manual only', null, { kind: 'none' }],
    ['preset', '@daily', { kind: 'cron', expression: '@daily' }],
    ['@once', '@once', { kind: 'once' }],
    ['cron', '*/15 * * * *', { kind: 'cron', expression: '*/15 * * * *' }],
    ['ISO-8601 duration', 'PT30M', { kind: 'delta', duration: 'PT30M' }],
    ['cron trigger', { cronTrigger: '0 6 * * MON' }, { kind: 'cron_trigger', expression: '0 6 * * MON' }],
  ])('schedule %s', (_name, schedule, expected) => {
    expect(specOf(dag({ dagId: 'd', schedule }, () => {})).schedule).toEqual(expected);
  });

  it.each<[value: string | Date, timezone: string | undefined, iso: string]>([
    ['2024-03-28', 'Europe/Amsterdam', '2024-03-27T23:00:00.000Z'],
    ['2024-03-28T06:00', 'Europe/Amsterdam', '2024-03-28T05:00:00.000Z'],
    ['2024-07-01', 'Europe/Amsterdam', '2024-06-30T22:00:00.000Z'],
    ['2024-03-28', 'America/New_York', '2024-03-28T04:00:00.000Z'],
    ['2024-03-28', undefined, '2024-03-28T00:00:00.000Z'],
    ['2024-03-28T06:00:00Z', 'Europe/Amsterdam', '2024-03-28T06:00:00.000Z'],
    ['2024-03-28T06:00:00+02:00', 'UTC', '2024-03-28T04:00:00.000Z'],
    [new Date('2024-03-28T06:00:00Z'), 'Asia/Tokyo', '2024-03-28T06:00:00.000Z'],
  ])('startDate %j in %s is %s', (startDate, timezone, iso) => {
    const spec = specOf(
      dag({ dagId: 'd', startDate, endDate: startDate, ...(timezone && { timezone }) }, () => {}),
    );
    expect(spec.startDate).toBe(iso);
    expect(spec.endDate).toBe(iso);
  });
});

describe('Dag.toSpec: author mistakes are DagDefinitionErrors naming the field', () => {
  it.each<[name: string, options: Partial<DagOptions>, field: string, message: RegExp]>([
    ['bad cron', { schedule: '61 * * * *' }, 'schedule', /"61 \* \* \* \*"/],
    ['unknown preset', { schedule: '@fortnightly' }, 'schedule', /@fortnightly/],
    ['bad duration schedule', { schedule: 'P1X' }, 'schedule', /"P1X"/],
    ['duration as a cron trigger', { schedule: { cronTrigger: 'PT1H' } }, 'schedule', /cron trigger/],
    ['unparsable startDate', { startDate: 'tomorrow' }, 'startDate', /not a date: "tomorrow"/],
    ['unparsable endDate', { endDate: '2024-02-30' }, 'endDate', /not a date: "2024-02-30"/],
    ['invalid Date object as startDate', { startDate: new Date('garbage') }, 'startDate', /invalid Date/],
    [
      'an unknown timezone is blamed, not the startDate read in it',
      { timezone: 'Mars/Olympus', startDate: '2024-01-01' },
      'timezone',
      /unknown timezone "Mars\/Olympus"/,
    ],
    [
      'negative dagrunTimeout',
      { dagrunTimeout: -5 },
      'dagrunTimeout',
      /non-negative number of seconds, got -5/,
    ],
    [
      'unknown duration unit',
      { dagrunTimeout: { weeks: 1 } as never },
      'dagrunTimeout',
      /unknown duration unit "weeks"/,
    ],
  ])('%s', (_name, options, field, message) => {
    const error = definitionError(() => specOf(dag({ dagId: 'd', ...options }, () => {})));
    expect(error.details).toMatchObject({ dagId: 'd', field });
    expect(error.message).toMatch(message);
  });

  it.each<[field: keyof TaskOptions, value: unknown, message: RegExp]>([
    ['retryDelay', -1, /got -1/],
    ['maxRetryDelay', { minutes: -1 }, /minutes must be a non-negative number, got -1/],
    ['executionTimeout', Number.NaN, /got NaN/],
    ['executionTimeout', { fortnights: 1 }, /unknown duration unit "fortnights"/],
  ])('task %s %j', (field, value, message) => {
    const error = definitionError(() => oneTask({ [field]: value }));
    expect(error.details).toMatchObject({ dagId: 'd', taskId: 'x', field });
    expect(error.message).toMatch(message);
  });

  it('a startDate is read in the DAG timezone, a bad one points at the fix', () => {
    const error = definitionError(() => specOf(dag({ dagId: 'd', startDate: 'soon' }, () => {})));
    expect(error.details.fix).toMatch(/"2024-01-31"/);
  });

  it('dag() needs a string dagId', () => {
    expect(definitionError(() => dag({} as DagOptions, () => {})).details).toMatchObject({ field: 'dagId' });
  });
});

describe('Dag.toSpec: task options, defaults and defaultArgs', () => {
  it('an empty task gets every default and nothing else', () => {
    expect(oneTask()).toEqual({
      taskId: 'x',
      operator: { kind: 'empty' },
      upstream: [],
      inputs: [],
      ...TASK_DEFAULTS,
    });
  });

  it('serializes every task option, converting durations to seconds', () => {
    const options: Omit<TaskOptions, 'taskId'> = {
      retries: 3,
      retryDelay: { minutes: 2 },
      retryExponentialBackoff: true,
      maxRetryDelay: { hours: 1 },
      executionTimeout: { minutes: 10, seconds: 30 },
      triggerRule: 'all_done',
      dependsOnPast: true,
      pool: 'etl',
      poolSlots: 2,
      priorityWeight: 7,
      executor: 'ecs',
      memoryMiB: 4096,
      owner: 'ann',
      doc: 'loads the warehouse',
    };
    expect(oneTask(options)).toEqual({
      taskId: 'x',
      operator: { kind: 'empty' },
      upstream: [],
      inputs: [],
      triggerRule: 'all_done',
      retries: 3,
      retryDelaySeconds: 120,
      retryExponentialBackoff: true,
      maxRetryDelaySeconds: 3600,
      executionTimeoutSeconds: 630,
      dependsOnPast: true,
      pool: 'etl',
      poolSlots: 2,
      priorityWeight: 7,
      executor: 'ecs',
      memoryMiB: 4096,
      owner: 'ann',
      doc: 'loads the warehouse',
    });
  });

  // task option > defaultArgs > Updraft default (Airflow's default_args)
  it.each<
    [field: keyof TaskSpec, defaults: Partial<TaskOptions>, own: Partial<TaskOptions>, expected: unknown]
  >([
    ['retries', { retries: 2 }, {}, 2],
    ['retries', { retries: 2 }, { retries: 5 }, 5],
    ['retries', { retries: 2 }, { retries: 0 }, 0],
    ['retryDelaySeconds', { retryDelay: { minutes: 1 } }, {}, 60],
    ['retryDelaySeconds', { retryDelay: 60 }, { retryDelay: 5 }, 5],
    ['maxRetryDelaySeconds', { maxRetryDelay: 600 }, {}, 600],
    ['executionTimeoutSeconds', { executionTimeout: 60 }, {}, 60],
    ['triggerRule', { triggerRule: 'all_done' }, {}, 'all_done'],
    ['triggerRule', { triggerRule: 'all_done' }, { triggerRule: 'one_failed' }, 'one_failed'],
    ['dependsOnPast', { dependsOnPast: true }, {}, true],
    ['dependsOnPast', { dependsOnPast: true }, { dependsOnPast: false }, false],
    ['pool', { pool: 'shared' }, {}, 'shared'],
    ['poolSlots', { poolSlots: 3 }, {}, 3],
    ['priorityWeight', { priorityWeight: 9 }, { priorityWeight: 2 }, 2],
    ['executor', { executor: 'ecs' }, {}, 'ecs'],
    ['memoryMiB', { memoryMiB: 2048 }, {}, 2048],
    ['owner', { owner: 'team' }, {}, 'team'],
    ['owner', { owner: 'team' }, { owner: 'me' }, 'me'],
  ])('%s: defaultArgs %j, task %j → %j', (field, defaultArgs, own, expected) => {
    expect(oneTask(own, { defaultArgs })[field]).toBe(expected);
  });

  it('owner: the DAG owner is the tasks’ default, ahead of defaultArgs.owner', () => {
    const spec = specOf(
      dag({ dagId: 'd', owner: 'dag-owner', defaultArgs: { owner: 'args-owner' } }, () => {
        empty('a');
        empty({ taskId: 'b', owner: 'task-owner' });
      }),
    );
    expect([spec.owner, taskOf(spec, 'a').owner, taskOf(spec, 'b').owner]).toEqual([
      'dag-owner',
      'dag-owner',
      'task-owner',
    ]);
    expect(specOf(dag({ dagId: 'd', defaultArgs: { owner: 'args-owner' } }, () => {})).owner).toBe(
      'args-owner',
    );
  });

  it('params: plain values become defaults, param() keeps its schema', () => {
    const spec = specOf(
      dag(
        {
          dagId: 'd',
          params: {
            plain: 'x',
            object: { nested: [1] },
            limit: param(10, { type: 'integer', minimum: 1, description: 'rows' }),
            required: param(undefined, { type: 'string' }),
          },
        },
        () => {},
      ),
    );
    expect(spec.params).toEqual({
      plain: { default: 'x' },
      object: { default: { nested: [1] } },
      limit: { type: 'integer', minimum: 1, description: 'rows', default: 10 },
      required: { type: 'string' },
    });
  });
});

describe('isDag and taskCallable', () => {
  const fn = () => 1;
  const d = dag({ dagId: 'd' }, () => {
    task('f', fn)();
    empty('e');
  });

  it.each<[name: string, value: unknown, expected: boolean]>([
    ['a Dag', d, true],
    ['an object branded by another copy of the SDK', { [Symbol.for('updraft.dag')]: true }, true],
    ['the brand is the registered symbol', { [DAG_BRAND]: true }, true],
    ['a plain object', { dagId: 'd' }, false],
    ['null', null, false],
    ['a string', 'dag', false],
  ])('%s → %s', (_name, value, expected) => {
    expect(isDag(value)).toBe(expected);
  });

  it('returns the function of a function task, nothing for operators or unknown ids', () => {
    expect(d.taskCallable('f')).toBe(fn);
    expect(d.taskCallable('e')).toBeUndefined();
    expect(d.taskCallable('nope')).toBeUndefined();
  });

  it('toSpec can be called again and gives an equal, independent spec', () => {
    const first = specOf(d);
    first.tasks[0]!.upstream.push('mutated');
    expect(specOf(d).tasks[0]!.upstream).toEqual([]);
  });
});
