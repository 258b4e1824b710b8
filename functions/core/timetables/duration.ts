import { DateTime, Duration } from 'luxon';

/**
 * ISO-8601 durations as Airflow's timedelta/relativedelta schedules. Airflow adds them to UTC
 * datetimes (the DAG's start date and stored intervals are UTC), so the DAG's timezone plays no
 * part: `P1D` is 24 hours, `P1M` is a calendar month in UTC with the day clamped (Jan 31 → Feb 29).
 */

const EXAMPLE = 'e.g. "PT30M", "PT1H", "P1D" or "P1M"';
/** A fixed reference instant: validation must not read the clock. */
const REFERENCE = DateTime.fromMillis(Date.UTC(2000, 0, 1), { zone: 'utc' });

/** A problem message for an invalid or non-positive ISO-8601 duration, or undefined when it is valid. */
export function durationProblem(iso: string): string | undefined {
  const quoted = JSON.stringify(iso);
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) {
    return `invalid ISO-8601 duration ${quoted}: ${duration.invalidExplanation ?? 'unparsable'}; ${EXAMPLE}`;
  }
  if (!Number.isInteger(duration.years) || !Number.isInteger(duration.months)) {
    return `invalid ISO-8601 duration ${quoted}: years and months must be whole numbers (a fraction of a month has no fixed length); ${EXAMPLE}`;
  }
  if (REFERENCE.plus(duration) <= REFERENCE) {
    return `invalid ISO-8601 duration ${quoted}: a schedule interval must be positive; ${EXAMPLE}`;
  }
  return undefined;
}

/** Arithmetic with one duration, in UTC. */
export interface DurationSteps {
  /** `utcMs + duration` (Airflow's `_get_next` of a delta timetable). */
  add(utcMs: number): number;
  /** `utcMs - duration` (Airflow's `_get_prev` of a delta timetable). */
  subtract(utcMs: number): number;
  /**
   * The duration in milliseconds as Airflow's `_round` counts it: a month is 30 days and a year
   * 365 days (`_relativedelta_in_seconds`), so month grids drift; Airflow's quirk, kept.
   */
  roundingMs: number;
}

/** Duration arithmetic for a valid ISO-8601 duration; throws the problem message otherwise. */
export function durationSteps(iso: string): DurationSteps {
  const problem = durationProblem(iso);
  if (problem !== undefined) throw new Error(problem);
  const duration = Duration.fromISO(iso);
  const at = (utcMs: number) => DateTime.fromMillis(utcMs, { zone: 'utc' });
  const days = duration.years * 365 + duration.months * 30 + duration.weeks * 7 + duration.days;
  const time = Duration.fromObject({
    hours: duration.hours,
    minutes: duration.minutes,
    seconds: duration.seconds,
    milliseconds: duration.milliseconds,
  });
  return {
    add: (utcMs) => at(utcMs).plus(duration).toMillis(),
    subtract: (utcMs) => at(utcMs).minus(duration).toMillis(),
    roundingMs: days * 86_400_000 + time.as('milliseconds'),
  };
}
