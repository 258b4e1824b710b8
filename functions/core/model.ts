import type { DagRunState } from './states';
import type { TriggerRule } from './trigger-rule';

/**
 * The serialized DAG model: what `updraft dags build` writes into `manifest.json` and what the
 * scheduler reads. Plain JSON data only; task code stays in the bundle's modules.
 * Times are ISO-8601 UTC instants; durations are whole seconds.
 */

/** Version of the manifest schema; bump on incompatible changes. */
export const MANIFEST_SCHEMA_VERSION = 1;

/** Default pool, as in Airflow. */
export const DEFAULT_POOL = 'default_pool';

/** Map index of a task instance that is not mapped (Airflow uses -1). */
export const UNMAPPED = -1;

/** Executors a task can run on: worker Lambda, or ECS Fargate for long/heavy tasks. */
export type ExecutorKind = 'lambda' | 'ecs';

/** A JSON value as it crosses task boundaries (never a pickle). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** JSON-schema-like description of one DAG param (Airflow's `Param`), a documented subset of JSON Schema. */
export interface ParamSpec {
  default?: JsonValue;
  description?: string;
  type?: ParamType | ParamType[];
  enum?: JsonValue[];
  const?: JsonValue;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'date' | 'date-time' | 'email' | 'uri';
  minItems?: number;
  maxItems?: number;
  items?: ParamSpec;
  properties?: Record<string, ParamSpec>;
  required?: string[];
  additionalProperties?: boolean;
}
/** JSON Schema primitive type names accepted in params. */
export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** How a task argument is supplied: a literal JSON value or an upstream task's XCom. */
export type InputSpec = { kind: 'literal'; value: JsonValue } | { kind: 'xcom'; taskId: string; key: string };

/** Dynamic task mapping: one task instance per element of a literal list or of an upstream's XCom list. */
export interface MapSpec {
  over: InputSpec;
}

/** Sensor behaviour, as Airflow's BaseSensorOperator. */
export interface SensorSpec {
  mode: 'poke' | 'reschedule';
  pokeIntervalSeconds: number;
  timeoutSeconds: number;
  exponentialBackoff: boolean;
  /** Longest wait between pokes with exponential backoff (Airflow's `max_wait`); unset: no cap. */
  maxWaitSeconds?: number;
  softFail: boolean;
}

