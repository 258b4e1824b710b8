import type { TaskSpec } from '../model';
import {
  type DagRunRecord,
  effectiveMemoryMiB,
  type TaskInstanceKey,
  type TaskInstanceRecord,
} from '../records';
import { isEligibleToRetry, retryDelaySeconds } from '../rules/retry-policy';
import { TaskState } from '../states';
import type { PlanLimits } from './commands';
import { markReady, type RunPlan } from './ready';
import type { InstanceView, RunView } from './run-view';

/** Arguments of checkInFlight. */
export interface InFlightArgs {
  task: TaskSpec;
  instance: InstanceView;
  key: TaskInstanceKey;
  run: DagRunRecord;
  now: string;
  limits: PlanLimits;
  plan: RunPlan;
  view: RunView;
}

/**
 * The tick's repair duties for instances already started: retries whose delay elapsed, lost
 * queue messages, tasks past their execution timeout, and zombies (no heartbeat).
 */
export function checkInFlight(args: InFlightArgs): void {
  const { task, instance, key, now, limits, plan, view } = args;
  const record = instance.record;
  if (!record) return;
  const nowMs = Date.parse(now);
  const ago = (iso: string | undefined) => (iso === undefined ? 0 : (nowMs - Date.parse(iso)) / 1000);
  switch (instance.state) {
    case TaskState.UpForRetry:
    case TaskState.UpForReschedule: {
      const due = record.nextRetryAt === undefined || Date.parse(record.nextRetryAt) <= nowMs;
      const retrying = instance.state === TaskState.UpForRetry;
      if (!due) {
        plan.notes.push({ key, reason: `${retrying ? 'retry' : 'reschedule'} due at ${record.nextRetryAt}` });
        return;
      }
      // A reschedule is the same attempt continuing (Airflow keeps try_number); a retry is a new attempt.
      const tryNumber = retrying ? record.tryNumber + 1 : record.tryNumber;
      const memoryMiB = effectiveMemoryMiB(task, record);
      const reason = !retrying
        ? 'reschedule: next poke is due'
        : record.reason?.startsWith('out_of_memory') && memoryMiB !== task.memoryMiB
          ? `retry: attempt ${tryNumber} with ${memoryMiB} MiB (onOutOfMemory escalation)`
          : `retry: attempt ${tryNumber} of ${task.retries + 1}`;
      // Pinned to the poke count read: if the sensor's own wake-up ran this poke meanwhile, the write loses.
      const pokeCount = retrying ? undefined : (record.pokeCount ?? 0);
      markReady(plan, view, task, key, instance.state, tryNumber, reason, pokeCount, memoryMiB);
      return;
    }
    case TaskState.Queued:
      if (ago(record.queuedAt) > limits.requeueAfterSeconds) {
        plan.commands.push({
          kind: 'resend_task',
          key,
          tryNumber: record.tryNumber,
          memoryMiB: effectiveMemoryMiB(task, record),
          reason: `queued for ${Math.round(ago(record.queuedAt))}s without a worker claim; message re-sent`,
        });
      }
      return;
    case TaskState.Running: {
      const timeout = task.executionTimeoutSeconds;
      if (timeout !== undefined && ago(record.startDate) > timeout + limits.timeoutGraceSeconds) {
        fail(args, `execution_timeout: still running after ${timeout}s`);
      } else if (detachedContainer(task, record)) {
        // No worker heartbeats an ECS task: its stop event, or the tick's DescribeTasks check, ends it.
        plan.notes.push({ key, reason: `running as ECS task ${record.externalJob!.id}` });
      } else if (ago(record.heartbeatAt ?? record.startDate) > limits.zombieAfterSeconds) {
        fail(
          args,
          `zombie: no heartbeat for ${Math.round(ago(record.heartbeatAt ?? record.startDate))}s (worker lost)`,
        );
      }
      return;
    }
    default:
      return;
  }
}

/** A container attempt this try started outside the worker (an ECS task). */
function detachedContainer(task: TaskSpec, record: TaskInstanceRecord): boolean {
  return task.operator.kind === 'container' && record.externalJob?.tryNumber === record.tryNumber;
}

/** Fails a running attempt on the worker's behalf, retrying when the policy allows. */
function fail(args: InFlightArgs, reason: string): void {
  const { task, instance, key, run, now, plan, view } = args;
  const record = instance.record!;
  const tryNumber = record.tryNumber;
  // A timed-out ECS task would run on (and bill) after its attempt failed.
  const stop = detachedContainer(task, record) ? { stopExternalJob: record.externalJob!.id } : {};
  if (isEligibleToRetry(task, tryNumber)) {
    const delay = retryDelaySeconds(task, { ...key, logicalDate: run.logicalDate, tryNumber });
    const nextRetryAt = new Date(Date.parse(now) + delay * 1000).toISOString();
    plan.commands.push({
      kind: 'fail_task',
      key,
      from: TaskState.Running,
      tryNumber,
      outcome: 'up_for_retry',
      nextRetryAt,
      ...stop,
      reason,
    });
    view.setState(key.taskId, key.mapIndex, TaskState.UpForRetry);
  } else {
    plan.commands.push({
      kind: 'fail_task',
      key,
      from: TaskState.Running,
      tryNumber,
      outcome: 'failed',
      ...stop,
      reason,
    });
    view.setState(key.taskId, key.mapIndex, TaskState.Failed);
  }
}
