import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../../functions/core/graph';
import { allocate, type Budget, type Candidate } from '../../../../functions/core/planner/allocate';
import { invalidBranchChoice } from '../../../../functions/core/planner/forced-skips';
import { budgetFor } from '../../../../functions/core/planner/plan-tick';
import { runOf, specOf, t, ti } from './fixtures';

/** `x@d:3/p×2` → candidate x of DAG d, priority 3, pool p, 2 slots (all but the id optional). */
function candidate(spec: string, logicalDate = '2024-01-01T00:00:00.000Z'): Candidate {
  const [, taskId, dagId = 'd', weight = '1', pool = 'default_pool', slots = '1'] =
    /^(\w+)(?:@(\w+))?(?::(\d+))?(?:\/(\w+))?(?:×(\d+))?$/.exec(spec)!;
  return {
    key: { dagId, runId: `r-${logicalDate}`, taskId: taskId!, mapIndex: -1 },
    from: 'none',
    tryNumber: 1,
    priorityWeight: Number(weight),
    pool,
    poolSlots: Number(slots),
    memoryMiB: 1024,
    reason: 'ready',
    logicalDate,
  };
}
const budget = (dagSlots: Record<string, number>, pools?: Record<string, number>): Budget => ({
  dagSlots: new Map(Object.entries(dagSlots)),
  ...(pools && { poolSlots: new Map(Object.entries(pools)), poolSizes: new Map(Object.entries(pools)) }),
});

describe('allocate', () => {
  it.each<[name: string, candidates: string[], budget: Budget, queued: string[]]>([
    ['everything fits', ['x', 'y'], budget({ d: 16 }), ['x', 'y']],
    ['a DAG without a budget entry is unlimited', ['x@e', 'y@e'], budget({}), ['x', 'y']],
    ['DAG slots are counted per DAG', ['x@d', 'y@d', 'z@e'], budget({ d: 1, e: 1 }), ['x', 'z']],
    ['highest priority first', ['x:1', 'y:9', 'z:5'], budget({ d: 2 }), ['y', 'z']],
    ['equal priority keeps input order', ['x', 'y', 'z'], budget({ d: 2 }), ['x', 'y']],
    [
      'pool slots are consumed by poolSlots',
      ['x/p×2', 'y/p×2', 'z/p×1'],
      budget({ d: 9 }, { p: 3 }),
      ['x', 'z'],
    ],
    [
      'a task that does not fit does not block a smaller one after it',
      ['x/p×3', 'y/p×1'],
      budget({ d: 9 }, { p: 2 }),
      ['y'],
    ],
    [
      'a DAG-slot wait does not consume pool slots',
      ['x@d/p', 'y@e/p'],
      budget({ d: 0, e: 1 }, { p: 1 }),
      ['y'],
    ],
  ])('%s', (_name, specs, b, queued) => {
    const { commands } = allocate(
      specs.map((s) => candidate(s)),
      b,
    );
    expect(commands.map((c) => (c.kind === 'queue_task' ? c.key.taskId : c.kind))).toEqual(queued);
  });

  it('older logical dates first at equal priority; priority beats age', () => {
    const { commands } = allocate(
      [
        candidate('new', '2024-01-03T00:00:00.000Z'),
        candidate('old', '2024-01-01T00:00:00.000Z'),
        candidate('hi:2', '2024-01-09T00:00:00.000Z'),
      ],
      budget({ d: 2 }),
    );
    expect(commands.map((c) => (c.kind === 'queue_task' ? c.key.taskId : ''))).toEqual(['hi', 'old']);
  });

  it('queue commands carry from, try number, memory and reason; waits become notes', () => {
    const { commands, notes } = allocate([candidate('x/p'), candidate('y/p')], budget({ d: 9 }, { p: 1 }));
    expect(commands).toEqual([
      {
        kind: 'queue_task',
        key: candidate('x').key,
        from: 'none',
        tryNumber: 1,
        memoryMiB: 1024,
        reason: 'ready',
      },
    ]);
    expect(notes).toEqual([
      { key: candidate('y').key, reason: 'pool full: "p" has 0 of 1 slots free, needs 1' },
    ]);
  });

  it.each<[name: string, spec: string, pools: Record<string, number>, note: string]>([
    ['partly free', 'x/p×2', { p: 1 }, 'pool full: "p" has 1 of 3 slots free, needs 2'],
    ['unknown pool', 'x/q', { p: 1 }, 'pool "q" does not exist; create it or use another pool'],
    [
      'more slots than the pool has',
      'x/p×4',
      { p: 3 },
      'pool "p" has 3 slots, fewer than the 4 this task needs; resize the pool or lower poolSlots',
    ],
  ])('a pool wait says why: %s', (_name, spec, free, note) => {
    const b: Budget = {
      dagSlots: new Map(),
      poolSlots: new Map(Object.entries(free)),
      poolSizes: new Map([['p', 3]]),
    };
    const { commands, notes } = allocate([candidate(spec)], b);
    expect(commands).toEqual([]);
    expect(notes.map((n) => n.reason)).toEqual([note]);
  });

  it('queued tasks use up pool slots for the tasks after them', () => {
    const b = budget({ d: 9 }, { p: 3 });
    const { commands, notes } = allocate(
      ['a/p×2', 'b/p×2', 'c/p'].map((s) => candidate(s)),
      b,
    );
    expect(commands.map((c) => (c.kind === 'queue_task' ? c.key.taskId : ''))).toEqual(['a', 'c']);
    expect(notes.map((n) => n.reason)).toEqual(['pool full: "p" has 1 of 3 slots free, needs 2']);
    expect(b.poolSlots).toEqual(new Map([['p', 0]]));
  });

  it('an unknown pool size reads as "?"', () => {
    const { notes } = allocate([candidate('x/p')], { dagSlots: new Map(), poolSlots: new Map([['p', 0]]) });
    expect(notes[0]!.reason).toBe('pool full: "p" has 0 of ? slots free, needs 1');
  });
});

