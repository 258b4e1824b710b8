import { type Command, InvalidArgumentError } from 'commander';
import { CliError, ExitCode } from './errors';

/** Default folder searched for `*.dag.ts` files, relative to the working directory. */
export const DEFAULT_DAGS_FOLDER = 'dags';

/** Largest `-n` accepted: listings beyond this are a typo, not a plan. */
export const MAX_COUNT = 1000;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** `--now`: an ISO-8601 instant with a zone (or a date, meaning UTC midnight), normalized to UTC. */
export function parseNow(value: string): string {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError('expected an ISO-8601 instant with a zone, like 2024-03-31T12:00:00Z');
  }
  return new Date(ms).toISOString();
}

/** `-n`: a whole number from 1 to MAX_COUNT. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_COUNT) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_COUNT}`);
  }
  return n;
}

/** Adds `--dags-folder` and `--skip-invalid`, shared by every command that builds DAGs. */
export function withDagsOptions(command: Command): Command {
  return command
    .option('--dags-folder <dir>', 'folder searched recursively for *.dag.ts files', DEFAULT_DAGS_FOLDER)
    .option(
      '--skip-invalid',
      'leave out DAG files with problems (reported as warnings) instead of failing',
      false,
    );
}

/** Adds `--now`; only the CLI reads the clock, core never does. */
export function withNowOption(command: Command): Command {
  return command.option('--now <iso>', 'evaluate schedules at this instant instead of the clock', parseNow);
}

/** `--port`: a whole number from 0 to 65535 (0 picks a free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return port;
}

/** A positive number of seconds or workers. */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number');
  return n;
}

/**
 * An option's value, else its environment variable parsed the same way (a bad value names the
 * variable), else the fallback. Commander does not parse defaults, so env defaults go through here.
 */
export function optionOrEnv<T>(
  value: T | undefined,
  name: string,
  parse: (raw: string) => T,
  fallback: T,
): T {
  if (value !== undefined) return value;
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    return parse(raw);
  } catch (error) {
    throw new CliError(ExitCode.BadInput, [
      `error: ${name}=${JSON.stringify(raw)}: ${(error as Error).message}`,
    ]);
  }
}

/** `--port` and `--tick-seconds` of the commands that run the local stack. */
export function withLocalStackOptions(command: Command): Command {
  return command
    .option(
      '--port <port>',
      'API port on 127.0.0.1, 0 for a free one (env UPDRAFT_PORT, default 8080)',
      parsePort,
    )
    .option(
      '--tick-seconds <s>',
      'seconds between scheduler ticks (env UPDRAFT_TICK_SECONDS, default 5)',
      parsePositive,
    );
}

/** The resolved `--port` and `--tick-seconds`. */
export function localStackOptions(options: { port?: number; tickSeconds?: number }): {
  port: number;
  tickSeconds: number;
} {
  return {
    port: optionOrEnv(options.port, 'UPDRAFT_PORT', parsePort, 8080),
    tickSeconds: optionOrEnv(options.tickSeconds, 'UPDRAFT_TICK_SECONDS', parsePositive, 5),
  };
}
