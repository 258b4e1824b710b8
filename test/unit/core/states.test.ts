import { describe, expect, it } from 'vitest';
import {
  canTransition,
  canTransitionRun,
  DagRunState,
  FINISHED_TASK_STATES,
  isFinished,
  isRunFinished,
  TASK_TRANSITIONS,
  TaskState,
} from '../../../functions/core/states';

describe('task instance states (Airflow 2.x names)', () => {
  it('names every Airflow state the engine uses, with `none` for Airflow None', () => {
    expect(Object.values(TaskState).sort()).toEqual(
      [
        'failed',
        'none',
        'queued',
        'removed',
        'running',
        'scheduled',
        'skipped',
        'success',
        'up_for_reschedule',
        'up_for_retry',
        'upstream_failed',
      ].sort(),
    );
  });

  it.each([
    ['none', 'queued', true],
    ['none', 'skipped', true],
    ['none', 'upstream_failed', true],
    ['none', 'running', false],
    ['queued', 'running', true],
    ['queued', 'success', false],
    ['running', 'success', true],
    ['running', 'up_for_retry', true],
    ['running', 'up_for_reschedule', true],
    ['running', 'queued', false],
    ['up_for_retry', 'queued', true],
    ['up_for_retry', 'running', false],
    ['up_for_reschedule', 'queued', true],
    ['success', 'none', true],
    ['success', 'failed', false],
    ['failed', 'queued', false],
    ['skipped', 'running', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('lets every state be cleared back to none, and finished states only that', () => {
    for (const [from, targets] of Object.entries(TASK_TRANSITIONS)) {
      if (from !== 'none') expect(targets, from).toContain('none');
      if (FINISHED_TASK_STATES.has(from as TaskState)) expect(targets, from).toEqual(['none']);
    }
  });

  it.each([
    ['success', true],
    ['failed', true],
    ['skipped', true],
    ['upstream_failed', true],
    ['removed', true],
    ['running', false],
    ['up_for_retry', false],
    ['none', false],
  ] as const)('%s is finished: %s', (state, finished) => {
    expect(isFinished(state)).toBe(finished);
  });
});

describe('DAG run states', () => {
  it.each([
    ['queued', 'running', true],
    ['running', 'success', true],
    ['running', 'failed', true],
    ['success', 'queued', true],
    ['queued', 'queued', false],
    ['success', 'running', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransitionRun(from, to)).toBe(allowed);
  });

  it('treats success and failed as finished', () => {
    expect(Object.values(DagRunState).filter(isRunFinished)).toEqual(['success', 'failed']);
  });
});
