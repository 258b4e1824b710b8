import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../../../../functions/core/model';
import {
  planTick,
  type RunWithInstances,
  type TickInput,
} from '../../../../functions/core/planner/plan-tick';
import type { DagRunRecord, DagStateRecord } from '../../../../functions/core/records';
import { dagState, LIMITS, linear, runOf, specOf, summarize, t, ti } from './fixtures';

const TICK_NOW = '2024-01-05T00:30:00.000Z';
const day = (d: number) => `2024-01-0${d}T00:00:00.000Z`;

/** @daily from 2024-01-01 (UTC), a → b. */
const daily = (overrides: Partial<DagSpec> = {}) =>
  specOf({
    schedule: { kind: 'cron', expression: '@daily' },
    startDate: day(1),
    catchup: true,
    tasks: linear('a', 'b'),
    ...overrides,
  });

function tick(input: Partial<TickInput> & { dags: DagSpec[] }) {
  return planTick({
    dagStates: new Map(),
    active: [],
    bundleVersion: 'v7',
    now: TICK_NOW,
    limits: LIMITS,
    ...input,
  });
}
const states = (...records: DagStateRecord[]) => new Map(records.map((s) => [s.dagId, s]));
const created = (commands: ReturnType<typeof tick>['commands']) =>
  commands.flatMap((c) => (c.kind === 'create_run' ? [c.logicalDate] : []));
/** In-flight instances with a heartbeat at TICK_NOW, so they are not zombies. */
const healthy = { queuedAt: TICK_NOW, startDate: TICK_NOW, heartbeatAt: TICK_NOW };
/** An active run of DAG `d` with its instances (`a=running` …). */
const active = (run: Partial<DagRunRecord>, ...specs: string[]): RunWithInstances => {
  const record = runOf(run);
  return { run: record, instances: specs.map((s) => ti(s, healthy, record)) };
};

