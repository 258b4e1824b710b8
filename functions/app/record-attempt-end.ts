import type { AttemptPatch } from '../core/attempt';
import type { DagSpec, TaskSpec } from '../core/model';
import type { DagRunRecord, TaskInstanceKey, TaskInstanceRecord } from '../core/records';
import { TaskState } from '../core/states';
import { StaleTransitionError } from '../ports/errors';
import type { AttemptOutcome, Metrics } from '../ports/metrics';
import type { RunStore } from '../ports/run-store';
import type { TaskLog } from '../ports/task-log';
import { type CallbackDeps, fireTaskCallbacks } from './fire-callbacks';

/** The outcome of handling one dispatch: the attempt ran, or the claim lost (duplicate delivery). */
export type AttemptSummary =
  | { kind: 'ran'; instance: TaskInstanceRecord }
  | { kind: 'dropped'; reason: string };

/**
 * Ends an attempt where its result is known — the worker that ran it, or the scheduler that saw
 * its ECS task stop: closes its log with the outcome, writes the instance (expected: running at
 * this try), counts the outcome and fires the task's callbacks. A lost write means someone else
 * owns the instance now (cleared, or failed as a zombie), and the result is void.
 */
export async function recordAttemptEnd(
  deps: { store: RunStore; metrics?: Metrics } & CallbackDeps,
  args: {
    dag: DagSpec;
    run: DagRunRecord;
    task: TaskSpec;
    key: TaskInstanceKey;
    tryNumber: number;
    patch: AttemptPatch;
    log: TaskLog;
  },
): Promise<AttemptSummary> {
  const { dag, run, task, key, tryNumber, patch, log } = args;
  log.write(
    patch.state === TaskState.Success || patch.state === TaskState.Running ? 'info' : 'warn',
    patch.state === TaskState.Running
      ? `attempt ${tryNumber} continues outside the worker: ${patch.reason}`
      : `attempt ${tryNumber} ended ${patch.state}${patch.reason ? `: ${patch.reason}` : ''}`,
  );
  await log.close();
  try {
    const instance = await deps.store.updateTaskInstance(key, { state: TaskState.Running, tryNumber }, patch);
    const outcome = patch.reason?.startsWith('out_of_memory')
      ? 'out_of_memory'
      : attemptOutcome(instance.state);
    if (outcome) deps.metrics?.emit({ name: 'TaskAttempts', outcome, key, tryNumber });
    if (task.callbacks && instance.state !== TaskState.Running) {
      const { state, reason } = instance;
      await fireTaskCallbacks(deps, { dag, run, task, key, tryNumber, state, ...(reason && { reason }) });
    }
    return { kind: 'ran', instance };
  } catch (error) {
    if (error instanceof StaleTransitionError)
      return { kind: 'dropped', reason: `result discarded: ${error.message}` };
    throw error;
  }
}

/** The metric outcome of a finished attempt's state. */
function attemptOutcome(state: TaskState): AttemptOutcome | undefined {
  switch (state) {
    case TaskState.Success:
    case TaskState.Failed:
    case TaskState.UpForRetry:
    case TaskState.Skipped:
    case TaskState.UpForReschedule:
      return state;
    default:
      return undefined;
  }
}