/** What a task runs. Function-like kinds call the task's TS function from the bundle. */
export type OperatorSpec =
  | { kind: 'function' }
  | { kind: 'branch' }
  | { kind: 'short_circuit'; ignoreDownstreamTriggerRules: boolean }
  | { kind: 'sensor'; sensor: SensorSpec }
  | { kind: 'empty' }
  | {
      kind: 'bash';
      command: string;
      env: Record<string, string>;
      cwd?: string;
      skipOnExitCode: number[];
    }
  | {
      kind: 'container';
      /** Name of the environment (image or Python environment) in the DAG's `environments`. */
      environment: string;
      command: string[];
      args: string[];
      env: Record<string, string>;
      /** Fargate vCPU (0.25 … 16). */
      cpu: number;
      /** Command run as a local process in local mode when the image cannot run there. */
      local?: string[];
      /** Python tasks: the script (bundle path, `scripts/<path>`) run with the environment's interpreter. */
      script?: string;
    }
  | {
      kind: 'lambda_invoke';
      functionName: string;
      payload: JsonValue;
      invocationType: 'RequestResponse' | 'Event';
    }
  | {
      kind: 'http';
      method: string;
      /** Absolute, or relative to the base URL of `httpConnId` (Airflow's `endpoint`). */
      url: string;
      /** Connection whose schema/host/port form the base URL and whose login/password are basic auth. */
      httpConnId?: string;
      headers: Record<string, string>;
      body?: string;
      /** Statuses that succeed; absent means any 2xx (Airflow's `raise_for_status`). */
      expectedStatus?: number[];
      responseToXcom: boolean;
      /** Writes the response body to the task log (Airflow's `log_response`). */
      logResponse: boolean;
    }
  | {
      kind: 'trigger_dag_run';
      triggerDagId: string;
      /** Run id of the triggered run; generated (`manual__<logical date>`) when absent. */
      triggerRunId?: string;
      /** Logical date of the triggered run; the trigger time when absent. */
      logicalDate?: string;
      conf: Record<string, JsonValue>;
      waitForCompletion: boolean;
      pokeIntervalSeconds: number;
      /** Final states of the triggered run that succeed this task (Airflow's `allowed_states`). */
      allowedStates: DagRunState[];
      /** Final states of the triggered run that fail this task (Airflow's `failed_states`). */
      failedStates: DagRunState[];
    }
  | { kind: 's3_copy'; source: ObjectLocation; dest: ObjectLocation }
  | { kind: 's3_delete'; bucket: string; keys?: string[]; prefix?: string }
  | { kind: 's3_list'; bucket: string; prefix: string }
  | {
      kind: 's3_put';
      bucket: string;
      key: string;
      /** Text written as is; exclusive with `fromXcom`. */
      body?: string;
      /** An upstream XCom, written as JSON. */
      fromXcom?: { taskId: string; key: string };
    }
  | {
      kind: 's3_key_sensor';
      bucket: string;
      /** Every entry must match (Airflow's `bucket_key` list). */
      keys: string[];
      /** `exact` keys, `wildcard` fnmatch patterns (Airflow's `wildcard_match`), or key `prefix`es. */
      match: 'exact' | 'wildcard' | 'prefix';
      sensor: SensorSpec;
    }
  | {
      kind: 'http_sensor';
      method: string;
      /** Absolute, or relative to the base URL of `httpConnId`. */
      url: string;
      httpConnId?: string;
      headers: Record<string, string>;
      body?: string;
      /** Statuses that meet the condition; absent means any 2xx. */
      expectedStatus?: number[];
      /** Statuses that mean "not yet" (Airflow's `response_error_codes_allowlist`, default 404). */
      pendingStatus: number[];
      /** Text the body must contain to meet the condition (Airflow's `response_check`, declaratively). */
      responseContains?: string;
      sensor: SensorSpec;
    }
  | {
      kind: 'external_task_sensor';
      externalDagId: string;
      /** Absent: the external run's own state is checked. */
      externalTaskId?: string;
      /** Task states (or run states without `externalTaskId`) that meet the condition. */
      allowedStates: string[];
      /** States that fail this task (skip with softFail). */
      failedStates: string[];
      /** The external run's logical date is this run's minus this many seconds (Airflow's `execution_delta`). */
      executionDeltaSeconds: number;
      sensor: SensorSpec;
    }
  | {
      kind: 'athena_query';
      query: string;
      database: string;
      catalog?: string;
      workgroup?: string;
      /** `s3://…` result location; the workgroup's when absent. */
      outputLocation?: string;
      /** Polling: between status checks, timeout (the query is stopped), reschedule or poke mode. */
      sensor: SensorSpec;
    };

/** One object in a bucket (S3 in AWS, the emulator in local mode). */
export interface ObjectLocation {
  bucket: string;
  key: string;
}
/** The sensor behaviour of an operator (any kind carrying a SensorSpec), or undefined when it does not poke. */
export function sensorSpecOf(operator: OperatorSpec): SensorSpec | undefined {
  return 'sensor' in operator ? operator.sensor : undefined;
}

/** Discriminant of OperatorSpec. */
export type OperatorKind = OperatorSpec['kind'];

/** Operator kinds whose body is the task's TS function in the bundle. */
export const FUNCTION_OPERATOR_KINDS: ReadonlySet<OperatorKind> = new Set([
  'function',
  'branch',
  'short_circuit',
  'sensor',
]);

/**
 * A built-in notifier (Airflow's `Notifier` classes). Its text fields are templates rendered
 * with the task context plus `event` (`success`, `failure`, `retry`) and `reason`.
 */
export type NotifierSpec =
  | { kind: 'sns'; topicArn: string; subject?: string; message: string }
  | { kind: 'webhook'; url: string; method: 'POST' | 'PUT'; headers: Record<string, string>; body: string };

