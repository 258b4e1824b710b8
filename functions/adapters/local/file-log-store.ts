import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TaskInstanceKey } from '../../core/records';
import type { LogChunk, LogReader, LogSink, TaskLog } from '../../ports/task-log';
import { formatLogLine, TaskLogClosedError, taskLogPath } from '../shared/log-format';

/**
 * Task logs as files under a folder (local mode), with the same paths and line format as the
 * S3 sink (`dag_id=…/run_id=…/task_id=…/attempt=N.log`). Lines are appended as they come, so a
 * reader tails them at once and a crash loses nothing already written.
 */
export class FileLogStore implements LogSink, LogReader {
  constructor(
    private readonly root: string,
    private readonly clock: () => string = () => new Date().toISOString(),
  ) {}

  /** The file of one attempt. */
  fileOf(key: TaskInstanceKey, tryNumber: number): string {
    return path.join(this.root, ...taskLogPath(key, tryNumber).split('/'));
  }

  async open(key: TaskInstanceKey, tryNumber: number): Promise<TaskLog> {
    const file = this.fileOf(key, tryNumber);
    await mkdir(path.dirname(file), { recursive: true });
    let closed = false;
    // Appends run one after another so lines keep their order.
    let pending: Promise<void> = Promise.resolve();
    return {
      write: (level, message) => {
        const line = formatLogLine(this.clock(), level, message);
        if (closed) throw new TaskLogClosedError(file, line);
        pending = pending.then(() => appendFile(file, `${line}\n`));
      },
      close: async () => {
        closed = true;
        await pending;
      },
    };
  }

  async read(key: TaskInstanceKey, tryNumber: number, options: { offset?: number } = {}): Promise<LogChunk> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.fileOf(key, tryNumber));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { content: '', nextOffset: 0 };
      throw error;
    }
    const offset = Math.min(options.offset ?? 0, bytes.length);
    return { content: bytes.subarray(offset).toString('utf8'), nextOffset: bytes.length };
  }
}
