import type { TaskSpec } from './model';
import { effectiveMemoryMiB, type TaskInstanceRecord } from './records';
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
  /** `outOfMemory`: the attempt was killed for memory (reason `out_of_memory: …`). */
  | { kind: 'failed'; reason: string; retryable: boolean; outOfMemory?: boolean }
  | { kind: 'skipped'; reason: string }
  /**
   * A reschedule-mode sensor's poke found its condition unmet; `finishAttempt` decides what next.
   * `externalJobId` is remembered for the next poke of the try (a started Athena query).
   */
  | { kind: 'reschedule'; reason: string; externalJobId?: string }
  /** Started outside the worker (an ECS task): the attempt stays running until that job ends. */
  | { kind: 'detached'; externalJobId: string; reason: string };

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

/** The memory of the next try after an out-of-memory end, when the task opted into escalation and may grow. */
export function escalateMemory(task: TaskSpec, ti: TaskInstanceRecord): number | undefined {
  const policy = task.onOutOfMemory;
  const current = effectiveMemoryMiB(task, ti);
  if (!policy || current >= policy.maxMemoryMiB) return undefined;
  return Math.min(current * 2, policy.maxMemoryMiB);
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
    case 'detached':
      return {
        state: TaskState.Running,
        heartbeatAt: now,
        reason: result.reason,
        externalJob: { tryNumber: ti.tryNumber, id: result.externalJobId },
      };
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
      const escalated = result.outOfMemory ? escalateMemory(task, ti) : undefined;
      if (escalated !== undefined)
        // Straight away and whatever `retries` says (it still counts as a try): the same memory would fail the same way.
        return {
          state: TaskState.UpForRetry,
          endDate: now,
          nextRetryAt: now,
          memoryMiB: escalated,
          reason: `${result.reason}; retrying with ${escalated} MiB (onOutOfMemory)`,
        };
      if (result.retryable && isEligibleToRetry(task, ti.tryNumber)) {
        const delay = retryDelaySeconds(task, { ...ti, logicalDate, tryNumber: ti.tryNumber });
        const nextRetryAt = new Date(Date.parse(now) + delay * 1000).toISOString();
        return { state: TaskState.UpForRetry, endDate: now, nextRetryAt, reason: result.reason };
      }
      return { state: TaskState.Failed, endDate: now, reason: result.reason };
    }
  }
}
