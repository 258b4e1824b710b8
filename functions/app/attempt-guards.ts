import type { TaskInstanceKey } from '../core/records';
import { StaleTransitionError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';

/** What may stop an attempt from outside its code, with the reason recorded on the instance. */
export interface GuardOptions {
  /** Task's execution timeout in seconds. */
  executionTimeoutSeconds?: number;
  /** Epoch ms by which the attempt must have stopped (Lambda deadline minus a safety margin). */
  deadlineAt?: number;
  /** Heartbeat period in seconds; the attempt is aborted once its instance is no longer ours. */
  heartbeatSeconds?: number;
  store: RunStore;
  key: TaskInstanceKey;
  tryNumber: number;
  now: () => string;
}

/** An abort signal wired to the attempt's timeout, deadline and heartbeat, and how to stop them. */
export interface Guards {
  signal: AbortSignal;
  /** Rejects when the signal aborts; race the task against it. */
  aborted: Promise<never>;
  /** True when a heartbeat found the instance taken over (cleared, failed as zombie). */
  lost(): boolean;
  stop(): void;
}

/** Starts the guards of one attempt. */
export function startGuards(options: GuardOptions): Guards {
  const abort = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  let lost = false;
  const timeout = options.executionTimeoutSeconds;
  if (timeout !== undefined) {
    timers.push(
      setTimeout(() => abort.abort(new Error(`execution_timeout: exceeded ${timeout}s`)), timeout * 1000),
    );
  }
  if (options.deadlineAt !== undefined) {
    const left = Math.max(0, options.deadlineAt - Date.now());
    const reason = 'worker_timeout: stopped before the Lambda deadline; it will be retried if retries remain';
    timers.push(setTimeout(() => abort.abort(new Error(reason)), left));
  }
  if (options.heartbeatSeconds !== undefined) {
    const beat = async () => {
      try {
        await options.store.heartbeat(options.key, options.tryNumber, options.now());
      } catch (error) {
        if (!(error instanceof StaleTransitionError)) return; // a failed beat is retried next period
        lost = true;
        abort.abort(
          new Error('attempt lost: the task instance was changed by someone else (cleared or failed)'),
        );
      }
    };
    timers.push(setInterval(() => void beat(), options.heartbeatSeconds * 1000));
  }
  const aborted = new Promise<never>((_, reject) =>
    abort.signal.addEventListener('abort', () => reject(abort.signal.reason)),
  );
  // After the race is decided, `stop` aborts too; nobody must see that rejection.
  aborted.catch(() => undefined);
  return {
    signal: abort.signal,
    aborted,
    lost: () => lost,
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
      if (!abort.signal.aborted) abort.abort(new Error('attempt finished'));
    },
  };
}
