import type { TaskSpec } from '../model';
import type { TaskInstanceKey } from '../records';
import { TaskState } from '../states';
import type { Command, Note } from './commands';
import type { RunView } from './run-view';

/** A task instance whose dependencies are met; the caller queues it if concurrency allows. */
export interface ReadyTask {
  key: TaskInstanceKey;
  from: TaskState;
  tryNumber: number;
  priorityWeight: number;
  pool: string;
  poolSlots: number;
  /** Memory the attempt needs (the task's `memoryMiB`, or the instance's after an out-of-memory escalation). */
  memoryMiB: number;
  /** A sensor's next poke: the poke count read, which the queue write expects unchanged. */
  pokeCount?: number;
  reason: string;
}

/** Decisions for one run: cascaded writes, tasks ready to queue, and waits with reasons. */
export interface RunPlan {
  commands: Command[];
  ready: ReadyTask[];
  notes: Note[];
}

/** Adds a ready instance and counts it as queued for the rest of this pass. */
export function markReady(
  plan: RunPlan,
  view: RunView,
  task: TaskSpec,
  key: TaskInstanceKey,
  from: TaskState,
  tryNumber: number,
  reason: string,
  pokeCount?: number,
  memoryMiB: number = task.memoryMiB,
): void {
  plan.ready.push({
    key,
    from,
    tryNumber,
    priorityWeight: task.priorityWeight,
    pool: task.pool,
    poolSlots: task.poolSlots,
    memoryMiB,
    ...(pokeCount !== undefined && { pokeCount }),
    reason,
  });
  view.setState(task.taskId, key.mapIndex, TaskState.Queued);
}
