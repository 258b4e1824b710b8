import { IANAZone } from 'luxon';
import type { ScheduleSpec } from '../model';
import { cronProblem } from './cron-expression';
import { durationProblem } from './duration';

/** Outcome of reading a schedule as written by a DAG author. */
export type ParsedSchedule = { ok: true; schedule: ScheduleSpec } | { ok: false; problem: string };

const KINDS =
  'null (manual only), "@once", a preset such as "@daily", a cron expression such as "0 2 * * *" or an ISO-8601 duration such as "PT1H"';

/**
 * Reads a schedule: null/undefined (manual only), `@once`, a preset, a 5-field cron expression or
 * an ISO-8601 duration. With `trigger`, a cron expression or preset becomes a cron trigger
 * timetable (logical date = run time, no data interval) instead of data intervals.
 */
export function parseSchedule(
  input: string | null | undefined,
  opts: { trigger?: boolean } = {},
): ParsedSchedule {
  if (input === null || input === undefined) return { ok: true, schedule: { kind: 'none' } };
  const text = input.trim();
  if (text === '') return { ok: false, problem: `empty schedule: use ${KINDS}` };
  if (text === '@once') return { ok: true, schedule: { kind: 'once' } };
  if (text === '@continuous') {
    return {
      ok: false,
      problem: `schedule "@continuous" is not supported: Updraft creates runs on a one-minute tick; use ${KINDS}`,
    };
  }
  if (/^P/i.test(text)) {
    if (opts.trigger) {
      return {
        ok: false,
        problem: `a cron trigger schedule needs a cron expression or preset, not the duration ${JSON.stringify(text)}; e.g. "0 2 * * *"`,
      };
    }
    const problem = durationProblem(text);
    return problem === undefined
      ? { ok: true, schedule: { kind: 'delta', duration: text } }
      : { ok: false, problem };
  }
  const problem = cronProblem(text);
  if (problem !== undefined) return { ok: false, problem };
  return { ok: true, schedule: { kind: opts.trigger ? 'cron_trigger' : 'cron', expression: text } };
}

/** A problem message when `tz` is not an IANA zone name, else undefined. */
export function validateTimezone(tz: string): string | undefined {
  if (IANAZone.isValidZone(tz)) return undefined;
  return `unknown timezone ${JSON.stringify(tz)}: use an IANA zone name such as "UTC", "Europe/Amsterdam" or "America/New_York"`;
}
