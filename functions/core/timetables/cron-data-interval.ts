import { cronSteps } from './cron';
import { intervalRun, nextDataInterval } from './data-interval';
import { toMs } from './instant';
import type { Timetable } from './types';

/**
 * Airflow's `CronDataIntervalTimetable`: each cron point ends the interval that began at the
 * previous one. `summary` is the expression as written (a preset stays a preset).
 */
export function cronDataIntervalTimetable(expression: string, zone: string): Timetable {
  const cron = cronSteps(expression, zone);
  const skipToLatest = (earliest: number | undefined, now: number): number => {
    // The latest interval that has already ended at `now`: when `now` sits on a boundary that is
    // the one ending now, otherwise the one ending at the last boundary.
    const lastStart = cron.prev(now);
    const nextStart = cron.next(lastStart);
    const latest = nextStart === now ? lastStart : cron.prev(lastStart);
    return earliest === undefined ? latest : Math.max(latest, cron.alignToNext(earliest));
  };
  const steps = { ...cron, skipToLatest };
  return {
    summary: expression,
    periodic: true,
    nextRun: (last, restriction, now) => nextDataInterval(steps, last, restriction, now),
    inferManualDataInterval: (runAfter) => {
      // The last complete interval: a run triggered at 01:00 on the 25th of a midnight schedule
      // covers the 24th.
      const end = cron.alignToPrev(toMs(runAfter, 'run after'));
      return intervalRun(cron.prev(end), end).dataInterval;
    },
  };
}
