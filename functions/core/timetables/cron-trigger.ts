import { cronSteps } from './cron';
import { toIso, toMs } from './instant';
import type { DagRunInfo, Timetable } from './types';

/** A run at instant `at` with the empty interval `[at, at]`: Airflow's `DagRunInfo.exact`. */
export function exactRun(at: number): DagRunInfo {
  const iso = toIso(at);
  return { logicalDate: iso, dataInterval: { start: iso, end: iso }, runAfter: iso };
}

/**
 * Airflow's `CronTriggerTimetable` with its default `interval=timedelta()`: a run at each cron
 * point, whose logical date is that point and whose data interval is empty.
 */
export function cronTriggerTimetable(expression: string, zone: string): Timetable {
  const cron = cronSteps(expression, zone);
  return {
    summary: expression,
    periodic: true,
    nextRun: (last, restriction, now) => {
      const startDate =
        restriction.earliest === undefined ? undefined : toMs(restriction.earliest, 'start date');
      const lastEnd = last === null ? undefined : toMs(last.end, 'last data interval end');
      let at: number;
      if (restriction.catchup) {
        if (lastEnd !== undefined) at = cron.next(lastEnd);
        else if (startDate !== undefined) at = cron.alignToNext(startDate);
        else return null; // nowhere to catch up from
      } else {
        // The most recent point at or before `now` still runs (apache/airflow#33404), so a tick
        // that comes a little late does not skip it; only whole missed periods are skipped.
        const candidates = [cron.alignToPrev(toMs(now, 'now'))];
        if (lastEnd !== undefined) candidates.push(cron.next(lastEnd));
        if (startDate !== undefined) candidates.push(cron.alignToNext(startDate));
        at = Math.max(...candidates);
      }
      if (restriction.latest !== undefined && toMs(restriction.latest, 'end date') < at) return null;
      return exactRun(at);
    },
    inferManualDataInterval: (runAfter) => exactRun(toMs(runAfter, 'run after')).dataInterval,
  };
}
