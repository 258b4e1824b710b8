import type { PlanLimits } from '../core/planner/commands';
import { keyOf } from '../core/records';
import { TaskState } from '../core/states';
import type { BundleStore } from '../ports/bundle-store';
import { StaleTransitionError } from '../ports/errors';
import type { TaskMessage, TaskQueue } from '../ports/task-queue';
import { PerKeyCoalescer } from './coalesce-per-key';
import { type AttemptDeps, type AttemptSummary, executeAttempt } from './execute-attempt';
import { workerMayQueue } from './pool-fast-path';
import { scheduleRun } from './schedule-run';

import { sendWakeUp, type WakeUp } from './sensor-wake-up';

/** One mini-scheduler pass per run at a time in this process (see PerKeyCoalescer). */
const miniScheduler = new PerKeyCoalescer();

/** Ports of the worker. */
export interface WorkerDeps extends AttemptDeps {
  queue: TaskQueue;
  bundles: BundleStore;
  limits: PlanLimits;
}

/** How a message was handled; `wakeUp` tells what became of a rescheduled sensor's next poke. */
export type MessageSummary =
  | Exclude<AttemptSummary, { kind: 'ran' }>
  | (Extract<AttemptSummary, { kind: 'ran' }> & { wakeUp?: WakeUp });

/**
 * Handles one task message: run the attempt on the DAG of the run's pinned bundle, send a
 * rescheduled sensor its next poke, then dispatch what became ready in that run. A message for
 * a finished run, or a duplicate delivery, is acknowledged without running anything.
 */
export async function runTaskMessage(
  deps: WorkerDeps,
  message: TaskMessage,
  options: { deadlineAt?: number } = {},
): Promise<MessageSummary> {
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
  if (summary.kind !== 'ran') return summary;
  const { memoryMiB, pool } = dag.tasks.find((t) => t.taskId === key.taskId)!;
  // Before the mini-scheduler: if that throws and the message is redelivered, the poke still has its wake-up.
  // A wake-up starts the next poke without the tick, which alone admits tasks to pools.
  const leaveToTick =
    summary.instance.state === TaskState.UpForReschedule && !(await workerMayQueue(deps.store, pool));
  const wakeUp: WakeUp | undefined = leaveToTick
    ? 'left to the tick'
    : await sendWakeUp(deps, summary.instance, memoryMiB);
  await miniScheduler.run(`${key.dagId}\u0000${key.runId}`, () =>
    scheduleRun(deps, dag, key.dagId, key.runId),
  );
  return { ...summary, ...(wakeUp && { wakeUp }) };
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
