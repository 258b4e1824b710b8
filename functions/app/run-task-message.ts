import type { PlanLimits } from '../core/planner/commands';
import { keyOf } from '../core/records';
import { TaskState } from '../core/states';
import type { BundleStore } from '../ports/bundle-store';
import { StaleTransitionError } from '../ports/errors';
import type { TaskMessage, TaskQueue } from '../ports/task-queue';
import { type AttemptDeps, type AttemptSummary, executeAttempt } from './execute-attempt';
import { scheduleRun } from './schedule-run';

/** Ports of the worker. */
export interface WorkerDeps extends AttemptDeps {
  queue: TaskQueue;
  bundles: BundleStore;
  limits: PlanLimits;
}

/**
 * Handles one task message: run the attempt on the DAG of the run's pinned bundle, then
 * dispatch what became ready in that run. A message for a finished run, or a duplicate
 * delivery, is acknowledged without running anything.
 */
export async function runTaskMessage(
  deps: WorkerDeps,
  message: TaskMessage,
  options: { deadlineAt?: number } = {},
): Promise<AttemptSummary> {
  const { tryNumber } = message;
  const key = keyOf(message);
  const run = await deps.store.getRun(key.dagId, key.runId);
  if (!run) return { kind: 'dropped', reason: `run ${key.dagId}/${key.runId} does not exist` };
  if (run.state !== 'running') return { kind: 'dropped', reason: `run ${key.runId} is ${run.state}` };
  const dag = (await deps.bundles.manifest(run.bundleVersion)).dags.find((d) => d.dagId === key.dagId);
  if (!dag?.tasks.some((t) => t.taskId === key.taskId)) {
    const reason = `task "${key.taskId}" is not in DAG "${key.dagId}" of bundle ${run.bundleVersion}`;
    await failQueued(deps, message, reason);
    return { kind: 'dropped', reason };
  }
  const summary = await executeAttempt(deps, {
    dag,
    run,
    key,
    tryNumber,
    ...(options.deadlineAt !== undefined && { deadlineAt: options.deadlineAt }),
  });
  if (summary.kind === 'ran') await scheduleRun(deps, dag, key.dagId, key.runId);
  return summary;
}

/** Fails a queued instance that can never run (its task vanished from the bundle), with the reason. */
export async function failQueued(
  deps: Pick<WorkerDeps, 'store' | 'clock'>,
  message: TaskMessage,
  reason: string,
) {
  const { tryNumber } = message;
  const key = keyOf(message);
  try {
    await deps.store.updateTaskInstance(
      key,
      { state: TaskState.Queued, tryNumber },
      { state: TaskState.Failed, endDate: deps.clock.now(), reason },
    );
  } catch (error) {
    if (!(error instanceof StaleTransitionError)) throw error;
  }
}
