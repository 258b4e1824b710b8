/** Airflow's task instance states (2.x names). `none` is Airflow's `None`: not yet scheduled. */
export const TaskState = {
  None: 'none',
  Scheduled: 'scheduled',
  Queued: 'queued',
  Running: 'running',
  Success: 'success',
  Failed: 'failed',
  UpForRetry: 'up_for_retry',
  UpForReschedule: 'up_for_reschedule',
  UpstreamFailed: 'upstream_failed',
  Skipped: 'skipped',
  Removed: 'removed',
} as const;
/** One of Airflow's task instance states. */
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** Airflow's DAG run states. */
export const DagRunState = {
  Queued: 'queued',
  Running: 'running',
  Success: 'success',
  Failed: 'failed',
} as const;
/** One of Airflow's DAG run states. */
export type DagRunState = (typeof DagRunState)[keyof typeof DagRunState];

/** Why a run exists (Airflow's DagRunType). */
export const RunType = {
  Scheduled: 'scheduled',
  Manual: 'manual',
  Backfill: 'backfill',
} as const;
/** One of Airflow's run types; it prefixes generated run ids (`scheduled__…`). */
export type RunType = (typeof RunType)[keyof typeof RunType];

/** States after which a task instance will not change again without a clear (Airflow's `State.finished`). */
export const FINISHED_TASK_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.Success,
  TaskState.Failed,
  TaskState.Skipped,
  TaskState.UpstreamFailed,
  TaskState.Removed,
]);

/** Leaf states that make a run fail (Airflow's `State.failed_states`). */
export const FAILED_TASK_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.Failed,
  TaskState.UpstreamFailed,
]);

/** Leaf states that let a run succeed (Airflow's `State.success_states`). */
export const SUCCESS_TASK_STATES: ReadonlySet<TaskState> = new Set([TaskState.Success, TaskState.Skipped]);

/** True when the task instance reached a terminal state. */
export function isFinished(state: TaskState): boolean {
  return FINISHED_TASK_STATES.has(state);
}

/** True when the run reached a terminal state. */
export function isRunFinished(state: DagRunState): boolean {
  return state === DagRunState.Success || state === DagRunState.Failed;
}

/**
 * Allowed task-instance transitions. Every store write is a conditional update from one of these
 * `from` states, so a stale writer (duplicate delivery, late worker) fails instead of corrupting state.
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  none: ['scheduled', 'queued', 'skipped', 'upstream_failed', 'removed', 'failed'],
  scheduled: ['queued', 'skipped', 'upstream_failed', 'removed', 'none', 'failed'],
  queued: ['running', 'queued', 'failed', 'up_for_retry', 'skipped', 'none', 'scheduled'],
  running: ['success', 'failed', 'up_for_retry', 'up_for_reschedule', 'skipped', 'none'],
  up_for_retry: ['queued', 'failed', 'skipped', 'none'],
  // → running: a sensor's own delayed wake-up claims its due poke directly (app/claim-attempt.ts).
  up_for_reschedule: ['queued', 'running', 'failed', 'skipped', 'none'],
  success: ['none'],
  failed: ['none'],
  skipped: ['none'],
  upstream_failed: ['none'],
  removed: ['none'],
};

/** True when `from → to` is a legal task-instance transition (`→ none` is a clear). */
export function canTransition(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** Allowed DAG-run transitions; `→ queued` from a finished state is a clear/re-run. */
export const RUN_TRANSITIONS: Readonly<Record<DagRunState, readonly DagRunState[]>> = {
  queued: ['running', 'failed', 'success'],
  running: ['success', 'failed', 'queued'],
  success: ['queued', 'failed'],
  failed: ['queued', 'success'],
};

/** True when `from → to` is a legal DAG-run transition. */
export function canTransitionRun(from: DagRunState, to: DagRunState): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}
