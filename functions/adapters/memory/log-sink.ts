import { formatKey, type TaskInstanceKey } from '../../core/records';
import type { LogSink, TaskLog } from '../../ports/task-log';

/** One captured log line. */
export interface CapturedLine {
  key: TaskInstanceKey;
  tryNumber: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** LogSink that keeps lines in memory and optionally forwards each one (the `dags test` console). */
export class MemoryLogSink implements LogSink {
  readonly lines: CapturedLine[] = [];

  constructor(private readonly forward?: (line: CapturedLine) => void) {}

  async open(key: TaskInstanceKey, tryNumber: number): Promise<TaskLog> {
    return {
      write: (level, message) => {
        const line = { key, tryNumber, level, message };
        this.lines.push(line);
        this.forward?.(line);
      },
      close: async () => {},
    };
  }

  /** The text of one attempt's log. */
  text(key: TaskInstanceKey, tryNumber: number): string {
    return this.lines
      .filter((l) => formatKey(l.key) === formatKey(key) && l.tryNumber === tryNumber)
      .map((l) => l.message)
      .join('\n');
  }
}
