import { formatKey, type TaskInstanceKey } from '../../core/records';
import type { LogChunk, LogReader, LogSink, TaskLog } from '../../ports/task-log';

/** One captured log line. */
export interface CapturedLine {
  key: TaskInstanceKey;
  tryNumber: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** LogSink that keeps lines in memory and optionally forwards each one (the `dags test` console). */
export class MemoryLogSink implements LogSink, LogReader {
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

  /** Lines from `offset` (a line count: the cursor of this adapter), each ending in a newline. */
  async read(key: TaskInstanceKey, tryNumber: number, options: { offset?: number } = {}): Promise<LogChunk> {
    const offset = options.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`log offset must be a non-negative integer, got ${offset}`);
    }
    const lines = this.linesOf(key, tryNumber);
    const next = lines.slice(offset);
    return {
      content: next.map((l) => `${l.message}\n`).join(''),
      nextOffset: Math.max(offset, lines.length),
    };
  }

  /** The text of one attempt's log. */
  text(key: TaskInstanceKey, tryNumber: number): string {
    return this.linesOf(key, tryNumber)
      .map((l) => l.message)
      .join('\n');
  }

  private linesOf(key: TaskInstanceKey, tryNumber: number): CapturedLine[] {
    return this.lines.filter((l) => formatKey(l.key) === formatKey(key) && l.tryNumber === tryNumber);
  }
}