describe('planTick: creating scheduled runs (data intervals, Airflow catchup)', () => {
  it.each<[name: string, input: Partial<TickInput> & { dags: DagSpec[] }, logicalDates: string[]]>([
    [
      'catchup: every complete interval since startDate',
      { dags: [daily()] },
      [day(1), day(2), day(3), day(4)],
    ],
    [
      'catchup is bounded by maxRunsPerDag per tick',
      { dags: [daily()], limits: { ...LIMITS, maxRunsPerDag: 2 } },
      [day(1), day(2)],
    ],
    [
      'catchup is bounded by maxActiveRuns, counting active runs',
      { dags: [daily({ maxActiveRuns: 3 })], active: [active({ logicalDate: '2023-12-31T12:00:00.000Z' })] },
      [day(1), day(2)],
    ],
    [
      'no run when maxActiveRuns is reached',
      { dags: [daily({ maxActiveRuns: 1 })], active: [active({})] },
      [],
    ],
    ['catchup false: only the latest complete interval', { dags: [daily({ catchup: false })] }, [day(4)]],
    [
      'the cursor is never re-created',
      {
        dags: [daily()],
        dagStates: states(dagState({ lastAutomatedDataInterval: { start: day(4), end: day(5) } })),
      },
      [],
    ],
    [
      'the cursor continues with the next interval',
      {
        dags: [daily()],
        dagStates: states(dagState({ lastAutomatedDataInterval: { start: day(2), end: day(3) } })),
      },
      [day(3), day(4)],
    ],
    [
      'catchup false skips from an old cursor straight to the latest interval',
      {
        dags: [daily({ catchup: false })],
        dagStates: states(dagState({ lastAutomatedDataInterval: { start: day(1), end: day(2) } })),
      },
      [day(4)],
    ],
    [
      '@once never runs twice',
      {
        dags: [daily({ schedule: { kind: 'once' } })],
        dagStates: states(dagState({ lastAutomatedDataInterval: { start: day(1), end: day(1) } })),
      },
      [],
    ],
    ['an incomplete interval is not due yet', { dags: [daily()], now: '2024-01-01T23:59:59.000Z' }, []],
    ['endDate: no interval starting after it', { dags: [daily({ endDate: day(2) })] }, [day(1), day(2)]],
    ['paused DAG: nothing', { dags: [daily()], dagStates: states(dagState({ isPaused: true })) }, []],
    ['new DAG paused upon creation: nothing', { dags: [daily({ isPausedUponCreation: true })] }, []],
    [
      'isPausedUponCreation only applies to new DAGs',
      { dags: [daily({ isPausedUponCreation: true, catchup: false })], dagStates: states(dagState()) },
      [day(4)],
    ],
    ['manual-only DAG: nothing', { dags: [daily({ schedule: { kind: 'none' } })] }, []],
    ['@once: one run at startDate', { dags: [daily({ schedule: { kind: 'once' } })] }, [day(1)]],
    [
      'delta schedule P1D behaves like @daily from startDate',
      { dags: [daily({ schedule: { kind: 'delta', duration: 'P1D' } })] },
      [day(1), day(2), day(3), day(4)],
    ],
  ])('%s', (_name, input, logicalDates) => {
    expect(created(tick(input).commands)).toEqual(logicalDates);
  });

  it('a created run is pinned to the bundle, named like Airflow, started and its root queued', () => {
    const plan = tick({ dags: [daily({ catchup: false })] });
    const runId = 'scheduled__2024-01-04T00:00:00+00:00';
    expect(plan.commands).toEqual([
      {
        kind: 'create_run',
        dagId: 'd',
        runId,
        logicalDate: day(4),
        dataInterval: { start: day(4), end: day(5) },
        runAfter: day(5),
        bundleVersion: 'v7',
        reason: `data interval [${day(4)}, ${day(5)}) is complete`,
      },
      { kind: 'start_run', dagId: 'd', runId, reason: 'max_active_runs 16 allows it' },
      expect.objectContaining({
        kind: 'queue_task',
        key: { dagId: 'd', runId, taskId: 'a', mapIndex: -1 },
        from: 'none',
        tryNumber: 1,
      }),
    ]);
    expect(plan.truncated).toBe(false);
  });

  it('a paused DAG starts and plans nothing, not even its queued or running runs', () => {
    const plan = tick({
      dags: [daily()],
      dagStates: states(dagState({ isPaused: true })),
      active: [active({ state: 'queued' }), active({ logicalDate: day(1) }, 'a=success')],
    });
    expect(plan.commands).toEqual([]);
  });
});

describe('planTick: starting and planning runs', () => {
  const manual = specOf({ tasks: linear('a', 'b'), maxActiveRuns: 2 });

  it('starts queued runs, oldest logical date first, only within maxActiveRuns', () => {
    const plan = tick({
      dags: [manual],
      active: [
        active({ logicalDate: day(4), state: 'queued' }),
        active({ logicalDate: day(1) }, 'a=running'),
        active({ logicalDate: day(3), state: 'queued' }),
        active({ logicalDate: day(2), state: 'queued' }),
      ],
    });
    expect(summarize(plan.commands)).toEqual([`start manual__${day(2)}`, 'queue a']);
    expect(plan.commands[1]).toMatchObject({ key: { runId: `manual__${day(2)}` } });
  });

  it('plans every running run and finishes those that are done', () => {
    const plan = tick({
      dags: [manual],
      active: [
        active({ logicalDate: day(1) }, 'a=success', 'b=success'),
        active({ logicalDate: day(2) }, 'a=success'),
      ],
    });
    expect(summarize(plan.commands)).toEqual(['finish success', 'queue b']);
  });

  it('depends_on_past looks at the previous run across active and recently finished runs', () => {
    const dag = specOf({ tasks: [t('a', [], { dependsOnPast: true })] });
    const finished = active({ logicalDate: day(1), state: 'failed' }, 'a=failed');
    const failedBefore = tick({
      dags: [dag],
      active: [active({ logicalDate: day(2) })],
      recentFinished: [finished],
    });
    // Waits for the failed previous run to be cleared (Airflow: no deadlock with depends_on_past).
    expect(summarize(failedBefore.commands)).toEqual([]);
    expect(failedBefore.notes.map((n) => n.reason)).toContain(
      `depends_on_past: "a" is failed in the previous run manual__${day(1)}`,
    );
    const stillRunning = tick({
      dags: [dag],
      active: [active({ logicalDate: day(1) }, 'a=running'), active({ logicalDate: day(2) })],
    });
    expect(summarize(stillRunning.commands)).toEqual([]);
    expect(stillRunning.notes.map((n) => n.reason)).toContain(
      `depends_on_past: "a" is running in the previous run manual__${day(1)}`,
    );
  });

  it('catchup runs created in the same tick wait for each other with depends_on_past', () => {
    const plan = tick({ dags: [daily({ tasks: [t('a', [], { dependsOnPast: true })] })] });
    expect(summarize(plan.commands).filter((c) => !c.startsWith('create') && !c.startsWith('start'))).toEqual(
      ['queue a'],
    );
    expect(plan.commands.at(-1)).toMatchObject({ key: { runId: 'scheduled__2024-01-01T00:00:00+00:00' } });
  });

  it('DAGs are planned in dagId order', () => {
    const plan = tick({
      dags: [daily({ dagId: 'zeta', catchup: false }), daily({ dagId: 'alpha', catchup: false })],
    });
    expect(plan.commands.filter((c) => c.kind === 'create_run').map((c) => c.dagId)).toEqual([
      'alpha',
      'zeta',
    ]);
  });
});

