import type { Connection } from './connection';
import type { JsonValue } from './model';

/** Task log: lines go to the task attempt's log (S3/CloudWatch in AWS, the console in `dags test`). */
export interface TaskLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What a task function receives first: Airflow's template context, typed. Dates are ISO UTC
 * strings; `ds`/`ts` follow Airflow's formats (`ds` = logical date `YYYY-MM-DD` in UTC).
 */
export interface TaskContext<P = Record<string, JsonValue>> {
  dagId: string;
  taskId: string;
  runId: string;
  mapIndex: number;
  tryNumber: number;
  logicalDate: string;
  dataIntervalStart: string;
  dataIntervalEnd: string;
  /** `YYYY-MM-DD` of the logical date (UTC). */
  ds: string;
  /** `YYYYMMDD` of the logical date (UTC). */
  dsNodash: string;
  /** Logical date as ISO with offset (`2024-01-01T00:00:00+00:00`). */
  ts: string;
  /** DAG params with run conf applied on top of their defaults. */
  params: P;
  /** The run's `conf` as given at trigger time. */
  conf: Record<string, JsonValue>;
  log: TaskLogger;
  /** Reads another task's XCom of this run (`return_value` by default). */
  xcomPull(taskId: string, key?: string): Promise<JsonValue | undefined>;
  /**
   * Connection `id` (Airflow's `BaseHook.get_connection`): secret `updraft/connections/<id>` in
   * AWS, `UPDRAFT_CONN_<ID>` (an Airflow URI) or `.updraft/secrets.json` locally. Throws when it
   * does not exist. Its password and sensitive extras are masked from then on (see `mask`).
   */
  connection(id: string): Promise<Connection>;
  /**
   * Variable `key` (Airflow's `Variable.get`): secret `updraft/variables/<key>` in AWS,
   * `UPDRAFT_VAR_<KEY>` or `.updraft/secrets.json` locally. Returns `fallback` when missing,
   * throws without one. Masked when the key looks sensitive (`password`, `token`, `api_key` …).
   */
  variable(key: string, fallback?: string): Promise<string>;
  /**
   * Hides `value` as `***` in this attempt's log, failure reason and XCom views (Airflow's
   * `mask_secret`). Passwords of connections and variables with sensitive keys are masked already.
   */
  mask(value: string): void;
  /** Signals an abort (execution timeout, shutdown); long tasks should honour it. */
  signal: AbortSignal;
}

/** Key of a task's return value in XCom, as in Airflow. */
export const RETURN_VALUE_KEY = 'return_value';
