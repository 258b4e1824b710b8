import { exactRun } from './cron-trigger';
import { toMs } from './instant';
import type { Timetable } from './types';

const exactInterval = (runAfter: string) => exactRun(toMs(runAfter, 'run after')).dataInterval;

/** Airflow's `NullTimetable` (`schedule=None`): manual runs only. */
export function nullTimetable(): Timetable {
  return {
    summary: 'None',
    periodic: false,
    nextRun: () => null,
    inferManualDataInterval: exactInterval,
  };
}

/**
 * Airflow's `OnceTimetable` (`@once`): one run at the start date, catchup or not, and none once
 * any automated run exists. `periodic` is true in the contract's sense (the scheduler creates
 * that run), although Airflow's own `periodic` flag is false for it.
 */
export function onceTimetable(): Timetable {
  return {
    summary: '@once',
    periodic: true,
    nextRun: (last, restriction) => {
      if (last !== null || restriction.earliest === undefined) return null;
      const at = toMs(restriction.earliest, 'start date');
      if (restriction.latest !== undefined && at > toMs(restriction.latest, 'end date')) return null;
      return exactRun(at);
    },
    inferManualDataInterval: exactInterval,
  };
}