describe('planTick: concurrency (max_active_tasks, pools, priority)', () => {
  const roots = (overrides: Partial<DagSpec> = {}, ...tasks: ReturnType<typeof t>[]) =>
    specOf({ tasks: tasks.length > 0 ? tasks : [t('x'), t('y'), t('z')], ...overrides });
  const queued = (plan: ReturnType<typeof tick>) =>
    summarize(plan.commands).filter((c) => c.startsWith('queue'));
  const waits = (plan: ReturnType<typeof tick>) => plan.notes.map((n) => `${n.key.taskId}: ${n.reason}`);

  it('maxActiveTasks counts queued and running instances of the DAG', () => {
    const dag = roots({ maxActiveTasks: 2 }, t('w'), t('x'), t('y'));
    const plan = tick({ dags: [dag], active: [active({}, 'w=running')] });
    expect(queued(plan)).toEqual(['queue x']);
    expect(waits(plan)).toEqual(['y: max_active_tasks reached for DAG "d"']);
  });

  it('pool slots are shared across runs and DAGs; a full pool waits with a reason', () => {
    const inPool = (id: string, slots = 1) => t(id, [], { pool: 'p', poolSlots: slots });
    const other = specOf({ dagId: 'other', tasks: [inPool('w')] });
    const plan = tick({
      dags: [roots({}, inPool('x'), inPool('y')), other],
      active: [
        active({}),
        { run: runOf({ dagId: 'other' }), instances: [ti('w=running', healthy, runOf({ dagId: 'other' }))] },
      ],
      pools: new Map([['p', 2]]),
    });
    expect(queued(plan)).toEqual(['queue x']);
    expect(waits(plan)).toEqual(['y: pool full: "p" has 0 of 2 slots free, needs 1']);
  });

  it.each<
    [
      name: string,
      pools: Map<string, number> | undefined,
      task: ReturnType<typeof t>,
      queuedIds: string[],
      note?: string,
    ]
  >([
    ['no pools configured: unlimited', undefined, t('x', [], { pool: 'p', poolSlots: 50 }), ['queue x']],
    [
      'a task needing more slots than the pool has says so instead of "pool full"',
      new Map([['p', 2]]),
      t('x', [], { pool: 'p', poolSlots: 3 }),
      [],
      'pool "p" has 2 slots, fewer than the 3 this task needs; resize the pool or lower poolSlots',
    ],
    [
      'a task needing every slot of an empty pool runs',
      new Map([['p', 3]]),
      t('x', [], { pool: 'p', poolSlots: 3 }),
      ['queue x'],
    ],
    [
      'a pool of 0 slots holds its tasks back',
      new Map([['p', 0]]),
      t('x', [], { pool: 'p' }),
      [],
      'pool "p" has 0 slots, fewer than the 1 this task needs; resize the pool or lower poolSlots',
    ],
    [
      'a resized default_pool is a pool like any other',
      new Map([['default_pool', 0]]),
      t('x'),
      [],
      'pool "default_pool" has 0 slots, fewer than the 1 this task needs; resize the pool or lower poolSlots',
    ],
    [
      'an unknown pool never runs',
      new Map([['p', 2]]),
      t('x', [], { pool: 'nope' }),
      [],
      'pool "nope" does not exist; create it or use another pool',
    ],
    ['default_pool exists (128 slots) when not configured', new Map([['p', 2]]), t('x'), ['queue x']],
  ])('%s', (_name, pools, task, queuedIds, note) => {
    const plan = tick({ dags: [specOf({ tasks: [task] })], active: [active({})], ...(pools && { pools }) });
    expect(queued(plan)).toEqual(queuedIds);
    if (note) expect(plan.notes.map((n) => n.reason)).toEqual([note]);
  });

  it('higher priorityWeight is queued first when slots are scarce', () => {
    const dag = roots(
      { maxActiveTasks: 2 },
      t('x', [], { priorityWeight: 1 }),
      t('y', [], { priorityWeight: 5 }),
      t('z', [], { priorityWeight: 3 }),
    );
    const plan = tick({ dags: [dag], active: [active({})] });
    expect(queued(plan)).toEqual(['queue y', 'queue z']);
    expect(waits(plan)).toEqual(['x: max_active_tasks reached for DAG "d"']);
  });

  it('at equal priority the older run goes first', () => {
    const dag = roots({ maxActiveTasks: 1 }, t('x'));
    const plan = tick({
      dags: [dag],
      active: [active({ logicalDate: day(3) }), active({ logicalDate: day(2) })],
    });
    expect(plan.commands).toEqual([
      expect.objectContaining({
        kind: 'queue_task',
        key: expect.objectContaining({ runId: `manual__${day(2)}` }),
      }),
    ]);
  });

  it('commands beyond maxCommands are cut and the plan says so', () => {
    const input = { dags: [roots()], active: [active({})] };
    const full = tick(input);
    expect(full.commands).toHaveLength(3);
    const cut = tick({ ...input, limits: { ...LIMITS, maxCommands: 2 } });
    expect(cut).toMatchObject({ truncated: true, commands: full.commands.slice(0, 2) });
    expect(tick({ ...input, limits: { ...LIMITS, maxCommands: 3 } }).truncated).toBe(false);
  });
});

