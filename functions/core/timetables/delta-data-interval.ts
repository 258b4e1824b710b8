import { nextDataInterval } from './data-interval';
import { durationSteps } from './duration';
import { toIso, toMs } from './instant';
import type { Timetable } from './types';

/**
 * Airflow's `DeltaDataIntervalTimetable` (`schedule=timedelta(...)`): intervals of a fixed
 * duration chained from the start date, in UTC whatever the DAG's timezone.
 */
export function deltaDataIntervalTimetable(duration: string): Timetable {
  const delta = durationSteps(duration);
  const identity = (utcMs: number) => utcMs;
  const steps = {
    next: delta.add,
    alignToNext: identity,
    alignToPrev: identity,
    skipToLatest: (earliest: number | undefined, now: number): number => {
      // Airflow ≥ 2.8 (apache/airflow#35391) floors `now` to the duration's epoch grid, then
      // steps one interval back so the interval ending at that grid point runs at once.
      const floored = now - (((now % delta.roundingMs) + delta.roundingMs) % delta.roundingMs);
      const latest = delta.subtract(floored);
      return earliest === undefined ? latest : Math.max(latest, earliest);
    },
  };
  return {
    summary: duration,
    periodic: true,
    nextRun: (last, restriction, now) => nextDataInterval(steps, last, restriction, now),
    inferManualDataInterval: (runAfter) => {
      const end = toMs(runAfter, 'run after');
      return { start: toIso(delta.subtract(end)), end: toIso(end) };
    },
  };
}
