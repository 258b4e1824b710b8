import type { DagSpec, JsonValue, TaskSpec } from '../model';
import type { DagRunRecord, TaskInstanceKey } from '../records';
import { templateDates } from '../template-dates';
import { templateMacros } from './macros';
import { templateDate } from './template-date';

/** What the template context is built from. */
export interface TemplateContextInput {
  dag: DagSpec;
  run: DagRunRecord;
  /** The task, its instance and try; absent for run-level templates (DAG callbacks). */
  task?: TaskSpec;
  key?: TaskInstanceKey;
  tryNumber?: number;
  /** DAG params with the run's conf applied (see validation/params). */
  params: Record<string, JsonValue>;
}

/**
 * Airflow's template context for one attempt, with Airflow's names and formats: `ds` is the
 * logical date's `YYYY-MM-DD` in UTC, `ts` its ISO form with offset, dates print as pendulum
 * prints them. Values that need I/O (`var`, `conn`, `ti.xcom_pull`,
 * `prev_data_interval_start_success`) are added by the caller, which fetches them on demand.
 */
export function templateContext(input: TemplateContextInput): Record<string, unknown> {
  const { dag, task, run, key, tryNumber, params } = input;
  const dates = templateDates(run.logicalDate);
  const logicalDate = templateDate(run.logicalDate);
  const dataIntervalStart = templateDate(run.dataIntervalStart);
  const dataIntervalEnd = templateDate(run.dataIntervalEnd);
  const ti = task && {
    dag_id: dag.dagId,
    task_id: task.taskId,
    run_id: run.runId,
    map_index: key?.mapIndex ?? -1,
    try_number: tryNumber ?? 0,
  };
  return {
    ds: dates.ds,
    ds_nodash: dates.dsNodash,
    ts: dates.ts,
    ts_nodash: dates.tsNodash,
    ts_nodash_with_tz: `${dates.tsNodash}+0000`,
    logical_date: logicalDate,
    execution_date: logicalDate,
    data_interval_start: dataIntervalStart,
    data_interval_end: dataIntervalEnd,
    run_id: run.runId,
    dag: { dag_id: dag.dagId, owner: dag.owner, tags: dag.tags, timezone: dag.timezone },
    ...(task &&
      ti && {
        task: {
          task_id: task.taskId,
          owner: task.owner,
          retries: task.retries,
          pool: task.pool,
          operator: task.operator.kind,
        },
        ti,
        task_instance: ti,
      }),
    params,
    // Airflow's `conf` is its configuration object; here it is the run's conf (dag_run.conf).
    conf: run.conf,
    dag_run: {
      run_id: run.runId,
      run_type: run.runType,
      conf: run.conf,
      logical_date: logicalDate,
      data_interval_start: dataIntervalStart,
      data_interval_end: dataIntervalEnd,
      external_trigger: run.externalTrigger,
    },
    macros: templateMacros(),
  };
}
