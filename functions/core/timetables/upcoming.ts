import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './types';

/**
 * The next `count` automated runs as a scheduler creates them one after another: the first after
 * `last`, each following one after the previous run's interval; stops early when there is none.
 */
export function upcomingRuns(
  timetable: Timetable,
  restriction: TimeRestriction,
  now: string,
  count: number,
  last: DataInterval | null = null,
): DagRunInfo[] {
  const runs: DagRunInfo[] = [];
  let previous = last;
  while (runs.length < count) {
    const run = timetable.nextRun(previous, restriction, now);
    if (run === null) break;
    runs.push(run);
    previous = run.dataInterval;
  }
  return runs;
}
