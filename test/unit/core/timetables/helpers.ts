import type { DagRunInfo } from '../../../../functions/core/timetables';

/** `2024-03-28T01:00Z` → `2024-03-28T01:00:00.000Z`: short instants in tables, exact strings in assertions. */
export function utc(short: string): string {
  return new Date(short).toISOString();
}

/** The run of a data interval `[start, end)`: logical date = start, created at end (Airflow's DagRunInfo.interval). */
export function interval(start: string, end: string): DagRunInfo {
  return { logicalDate: utc(start), dataInterval: { start: utc(start), end: utc(end) }, runAfter: utc(end) };
}

/** A run at one instant with an empty interval (Airflow's DagRunInfo.exact). */
export function exact(at: string): DagRunInfo {
  return interval(at, at);
}
