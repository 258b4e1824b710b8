import { describe, expect, it } from 'vitest';
import { UNMAPPED } from '../../../../functions/core/model';
import { evaluateTriggerRule } from '../../../../functions/core/rules/trigger-rules';
import { countUpstream } from '../../../../functions/core/rules/upstream-counts';
import type { TaskState } from '../../../../functions/core/states';
import { TRIGGER_RULES, type TriggerRule } from '../../../../functions/core/trigger-rule';

// Expected decisions are read off Airflow 2.7–2.10 `trigger_rule_dep.py` (`_evaluate_direct_relatives`
// with flag_upstream_failed): phase 1 new states, then the passing checks. See the rule notes below.
const S: TaskState = 'success';
const F: TaskState = 'failed';
const K: TaskState = 'skipped';
const UF: TaskState = 'upstream_failed';
const R: TaskState = 'removed';
const N: TaskState = 'none';
const RUN: TaskState = 'running';

/** r run, w wait, s skip, u upstream_failed, x removed. */
const KIND = { r: 'run', w: 'wait', s: 'skip', u: 'upstream_failed', x: 'removed' } as const;
type Code = keyof typeof KIND;

/** Column order of the expectation rows (independent of TRIGGER_RULES' order on purpose). */
const COLUMNS: readonly TriggerRule[] = [
  'all_success',
  'all_failed',
  'all_done',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
];

type Scenario = [name: string, upstream: TaskState[], mapIndex: number, expected: Code[]];

