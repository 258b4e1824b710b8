import type { JsonValue } from './model';
import type { DagRunState, RunType, TaskState } from './states';
import type { DataInterval } from './timetables/types';

/** A DAG run as stored (Airflow's DagRun); times are ISO UTC. */
export interface DagRunRecord {
  dagId: string;
  runId: string;
  runType: RunType;
  state: DagRunState;
  logicalDate: string;
  dataIntervalStart: string;
  dataIntervalEnd: string;
  runAfter: string;
  conf: Record<string, JsonValue>;
  /** The immutable bundle version this run executes; retries and clears keep it. */
  bundleVersion: string;
  externalTrigger: boolean;
  queuedAt: string;
  startDate?: string;
  endDate?: string;
  note?: string;
  /** Why the run ended as it did (`task_failure: …`, `dagrun_timeout`). */
  reason?: string;
}

/** A task instance as stored; a missing record means Airflow's state `None`. */
export interface TaskInstanceRecord {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 when the task is not mapped. */
  mapIndex: number;
  state: TaskState;
  /** Attempts started so far (Airflow 2.x `try_number`): 0 before the first, 1 during/after it. */
  tryNumber: number;
  queuedAt?: string;
  startDate?: string;
  endDate?: string;
  heartbeatAt?: string;
  /** When an `up_for_retry` / `up_for_reschedule` instance may be queued again. */
  nextRetryAt?: string;
  /**
   * Reschedule-mode sensors: pokes made in the current try (absent: none). Each poke changes it,
   * so a claim of a due poke conditional on it cannot run a poke twice (see core/sensor.ts).
   */
  pokeCount?: number;
  /** Reschedule-mode sensors: when the try's first poke started (its timeout runs from here); null after a reset. */
  firstPokeAt?: string | null;
  /**
   * An external job a rescheduled operator polls across pokes (Athena's QueryExecutionId), with
   * the try that started it; null after a reset. See `externalJobOf` in core/sensor.ts.
   */
  externalJob?: { tryNumber: number; id: string } | null;
  /** Why the instance is in its state (error message, skip reason, `out_of_memory` …). */
  reason?: string;
  /** A branch task's decision: the task ids it chose to follow. */
  followTaskIds?: string[];
  /** A short-circuit task's decision: true when it skipped its downstream. */
  shortCircuited?: boolean;
  /** Length of the return value when it is a list (drives mapping); null when it is not a list. */
  xcomLength?: number | null;
  /** When the planner recorded that the instance missed its SLA (alerted once). */
  slaMissedAt?: string;
  /** The templated fields as rendered for the latest attempt, secrets masked (by field path). */
  renderedFields?: Record<string, string>;
  /** Memory for the next attempts after an out-of-memory escalation; absent: the task's `memoryMiB`. */
  memoryMiB?: number;
  /** Where the latest attempt ran: bundle version, environment, image, function, memory. */
  environment?: TaskEnvironment;
}

/**
 * What an attempt ran on, so "it worked yesterday" has an answer: the bundle version, the memory
 * it had, how it ran, and the environment, image, function or ECS task it used.
 */
export interface TaskEnvironment {
  bundleVersion: string;
  memoryMiB: number;
  /** `worker` (in the worker), `worker-thread` (isolated TS), `process` (local), `ecs-fargate`, `lambda-invoke`. */
  runtime: string;
  /** Declared environment name and content hash (container and Python tasks). */
  name?: string;
  hash?: string;
  /** Image URI and the digest that ran, when known. */
  image?: string;
  imageDigest?: string;
  /** Invoked function and the version that ran (`lambda_invoke`). */
  functionName?: string;
  functionVersion?: string;
  /** ECS task ARN of a container task. */
  taskArn?: string;
  /** Peak memory of the attempt in MiB, when measured. */
  peakMemoryMiB?: number;
}

/**
 * The memory the next attempt of `ti` gets: its escalated memory while the task still asks for
 * escalation, never less than the task declares now (a new bundle may have raised it).
 */
export function effectiveMemoryMiB(
  task: { memoryMiB: number; onOutOfMemory?: unknown },
  ti?: { memoryMiB?: number },
): number {
  if (!task.onOutOfMemory || ti?.memoryMiB === undefined) return task.memoryMiB;
  return Math.max(ti.memoryMiB, task.memoryMiB);
}

/** Per-DAG scheduler state (Airflow's DagModel). */
export interface DagStateRecord {
  dagId: string;
  isPaused: boolean;
  /** Data interval of the latest scheduled run created; the next one follows it. */
  lastAutomatedDataInterval?: DataInterval;
}

/** Identifies one task instance. */
export interface TaskInstanceKey {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

/** The key of a record. */
export function keyOf(ti: TaskInstanceKey): TaskInstanceKey {
  return { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex };
}

/** `dag/run/task[index]` for messages and maps. */
export function formatKey(key: TaskInstanceKey): string {
  const index = key.mapIndex >= 0 ? `[${key.mapIndex}]` : '';
  return `${key.dagId}/${key.runId}/${key.taskId}${index}`;
}
