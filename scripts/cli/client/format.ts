import type { DagRunJson, TaskInstanceJson } from './types';

/** An API datetime for tables: `Z` instead of `+00:00`, `-` for null. */
export function instant(iso: string | null | undefined): string {
  if (!iso) return '-';
  // Whole seconds are enough to read a table; --json keeps the API's precision.
  return iso.replace(/(\.\d+)?(\+00:00|Z)$/, 'Z');
}

/** A task state for tables: Airflow's None is shown as `none`. */
export function taskState(state: string | null): string {
  return state ?? 'none';
}

/** Seconds as `1.2s`, `-` when unknown. */
export function seconds(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)}s`;
}

/** The header lines of a run: id, state, type, dates and the reason when it has one. */
export function runSummary(run: DagRunJson): string[] {
  return [
    `run ${run.dag_run_id} of ${run.dag_id}: ${run.state}${run.reason ? ` (${run.reason})` : ''}`,
    `  type ${run.run_type}, logical date ${instant(run.logical_date)}, data interval ${instant(run.data_interval_start)} → ${instant(run.data_interval_end)}`,
    `  started ${instant(run.start_date)}, ended ${instant(run.end_date)}, bundle ${run.bundle_version}`,
  ];
}

/** Table rows of task instances: task, map index, state, try, duration, reason. */
export function instanceRows(instances: readonly TaskInstanceJson[]): string[][] {
  return instances.map((ti) => [
    ti.task_id,
    ti.map_index === -1 ? '' : String(ti.map_index),
    taskState(ti.state),
    String(ti.try_number),
    seconds(ti.duration),
    ti.reason ?? '',
  ]);
}

/** Headers matching `instanceRows`. */
export const INSTANCE_HEADERS = ['task_id', 'map', 'state', 'try', 'duration', 'reason'] as const;
