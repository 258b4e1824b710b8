const LEVELS = { info: 0, warn: 1, error: 2, silent: 3 } as const;
type Level = keyof typeof LEVELS;
/** `UPDRAFT_LOG_LEVEL` (info | warn | error | silent); default info. Read per line: it is one lookup. */
const threshold = () => LEVELS[(process.env.UPDRAFT_LOG_LEVEL as Level | undefined) ?? 'info'] ?? LEVELS.info;

/** One structured log line (JSON) for CloudWatch: `level`, `message`, then fields. */
export function logJson(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}

/** An error as loggable fields, keeping its cause chain. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  return {
    error: error.message,
    errorType: error.name,
    ...(error.stack && { stack: error.stack }),
    ...(error.cause !== undefined && { cause: errorFields(error.cause) }),
  };
}