describe('budgetFor', () => {
  const dag = specOf({
    maxActiveTasks: 4,
    tasks: [t('a', [], { pool: 'p', poolSlots: 2 }), t('b'), t('c'), t('d')],
  });
  const run = runOf();
  const instances = [ti('a=running'), ti('b=queued'), ti('c=success'), ti('d=up_for_retry')];

  it('subtracts queued and running instances from DAG and pool budgets', () => {
    const b = budgetFor({ dags: [dag], active: [{ run, instances }], pools: new Map([['p', 5]]) });
    expect(b.dagSlots).toEqual(new Map([['d', 2]]));
    expect(b.poolSlots).toEqual(
      new Map([
        ['p', 3],
        ['default_pool', 127],
      ]),
    );
    expect(b.poolSizes).toEqual(
      new Map([
        ['p', 5],
        ['default_pool', 128],
      ]),
    );
  });

  it('a configured default_pool keeps its size', () => {
    const b = budgetFor({ dags: [dag], active: [], pools: new Map([['default_pool', 4]]) });
    expect(b.poolSlots).toEqual(new Map([['default_pool', 4]]));
  });

  it('counts an instance against the pool of the DAG version its run is pinned to', () => {
    const current = specOf({ tasks: [t('a', [], { pool: 'q' })] });
    const pinned = specOf({ tasks: [t('a', [], { pool: 'p', poolSlots: 2 })] });
    const old = runOf({ bundleVersion: 'v0' });
    const b = budgetFor({
      dags: [current],
      active: [{ run: old, instances: [ti('a=queued', {}, old)] }],
      runDags: new Map([['v0', [pinned]]]),
      pools: new Map([
        ['p', 5],
        ['q', 5],
      ]),
    });
    expect(b.poolSlots?.get('p')).toBe(3);
    expect(b.poolSlots?.get('q')).toBe(5);
  });

  it('without pools there is no pool budget', () => {
    const b = budgetFor({ dags: [dag], active: [{ run, instances }] });
    expect(b).toEqual({ dagSlots: new Map([['d', 2]]) });
  });
});

describe('invalidBranchChoice', () => {
  const dag = specOf({
    tasks: [t('pick'), t('a', ['pick']), t('grp.x', ['pick']), t('later', ['a'])],
  });
  const graph = buildGraph(dag.tasks);

  it.each<[chosen: string[], problem: string | undefined]>([
    [['a'], undefined],
    [['grp'], undefined],
    [['grp.x', 'a'], undefined],
    [[], undefined],
    [
      ['later'],
      'branch "pick" returned "later", which is not a direct downstream task (options: "a", "grp.x")',
    ],
    [
      ['nope', 'a', 'gr'],
      'branch "pick" returned "nope", "gr", which is not a direct downstream task (options: "a", "grp.x")',
    ],
  ])('%j → %s', (chosen, problem) => {
    expect(invalidBranchChoice(graph, 'pick', chosen)).toBe(problem);
  });

  it('a branch without downstream lists no options', () => {
    expect(invalidBranchChoice(graph, 'later', ['a'])).toMatch(/\(options: none\)$/);
  });
});
