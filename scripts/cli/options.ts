import { type Command, InvalidArgumentError } from 'commander';

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
