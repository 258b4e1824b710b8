import { IANAZone } from 'luxon';
import { toMs } from './instant';

/**
 * Wall-clock time in a zone, the way Airflow handles it: a "naive" reading is kept as the epoch
 * milliseconds it would have if the zone were UTC, so croniter-style iteration and naive
 * differences are plain arithmetic.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

function ianaZone(zone: string): IANAZone {
  const found = IANAZone.create(zone);
  if (!found.isValid) throw new Error(`unknown timezone "${zone}"`);
  return found;
}

/** The naive wall-clock reading in `zone` at an instant (Airflow's `make_naive`). */
export function naiveAt(utcMs: number, zone: string): number {
  return utcMs + ianaZone(zone).offset(utcMs) * MINUTE;
}

/**
 * The instant of a naive wall-clock reading in `zone` (Airflow's `make_aware`, which sets
 * `fold=1` and lets pendulum localize): an ambiguous reading (fall-back) resolves to its SECOND
 * occurrence; a reading inside a spring-forward gap is read with the pre-transition offset, which
 * moves it forward by the gap (02:30 in a 02:00→03:00 gap becomes 03:30 after the jump).
 */
export function instantOfNaive(naiveMs: number, zone: string): number {
  const tz = ianaZone(zone);
  // Offsets in force a day either side of the reading: enough for one transition, which is all
  // any zone has within a few hours.
  const before = tz.offset(naiveMs - DAY);
  const after = tz.offset(naiveMs + DAY);
  const readings = [...new Set([before, tz.offset(naiveMs), after])]
    .map((offset) => naiveMs - offset * MINUTE)
    .filter((utcMs) => naiveAt(utcMs, zone) === naiveMs);
  if (readings.length > 0) return Math.max(...readings);
  return naiveMs - before * MINUTE;
}

/** Converts a wall-clock time such as `2024-03-31T02:30` in `zone` to a UTC instant, with Airflow's DST rules. */
export function wallClockToUtc(wallClock: string, zone: string): string {
  if (!NAIVE_ISO.test(wallClock)) {
    throw new Error(`wall-clock time must look like "2024-03-31T02:30:00" (no offset); got "${wallClock}"`);
  }
  return new Date(instantOfNaive(Date.parse(`${wallClock}Z`), zone)).toISOString();
}

/** The wall-clock reading (`2024-03-31T03:30:00.000`, no offset) in `zone` at a UTC instant. */
export function utcToWallClock(iso: string, zone: string): string {
  return new Date(naiveAt(toMs(iso), zone)).toISOString().slice(0, -1);
}
