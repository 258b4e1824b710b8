import type { RunType } from './states';

/**
 * Airflow's generated run id: `<run_type>__<logical date in ISO with offset>`, e.g.
 * `scheduled__2024-03-28T01:00:00+00:00` (microseconds appear only when non-zero, like Python's isoformat).
 */
export function runIdFor(runType: RunType, logicalDate: string): string {
  return `${runType}__${airflowIsoFormat(logicalDate)}`;
}

/** Formats an ISO UTC instant the way Python's `datetime.isoformat()` prints an aware UTC datetime. */
export function airflowIsoFormat(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(iso)}`);
  const [withoutZ = ''] = new Date(ms).toISOString().split('Z');
  const [seconds, fraction = '000'] = withoutZ.split('.');
  const micros = fraction === '000' ? '' : `.${fraction}000`;
  return `${seconds}${micros}+00:00`;
}
