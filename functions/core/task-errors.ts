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

/**
 * The attempt ran out of memory (a killed container or process, a TS task past its heap limit).
 * Its reason starts with `out_of_memory`; with `onOutOfMemory` the task retries with more memory.
 */
export class OutOfMemoryError extends Error {
  override readonly name = 'OutOfMemoryError';
  constructor(
    readonly limitMiB: number,
    detail: string,
    readonly peakMiB?: number,
  ) {
    super(outOfMemoryReason(limitMiB, detail, peakMiB));
  }
}

/** The reason of an out-of-memory end: `out_of_memory: <detail> (limit N MiB, peak P MiB)`. */
export function outOfMemoryReason(limitMiB: number, detail: string, peakMiB?: number): string {
  const peak = peakMiB === undefined ? '' : `, peak ${Math.round(peakMiB)} MiB`;
  return `out_of_memory: ${detail} (limit ${limitMiB} MiB${peak})`;
}

/** How a thrown value should end the attempt. */
export type ThrownOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string; retryable: boolean; outOfMemory?: boolean };

/** Classifies anything a task threw, keeping the message (and the error type for unknown errors). */
export function classifyThrown(error: unknown): ThrownOutcome {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'SkipTaskError') return { kind: 'skipped', reason: message || 'task raised SkipTaskError' };
  if (name === 'NonRetryableTaskError') return { kind: 'failed', reason: message, retryable: false };
  if (name === 'OutOfMemoryError')
    return { kind: 'failed', reason: message, retryable: true, outOfMemory: true };
  return { kind: 'failed', reason: name === 'Error' ? message : `${name}: ${message}`, retryable: true };
}