describe('planTick: runs are pinned to the bundle version they started with', () => {
  const manual = specOf({ tasks: linear('a', 'b') });

  it('plans an active run with the DAG of its own bundle version, not the current one', () => {
    const old = specOf({ tasks: linear('a', 'old_b') });
    const run = active({ state: 'running', bundleVersion: 'v1' }, 'a=success');
    const plan = tick({ dags: [manual], active: [run], runDags: new Map([['v1', [old]]]) });
    expect(summarize(plan.commands)).toEqual(['queue old_b']);
  });

  it('keeps planning the active runs of a DAG that left the current bundle', () => {
    const run = active({ state: 'running', bundleVersion: 'v1' }, 'a=success', 'b=success');
    const plan = tick({ dags: [], active: [run], runDags: new Map([['v1', [manual]]]) });
    expect(summarize(plan.commands)).toEqual(['finish success']);
  });

  it('notes a run whose bundle is not loaded instead of planning it with a wrong DAG', () => {
    const run = active({ state: 'running', bundleVersion: 'v1' }, 'a=success');
    const plan = tick({ dags: [], active: [run] });
    expect(plan.commands).toEqual([]);
    expect(plan.notes.map((n) => n.reason)).toEqual(['bundle v1 of this run is not loaded']);
  });

  it('does not plan the tasks of a paused DAG’s running run', () => {
    const run = active({ state: 'running' }, 'a=success');
    const plan = tick({ dags: [manual], active: [run], dagStates: states(dagState({ isPaused: true })) });
    expect(plan.commands).toEqual([]);
  });
});
