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

/**
 * A slice of an attempt's log: `content` from `offset`, and where the next read continues.
 * Offsets are the adapter's cursor (bytes on S3, events on CloudWatch): pass `nextOffset` back as is.
 */
export interface LogChunk {
  content: string;
  nextOffset: number;
}

/** Reads task logs while the task runs (tailing) and after it finished. */
export interface LogReader {
  /** From `offset` (0 by default, the start); empty content when nothing new or no log yet. */
  read(key: TaskInstanceKey, tryNumber: number, options?: { offset?: number }): Promise<LogChunk>;
}
