import { assertNever } from '../assert-never';
import type { ScheduleSpec } from '../model';
import { cronDataIntervalTimetable } from './cron-data-interval';
import { cronProblem } from './cron-expression';
import { cronTriggerTimetable } from './cron-trigger';
import { deltaDataIntervalTimetable } from './delta-data-interval';
import { validateTimezone } from './parse';
import { nullTimetable, onceTimetable } from './simple';
import type { Timetable } from './types';

export { CRON_PRESETS } from './cron-expression';
export { type ParsedSchedule, parseSchedule, validateTimezone } from './parse';
export type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './types';
export { upcomingRuns } from './upcoming';
export { utcToWallClock, wallClockToUtc } from './zone';

/** The timetable of a schedule in an IANA zone; throws the problem message for an invalid spec. */
export function timetableFor(schedule: ScheduleSpec, timezone: string): Timetable {
  const zoneProblem = validateTimezone(timezone);
  if (zoneProblem !== undefined) throw new Error(zoneProblem);
  switch (schedule.kind) {
    case 'none':
      return nullTimetable();
    case 'once':
      return onceTimetable();
    case 'cron':
    case 'cron_trigger': {
      const problem = cronProblem(schedule.expression);
      if (problem !== undefined) throw new Error(problem);
      return schedule.kind === 'cron'
        ? cronDataIntervalTimetable(schedule.expression, timezone)
        : cronTriggerTimetable(schedule.expression, timezone);
    }
    case 'delta':
      return deltaDataIntervalTimetable(schedule.duration);
    default:
      return assertNever(schedule, 'schedule kind');
  }
}
