import { airflowIsoFormat } from '../run-id';
import { strftime } from './strftime';

/** Keyword arguments as a Jinja call passes them (`add(days=1)`), or a plain object from TS. */
type Shift = {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
};

/**
 * A template date: prints as Airflow prints a pendulum DateTime (`2024-01-01T00:00:00+00:00`)
 * and offers the pendulum methods templates use (`strftime`, `add`, `subtract`, `isoformat`,
 * `format`-free). Methods are own properties because the template sandbox only reads those.
 */
export interface TemplateDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Epoch seconds (pendulum's `int_timestamp`). */
  readonly int_timestamp: number;
  strftime(format: string): string;
  isoformat(): string;
  /** `YYYY-MM-DD` (pendulum's `to_date_string`). */
  to_date_string(): string;
  add(shift: Shift): TemplateDate;
  subtract(shift: Shift): TemplateDate;
  toString(): string;
  toJSON(): string;
}

function shifted(date: Date, shift: Shift, sign: 1 | -1): Date {
  const out = new Date(date.getTime());
  const n = (value: number | undefined) => sign * (value ?? 0);
  // Calendar units first (month ends clamp like pendulum), then exact durations.
  if (shift.years || shift.months) {
    const day = out.getUTCDate();
    out.setUTCDate(1);
    out.setUTCMonth(out.getUTCMonth() + n(shift.months) + 12 * n(shift.years));
    const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
    out.setUTCDate(Math.min(day, last));
  }
  const ms =
    ((((n(shift.weeks) * 7 + n(shift.days)) * 24 + n(shift.hours)) * 60 + n(shift.minutes)) * 60 +
      n(shift.seconds)) *
    1000;
  return new Date(out.getTime() + ms);
}

/** The template date of an ISO instant. */
export function templateDate(iso: string): TemplateDate {
  const date = new Date(Date.parse(iso));
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(iso)}`);
  const text = airflowIsoFormat(date.toISOString());
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    int_timestamp: Math.floor(date.getTime() / 1000),
    strftime: (format) => strftime(date, format),
    isoformat: () => text,
    to_date_string: () => date.toISOString().slice(0, 10),
    add: (shift) => templateDate(shifted(date, shift, 1).toISOString()),
    subtract: (shift) => templateDate(shifted(date, shift, -1).toISOString()),
    toString: () => text,
    toJSON: () => text,
  };
}
