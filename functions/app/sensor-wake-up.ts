import { keyOf, type TaskInstanceRecord } from '../core/records';
import { TaskState } from '../core/states';
import type { TaskQueue } from '../ports/task-queue';

/** The longest delay SQS allows on a message; longer waits are left to the scheduler tick. */
export const MAX_WAKE_UP_DELAY_SECONDS = 900;

/** What happened to a rescheduled sensor's next poke message. */
export type WakeUp = 'sent' | 'left to the tick' | `send failed: ${string}`;

/**
 * After a poke rescheduled its sensor, sends the next poke's message with an SQS delay, so short
 * intervals do not wait for the minute tick and no worker waits in between. Waits above 900 s,
 * and a failed send, are left to the tick, which queues due `up_for_reschedule` instances: the
 * state is already written, so nothing is lost. Never throws: the poke itself is done.
 */
export async function sendWakeUp(
  deps: { queue: TaskQueue; clock: { now(): string } },
  instance: TaskInstanceRecord,
  memoryMiB: number,
): Promise<WakeUp | undefined> {
  if (instance.state !== TaskState.UpForReschedule || instance.nextRetryAt === undefined) return undefined;
  const waitMs = Date.parse(instance.nextRetryAt) - Date.parse(deps.clock.now());
  // Rounded up: SQS delays are whole seconds, and a wake-up must not arrive before its poke is due.
  const delaySeconds = Math.max(0, Math.ceil(waitMs / 1000));
  if (delaySeconds > MAX_WAKE_UP_DELAY_SECONDS) return 'left to the tick';
  try {
    await deps.queue.send([{ ...keyOf(instance), tryNumber: instance.tryNumber, memoryMiB }], {
      delaySeconds,
    });
    return 'sent';
  } catch (error) {
    return `send failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
