/**
 * Durations in DAG files: whole seconds, or a `timedelta`-like object (`{ minutes: 5 }`),
 * the TypeScript spelling of Airflow's `timedelta(minutes=5)`.
 */
export type DurationInput = number | { days?: number; hours?: number; minutes?: number; seconds?: number };

const UNIT_SECONDS = { days: 86_400, hours: 3_600, minutes: 60, seconds: 1 } as const;

/** Converts a duration input to seconds, or returns a problem text naming the bad value. */
export function toSeconds(
  input: DurationInput,
): { ok: true; seconds: number } | { ok: false; problem: string } {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0
      ? { ok: true, seconds: input }
      : { ok: false, problem: `expected a non-negative number of seconds, got ${input}` };
  }
  if (typeof input !== 'object' || input === null) {
    return {
      ok: false,
      problem: `expected seconds or { days, hours, minutes, seconds }, got ${JSON.stringify(input)}`,
    };
  }
  let total = 0;
  for (const [unit, value] of Object.entries(input)) {
    const factor = UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
    if (factor === undefined) {
      return { ok: false, problem: `unknown duration unit "${unit}" (use days, hours, minutes or seconds)` };
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      return { ok: false, problem: `${unit} must be a non-negative number, got ${JSON.stringify(value)}` };
    }
    total += value * factor;
  }
  return { ok: true, seconds: total };
}
