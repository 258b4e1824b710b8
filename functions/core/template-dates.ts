import { airflowIsoFormat } from './run-id';

/** Airflow's date fields of the task context for a logical date (UTC, as Airflow renders them). */
export function templateDates(logicalDate: string): {
  ds: string;
  dsNodash: string;
  ts: string;
  tsNodash: string;
} {
  const iso = new Date(Date.parse(logicalDate)).toISOString();
  const ds = iso.slice(0, 10);
  const ts = airflowIsoFormat(iso);
  return {
    ds,
    dsNodash: ds.replaceAll('-', ''),
    ts,
    tsNodash: iso.slice(0, 19).replaceAll('-', '').replaceAll(':', ''),
  };
}
