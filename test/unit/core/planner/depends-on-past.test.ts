import { describe, expect, it } from 'vitest';
import type { DagRunRecord, TaskInstanceRecord } from '../../../../functions/core/records';
import type { DagRunState } from '../../../../functions/core/states';
import { planOf, runOf, specOf, summarizePlan, t, ti } from './fixtures';

// a (depends_on_past) → b
const dag = specOf({ tasks: [t('a', [], { dependsOnPast: true }), t('b', ['a'])] });
const previousRun = (state: DagRunState): DagRunRecord =>
  runOf({ logicalDate: '2024-01-01T00:00:00.000Z', state, runType: 'scheduled' });
const previous = (state: DagRunState, ...specs: string[]) => {
  const run = previousRun(state);
  return { run, instances: specs.map((s) => ti(s, {}, run)) };
};

type Row = [
  name: string,
  prev: { run: DagRunRecord; instances: TaskInstanceRecord[] } | null,
  expected: string[],
  reason?: RegExp,
];

describe('planRun: depends_on_past (Airflow PrevDagrunDep)', () => {
  it.each<Row>([
    ['first run (no previous run): runs', null, ['ready a']],
    ['previous instance succeeded: runs', previous('success', 'a=success', 'b=success'), ['ready a']],
    ['previous instance skipped: runs', previous('success', 'a=skipped', 'b=skipped'), ['ready a']],
    // Airflow's `should_schedule` excludes depends_on_past tasks from deadlock detection: the run
    // waits (running) until the previous run is cleared or fixed.
    [
      'previous instance failed and its run is over: waits, no deadlock',
      previous('failed', 'a=failed', 'b=upstream_failed'),
      [],
    ],
    ['previous instance still running: waits, no deadlock', previous('running', 'a=running'), []],
    ['previous instance up for retry: waits, no deadlock', previous('running', 'a=up_for_retry'), []],
    ['previous run queued, no instance yet: waits, no deadlock', previous('queued'), []],
    ['previous run finished without this task: never ran, waits', previous('success', 'b=success'), []],
  ])('%s', (_name, prev, expected, reason) => {
    const plan = planOf(dag, [], { previous: prev });
    expect(summarizePlan(plan)).toEqual(expected);
    if (reason)
      expect(plan.commands.at(-1)).toMatchObject({
        kind: 'finish_run',
        reason: expect.stringMatching(reason),
      });
  });

  it('the wait note names the previous run and state', () => {
    const prev = previous('running', 'a=running');
    const plan = planOf(dag, [], { previous: prev });
    expect(plan.notes[0]).toMatchObject({
      key: { taskId: 'a' },
      reason: `depends_on_past: "a" is running in the previous run ${prev.run.runId}`,
    });
  });

  it('tasks without depends_on_past ignore the previous run', () => {
    const plain = specOf({ tasks: [t('a')] });
    expect(summarizePlan(planOf(plain, [], { previous: previous('failed', 'a=failed') }))).toEqual([
      'ready a',
    ]);
  });

  // Airflow 2.7+ checks every map index of the previous run: the mapped task is one unexpanded
  // instance (-1) before expansion, while the previous run holds its expanded instances 0..n.
  it.each<[name: string, specs: string[], expected: string[]]>([
    [
      'mapped task: all previous map instances succeeded → expands',
      ['m[0]=success', 'm[1]=success'],
      ['expand m×2', 'ready m[0]', 'ready m[1]'],
    ],
    ['mapped task: a previous map instance failed → waits', ['m[0]=success', 'm[1]=failed'], []],
  ])('%s', (_name, specs, expected) => {
    const mapped = specOf({
      tasks: [t('m', [], { dependsOnPast: true, mapped: { over: { kind: 'literal', value: [1, 2] } } })],
    });
    expect(summarizePlan(planOf(mapped, [], { previous: previous('success', ...specs) }))).toEqual(expected);
  });
});
