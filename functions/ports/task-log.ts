import type { TaskInstanceKey } from '../core/records';

/** One attempt's log (Airflow's remote-logging handler), opened by the worker. */
export interface TaskLog {
  write(level: 'info' | 'warn' | 'error', message: string): void;
  /** Flushes and finishes; must not lose lines written before. */
  close(): Promise<void>;
}

/** Opens the log of one attempt (`tryNumber` is 1-based). */
export interface LogSink {
  open(key: TaskInstanceKey, tryNumber: number): Promise<TaskLog>;
}
