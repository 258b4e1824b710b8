import type { DurationInput } from '../core/duration';
import type { ExecutorKind, JsonValue, NotifierSpec, ParamSpec } from '../core/model';
import type { TriggerRule } from '../core/trigger-rule';

/** Per-task settings; unset fields come from the DAG's `defaultArgs`, then from Updraft's defaults. */
export interface TaskOptions {
  /** Unique within the DAG; inside a group it is prefixed (`group.task`). */
  taskId: string;
  /** Retries after the first attempt (Airflow's `retries`). Default 0. */
  retries?: number;
  /** Wait before a retry. Default 300 s, as in Airflow. */
  retryDelay?: DurationInput;
  /** Double the wait on each retry, with deterministic jitter (Airflow's formula). Default false. */
  retryExponentialBackoff?: boolean;
  /** Upper bound for the backed-off wait. */
  maxRetryDelay?: DurationInput;
  /** The attempt fails (and may retry) when it runs longer. Lambda tasks are capped at 15 minutes. */
  executionTimeout?: DurationInput;
  /** When the task may run given its upstreams' states. Default `all_success`. */
  triggerRule?: TriggerRule;
  /** Run only if this task succeeded (or was skipped) in the previous run. Default false. */
  dependsOnPast?: boolean;
  /** Pool that bounds concurrency across DAGs. Default `default_pool`. */
  pool?: string;
  /** Slots taken in the pool. Default 1. */
  poolSlots?: number;
  /** Higher runs first when slots are scarce. Default 1. */
  priorityWeight?: number;
  /** `lambda` (≤ 15 min, ≤ 10 GiB) or `ecs` (Fargate, long or heavy). Default `lambda`. */
  executor?: ExecutorKind;
  /** Memory for this task in MiB (its worker memory class, Fargate size or local process limit). Default 1024. */
  memoryMiB?: number;
  /**
   * After an out-of-memory end, retry at once with double the memory (the next worker memory
   * class, a bigger Fargate size), up to `maxMemoryMiB`. These retries happen even with
   * `retries: 0`; they count as tries.
   */
  onOutOfMemory?: { retryWithMoreMemory: boolean; maxMemoryMiB: number };
  owner?: string;
  doc?: string;
  /** Notifiers when an attempt succeeds (Airflow's `on_success_callback`). */
  onSuccess?: NotifierSpec | NotifierSpec[];
  /** Notifiers when the task fails for good (no retry left). */
  onFailure?: NotifierSpec | NotifierSpec[];
  /** Notifiers when an attempt fails and will be retried. */
  onRetry?: NotifierSpec | NotifierSpec[];
  /**
   * The task should have succeeded this long after its scheduled run's data interval ends
   * (Airflow's `sla`); a miss is recorded once, counted (metric `SlaMisses`) and sent to the
   * DAG's `onSlaMiss` notifiers. Manual runs have no SLA, as in Airflow.
   */
  sla?: DurationInput;
}

/** Options every task of a DAG inherits (Airflow's `default_args`). */
export type TaskDefaults = Omit<TaskOptions, 'taskId' | 'doc'>;

/** A param with a schema (Airflow's `Param(default, type=…)`), made with `param()`. */
export interface ParamDeclaration {
  readonly __param: true;
  readonly spec: ParamSpec;
}

/** Declares a validated DAG param: `param(10, { type: 'integer', minimum: 1 })`. */
export function param(
  defaultValue: JsonValue | undefined,
  schema: Omit<ParamSpec, 'default'> = {},
): ParamDeclaration {
  return {
    __param: true,
    spec: defaultValue === undefined ? { ...schema } : { ...schema, default: defaultValue },
  };
}

/** A schedule: preset, cron, ISO-8601 duration, `null` (manual only), or a cron trigger. */
export type ScheduleInput = string | null | { cronTrigger: string };

/** Options of a DAG (Airflow's `DAG(...)` arguments, camelCased). */
export interface DagOptions {
  dagId: string;
  description?: string;
  doc?: string;
  /** Default owner of its tasks. Default `updraft`. */
  owner?: string;
  tags?: string[];
  /** Default `null`: runs only when triggered. */
  schedule?: ScheduleInput;
  /** IANA zone for the schedule and for dates without an offset. Default `UTC`. */
  timezone?: string;
  /** First data interval starts here; a date without offset is read in `timezone`. */
  startDate?: string | Date;
  endDate?: string | Date;
  /** Create every missed interval since startDate. Default false. */
  catchup?: boolean;
  /** Default 16, as Airflow's `max_active_runs_per_dag`. */
  maxActiveRuns?: number;
  /** Running task instances across this DAG's runs. Default 16. */
  maxActiveTasks?: number;
  /** A run still going after this is failed. */
  dagrunTimeout?: DurationInput;
  /** New DAGs start paused when true. Default false. */
  isPausedUponCreation?: boolean;
  /** Run params: a plain JSON default, or `param(default, schema)`. */
  params?: Record<string, JsonValue | ParamDeclaration>;
  defaultArgs?: TaskDefaults;
  /** Notifiers when a run succeeds (Airflow's DAG `on_success_callback`). */
  onSuccess?: NotifierSpec | NotifierSpec[];
  /** Notifiers when a run fails. */
  onFailure?: NotifierSpec | NotifierSpec[];
  /** Notifiers when a task misses its `sla` (Airflow's `sla_miss_callback`), once per task instance. */
  onSlaMiss?: NotifierSpec | NotifierSpec[];
}

/** Updraft's task defaults (Airflow's where one exists). */
export const TASK_DEFAULTS = {
  retries: 0,
  retryDelaySeconds: 300,
  retryExponentialBackoff: false,
  triggerRule: 'all_success',
  dependsOnPast: false,
  pool: 'default_pool',
  poolSlots: 1,
  priorityWeight: 1,
  executor: 'lambda',
  memoryMiB: 1024,
  owner: 'updraft',
} as const;

/** Updraft's DAG defaults. */
export const DAG_DEFAULTS = {
  timezone: 'UTC',
  catchup: false,
  maxActiveRuns: 16,
  maxActiveTasks: 16,
} as const;
