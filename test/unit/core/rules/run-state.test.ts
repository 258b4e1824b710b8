import { describe, expect, it } from 'vitest';
import { decideRunState, type RunStateInstance } from '../../../../functions/core/rules/run-state';
import type { TaskState } from '../../../../functions/core/states';

/** `task=state` or `task[2]=state`. */
const ti = (spec: string): RunStateInstance => {
  const match = /^(\w+)(?:\[(\d+)\])?=(\w+)$/.exec(spec);
  if (!match) throw new Error(`bad instance spec ${spec}`);
  return {
    taskId: match[1]!,
    mapIndex: match[2] === undefined ? -1 : Number(match[2]),
    state: match[3] as TaskState,
  };
};

// DAG: extract → transform → load, report (leaves: load, report).
const LEAVES = new Set(['load', 'report']);

type Row = [
  name: string,
  instances: string[],
  anyRunnable: boolean,
  state: 'running' | 'success' | 'failed',
  reason?: string,
];

const ROWS: Row[] = [
  [
    'all succeeded',
    ['extract=success', 'transform=success', 'load=success', 'report=success'],
    false,
    'success',
  ],
  [
    'leaves success or skipped',
    ['extract=success', 'transform=skipped', 'load=skipped', 'report=success'],
    false,
    'success',
  ],
  // Only leaves count: a failed inner task with a succeeding all_done leaf still succeeds.
  [
    'inner failure, leaves fine',
    ['extract=failed', 'transform=upstream_failed', 'load=success', 'report=success'],
    false,
    'success',
  ],
  [
    'a leaf failed',
    ['extract=success', 'transform=success', 'load=failed', 'report=success'],
    false,
    'failed',
    'leaf tasks failed: load (failed)',
  ],
  [
    'leaves failed and upstream_failed',
    ['extract=failed', 'transform=upstream_failed', 'load=upstream_failed', 'report=failed'],
    false,
    'failed',
    'leaf tasks failed: load (upstream_failed), report (failed)',
  ],
  [
    'a mapped leaf instance failed',
    ['extract=success', 'load[0]=success', 'load[1]=failed', 'report=success'],
    false,
    'failed',
    'leaf tasks failed: load[1] (failed)',
  ],
  // Airflow waits for every instance to finish before failing on a leaf.
  ['a leaf failed, another task still runs', ['load=failed', 'report=running'], false, 'running'],
  ['a leaf failed, another task runnable', ['load=failed', 'report=none'], true, 'running'],
  [
    'removed leaf instances are ignored',
    ['extract=success', 'load=removed', 'load[1]=removed', 'report=success'],
    false,
    'success',
  ],
  [
    'removed failed-looking leaf is ignored',
    ['load[0]=success', 'load[1]=removed', 'report=skipped'],
    false,
    'success',
  ],
  ['no instances at all', [], false, 'success'],
  ['everything removed', ['load=removed', 'report=removed'], false, 'success'],
  ['runnable instance in none', ['extract=success', 'transform=none'], true, 'running'],
  [
    'deadlock: only none left, nothing runnable',
    ['extract=success', 'transform=none', 'load=none', 'report=success'],
    false,
    'failed',
    'deadlock: 2 unfinished task instances and none can run: transform (none), load (none)',
  ],
  [
    'deadlock even with a failed leaf',
    ['load=failed', 'report=none'],
    false,
    'failed',
    'deadlock: 1 unfinished task instances and none can run: report (none)',
  ],
  ['running is in flight', ['extract=running', 'load=none'], false, 'running'],
  ['queued is in flight', ['extract=queued'], false, 'running'],
  ['scheduled is in flight', ['extract=scheduled'], false, 'running'],
  ['up_for_retry is in flight', ['extract=up_for_retry', 'load=none'], false, 'running'],
  ['up_for_reschedule is in flight', ['extract=up_for_reschedule'], false, 'running'],
  ['runnable and running', ['extract=running', 'report=none'], true, 'running'],
];

describe('decideRunState', () => {
  it.each(ROWS)('%s → %s', (_name, specs, anyRunnable, state, reason) => {
    const decision = decideRunState({ leafTaskIds: LEAVES, instances: specs.map(ti), anyRunnable });
    expect(decision.state).toBe(state);
    if (reason !== undefined && 'reason' in decision) expect(decision.reason).toBe(reason);
    if (state !== 'running') expect('reason' in decision && decision.reason.length > 0).toBe(true);
  });

  it('names at most ten failed instances', () => {
    const instances = Array.from({ length: 12 }, (_, i) => ti(`load[${i}]=failed`));
    const decision = decideRunState({ leafTaskIds: LEAVES, instances, anyRunnable: false });
    expect(decision).toEqual({
      state: 'failed',
      reason: `leaf tasks failed: ${Array.from({ length: 10 }, (_, i) => `load[${i}] (failed)`).join(', ')} and 2 more`,
    });
  });

  it('explains success with the leaf count', () => {
    const decision = decideRunState({
      leafTaskIds: LEAVES,
      instances: [ti('load=success'), ti('report=skipped')],
      anyRunnable: false,
    });
    expect(decision).toEqual({
      state: 'success',
      reason: 'all 2 leaf task instances succeeded or were skipped',
    });
  });
});
