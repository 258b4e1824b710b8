import { DateTime } from 'luxon';

const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads a DAG's start/end date: `2024-03-28` or `2024-03-28T06:00` is wall-clock time in the
 * DAG's timezone (what an author of a non-UTC DAG means); a value with `Z` or an offset is absolute.
 */
export function parseDagDate(
  value: string,
  timezone: string,
): { ok: true; iso: string } | { ok: false; problem: string } {
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, problem: `expected a date string, got ${JSON.stringify(value)}` };
  }
  const parsed = HAS_OFFSET.test(value)
    ? DateTime.fromISO(value, { setZone: true })
    : DateTime.fromISO(value, { zone: timezone });
  if (!parsed.isValid) {
    return {
      ok: false,
      problem: `not a date: ${JSON.stringify(value)} (${parsed.invalidExplanation ?? parsed.invalidReason})`,
    };
  }
  return {
    ok: true,
    iso: parsed
      .toUTC()
      .toISO({ suppressMilliseconds: false })!
      .replace(/\+00:00$/, 'Z'),
  };
}
