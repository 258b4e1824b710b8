/** A data interval `[start, end)`; ISO-8601 UTC instants (`Date.prototype.toISOString` form). */
export interface DataInterval {
  start: string;
  end: string;
}

/** What the scheduler needs to create one run (Airflow's DagRunInfo). */
export interface DagRunInfo {
  /** The run's logical date (Airflow's `logical_date`, formerly `execution_date`). */
  logicalDate: string;
  dataInterval: DataInterval;
  /** Earliest instant the run may be created (for data-interval cron: the interval end). */
  runAfter: string;
}

/** Bounds on automated runs (Airflow's TimeRestriction). */
export interface TimeRestriction {
  /** DAG start date, if any; ISO UTC. */
  earliest?: string;
  /** DAG end date, if any; ISO UTC. */
  latest?: string;
  catchup: boolean;
}

/** A schedule made executable (Airflow's Timetable protocol), pure: `now` is always an argument. */
export interface Timetable {
  /** Human summary for listings, e.g. `0 2 * * *` or `@daily` or `None`. */
  readonly summary: string;
  /** False for manual-only (`null`) schedules: the scheduler never creates runs. */
  readonly periodic: boolean;
  /**
   * The next automated run after `last` (the latest automated run's data interval, or null when
   * none exists), or null when there is none (manual schedule, past end date, `@once` done).
   */
  nextRun(last: DataInterval | null, restriction: TimeRestriction, now: string): DagRunInfo | null;
  /** Data interval for a manual run triggered at `runAfter` (Airflow's infer_manual_data_interval). */
  inferManualDataInterval(runAfter: string): DataInterval;
}