/** Notifiers per task event (Airflow's `on_success_callback`, `on_failure_callback`, `on_retry_callback`). */
export interface TaskCallbacks {
  onSuccess: NotifierSpec[];
  onFailure: NotifierSpec[];
  onRetry: NotifierSpec[];
}

/** Notifiers per run outcome (Airflow's DAG-level `on_success_callback` / `on_failure_callback`). */
export interface DagCallbacks {
  onSuccess: NotifierSpec[];
  onFailure: NotifierSpec[];
  /** Fired once per task instance that misses its `sla` (Airflow's `sla_miss_callback`). */
  onSlaMiss: NotifierSpec[];
}

/**
 * A runtime environment a task declares, with a content hash of everything that defines it: a
 * Python environment (interpreter version + requirements file) or a container image (a Dockerfile
 * folder built at deploy time, or a registry URI). Paths are relative to the DAGs folder; the
 * bundle carries a copy of a Python environment's requirements at `envs/<hash>/requirements.txt`.
 */
export type EnvironmentSpec =
  | { kind: 'python'; name: string; python: string; requirements: string; hash: string }
  | { kind: 'image'; name: string; directory: string; hash: string }
  | { kind: 'image'; name: string; uri: string; hash: string };

/** Opt-in escalation after an out-of-memory end: retry with double the memory, up to `maxMemoryMiB`. */
export interface OutOfMemoryPolicy {
  maxMemoryMiB: number;
}

/** One task of a serialized DAG, with every default already applied. */
export interface TaskSpec {
  taskId: string;
  /** Task group path (`extract` for `extract.load`), empty for top-level tasks. */
  group?: string;
  operator: OperatorSpec;
  /** Direct upstream task ids. */
  upstream: string[];
  /** Positional arguments of a function task, literals or upstream XComs. */
  inputs: InputSpec[];
  mapped?: MapSpec;
  triggerRule: TriggerRule;
  retries: number;
  retryDelaySeconds: number;
  retryExponentialBackoff: boolean;
  maxRetryDelaySeconds?: number;
  executionTimeoutSeconds?: number;
  dependsOnPast: boolean;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  executor: ExecutorKind;
  memoryMiB: number;
  /** Retry an attempt that ran out of memory with more memory; absent: an OOM is an ordinary failure. */
  onOutOfMemory?: OutOfMemoryPolicy;
  owner: string;
  doc?: string;
  /** Notifiers fired when an attempt ends; absent when none are set. */
  callbacks?: TaskCallbacks;
  /** Seconds after the run's data interval end by which the task should have succeeded (Airflow's `sla`). */
  slaSeconds?: number;
}

/**
 * A schedule as written by the author: a preset (`@daily`), a cron expression, an ISO-8601
 * duration (`PT30M`), `null` for manual only, or a cron trigger (run at each point, no interval).
 */
export type ScheduleSpec =
  | { kind: 'none' }
  | { kind: 'once' }
  | { kind: 'cron'; expression: string }
  | { kind: 'cron_trigger'; expression: string }
  | { kind: 'delta'; duration: string };

/** One serialized DAG. */
export interface DagSpec {
  dagId: string;
  description?: string;
  doc?: string;
  owner: string;
  tags: string[];
  schedule: ScheduleSpec;
  /** IANA zone the schedule is computed in (`Europe/Amsterdam`); runs are stored in UTC. */
  timezone: string;
  startDate?: string;
  endDate?: string;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  dagrunTimeoutSeconds?: number;
  isPausedUponCreation: boolean;
  params: Record<string, ParamSpec>;
  /** Notifiers fired when a run finishes; absent when none are set. */
  callbacks?: DagCallbacks;
  tasks: TaskSpec[];
  /** Environments the DAG's container and Python tasks run in (absent: none). */
  environments?: EnvironmentSpec[];
  /** Source file relative to the DAGs folder (`etl.dag.ts`). */
  fileloc: string;
  /** Bundle module (relative to the bundle root) that defines the DAG's task code. */
  module: string;
}

/** The bundle manifest: everything the scheduler needs, and nothing it must execute. */
export interface Manifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  /** Content hash of the manifest body and code modules: same sources, same version. */
  version: string;
  dags: DagSpec[];
}