// biome-ignore format: the table is aligned by column
const SCENARIOS: Scenario[] = [
  //                                                              AS   AF   AD   AK   OS   OF   OD   NF   NFM  NS   AL
  ['no upstream',                        [],                -1, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']],
  ['one success',                        [S],               -1, ['r', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 'r', 'r']],
  ['one failed',                         [F],               -1, ['u', 'r', 'r', 's', 'u', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['all success',                        [S, S, S],         -1, ['r', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 'r', 'r']],
  ['all failed',                         [F, F, F],         -1, ['u', 'r', 'r', 's', 'u', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['all skipped',                        [K, K, K],         -1, ['s', 's', 'r', 'r', 's', 's', 's', 'r', 's', 's', 'r']],
  // one_done counts only success/failed: all upstream_failed is "done with nothing", so skip.
  ['all upstream_failed',                [UF, UF, UF],      -1, ['u', 'r', 'r', 's', 'u', 'r', 's', 'u', 'u', 'r', 'r']],
  ['success, failed, skipped',           [S, F, K],         -1, ['u', 's', 'r', 's', 'r', 'r', 'r', 'u', 'u', 's', 'r']],
  ['success, success, failed',           [S, S, F],         -1, ['u', 's', 'r', 's', 'r', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['success, skipped',                   [S, K],            -1, ['s', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 's', 'r']],
  ['success, skipped, skipped',          [S, K, K],         -1, ['s', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 's', 'r']],
  // one_success: all done, not all skipped, no success → upstream_failed.
  ['failed, skipped',                    [F, K],            -1, ['u', 's', 'r', 's', 'u', 'r', 'r', 'u', 'u', 's', 'r']],
  ['upstream_failed, skipped',           [UF, K],           -1, ['u', 's', 'r', 's', 'u', 'r', 's', 'u', 'u', 's', 'r']],
  ['failed, upstream_failed',            [F, UF],           -1, ['u', 'r', 'r', 's', 'u', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['success, upstream_failed',           [S, UF],           -1, ['u', 's', 'r', 's', 'r', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['all five kinds, one not done',       [S, F, K, UF, N],  -1, ['u', 's', 'w', 's', 'r', 'r', 'r', 'u', 'u', 's', 'r']],
  // one_success/one_done run at the first success; all_success waits.
  ['success, running',                   [S, RUN],          -1, ['w', 's', 'w', 's', 'r', 'w', 'r', 'w', 'w', 'w', 'r']],
  ['up_for_retry, success',              ['up_for_retry', S], -1, ['w', 's', 'w', 's', 'r', 'w', 'r', 'w', 'w', 'w', 'r']],
  // all_success fails fast: upstream_failed while the other upstream still runs.
  ['failed, running',                    [F, RUN],          -1, ['u', 'w', 'w', 's', 'w', 'r', 'r', 'u', 'u', 'w', 'r']],
  ['upstream_failed, running',           [UF, RUN],         -1, ['u', 'w', 'w', 's', 'w', 'r', 'w', 'u', 'u', 'w', 'r']],
  ['skipped, running',                   [K, RUN],          -1, ['s', 's', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 's', 'r']],
  ['skipped, skipped, running',          [K, K, RUN],       -1, ['s', 's', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 's', 'r']],
  ['none, none',                         [N, N],            -1, ['w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'r']],
  ['queued, scheduled, up_for_reschedule', ['queued', 'scheduled', 'up_for_reschedule'], -1,
                                                                  ['w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'w', 'r']],
  ['success, success (mapped ti, nothing removed)', [S, S],  3, ['r', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 'r', 'r']],
  // Removed upstream instances only count as satisfied for a mapped ti (map_index > -1).
  ['success, success, removed (unmapped)', [S, S, R],       -1, ['w', 's', 'r', 's', 'r', 's', 'r', 'w', 'w', 'r', 'r']],
  ['success, success, removed (index 0)',  [S, S, R],        0, ['r', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 'r', 'r']],
  // all_success: map_index >= number of successes → removed.
  ['success, success, removed (index 2)',  [S, S, R],        2, ['x', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 'r', 'r']],
  ['3 success, removed (index 5)',       [S, S, S, R],       5, ['x', 's', 'r', 's', 'r', 's', 'r', 'r', 'r', 'r', 'r']],
  ['success, failed, removed (index 0)', [S, F, R],          0, ['u', 's', 'r', 's', 'r', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['failed, failed, removed (index 0)',  [F, F, R],          0, ['u', 'r', 'r', 's', 'u', 'r', 'r', 'u', 'u', 'r', 'r']],
  ['failed, failed, removed (unmapped)', [F, F, R],         -1, ['u', 'w', 'r', 's', 'u', 'r', 'r', 'u', 'u', 'r', 'r']],
  // none_failed_min_one_success runs with zero successes here: Airflow never re-checks "min one".
  ['skipped, removed (index 0)',         [K, R],             0, ['s', 's', 'r', 'w', 'u', 's', 's', 'r', 'r', 's', 'r']],
  ['skipped, skipped, removed (unmapped)', [K, K, R],       -1, ['s', 's', 'r', 'w', 'u', 's', 's', 'w', 'w', 's', 'r']],
  ['all removed (index 0)',              [R, R],             0, ['r', 'r', 'r', 'w', 'u', 's', 's', 'r', 'r', 'r', 'r']],
  ['all removed (unmapped)',             [R, R],            -1, ['w', 'w', 'r', 'w', 'u', 's', 's', 'w', 'w', 'r', 'r']],
  ['success, removed, running (index 1)', [S, R, RUN],       1, ['x', 's', 'w', 's', 'r', 'w', 'r', 'w', 'w', 'w', 'r']],
  ['success, removed, running (index 0)', [S, R, RUN],       0, ['w', 's', 'w', 's', 'r', 'w', 'r', 'w', 'w', 'w', 'r']],
];

const ROWS = SCENARIOS.flatMap(([name, upstream, mapIndex, expected]) =>
  COLUMNS.map((rule, col) => ({
    name,
    rule,
    upstream,
    mapIndex,
    kind: KIND[expected[col]!],
  })),
);

describe('evaluateTriggerRule', () => {
  it('has a full row per scenario and covers every rule', () => {
    for (const [name, , , expected] of SCENARIOS) expect(expected, name).toHaveLength(COLUMNS.length);
    expect([...COLUMNS].sort()).toEqual([...TRIGGER_RULES].sort());
  });

  it.each(ROWS)('$rule with [$upstream] at map index $mapIndex ($name) → $kind', (row) => {
    const decision = evaluateTriggerRule(row.rule, countUpstream(row.upstream), { mapIndex: row.mapIndex });
    expect(decision.kind).toBe(row.kind);
    expect(decision.reason).toMatch(new RegExp(`^trigger rule ${row.rule}: `));
  });

  it('defaults to an unmapped instance', () => {
    const counts = countUpstream([S, S, R]);
    expect(evaluateTriggerRule('all_success', counts).kind).toBe('wait');
    expect(evaluateTriggerRule('all_success', counts, { mapIndex: UNMAPPED }).kind).toBe('wait');
  });

  it.each([
    [
      'all_success',
      [S, F, RUN],
      'upstream_failed',
      'trigger rule all_success: 1 of 3 upstream tasks failed (3 upstream: 1 success, 1 failed, 1 not done)',
    ],
    [
      'all_success',
      [S, RUN, N],
      'wait',
      'trigger rule all_success: waiting for 2 of 3 upstream tasks to succeed (3 upstream: 1 success, 2 not done)',
    ],
    [
      'one_success',
      [K, K],
      'skip',
      'trigger rule one_success: all 2 upstream tasks skipped (2 upstream: 2 skipped)',
    ],
    [
      'one_success',
      [F, K],
      'upstream_failed',
      'trigger rule one_success: all upstream tasks finished, none succeeded (2 upstream: 1 failed, 1 skipped)',
    ],
    [
      'all_done',
      [UF, RUN],
      'wait',
      'trigger rule all_done: waiting for 1 of 2 upstream tasks to finish (2 upstream: 1 upstream_failed, 1 not done)',
    ],
    [
      'none_skipped',
      [S, RUN],
      'wait',
      'trigger rule none_skipped: waiting for 1 of 2 upstream tasks to finish (2 upstream: 1 success, 1 not done)',
    ],
    ['always', [], 'run', 'trigger rule always: no upstream tasks'],
  ] as const)('explains %s with %j as %s', (rule, states, kind, reason) => {
    expect(evaluateTriggerRule(rule, countUpstream(states))).toEqual({ kind, reason });
  });

  it('explains a removed mapped instance', () => {
    const decision = evaluateTriggerRule('all_success', countUpstream([S, S, R]), { mapIndex: 2 });
    expect(decision.reason).toContain('map index 2 is beyond the 2 successful upstream instances');
  });
});

describe('countUpstream', () => {
  it.each([
    [[], { upstream: 0, success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0, done: 0 }],
    [
      [S, F, K, UF, R, N, RUN],
      { upstream: 7, success: 1, skipped: 1, failed: 1, upstreamFailed: 1, removed: 1, done: 5 },
    ],
    // A mapped upstream with three map indexes plus an unmapped one: four instances.
    [
      [S, S, R, 'queued'],
      { upstream: 4, success: 2, skipped: 0, failed: 0, upstreamFailed: 0, removed: 1, done: 3 },
    ],
    [
      ['up_for_retry', 'up_for_reschedule', 'scheduled'],
      { upstream: 3, success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0, done: 0 },
    ],
  ] as const)('counts %j', (states, expected) => {
    expect(countUpstream(states)).toEqual(expected);
  });
});
