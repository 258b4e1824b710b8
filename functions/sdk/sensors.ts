import { DagDefinitionError } from '../core/dag-definition';
import { type DurationInput, toSeconds } from '../core/duration';
import type { DagRunState, TaskState } from '../core/states';
import { type HttpRequestOptions, splitRequest } from './http-options';
import { declare } from './operators';
import type { TaskRef } from './refs';
import { type SensorOptions, splitSensorOptions } from './task';

/**
 * Built-in sensors (Airflow's S3KeySensor, HttpSensor, ExternalTaskSensor): declarative, so the
 * worker pokes them without DAG code; the sensor options are those of `sensor()` (reschedule
 * mode by default, so no worker is held between pokes).
 */

/**
 * Waits for objects (Airflow's S3KeySensor): every `key` exists, or with `wildcardMatch` every
 * fnmatch pattern (`data/*.csv`) matches a key, or with `prefix` some key starts with it. The
 * XCom is the sorted list of matching keys.
 */
export function s3KeySensor(
  options: SensorOptions & { bucket: string } & (
      | { key: string | string[]; wildcardMatch?: boolean; prefix?: never }
      | { prefix: string | string[]; key?: never; wildcardMatch?: never }
    ),
): TaskRef<string[]> {
  const { sensor, taskOptions } = splitSensorOptions(options);
  const { bucket, key, prefix, wildcardMatch = false, ...rest } = taskOptions;
  const entries = prefix ?? key ?? [];
  const keys = typeof entries === 'string' ? [entries] : [...entries];
  const match = prefix !== undefined ? 'prefix' : wildcardMatch ? 'wildcard' : 'exact';
  return declare({ kind: 's3_key_sensor', bucket, keys, match, sensor }, rest);
}

/**
 * Polls an HTTP endpoint (Airflow's HttpSensor): met on an expected status (any 2xx by default)
 * whose body contains `responseContains` when given; 404 (`pendingStatus`) means "not yet";
 * any other status or a refused connection fails the try (retries apply).
 */
export function httpSensor(
  options: SensorOptions &
    HttpRequestOptions & {
      /** Statuses that mean "not yet" (Airflow's `response_error_codes_allowlist`). Default [404]. */
      pendingStatus?: number[];
      /** Text the body must contain (Airflow's `response_check`, declaratively). */
      responseContains?: string;
    },
): TaskRef<null> {
  const { sensor, taskOptions } = splitSensorOptions(options);
  const { request, rest } = splitRequest(taskOptions);
  const { pendingStatus = [404], responseContains, ...others } = rest;
  return declare(
    {
      kind: 'http_sensor',
      ...request,
      pendingStatus,
      sensor,
      ...(responseContains !== undefined && { responseContains }),
    },
    others,
  );
}

/**
 * Waits for a task of another DAG (Airflow's ExternalTaskSensor) in the run with the same
 * logical date, or `executionDelta` earlier; without `externalTaskId`, for that whole run.
 * A state in `failedStates` fails this task (skips it with softFail).
 */
export function externalTaskSensor(
  options: SensorOptions & {
    externalDagId: string;
    externalTaskId?: string;
    /** Default ['success']. Task states, or DAG run states without externalTaskId. */
    allowedStates?: (TaskState | DagRunState)[];
    /** Default []. */
    failedStates?: (TaskState | DagRunState)[];
    /** How much earlier the external run's logical date is (negative: later). Default 0. */
    executionDelta?: DurationInput;
  },
): TaskRef<null> {
  const { sensor, taskOptions } = splitSensorOptions(options);
  const {
    externalDagId,
    externalTaskId,
    allowedStates = ['success'],
    failedStates = [],
    executionDelta = 0,
    ...rest
  } = taskOptions;
  return declare(
    {
      kind: 'external_task_sensor',
      externalDagId,
      allowedStates,
      failedStates,
      executionDeltaSeconds: deltaSeconds(executionDelta, rest.taskId),
      sensor,
      ...(externalTaskId !== undefined && { externalTaskId }),
    },
    rest,
  );
}

/** Seconds of a delta; unlike other durations it may be negative (a later external run). */
function deltaSeconds(input: DurationInput, taskId: string): number {
  if (typeof input === 'number' && Number.isFinite(input)) return input;
  const seconds = toSeconds(input);
  if (seconds.ok) return seconds.seconds;
  throw new DagDefinitionError(`executionDelta: ${seconds.problem}`, {
    taskId,
    field: 'executionDelta',
    fix: 'give seconds (negative for a later run) or { days, hours, minutes, seconds }',
  });
}
