import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TaskInstanceKey } from '../../../core/records';
import type { LogChunk, LogReader, LogSink, TaskLog } from '../../../ports/task-log';
import { formatLogLine, type LogLevel, TaskLogClosedError, taskLogPath } from '../../shared/log-format';
import { bodyBytes, isInvalidRange, isNoSuchKey } from './s3-errors';

/** Options of `S3LogSink`. */
export interface S3LogSinkOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of task logs. Default `logs/`. */
  prefix?: string;
  /** Least time between two uploads while the task runs, in milliseconds. Default 3000. */
  flushIntervalMs?: number;
  /** The time stamped on each line (ISO). Default: the system clock. */
  clock?: () => string;
}

/**
 * Task logs as S3 objects with Airflow's layout (`logs/dag_id=…/run_id=…/task_id=…/attempt=<n>.log`).
 * S3 cannot append, so each upload PUTs the whole log so far: at most one upload per
 * `flushIntervalMs` while the task runs (tailing), and the last one on `close()`.
 */
export class S3LogSink implements LogSink, LogReader {
  private readonly prefix: string;

  constructor(private readonly options: S3LogSinkOptions) {
    this.prefix = options.prefix ?? 'logs/';
  }

  /** The S3 key of one attempt's log. */
  keyOf(key: TaskInstanceKey, tryNumber: number): string {
    return this.prefix + taskLogPath(key, tryNumber);
  }

  /**
   * A reopened attempt continues its log: a reschedule-mode sensor pokes in several short
   * attempts of one try, and Airflow keeps all their lines in that try's log. Costs one GET
   * (a 404 for a fresh attempt).
   */
  async open(key: TaskInstanceKey, tryNumber: number): Promise<TaskLog> {
    const earlier = await this.read(key, tryNumber);
    return new S3TaskLog(this.options, this.keyOf(key, tryNumber), earlier.content);
  }

  /** Bytes from `offset` to the end (a Range GET); `nextOffset` is where the next read continues. */
  async read(key: TaskInstanceKey, tryNumber: number, options: { offset?: number } = {}): Promise<LogChunk> {
    const offset = options.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`log offset must be a non-negative integer, got ${offset}`);
    }
    try {
      const output = await this.options.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.keyOf(key, tryNumber),
          // No Range from 0: S3 answers 416 to any range on an empty object.
          Range: offset > 0 ? `bytes=${offset}-` : undefined,
        }),
      );
      const bytes = await bodyBytes(output.Body);
      return { content: new TextDecoder().decode(bytes), nextOffset: offset + bytes.length };
    } catch (error) {
      if (isNoSuchKey(error)) return { content: '', nextOffset: 0 };
      if (isInvalidRange(error)) return { content: '', nextOffset: offset };
      throw error;
    }
  }
}

/** One attempt's log: lines buffered in memory, uploaded whole, one upload at a time. */
class S3TaskLog implements TaskLog {
  private text = '';
  /** Length of `text` at the last successful upload (text only grows). */
  private uploaded = 0;
  private timer: NodeJS.Timeout | undefined;
  private uploads: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly interval: number;
  private readonly clock: () => string;

  constructor(
    private readonly options: S3LogSinkOptions,
    private readonly objectKey: string,
    /** What the object holds already (an earlier poke of the same try). */
    earlier = '',
  ) {
    this.text = earlier;
    this.uploaded = earlier.length;
    this.interval = options.flushIntervalMs ?? 3000;
    this.clock = options.clock ?? (() => new Date().toISOString());
  }

  write(level: LogLevel, message: string): void {
    const line = formatLogLine(this.clock(), level, message);
    if (this.closed) throw new TaskLogClosedError(this.objectKey, line);
    this.text += `${line}\n`;
    // The first write after an upload arms the timer: never more than one upload per interval.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // A failed tail upload is not fatal: the text stays in memory and the next upload carries it.
      this.uploads = this.uploads.then(() => this.upload()).catch(() => {});
    }, this.interval);
    this.timer.unref?.();
  }

  async close(): Promise<void> {
    if (this.closed) return this.uploads;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.uploads = this.uploads.then(() => (this.text.length > this.uploaded ? this.upload() : undefined));
    return this.uploads;
  }

  private async upload(): Promise<void> {
    const text = this.text;
    await this.options.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.objectKey,
        Body: text,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
    this.uploaded = text.length;
  }
}
