import type { TaskSpec } from '../model';
import { UNMAPPED } from '../model';
import { fnv1a32 } from './stable-hash';

/** Airflow's default `[core] max_task_retry_delay`: no backoff delay exceeds 24 hours. */
export const MAX_RETRY_DELAY_SECONDS = 24 * 60 * 60;

/** Identifies one failed attempt; the backoff jitter is a pure function of it. */
export interface RetryKey {
  dagId: string;
  taskId: string;
  /** ISO-8601 logical date of the run. */
  logicalDate: string;
  /** The attempt that just failed: 1 for the first attempt. */
  tryNumber: number;
  mapIndex?: number;
}

/** The task fields the retry delay depends on. */
export type RetryDelaySpec = Pick<
  TaskSpec,
  'retryDelaySeconds' | 'retryExponentialBackoff' | 'maxRetryDelaySeconds'
>;

/**
 * True when the attempt `tryNumber` (1-based, the one that just failed) may be retried, as
 * Airflow's `is_eligible_to_retry`: `retries > 0 and try_number <= max_tries`, with max_tries = retries.
 * So `retries: 2` allows three attempts in total.
 */
export function isEligibleToRetry(task: Pick<TaskSpec, 'retries'>, tryNumber: number): boolean {
  return task.retries > 0 && tryNumber <= task.retries;
}

/**
 * Seconds to wait before retrying after attempt `key.tryNumber` failed, as Airflow's
 * `TaskInstance.next_retry_datetime`.
 *
 * Without backoff: the task's constant `retryDelaySeconds` (Airflow applies neither cap to it).
 * With backoff: `min_backoff = max(1, ceil(delay × 2^(n-1)))` where n is the attempt that failed,
 * plus a deterministic jitter `hash % min_backoff`, so the result lies in [min_backoff, 2×min_backoff),
 * then capped at 24 h and at `maxRetryDelaySeconds` when set.
 *
 * Exponent: Airflow 2.7–2.9 wrote `2 ** (try_number - 2)`, but there `try_number` of an up_for_retry
 * instance reads `_try_number + 1` (the *next* attempt); 2.10 increments try_number at scheduling
 * and writes `2 ** (try_number - 1)` with the attempt that failed. Both give delay × 2^(failed - 1):
 * the first retry waits about `delay`, the second about 2 × delay.
 */
export function retryDelaySeconds(task: RetryDelaySpec, key: RetryKey): number {
  if (!task.retryExponentialBackoff) return task.retryDelaySeconds;
  // A try number below 1 is a caller bug; treat it as the first attempt rather than halve the delay.
  const exponent = Math.max(0, key.tryNumber - 1);
  // Airflow keeps the ceil and adds a lower bound of 1 so that a zero delay cannot divide by zero.
  const minBackoff = Math.max(1, Math.ceil(task.retryDelaySeconds * 2 ** exponent));
  // After ~1000 tries minBackoff overflows to Infinity; `hash % Infinity` is the hash and the cap still applies.
  let delay = Math.min(minBackoff + (jitterHash(key) % minBackoff), MAX_RETRY_DELAY_SECONDS);
  // Airflow tests `if self.task.max_retry_delay:`, so a zero max delay means "not set".
  if (task.maxRetryDelaySeconds) delay = Math.min(delay, task.maxRetryDelaySeconds);
  return delay;
}

/**
 * Airflow hashes `dag_id#task_id#logical_date#try_number` with sha1; core cannot import
 * node:crypto, so this uses FNV-1a 32-bit over the same key. Only the resulting range matters.
 * Deviation: a mapped instance appends `#mapIndex`, so mapped siblings failing together do not
 * all retry in the same second (Airflow gives them identical jitter).
 */
function jitterHash(key: RetryKey): number {
  const mapped = key.mapIndex !== undefined && key.mapIndex !== UNMAPPED ? `#${key.mapIndex}` : '';
  return fnv1a32(`${key.dagId}#${key.taskId}#${key.logicalDate}#${key.tryNumber}${mapped}`);
}
