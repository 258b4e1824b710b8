import { toIso, toMs } from './instant';
import type { DagRunInfo, DataInterval, TimeRestriction } from './types';

/**
 * The part shared by Airflow's cron and delta data-interval timetables
 * (`_DataIntervalTimetable.next_dagrun_info` in airflow/timetables/interval.py): a run covers
 * `[start, end)` and is created at `end`; its logical date is `start`.
 */
export interface IntervalSteps {
  next(utcMs: number): number;
  alignToNext(utcMs: number): number;
  alignToPrev(utcMs: number): number;
  /** Where catchup=false lets the first interval start (Airflow's `_skip_to_latest`). */
  skipToLatest(earliest: number | undefined, now: number): number;
}

/** The run info of a data interval `[start, end)`: Airflow's `DagRunInfo.interval`. */
export function intervalRun(start: number, end: number): DagRunInfo {
  return {
    logicalDate: toIso(start),
    dataInterval: { start: toIso(start), end: toIso(end) },
    runAfter: toIso(end),
  };
}

/** The next data interval after `last`, as Airflow's scheduler would create it. */
export function nextDataInterval(
  steps: IntervalSteps,
  last: DataInterval | null,
  restriction: TimeRestriction,
  now: string,
): DagRunInfo | null {
  const startDate = restriction.earliest === undefined ? undefined : toMs(restriction.earliest, 'start date');
  const earliest = !restriction.catchup
    ? steps.skipToLatest(startDate, toMs(now, 'now'))
    : startDate === undefined
      ? undefined
      : steps.alignToNext(startDate);
  let start: number;
  if (last === null) {
    if (earliest === undefined) return null;
    start = earliest;
  } else {
    // Re-aligning the previous end keeps intervals on the grid after a schedule change; a start
    // date moved into the future (or catchup=false) wins over it.
    const aligned = steps.alignToPrev(toMs(last.end, 'last data interval end'));
    start = earliest === undefined ? aligned : Math.max(aligned, earliest);
  }
  if (restriction.latest !== undefined && start > toMs(restriction.latest, 'end date')) return null;
  return intervalRun(start, steps.next(start));
}
