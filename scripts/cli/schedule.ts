import type { DagSpec } from '../../functions/core/model';
import {
  type DagRunInfo,
  type TimeRestriction,
  timetableFor,
  upcomingRuns,
} from '../../functions/core/timetables';

/** A DAG's schedule summary and its next automated runs as the scheduler would create them at `now`. */
export function upcomingFor(
  spec: DagSpec,
  now: string,
  count: number,
): { summary: string; runs: DagRunInfo[] } {
  const timetable = timetableFor(spec.schedule, spec.timezone);
  const restriction: TimeRestriction = {
    catchup: spec.catchup,
    ...(spec.startDate !== undefined && { earliest: spec.startDate }),
    ...(spec.endDate !== undefined && { latest: spec.endDate }),
  };
  // No run exists yet (`last` = null): this is what a freshly deployed bundle would get.
  return { summary: timetable.summary, runs: upcomingRuns(timetable, restriction, now, count, null) };
}
