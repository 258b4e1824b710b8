import { UNMAPPED } from '../model';
import { FAILED_TASK_STATES, isFinished, TaskState } from '../states';

/** One task instance of a run, as far as the run's state is concerned. */
export interface RunStateInstance {
  taskId: string;
  mapIndex: number;
  state: TaskState;
}

/** Input of `decideRunState`. */
export interface RunStateInput {
  /** Tasks with no downstream task: they decide success or failure. */
  leafTaskIds: ReadonlySet<string>;
  instances: readonly RunStateInstance[];
  /** True when at least one unfinished instance has its dependencies met this tick. */
  anyRunnable: boolean;
}

/** A run's state as decided from its task instances; finished states carry a reason. */
export type RunStateDecision = { state: 'running' } | { state: 'success' | 'failed'; reason: string };

/**
 * Unfinished states in which an instance is already on its way (waiting for a slot, claimed,
 * or waiting out a retry/reschedule period). Airflow does not call such a run deadlocked: it
 * counts queued/running as adoptable and up_for_retry/up_for_reschedule as "premature".
 */
const IN_FLIGHT_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.Scheduled,
  TaskState.Queued,
  TaskState.Running,
  TaskState.UpForRetry,
  TaskState.UpForReschedule,
]);

/** How many instances a reason names before it summarises, so reasons stay small with big maps. */
const MAX_NAMED_INSTANCES = 10;

/**
 * Decides a run's state from its task instances, as Airflow 2.x `DagRun.update_state`:
 * all finished and a leaf failed → failed; all finished otherwise → success (every leaf is
 * success or skipped); unfinished but nothing runnable or in flight → failed (deadlock);
 * else running. Removed instances are ignored, as Airflow drops them from the leaf set.
 */
export function decideRunState(input: RunStateInput): RunStateDecision {
  const live = input.instances.filter((i) => i.state !== TaskState.Removed);
  const unfinished = live.filter((i) => !isFinished(i.state));
  if (unfinished.length === 0) {
    const leaves = live.filter((i) => input.leafTaskIds.has(i.taskId));
    const failedLeaves = leaves.filter((i) => FAILED_TASK_STATES.has(i.state));
    if (failedLeaves.length > 0) {
      return { state: 'failed', reason: `leaf tasks failed: ${nameInstances(failedLeaves)}` };
    }
    // Finished, not removed and not failed leaves can only be success or skipped.
    return { state: 'success', reason: `all ${leaves.length} leaf task instances succeeded or were skipped` };
  }
  // The caller folds Airflow's other conditions (depends_on_past, concurrency limits) into anyRunnable.
  if (!input.anyRunnable && !unfinished.some((i) => IN_FLIGHT_STATES.has(i.state))) {
    return {
      state: 'failed',
      reason: `deadlock: ${unfinished.length} unfinished task instances and none can run: ${nameInstances(unfinished)}`,
    };
  }
  return { state: 'running' };
}

/** `extract (failed), load[2] (upstream_failed)`, truncated after MAX_NAMED_INSTANCES. */
function nameInstances(instances: readonly RunStateInstance[]): string {
  const named = instances.slice(0, MAX_NAMED_INSTANCES).map((i) => {
    const index = i.mapIndex === UNMAPPED ? '' : `[${i.mapIndex}]`;
    return `${i.taskId}${index} (${i.state})`;
  });
  const rest = instances.length - named.length;
  return rest > 0 ? `${named.join(', ')} and ${rest} more` : named.join(', ');
}
