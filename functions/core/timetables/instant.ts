/**
 * Instants cross the timetable API as ISO-8601 UTC strings; inside, they are epoch milliseconds so
 * comparisons and arithmetic are plain numbers.
 */

/** Epoch milliseconds of an ISO-8601 instant; throws with the field name when it is not one. */
export function toMs(iso: string, what = 'instant'): number {
  const ms = Date.parse(iso);
  // Date.parse reads an ISO string without offset as local time: refuse it, an instant needs a zone.
  if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) {
    throw new Error(
      `${what} must be an ISO-8601 instant with a zone, e.g. "2024-03-28T01:00:00.000Z"; got "${iso}"`,
    );
  }
  return ms;
}

/** The `Date.prototype.toISOString` form of epoch milliseconds (always UTC, `…Z`). */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
