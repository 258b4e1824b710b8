import { isFinished, TaskState } from '../states';

/**
 * Tally of a task instance's direct upstream task instances, as Airflow's `_UpstreamTIStates`
 * plus the total. A mapped upstream contributes one entry per map index, so `upstream` counts
 * task instances, not tasks.
 */
export interface UpstreamCounts {
  /** Number of upstream task instances (Airflow's `upstream`). */
  readonly upstream: number;
  readonly success: number;
  readonly skipped: number;
  readonly failed: number;
  readonly upstreamFailed: number;
  readonly removed: number;
  /** Upstream instances in a finished state (success, failed, skipped, upstream_failed, removed). */
  readonly done: number;
}

/** Counts the states of a task instance's direct upstream task instances. */
export function countUpstream(states: readonly TaskState[]): UpstreamCounts {
  const of = (wanted: TaskState): number => states.filter((s) => s === wanted).length;
  return {
    upstream: states.length,
    success: of(TaskState.Success),
    skipped: of(TaskState.Skipped),
    failed: of(TaskState.Failed),
    upstreamFailed: of(TaskState.UpstreamFailed),
    removed: of(TaskState.Removed),
    done: states.filter(isFinished).length,
  };
}

/** Readable tally for decision reasons, e.g. `3 upstream: 1 success, 1 failed, 1 not done`. */
export function describeCounts(c: UpstreamCounts): string {
  const parts: [number, string][] = [
    [c.success, 'success'],
    [c.failed, 'failed'],
    [c.upstreamFailed, 'upstream_failed'],
    [c.skipped, 'skipped'],
    [c.removed, 'removed'],
    [Math.max(0, c.upstream - c.done), 'not done'],
  ];
  const listed = parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  return `${c.upstream} upstream${listed.length > 0 ? `: ${listed.join(', ')}` : ''}`;
}
