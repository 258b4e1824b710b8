import { describe, expect, it } from 'vitest';
import type { DagSpec, InputSpec, JsonValue } from '../../../../functions/core/model';
import type { TaskInstanceRecord } from '../../../../functions/core/records';
import { LIMITS, planOf, specOf, summarizePlan, t, ti } from './fixtures';

const literal = (value: JsonValue): InputSpec => ({ kind: 'literal', value });
const xcom = (taskId: string): InputSpec => ({ kind: 'xcom', taskId, key: 'return_value' });

/** m mapped over a literal; sink after it. */
const overLiteral = (value: JsonValue) =>
  specOf({ tasks: [t('m', [], { mapped: { over: literal(value) } }), t('sink', ['m'])] });
/** up → m (mapped over up's return value) → sink. */
const overUpstream = specOf({
  tasks: [
    t('up'),
    t('m', ['up'], { mapped: { over: xcom('up') }, inputs: [literal('fixed')] }),
    t('sink', ['m']),
  ],
});
/** up (mapped over a literal) → m (mapped over up's results) → sink. */
const overMapped = specOf({
  tasks: [
    t('up', [], { mapped: { over: literal([1, 2, 3]) } }),
    t('m', ['up'], { mapped: { over: xcom('up') } }),
    t('sink', ['m']),
  ],
});

type Row = [name: string, dag: DagSpec, instances: TaskInstanceRecord[], expected: string[], reason?: string];

describe('planRun: dynamic task mapping (expand)', () => {
  it.each<Row>([
    [
      'a literal list expands to one ready instance per element',
      overLiteral([10, 20, 30]),
      [],
      ['expand m×3', 'ready m[0]', 'ready m[1]', 'ready m[2]'],
      'expand: 3 instances over a literal list',
    ],
    [
      'an empty literal list skips the mapped task and its downstream',
      overLiteral([]),
      [],
      ['skip m', 'skip sink', 'finish success'],
      'expand: a literal list is empty, so the mapped task is skipped',
    ],
    [
      'a literal that is not a list fails the task',
      overLiteral('abc'),
      [],
      ['fail m→failed', 'upstream_failed sink', 'finish failed'],
      'expand: literal input is not a list',
    ],
    ['the upstream has not finished: the mapped task waits', overUpstream, [ti('up=running')], []],
    [
      'upstream returned a list of 3: 3 instances',
      overUpstream,
      [ti('up=success', { xcomLength: 3 })],
      ['expand m×3', 'ready m[0]', 'ready m[1]', 'ready m[2]'],
      'expand: 3 instances over the list returned by "up"',
    ],
    [
      'upstream returned an empty list: skipped',
      overUpstream,
      [ti('up=success', { xcomLength: 0 })],
      ['skip m', 'skip sink', 'finish success'],
      'expand: the list returned by "up" is empty, so the mapped task is skipped',
    ],
    [
      'upstream returned a value that is not a list: the mapped task fails',
      overUpstream,
      [ti('up=success', { xcomLength: null })],
      ['fail m→failed', 'upstream_failed sink', 'finish failed'],
      'expand: "up" did not return a list (mapping needs a list, got a non-list XCom)',
    ],
    [
      'upstream returned more elements than max_map_length: fails naming the limit',
      overUpstream,
      [ti('up=success', { xcomLength: LIMITS.maxMapLength + 1 })],
      ['fail m→failed', 'upstream_failed sink', 'finish failed'],
      `expand: ${LIMITS.maxMapLength + 1} elements in the list returned by "up" exceed the limit of ${LIMITS.maxMapLength} (max_map_length)`,
    ],
    [
      'exactly max_map_length elements are allowed',
      overUpstream,
      [ti('up=success', { xcomLength: LIMITS.maxMapLength })],
      expect.arrayContaining([`expand m×${LIMITS.maxMapLength}`]) as unknown as string[],
    ],
    [
      'mapping over a mapped upstream: one instance per successful upstream instance',
      overMapped,
      [ti('up[0]=success'), ti('up[1]=success'), ti('up[2]=success')],
      ['expand m×3', 'ready m[0]', 'ready m[1]', 'ready m[2]'],
      'expand: 3 instances over the 3 results of mapped task "up"',
    ],
    [
      'downstream of a mapped task waits for every instance',
      overLiteral([1, 2]),
      [ti('m[0]=success'), ti('m[1]=running')],
      [],
    ],
    [
      'downstream of a mapped task runs when all instances succeeded',
      overLiteral([1, 2]),
      [ti('m[0]=success'), ti('m[1]=success')],
      ['ready sink'],
    ],
    [
      'one failed map instance fails the downstream',
      overLiteral([1, 2]),
      [ti('m[0]=success'), ti('m[1]=failed')],
      ['upstream_failed sink', 'finish failed'],
    ],
    [
      'expanded instances not yet queued are planned individually',
      overLiteral([1, 2]),
      [ti('m[0]=success'), ti('m[1]=none')],
      ['ready m[1]'],
    ],
    [
      'a cleared unexpanded instance (stored at -1, back to none) is expanded again, never run at -1',
      overLiteral([1, 2]),
      [ti('m=none')],
      ['expand m×2', 'ready m[0]', 'ready m[1]'],
    ],
    [
      'a failed upstream fails the mapped task before any expansion',
      overUpstream,
      [ti('up=failed')],
      ['upstream_failed m', 'upstream_failed sink', 'finish failed'],
    ],
  ])('%s', (_name, dag, instances, expected, reason) => {
    const plan = planOf(dag, instances);
    expect(summarizePlan(plan)).toEqual(expected);
    if (reason) expect(plan.commands[0]).toMatchObject({ reason });
  });

  it('expand_task names the task and count; map instances start from none at try 1', () => {
    const plan = planOf(overLiteral(['x', 'y']), []);
    expect(plan.commands).toEqual([
      {
        kind: 'expand_task',
        dagId: 'd',
        runId: plan.ready[0]!.key.runId,
        taskId: 'm',
        count: 2,
        reason: expect.any(String),
      },
    ]);
    expect(plan.ready.map((r) => [r.key.mapIndex, r.from, r.tryNumber])).toEqual([
      [0, 'none', 1],
      [1, 'none', 1],
    ]);
  });

  it('a mapping failure is a terminal failure of the unexpanded instance (no retry)', () => {
    const dag = specOf({ tasks: [t('up'), t('m', ['up'], { mapped: { over: xcom('up') }, retries: 3 })] });
    const plan = planOf(dag, [ti('up=success', { xcomLength: null })]);
    expect(plan.commands[0]).toMatchObject({
      kind: 'fail_task',
      key: { taskId: 'm', mapIndex: -1 },
      from: 'none',
      outcome: 'failed',
    });
  });
});
