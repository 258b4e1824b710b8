import { describe, expect, it } from 'vitest';
import type { DagSpec, TaskSpec } from '../../../../functions/core/model';
import type { TaskInstanceRecord } from '../../../../functions/core/records';
import { linear, op, planOf, runOf, specOf, summarizePlan, t, ti } from './fixtures';

type Row = [name: string, dag: DagSpec, instances: TaskInstanceRecord[], expected: string[]];

const chain3 = specOf({ tasks: linear('a', 'b', 'c') });

describe('planRun: linear DAG a → b → c', () => {
  it.each<Row>([
    ['first pass queues only the root', chain3, [], ['ready a']],
    ['after the root succeeds the next task is ready', chain3, [ti('a=success')], ['ready b']],
    ['a running task blocks its downstream', chain3, [ti('a=running')], []],
    [
      'a failure cascades upstream_failed through the whole chain in one pass',
      chain3,
      [ti('a=failed')],
      ['upstream_failed b', 'upstream_failed c', 'finish failed'],
    ],
    [
      'a skip propagates through all_success tasks',
      chain3,
      [ti('a=skipped')],
      ['skip b', 'skip c', 'finish success'],
    ],
    [
      'all leaves succeeded: the run succeeds',
      chain3,
      [ti('a=success'), ti('b=success'), ti('c=success')],
      ['finish success'],
    ],
    [
      'an all_done task after a failure still runs',
      specOf({ tasks: [t('a'), t('b', ['a']), t('c', ['b'], { triggerRule: 'all_done' })] }),
      [ti('a=success'), ti('b=failed')],
      ['ready c'],
    ],
    [
      'a failed inner task with a succeeding all_done leaf: run succeeds (only leaves count)',
      specOf({ tasks: [t('a'), t('b', ['a'], { triggerRule: 'all_done' })] }),
      [ti('a=failed'), ti('b=success')],
      ['finish success'],
    ],
    [
      'two roots are ready together; a task with both upstreams waits',
      specOf({ tasks: [t('x'), t('y'), t('z', ['x', 'y'])] }),
      [],
      ['ready x', 'ready y'],
    ],
    [
      'a scheduled instance (set by an older applier) is planned like a new one',
      chain3,
      [ti('a=scheduled')],
      ['ready a'],
    ],
    [
      'instances of tasks no longer in the DAG are ignored',
      chain3,
      [ti('a=success'), ti('b=success'), ti('c=success'), ti('gone=failed')],
      ['finish success'],
    ],
  ])('%s', (_name, dag, instances, expected) => {
    expect(summarizePlan(planOf(dag, instances))).toEqual(expected);
  });

  it('a ready task starts at try 1 from its stored state; waiting tasks get notes', () => {
    const plan = planOf(chain3, []);
    expect(plan.ready).toEqual([
      {
        key: { dagId: 'd', runId: runOf().runId, taskId: 'a', mapIndex: -1 },
        from: 'none',
        tryNumber: 1,
        priorityWeight: 1,
        pool: 'default_pool',
        poolSlots: 1,
        memoryMiB: 1024,
        reason: 'trigger rule all_success: no upstream tasks',
      },
    ]);
    expect(plan.notes.map((n) => [n.key.taskId, n.reason])).toEqual([
      [
        'b',
        'trigger rule all_success: waiting for 1 of 1 upstream tasks to succeed (1 upstream: 1 not done)',
      ],
      [
        'c',
        'trigger rule all_success: waiting for 1 of 1 upstream tasks to succeed (1 upstream: 1 not done)',
      ],
    ]);
  });

  it('the failed run names the leaf and the cascade reasons name the failed upstream', () => {
    const plan = planOf(chain3, [ti('a=failed')]);
    const byKind = Object.fromEntries(
      plan.commands.map((c) => [`${c.kind} ${'key' in c ? c.key.taskId : ''}`, c]),
    );
    expect(byKind['finish_run ']).toMatchObject({
      state: 'failed',
      reason: 'leaf tasks failed: c (upstream_failed)',
    });
    expect(byKind['mark_upstream_failed b']).toMatchObject({
      from: 'none',
      reason: 'trigger rule all_success: 1 of 1 upstream tasks failed (1 upstream: 1 failed)',
    });
  });

  it('a success names the number of leaves', () => {
    const plan = planOf(chain3, [ti('a=success'), ti('b=success'), ti('c=skipped')]);
    expect(plan.commands).toEqual([
      {
        kind: 'finish_run',
        dagId: 'd',
        runId: runOf().runId,
        state: 'success',
        reason: 'all 1 leaf task instances succeeded or were skipped',
      },
    ]);
  });

  it('cascades a failure through a 2,000-task chain in one pass', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `t${i}`);
    const plan = planOf(specOf({ tasks: linear(...ids) }), [ti('t0=failed')]);
    expect(plan.commands.filter((c) => c.kind === 'mark_upstream_failed')).toHaveLength(1999);
    expect(plan.commands.at(-1)).toMatchObject({ kind: 'finish_run', state: 'failed' });
  });
});

