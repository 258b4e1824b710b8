import type { TaskInstanceKey } from '../records';
import type { TaskState } from '../states';
import type { DataInterval } from '../timetables/types';

/**
 * Decisions as data: what the planner wants written, each with a readable reason. One applier
 * (the scheduler, the worker's mini-scheduler, `dags test`) turns them into conditional writes;
 * `from` is the state the write expects, so a concurrent change makes the write fail, not corrupt.
 */
export type Command =
  | {
      kind: 'create_run';
      dagId: string;
      runId: string;
      logicalDate: string;
      dataInterval: DataInterval;
      runAfter: string;
      bundleVersion: string;
      reason: string;
    }
  | { kind: 'start_run'; dagId: string; runId: string; reason: string }
  | { kind: 'finish_run'; dagId: string; runId: string; state: 'success' | 'failed'; reason: string }
  | { kind: 'expand_task'; dagId: string; runId: string; taskId: string; count: number; reason: string }
  | {
      kind: 'queue_task';
      key: TaskInstanceKey;
      from: TaskState;
      tryNumber: number;
      /** Memory the attempt needs: picks the worker memory class its message is routed to. */
      memoryMiB: number;
      /** From `up_for_reschedule`: the sensor's poke count the write expects (no poke ran meanwhile). */
      pokeCount?: number;
      reason: string;
    }
  | { kind: 'resend_task'; key: TaskInstanceKey; tryNumber: number; memoryMiB: number; reason: string }
  | { kind: 'skip_task'; key: TaskInstanceKey; from: TaskState; reason: string }
  | { kind: 'mark_upstream_failed'; key: TaskInstanceKey; from: TaskState; reason: string }
  | {
      /** The instance has not succeeded by its SLA deadline: recorded once, alerted once. */
      kind: 'record_sla_miss';
      key: TaskInstanceKey;
      from: TaskState;
      tryNumber: number;
      deadline: string;
      reason: string;
    }
  | {
      kind: 'fail_task';
      key: TaskInstanceKey;
      from: TaskState;
      tryNumber: number;
      outcome: 'failed' | 'up_for_retry';
      nextRetryAt?: string;
      /** The attempt ran outside the worker (an ECS task): stop it once the failure is written. */
      stopExternalJob?: string;
      reason: string;
    };
/** Discriminant of Command. */
export type CommandKind = Command['kind'];

/** Something the planner decided not to do yet, and why (shown by the CLI and API, never written). */
export interface Note {
  key: TaskInstanceKey;
  reason: string;
}

/** Bounds on one planning pass, so a tick does bounded work. */
export interface PlanLimits {
  /** Stop after this many commands; the next tick continues. */
  maxCommands: number;
  /** Scheduled runs created per DAG per tick (catchup proceeds a batch at a time). */
  maxRunsPerDag: number;
  /** A mapped task over more elements fails (Airflow's `max_map_length`). */
  maxMapLength: number;
  /** A running task with no heartbeat for this long is a zombie. */
  zombieAfterSeconds: number;
  /** A queued task not claimed for this long has its message re-sent. */
  requeueAfterSeconds: number;
  /** Extra time past `executionTimeout` before the planner fails a task the worker did not stop. */
  timeoutGraceSeconds: number;
}

/** Defaults for PlanLimits (seconds; counts). */
export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  maxCommands: 500,
  maxRunsPerDag: 10,
  maxMapLength: 1024,
  zombieAfterSeconds: 300,
  requeueAfterSeconds: 120,
  timeoutGraceSeconds: 60,
};
