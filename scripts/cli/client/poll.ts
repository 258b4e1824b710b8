import { InvalidArgumentError } from 'commander';

/** Run states after which a run changes only through a clear or a mark. */
export const FINISHED_RUN_STATES: ReadonlySet<string> = new Set(['success', 'failed']);

/** Task instance states after which an attempt will write no more log lines (`null` is Airflow's None). */
export const FINISHED_TASK_STATES: ReadonlySet<string | null> = new Set([
  'success',
  'failed',
  'skipped',
  'upstream_failed',
  'removed',
  'up_for_retry',
]);

/** Waits `seconds`; the CLI's only timer, so polling commands stay simple to read. */
export function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/** `--poll-seconds`: a positive number of seconds, at most 60. */
export function parsePollSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 60)
    throw new InvalidArgumentError('expected seconds between 0 and 60, like 1 or 0.5');
  return n;
}

/** `--timeout`: whole seconds from 1, or 0 for no limit. */
export function parseTimeoutSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected whole seconds (0: wait forever)');
  return Number(value);
}