// pick ─► a ─► join ◄─ b ◄─ pick ; join: none_failed_min_one_success
const branchJoin = specOf({
  tasks: [
    t('pick', [], { operator: op.branch }),
    t('a', ['pick']),
    t('b', ['pick']),
    t('join', ['a', 'b'], { triggerRule: 'none_failed_min_one_success' }),
  ],
});
// Airflow's "empty branch": pick ─► a ─► join, pick ─► join.
const emptyBranch = (joinRule: TaskSpec['triggerRule']) =>
  specOf({
    tasks: [
      t('pick', [], { operator: op.branch }),
      t('a', ['pick']),
      t('join', ['pick', 'a'], { triggerRule: joinRule }),
    ],
  });
const picked = (...ids: string[]) => ti('pick=success', { followTaskIds: ids });

describe('planRun: branching (Airflow SkipMixin.skip_all_except)', () => {
  it.each<Row>([
    ['the non-chosen direct downstream is skipped', branchJoin, [picked('a')], ['skip b', 'ready a']],
    ['the join waits for the chosen branch', branchJoin, [picked('a'), ti('a=running')], ['skip b']],
    [
      'the join with none_failed_min_one_success runs after the chosen branch',
      branchJoin,
      [picked('a'), ti('a=success'), ti('b=skipped')],
      ['ready join'],
    ],
    ['choosing both runs both', branchJoin, [picked('a', 'b')], ['ready a', 'ready b']],
    [
      'choosing nothing skips every direct downstream, then the join by its rule; the run succeeds',
      branchJoin,
      [picked()],
      ['skip a', 'skip b', 'skip join', 'finish success'],
    ],
    [
      'a join that is also a direct downstream is not skipped when it is downstream of the choice',
      emptyBranch('none_failed_min_one_success'),
      [picked('a')],
      ['ready a'],
    ],
    [
      'choosing the join directly skips the other branch and runs the join',
      emptyBranch('none_failed_min_one_success'),
      [picked('join')],
      ['skip a', 'ready join'],
    ],
    [
      'with all_success the join is skipped when the skipped branch feeds it (why joins need another rule)',
      emptyBranch('all_success'),
      [picked('join')],
      ['skip a', 'skip join', 'finish success'],
    ],
    [
      'the skipped branch skips its own downstream through trigger rules in the same pass',
      specOf({
        tasks: [t('pick', [], { operator: op.branch }), t('a', ['pick']), t('b', ['pick']), t('b2', ['b'])],
      }),
      [picked('a')],
      ['skip b', 'skip b2', 'ready a'],
    ],
    [
      'a group id stands for its tasks',
      specOf({
        tasks: [
          t('pick', [], { operator: op.branch }),
          t('grp.x', ['pick']),
          t('grp.y', ['grp.x']),
          t('other', ['pick']),
        ],
      }),
      [picked('grp')],
      ['skip other', 'ready grp.x'],
    ],
    ['a branch that has not finished decides nothing yet', branchJoin, [ti('pick=running')], []],
  ])('%s', (_name, dag, instances, expected) => {
    expect(summarizePlan(planOf(dag, instances))).toEqual(expected);
  });

  it('the skip reason names the branch and its choice', () => {
    const plan = planOf(branchJoin, [picked('a')]);
    expect(plan.commands).toEqual([
      expect.objectContaining({ kind: 'skip_task', from: 'none', reason: 'branch "pick" chose "a"' }),
    ]);
    expect(planOf(branchJoin, [picked()]).commands[0]).toMatchObject({
      reason: 'branch "pick" chose nothing',
    });
  });
});

