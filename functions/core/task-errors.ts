/**
 * Errors a task may throw to steer its outcome. Matched by `name`, not `instanceof`, because each
 * DAG bundle carries its own copy of the SDK.
 */

/** Fails the attempt without retrying, whatever `retries` says (Airflow's AirflowFailException). */
export class NonRetryableTaskError extends Error {
  override readonly name = 'NonRetryableTaskError';
}

/** Ends the task as skipped (Airflow's AirflowSkipException). */
export class SkipTaskError extends Error {
  override readonly name = 'SkipTaskError';
}

/** How a thrown value should end the attempt. */
export type ThrownOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string; retryable: boolean };

/** Classifies anything a task threw, keeping the message (and the error type for unknown errors). */
export function classifyThrown(error: unknown): ThrownOutcome {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'SkipTaskError') return { kind: 'skipped', reason: message || 'task raised SkipTaskError' };
  if (name === 'NonRetryableTaskError') return { kind: 'failed', reason: message, retryable: false };
  return { kind: 'failed', reason: name === 'Error' ? message : `${name}: ${message}`, retryable: true };
}
