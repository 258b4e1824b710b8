import type { TaskSpec } from '../core/model';
import { formatKey, type TaskInstanceKey, type TaskInstanceRecord } from '../core/records';
import { rescheduleSensor } from '../core/sensor';
import { TaskState } from '../core/states';
import { StaleTransitionError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';

/**
 * A wake-up may arrive this much before its poke is due and still run it: the delay is rounded
 * up to whole seconds, so only clock differences between hosts make one early, and dropping it
 * would leave the poke to the next tick, a minute late. Small, so that a stale duplicate cannot
 * run the next poke noticeably early.
 */
export const EARLY_WAKE_UP_TOLERANCE_MS = 100;

/**
 * Claims an attempt for this worker: `queued → running` at the message's try number or, for a
 * reschedule-mode sensor whose next poke is due, `up_for_reschedule → running` (the wake-up the
 * worker sent itself after the previous poke). That claim is pinned to the poke count it read,
 * so when the tick's message and the wake-up both arrive, or one arrives after the other's poke
 * already rescheduled the instance, exactly one poke runs. StaleTransitionError when not ours.
 */
export async function claimAttempt(
  store: RunStore,
  task: TaskSpec,
  key: TaskInstanceKey,
  tryNumber: number,
  now: string,
): Promise<TaskInstanceRecord> {
  const running = { state: TaskState.Running, startDate: now, heartbeatAt: now };
  try {
    return await store.updateTaskInstance(key, { state: TaskState.Queued, tryNumber }, running);
  } catch (error) {
    if (!(error instanceof StaleTransitionError) || !rescheduleSensor(task)) throw error;
    const ti = await store.getTaskInstance(key);
    if (ti?.state !== TaskState.UpForReschedule || ti.tryNumber !== tryNumber) throw error;
    const dueAt = ti.nextRetryAt === undefined ? 0 : Date.parse(ti.nextRetryAt);
    if (dueAt - Date.parse(now) > EARLY_WAKE_UP_TOLERANCE_MS)
      throw new StaleTransitionError(`${formatKey(key)}: next poke is due at ${ti.nextRetryAt}, not now`, {
        key: formatKey(key),
      });
    return store.updateTaskInstance(
      key,
      { state: TaskState.UpForReschedule, tryNumber, pokeCount: ti.pokeCount ?? 0 },
      // queuedAt = when the poke became due, so DispatchLatency measures the wake-up's lateness.
      { ...running, ...(ti.nextRetryAt && { queuedAt: ti.nextRetryAt }) },
    );
  }
}
