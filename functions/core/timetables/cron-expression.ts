import { CronExpressionParser } from 'cron-parser';

/**
 * Cron presets and cron validation. Presets are those of Airflow's `cron_presets` plus the aliases
 * croniter itself accepts (`@annually`, `@midnight`), so every preset Airflow takes is taken here.
 */
export const CRON_PRESETS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const EXAMPLE = 'e.g. "0 2 * * *" (every day at 02:00) or "@daily"';
const FIELDS = '"minute hour day-of-month month day-of-week"';
/** A fixed reference date: validation must not read the clock. */
const REFERENCE = new Date(Date.UTC(2000, 0, 1));

/** The 5-field cron expression behind a preset, or the expression itself. */
export function resolvePreset(expression: string): string {
  return CRON_PRESETS[expression] ?? expression;
}

/** A problem message for an invalid cron expression or preset, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const quoted = JSON.stringify(expression);
  if (expression.startsWith('@') && CRON_PRESETS[expression] === undefined) {
    return `unknown schedule preset ${quoted}: use one of @once, ${Object.keys(CRON_PRESETS).join(', ')}, a cron expression or an ISO-8601 duration`;
  }
  const cron = resolvePreset(expression);
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `invalid cron expression ${quoted}: expected 5 fields ${FIELDS}, got ${fields.length}; ${EXAMPLE}`;
  }
  // cron-parser knows `H` (hashed values) but Airflow's croniter rejects it without a hash id;
  // `THU` is the only field name containing an H.
  if (/h/i.test(cron.replace(/thu/gi, ''))) {
    return `invalid cron expression ${quoted}: hashed values (H) are not supported; ${EXAMPLE}`;
  }
  try {
    CronExpressionParser.parse(cron, { currentDate: REFERENCE, tz: 'UTC' }).next();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `invalid cron expression ${quoted}: ${reason}; expected 5 fields ${FIELDS}, ${EXAMPLE}`;
  }
  return undefined;
}
