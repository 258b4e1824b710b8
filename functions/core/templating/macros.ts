import { strftime, strptime } from './strftime';
import { type TemplateDate, templateDate } from './template-date';

/** Airflow's `macros` namespace, as far as it makes sense without Python's modules. */
export interface TemplateMacros {
  /** `ds_add('2024-01-31', 1)` → `'2024-02-01'` (negative days go back). */
  ds_add(ds: string, days: number): string;
  /** `ds_format('2024-01-31', '%Y-%m-%d', '%d/%m/%Y')` → `'31/01/2024'`. */
  ds_format(ds: string, inputFormat: string, outputFormat: string): string;
  /** A template date (with `strftime`, `add`, `subtract`) of an ISO instant or `YYYY-MM-DD`. */
  datetime(iso: string): TemplateDate;
  /** `strftime(iso, '%Y/%m/%d')`: formats an ISO instant (or a template date) in UTC. */
  strftime(iso: string | TemplateDate, format: string): string;
}

/** The macros object handed to every template. */
export function templateMacros(): TemplateMacros {
  return {
    ds_add: (ds, days) => {
      const date = strptime(String(ds), '%Y-%m-%d');
      return new Date(date.getTime() + Number(days) * 86_400_000).toISOString().slice(0, 10);
    },
    ds_format: (ds, inputFormat, outputFormat) => strftime(strptime(String(ds), inputFormat), outputFormat),
    datetime: (iso) => templateDate(String(iso)),
    strftime: (iso, format) => strftime(new Date(Date.parse(String(iso))), format),
  };
}
