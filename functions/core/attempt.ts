import type { TaskSpec } from './model';
import type { TaskInstanceRecord } from './records';
import { isEligibleToRetry, retryDelaySeconds } from './rules/retry-policy';
import { afterUnmetPoke, POKE_STATE_RESET, pokesSoFar, rescheduleSensor } from './sensor';
import { TaskState } from './states';

/** How one attempt of a task ended, as the worker observed it. */
export type AttemptResult =
  | {
      kind: 'success';
      /** Length of the return value when it is a list, null otherwise (drives mapping). */
      xcomLength: number | null;
      followTaskIds?: string[];
      shortCircuited?: boolean;
    }
  | { kind: 'failed'; reason: string; retryable: boolean }
  | { kind: 'skipped'; reason: string }
  /**
   * A reschedule-mode sensor's poke found its condition unmet; `finishAttempt` decides what next.
   * `externalJobId` is remembered for the next poke of the try (a started Athena query).
   */
  | { kind: 'reschedule'; reason: string; externalJobId?: string };

/** The fields an attempt's end writes onto its task instance (expected: running, same try number). */
export type AttemptPatch = Pick<TaskInstanceRecord, 'state'> & Partial<TaskInstanceRecord>;

/**
 * Turns an attempt result into the instance's next state: success, skipped, up_for_reschedule,
 * or, for a failure, up_for_retry with Airflow's retry delay when retries remain, else failed.
 * A reschedule-mode sensor also counts its poke, and a retry starts its poke state afresh.
 */
export function finishAttempt(
  task: TaskSpec,
  ti: TaskInstanceRecord,
  result: AttemptResult,
  logicalDate: string,
  now: string,
): AttemptPatch {
  const patch = attemptPatch(task, ti, result, logicalDate, now);
  if (!rescheduleSensor(task) || result.kind === 'reschedule') return patch;
  // The timeout of the next try runs from that try's own first poke.
  if (patch.state === TaskState.UpForRetry) return { ...patch, ...POKE_STATE_RESET };
  const pokeCount = pokesSoFar(ti).count + 1;
  // Replace the last "condition not met" reason, which would read as if the sensor still waited.
  if (patch.state === TaskState.Success)
    return { ...patch, pokeCount, reason: `condition met at poke ${pokeCount}` };
  return { ...patch, pokeCount };
}

function attemptPatch(
  task: TaskSpec,
  ti: TaskInstanceRecord,
  result: AttemptResult,
  logicalDate: string,
  now: string,
): AttemptPatch {
  switch (result.kind) {
    case 'success':
      return {
        state: TaskState.Success,
        endDate: now,
        xcomLength: result.xcomLength,
        ...(result.followTaskIds && { followTaskIds: result.followTaskIds }),
        ...(result.shortCircuited !== undefined && { shortCircuited: result.shortCircuited }),
      };
    case 'skipped':
      return { state: TaskState.Skipped, endDate: now, reason: result.reason };
    case 'reschedule': {
      const spec = rescheduleSensor(task);
      if (!spec)
        return {
          state: TaskState.Failed,
          endDate: now,
          reason: `task "${task.taskId}" (${task.operator.kind}) asked to be rescheduled, which only reschedule-mode sensors can`,
        };
      const next = afterUnmetPoke(spec, ti, now, result.reason);
      if (next.kind === 'timeout')
        // AirflowSensorTimeout: never retried, whatever `retries` says.
        return { state: next.state, endDate: now, reason: next.reason, pokeCount: next.pokeCount };
      return {
        state: TaskState.UpForReschedule,
        nextRetryAt: next.nextPokeAt,
        reason: next.reason,
        pokeCount: next.pokeCount,
        firstPokeAt: next.firstPokeAt,
        ...(result.externalJobId !== undefined && {
          externalJob: { tryNumber: ti.tryNumber, id: result.externalJobId },
        }),
      };
    }
    case 'failed': {
      if (result.retryable && isEligibleToRetry(task, ti.tryNumber)) {
        const delay = retryDelaySeconds(task, { ...ti, logicalDate, tryNumber: ti.tryNumber });
        const nextRetryAt = new Date(Date.parse(now) + delay * 1000).toISOString();
        return { state: TaskState.UpForRetry, endDate: now, nextRetryAt, reason: result.reason };
      }
      return { state: TaskState.Failed, endDate: now, reason: result.reason };
    }
  }
}