// sc ─► a ─► b (all_done) ; x ─► b
const shortCircuitDag = (ignoreDownstreamTriggerRules: boolean) =>
  specOf({
    tasks: [
      t('sc', [], { operator: op.shortCircuit(ignoreDownstreamTriggerRules) }),
      t('x'),
      t('a', ['sc']),
      t('b', ['a', 'x'], { triggerRule: 'all_done' }),
    ],
  });
const circuited = (value: boolean) => ti('sc=success', { shortCircuited: value });

describe('planRun: short-circuit', () => {
  it.each<Row>([
    [
      'ignoreDownstreamTriggerRules true: everything downstream is skipped, whatever its rule',
      shortCircuitDag(true),
      [circuited(true), ti('x=success')],
      ['skip a', 'skip b', 'finish success'],
    ],
    [
      'ignoreDownstreamTriggerRules false: only direct downstream is skipped, then trigger rules apply',
      shortCircuitDag(false),
      [circuited(true), ti('x=success')],
      ['skip a', 'ready b'],
    ],
    [
      'a truthy result lets downstream run',
      shortCircuitDag(true),
      [circuited(false), ti('x=success')],
      ['ready a'],
    ],
  ])('%s', (_name, dag, instances, expected) => {
    expect(summarizePlan(planOf(dag, instances))).toEqual(expected);
  });

  it('reasons say which short-circuit skipped the task and how far', () => {
    const reasons = planOf(shortCircuitDag(true), [circuited(true), ti('x=success')]).commands.map((c) =>
      'reason' in c ? c.reason : '',
    );
    expect(reasons.slice(0, 2)).toEqual([
      'short-circuit "sc" returned a falsy value',
      'short-circuit "sc" returned a falsy value (skips everything downstream)',
    ]);
  });
});

describe('planRun: dagrun_timeout (Airflow: unfinished instances skipped, run failed)', () => {
  // runOf() started 600 s before NOW.
  it.each<[name: string, timeout: number | undefined, instances: TaskInstanceRecord[], expected: string[]]>([
    [
      'timed out: every unfinished instance is skipped',
      300,
      [ti('a=running')],
      ['skip a', 'skip b', 'skip c', 'finish failed'],
    ],
    [
      'timed out: finished instances are left alone',
      300,
      [ti('a=success')],
      ['skip b', 'skip c', 'finish failed'],
    ],
    ['within the timeout: planned as usual', 900, [ti('a=success')], ['ready b']],
    ['no timeout set', undefined, [ti('a=success')], ['ready b']],
  ])('%s', (_name, dagrunTimeoutSeconds, instances, expected) => {
    const dag = specOf({
      tasks: linear('a', 'b', 'c'),
      ...(dagrunTimeoutSeconds && { dagrunTimeoutSeconds }),
    });
    expect(summarizePlan(planOf(dag, instances))).toEqual(expected);
  });

  it('writes from the stored state and gives the timeout as the reason', () => {
    const plan = planOf(specOf({ tasks: linear('a', 'b'), dagrunTimeoutSeconds: 300 }), [ti('a=running')]);
    expect(plan.commands[0]).toMatchObject({
      kind: 'skip_task',
      from: 'running',
      reason: 'dagrun_timeout: run exceeded 300s',
    });
    expect(plan.commands.at(-1)).toMatchObject({
      kind: 'finish_run',
      state: 'failed',
      reason: 'dagrun_timeout: run exceeded 300s',
    });
  });

  it('a run without a start date cannot time out', () => {
    const { startDate: _, ...unstarted } = runOf();
    const plan = planOf(specOf({ tasks: linear('a'), dagrunTimeoutSeconds: 1 }), [], { run: unstarted });
    expect(summarizePlan(plan)).toEqual(['ready a']);
  });
});
